import { randomBytes } from "node:crypto";
import type { ActiveFaults, Outages } from "./faults";

/*
 * A simulated job and its clock: status and progress are a pure function of the time since the
 * create (and the job's faults), and each protocol's poll answer is rendered from them (Videos
 * API objects in their dialects, generation tasks in theirs). Shared by the full and in-app
 * simulators.
 */

export type JobKind = "video" | "chat" | "task";
export type JobStatus = "queued" | "in_progress" | "completed" | "failed";

export interface Job {
  kind: JobKind;
  id: string;
  /** Safe file name stem for `/files/<fileKey>.mp4`; ids may contain `:` in the quirks dialect. */
  fileKey: string;
  seq: number;
  model: string;
  prompt: string;
  seconds: string;
  size: string;
  createdAtMs: number;
  durationMs: number;
  speed: number;
  remixedFrom: string | null;
  /** `media_url`: the video link handed out (poll answers, chat result, /content) is this URL. */
  mediaUrl?: string;
  faults: ActiveFaults;
  polls: number;
  downloads: number;
  outages: Outages;
  /** When the first poll arrived (a poll outage starts there). */
  firstPollAtMs?: number;
  lastPollAtMs?: number;
  /** Shortest time between two polls of this job (two pollers at once make it small). */
  minPollGapMs?: number;
  deleted: boolean;
}

export interface JobState {
  status: JobStatus;
  progress: number;
  completedAtMs: number | null;
}

/** A whole job takes ~20 s at speed 1: 10% queued, then progress 0→100. */
export const BASE_JOB_MS = 20_000;
const QUEUED_SHARE = 0.1;
export const STUCK_PROGRESS = 42;
export const FAILED_PROGRESS = 37;
export const FAILED_ERROR = {
  code: "moderation_blocked",
  message: "Your request was blocked by our moderation system.",
};

export function jobDuration(speed: number): number {
  return BASE_JOB_MS / speed;
}

export function progressAt(elapsedMs: number, durationMs: number): number {
  const queuedMs = durationMs * QUEUED_SHARE;
  if (elapsedMs < queuedMs) return 0;
  return Math.min(100, Math.floor(((elapsedMs - queuedMs) / (durationMs - queuedMs)) * 100));
}

export function jobState(job: Job, now: number): JobState {
  const elapsed = now - job.createdAtMs;
  const queuedMs = job.durationMs * QUEUED_SHARE;
  if (elapsed < queuedMs) return { status: "queued", progress: 0, completedAtMs: null };
  const fault = job.faults.job?.name;
  if (fault === "job_stuck") {
    return { status: "in_progress", progress: STUCK_PROGRESS, completedAtMs: null };
  }
  const progress = progressAt(elapsed, job.durationMs);
  if (fault === "job_failed" && progress >= FAILED_PROGRESS) {
    const failedAt =
      job.createdAtMs + queuedMs + (job.durationMs - queuedMs) * (FAILED_PROGRESS / 100);
    return { status: "failed", progress: FAILED_PROGRESS, completedAtMs: Math.ceil(failedAt) };
  }
  if (elapsed >= job.durationMs) {
    return { status: "completed", progress: 100, completedAtMs: job.createdAtMs + job.durationMs };
  }
  return { status: "in_progress", progress: Math.min(progress, 99), completedAtMs: null };
}

export function randomId(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/** ULID-looking lower-case id as used by relays (`task_01k7…`). */
export function ulidLike(): string {
  const random = randomBytes(26);
  let out = "01k";
  for (let i = 0; out.length < 26; i++) out += CROCKFORD[(random[i] ?? 0) % 32];
  return out;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export interface RenderContext {
  now: number;
  baseUrl: string;
}

export function fileUrl(
  job: Job,
  baseUrl: string,
  variant: "video" | "thumbnail" = "video",
): string {
  if (job.mediaUrl && variant === "video") return job.mediaUrl;
  return `${baseUrl}/files/${job.fileKey}.${variant === "video" ? "mp4" : "jpg"}`;
}

/** The official Video object; with the `quirks` dialect the shape of a sloppy relay instead. */
export function renderVideo(job: Job, ctx: RenderContext): Record<string, unknown> {
  const state = jobState(job, ctx.now);
  if (job.faults.dialect?.name === "quirks") return renderQuirkyVideo(job, state, ctx);
  if (job.faults.dialect?.name === "nonsora") return renderNonSoraVideo(job, ctx);
  const completedAt = state.completedAtMs === null ? null : seconds(state.completedAtMs);
  return {
    id: job.id,
    object: "video",
    model: job.model,
    status: state.status,
    progress: state.progress,
    created_at: seconds(job.createdAtMs),
    completed_at: completedAt,
    expires_at:
      state.status === "completed" && completedAt !== null
        ? completedAt + Math.round(86_400 / job.speed)
        : null,
    error: state.status === "failed" ? FAILED_ERROR : null,
    prompt: job.prompt,
    remixed_from_video_id: job.remixedFrom,
    seconds: job.seconds,
    size: job.size,
  };
}

const QUIRKY_STATUS: Record<JobStatus, string> = {
  queued: "submitted",
  in_progress: "processing",
  completed: "SUCCESS",
  failed: "FAILURE",
};

function renderQuirkyVideo(job: Job, state: JobState, ctx: RenderContext): Record<string, unknown> {
  return {
    task_id: job.id,
    object: "video",
    model: job.model,
    status: QUIRKY_STATUS[state.status],
    progress: state.progress,
    created_at: job.createdAtMs,
    completed_at: state.completedAtMs,
    error: state.status === "failed" ? FAILED_ERROR : null,
    prompt: job.prompt,
    seconds: job.seconds,
    size: job.size,
    metadata: state.status === "completed" ? { url: fileUrl(job, ctx.baseUrl) } : {},
  };
}

const TASK_STATUS: Record<JobStatus, string> = {
  queued: "SUBMITTED",
  in_progress: "IN_PROGRESS",
  completed: "SUCCESS",
  failed: "FAILURE",
};

/** new-api `GET /v1/video/generations/{id}`: the TaskDto inside a `{code,message,data}` envelope. */
export function renderTask(job: Job, ctx: RenderContext): Record<string, unknown> {
  if (job.faults.dialect?.name === "task_flat") return renderFlatTask(job, ctx);
  if (job.faults.dialect?.name === "task_wrapped") return renderWrappedTask(job, ctx);
  const state = jobState(job, ctx.now);
  const startMs = job.createdAtMs + job.durationMs * QUEUED_SHARE;
  return {
    code: "success",
    message: "",
    data: {
      task_id: job.id,
      action: "generate",
      status: TASK_STATUS[state.status],
      fail_reason: state.status === "failed" ? FAILED_ERROR.message : "",
      submit_time: seconds(job.createdAtMs),
      start_time: state.status === "queued" ? 0 : seconds(startMs),
      finish_time: state.completedAtMs === null ? 0 : seconds(state.completedAtMs),
      progress: `${state.progress}%`,
      result_url: state.status === "completed" ? fileUrl(job, ctx.baseUrl) : "",
    },
  };
}

const FLAT_STATUS: Record<JobStatus, string> = {
  queued: "queued",
  in_progress: "processing",
  completed: "succeeded",
  failed: "failed",
};

/**
 * new-api's flat `dto.VideoTaskResponse` `{task_id, status, url, format, metadata, error}`
 * (lower-case statuses, numeric progress), as some gateways answer the generations poll.
 */
export function renderFlatTask(job: Job, ctx: RenderContext): Record<string, unknown> {
  const state = jobState(job, ctx.now);
  const [width, height] = job.size.split("x").map(Number);
  return {
    task_id: job.id,
    status: FLAT_STATUS[state.status],
    progress: state.progress,
    ...(state.status === "completed"
      ? {
          url: fileUrl(job, ctx.baseUrl),
          format: "mp4",
          metadata: { duration: Number(job.seconds), fps: 24, width, height, seed: 20231234 },
        }
      : {}),
    ...(state.status === "failed" ? { error: { code: 500, message: FAILED_ERROR.message } } : {}),
  };
}

/** task_wrapped: the flat shape inside another `{code, msg, data}` wrapper, upper-case statuses. */
export function renderWrappedTask(job: Job, ctx: RenderContext): Record<string, unknown> {
  const flat = renderFlatTask(job, ctx);
  const state = jobState(job, ctx.now);
  const status = { queued: "QUEUED", in_progress: "IN_PROGRESS", completed: "completed" }[
    state.status as "queued" | "in_progress" | "completed"
  ];
  return { code: 0, msg: "ok", data: { ...flat, status: status ?? "FAILURE" } };
}

/**
 * A non-Sora model behind new-api's `/v1/videos` (ConvertToOpenAIVideo): a `task_…` id, numeric
 * `seconds`, `succeeded`, and the result only in `metadata.url`.
 */
export function renderNonSoraVideo(job: Job, ctx: RenderContext): Record<string, unknown> {
  const state = jobState(job, ctx.now);
  return {
    id: job.id,
    task_id: job.id,
    object: "video",
    model: job.model,
    status: state.status === "completed" ? "succeeded" : state.status,
    progress: state.progress,
    created_at: seconds(job.createdAtMs),
    completed_at: state.completedAtMs === null ? 0 : seconds(state.completedAtMs),
    seconds: Number(job.seconds),
    size: job.size,
    error: state.status === "failed" ? FAILED_ERROR : undefined,
    metadata: state.status === "completed" ? { url: fileUrl(job, ctx.baseUrl) } : undefined,
  };
}

/** new-api answers a task submit with an OpenAI-video-like object carrying both ids. */
export function renderTaskSubmit(job: Job): Record<string, unknown> {
  const dialect = job.faults.dialect?.name;
  if (dialect === "task_flat") return { task_id: job.id, status: "queued" };
  if (dialect === "task_wrapped") {
    return { code: 0, msg: "ok", data: { task_id: job.id, status: "QUEUED" } };
  }
  return {
    id: job.id,
    task_id: job.id,
    object: "video",
    model: job.model,
    status: "queued",
    progress: 0,
    created_at: seconds(job.createdAtMs),
  };
}
