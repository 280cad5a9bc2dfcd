import { z } from "zod";
import type { CreateVideoRequest } from "@/lib/contracts/create-video";
import { errorEnvelopeSchema, type ApiError } from "@/lib/contracts/errors";
import { jobListSchema, jobSchema, type Job, type JobList } from "@/lib/contracts/job";
import { modelsResponseSchema, type ModelsResponse } from "@/lib/contracts/models";

/** A failed call to our own API, carrying the envelope's error when there was one. */
export class ApiRequestError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: ApiError | null,
  ) {
    super(error ? `${error.code}: ${error.message}` : `HTTP ${httpStatus}`);
    this.name = "ApiRequestError";
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

async function call<T>(input: string, init: RequestInit, schema: z.ZodType<T>): Promise<T> {
  const response = await fetch(input, {
    ...init,
    cache: "no-store",
    headers: { Accept: "application/json", ...init.headers },
  });
  const body = await readJson(response);
  if (!response.ok) {
    const envelope = errorEnvelopeSchema.safeParse(body);
    throw new ApiRequestError(response.status, envelope.success ? envelope.data.error : null);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiRequestError(response.status, null);
  return parsed.data;
}

export function fetchModels(): Promise<ModelsResponse> {
  return call("/api/models", {}, modelsResponseSchema);
}

export function fetchJobs(cursor: string | null, limit = 12): Promise<JobList> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (cursor) params.set("cursor", cursor);
  return call(`/api/videos?${params}`, {}, jobListSchema);
}

export function fetchJob(id: string): Promise<Job> {
  return call(`/api/videos/${encodeURIComponent(id)}`, {}, jobSchema);
}

/** `202 {job}` of `POST /api/videos` with `Accept: application/json`. */
const createdJobSchema = z.object({ job: jobSchema });

/** Creates the job and returns at once; its progress is then followed on the events stream. */
export async function createJob(request: CreateVideoRequest): Promise<Job> {
  // The server validates (and explains in the user's language); the client only shapes the body.
  const body: CreateVideoRequest = request;
  const { job } = await call(
    "/api/videos",
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
    createdJobSchema,
  );
  return job;
}

export async function deleteJob(id: string): Promise<void> {
  const response = await fetch(`/api/videos/${encodeURIComponent(id)}`, {
    method: "DELETE",
    headers: { Accept: "application/json" },
  });
  if (!response.ok && response.status !== 404) {
    const envelope = errorEnvelopeSchema.safeParse(await readJson(response));
    throw new ApiRequestError(response.status, envelope.success ? envelope.data.error : null);
  }
}
