import type * as z from "zod/mini";
import type { CreateVideoRequest } from "@/lib/contracts/create-video";
import type { Diagnosis, RelayWeather } from "@/lib/contracts/diagnosis";
import type { TimingResponse } from "@/lib/contracts/eta";
import type { ApiError } from "@/lib/contracts/errors";
import type { Job, JobList, JobListFilter } from "@/lib/contracts/job";
import type { ModelsResponse } from "@/lib/contracts/models";
import type { ApiSchemas } from "./api-schemas";

export type { ApiSchemas };
import { logJobNotice } from "./console-log";

/**
 * The answers' schemas (and zod) load with the first call, not with the page: see api-schemas.ts.
 * A schema is picked from the loaded module, e.g. `(s) => s.jobSchema`.
 */
export function loadApiSchemas(): Promise<ApiSchemas> {
  return import("./api-schemas");
}

export type PickSchema<T> = (schemas: ApiSchemas) => z.ZodMiniType<T>;

/** A failed call to our own API, carrying the envelope's error when there was one. */
export class ApiRequestError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: ApiError | null,
    options?: ErrorOptions,
  ) {
    super(error ? `${error.code}: ${error.message}` : `HTTP ${httpStatus}`, options);
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

/** The error of a failed answer from our API: its envelope's error when it has one. */
export async function readApiError(response: Response): Promise<ApiRequestError> {
  const [{ errorEnvelopeSchema }, body] = await Promise.all([loadApiSchemas(), readJson(response)]);
  const envelope = errorEnvelopeSchema.safeParse(body);
  return new ApiRequestError(response.status, envelope.success ? envelope.data.error : null);
}

/** The caller's localized sentences for a failed call that brought no envelope. */
export interface ApiErrorFallbacks {
  /** No answer at all: offline, the server down, the connection cut. */
  unreachable: string;
  /** An answer without our envelope (a proxy's bare 502, a body cut short), by its status. */
  unreadable: (httpStatus: number) => string;
}

/**
 * What to tell the person about a failed call: the envelope's localized message, else one of the
 * caller's localized fallbacks — never a bare "HTTP 500" or "Failed to fetch".
 */
export function apiErrorMessage(error: unknown, fallbacks: ApiErrorFallbacks): string {
  if (!(error instanceof ApiRequestError)) return fallbacks.unreachable;
  return error.error?.message ?? fallbacks.unreadable(error.httpStatus);
}

async function call<T>(input: string, init: RequestInit, pick: PickSchema<T>): Promise<T> {
  const schemas = loadApiSchemas();
  const response = await fetch(input, {
    ...init,
    cache: "no-store",
    headers: { Accept: "application/json", ...init.headers },
  });
  if (!response.ok) throw await readApiError(response);
  const [loaded, body] = await Promise.all([schemas, readJson(response)]);
  const parsed = pick(loaded).safeParse(body);
  if (!parsed.success) throw new ApiRequestError(response.status, null);
  return parsed.data;
}

/**
 * `GET` of one of our API's resources, validated by `schema`; a failure is an `ApiRequestError`
 * like every other call's (the SWR hooks fetch their resources with it).
 */
export function getResource<T>(path: string, pick: PickSchema<T>): Promise<T> {
  return call(path, {}, pick);
}

export function fetchModels(): Promise<ModelsResponse> {
  return call("/api/models", {}, (s) => s.modelsResponseSchema);
}

/** `GET /api/videos`, narrowed on the server by state, model and prompt text. */
export function fetchJobs(
  cursor: string | null,
  limit = 12,
  filter: JobListFilter = {},
): Promise<JobList> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (cursor) params.set("cursor", cursor);
  if (filter.state?.length) params.set("state", filter.state.join(","));
  if (filter.model) params.set("model", filter.model);
  if (filter.q) params.set("q", filter.q);
  return call(`/api/videos?${params}`, {}, (s) => s.jobListSchema);
}

export function fetchJob(id: string): Promise<Job> {
  return call(`/api/videos/${encodeURIComponent(id)}`, {}, (s) => s.jobSchema);
}

/**
 * A fresh `Idempotency-Key` for one submit. `crypto.randomUUID` only exists in secure contexts; a
 * LAN address over plain http is not one, so fall back to 122 random bits in the same shape.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The answer to a create never arrived (connection reset, offline, a proxy's bare 502/503/504, a
 * 2xx whose body was cut): the server may or may not have made the job. Only such failures are
 * resent, and only with the same key, which makes the server answer with the job it already has.
 */
function isLostReply(error: unknown): boolean {
  if (error instanceof ApiRequestError) {
    if (error.error) return false;
    return error.httpStatus < 300 || [502, 503, 504].includes(error.httpStatus);
  }
  return error instanceof TypeError;
}

export interface CreateJobOptions {
  /** One key per user submit; a resend of that submit reuses it. */
  idempotencyKey?: string;
  /** Wait before the one automatic resend after a lost reply. */
  resendDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * Creates the job and returns at once; its progress is then followed on the events stream. A lost
 * reply is resent once with the same `Idempotency-Key`, so it can never become a second paid job.
 */
export async function createJob(
  request: CreateVideoRequest,
  options: CreateJobOptions = {},
): Promise<Job> {
  const key = options.idempotencyKey ?? newIdempotencyKey();
  // The server validates (and explains in the user's language); the client only shapes the body.
  const body: CreateVideoRequest = request;
  const send = async () =>
    (
      await call(
        "/api/videos",
        {
          method: "POST",
          headers: { "Content-Type": "application/json", "Idempotency-Key": key },
          body: JSON.stringify(body),
          signal: options.signal,
        },
        (s) => s.jobAnswerSchema,
      )
    ).job;
  try {
    return await send();
  } catch (error) {
    if (options.signal?.aborted || !isLostReply(error)) throw error;
    logJobNotice(null, "create: the answer was lost, resending with the same Idempotency-Key", {
      error: String(error),
    });
    await new Promise((resolve) => setTimeout(resolve, options.resendDelayMs ?? 500));
    return send();
  }
}

/** `POST /api/videos/:id/<action>`, answered with the job as the server now knows it. */
async function postJobAction(id: string, action: "recheck" | "cancel" | "restore"): Promise<Job> {
  const path = `/api/videos/${encodeURIComponent(id)}/${action}`;
  return (await call(path, { method: "POST" }, (s) => s.jobAnswerSchema)).job;
}

/**
 * `POST /api/videos/:id/recheck`: asks the upstream again about a job that has an upstream id. The
 * answer is the job as the server now knows it; if the video exists after all, it is no longer
 * failed and its events continue after the `failed` one.
 */
export function recheckJob(id: string): Promise<Job> {
  return postJobAction(id, "recheck");
}

/**
 * `POST /api/videos/:id/cancel`: the server stops following the job and asks the relay to stop it;
 * the answer carries `cancellation` (what the relay said, whether it may still bill).
 */
export function cancelJob(id: string): Promise<Job> {
  return postJobAction(id, "cancel");
}

/**
 * `DELETE /api/videos/:id`; with `undo`, the server hides the job at once and removes it for good
 * only after its undo window (restoreJob brings it back until then).
 */
export async function deleteJob(id: string, options: { undo?: boolean } = {}): Promise<void> {
  const query = options.undo ? "?undo=1" : "";
  const response = await fetch(`/api/videos/${encodeURIComponent(id)}${query}`, {
    method: "DELETE",
    headers: { Accept: "application/json" },
  });
  if (!response.ok && response.status !== 404) throw await readApiError(response);
}

/** `POST /api/videos/:id/restore`: undoes a delete whose window has not run out. */
export function restoreJob(id: string): Promise<Job> {
  return postJobAction(id, "restore");
}

/** `GET /api/videos/:id/diagnosis`: the failed job's root cause and the ways out (issue 14). */
export function fetchDiagnosis(id: string): Promise<Diagnosis> {
  return call(`/api/videos/${encodeURIComponent(id)}/diagnosis`, {}, (s) => s.diagnosisSchema);
}

/** `GET /api/relay-weather`: recent creates, from the server's records (no upstream call). */
export function fetchRelayWeather(): Promise<RelayWeather> {
  return call("/api/relay-weather", {}, (s) => s.relayWeatherSchema);
}

/** `GET /api/timing`: each model's p50/p90 completion time from the server's own history. */
export function fetchTiming(): Promise<TimingResponse> {
  return call("/api/timing", {}, (s) => s.timingResponseSchema);
}
