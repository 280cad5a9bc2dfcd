import "server-only";
import { scrubUpstreamMessage } from "../redact";
import { hostOf } from "./base-url";
import type { AttemptContext } from "./chat";
import { classifyJobFailure, classifyUpstreamError, UpstreamError } from "./classify";
import { resolveDeps, type UpstreamDeps } from "./deps";
import { openUpstream } from "./request";
import { withIdempotentRetry } from "./idempotent";
import { sleep } from "./retry";
import type { GenerationCallbacks, GenerationRequest, VideoSource } from "./types";
import { isObject, parseJsonOrUndefined } from "./json";

/** Relays are asked at most every 10 s, whatever `openai-poll-after-ms` says (reference §6). */
const MAX_POLL_INTERVAL_MS = 10_000;
const MIN_POLL_INTERVAL_MS = 50;

export type VideoStatus = "queued" | "in_progress" | "completed" | "failed";

/** new-api's synonym table (reference §5); anything unknown counts as queued, like new-api does. */
const STATUS_SYNONYMS: Record<string, VideoStatus> = {
  queued: "queued",
  pending: "queued",
  submitted: "queued",
  not_start: "queued",
  preparing: "queued",
  unknown: "queued",
  created: "queued",
  starting: "queued",
  queueing: "queued",
  processing: "in_progress",
  in_progress: "in_progress",
  running: "in_progress",
  generating: "in_progress",
  completed: "completed",
  complete: "completed",
  success: "completed",
  succeeded: "completed",
  succeed: "completed",
  finished: "completed",
  failed: "failed",
  failure: "failed",
  fail: "failed",
  error: "failed",
  cancelled: "failed",
  canceled: "failed",
};

export interface NormalizedVideo {
  id?: string;
  status: VideoStatus;
  rawStatus: string;
  progress?: number;
  url?: string;
  expiresAt?: string;
  error?: { code?: string; message?: string };
}

function str(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim()) return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

export function normalizeStatus(value: unknown): VideoStatus {
  const key = (str(value) ?? "").toLowerCase().replace(/[\s-]+/g, "_");
  return STATUS_SYNONYMS[key] ?? "queued";
}

/** `45`, `"45%"`, `0.45`-style fractions are not used by any relay we know, so none are guessed. */
export function normalizeProgress(value: unknown): number | undefined {
  const n =
    typeof value === "number" ? value : typeof value === "string" ? Number.parseFloat(value) : NaN;
  if (!Number.isFinite(n)) return undefined;
  return Math.min(100, Math.max(0, Math.round(n)));
}

/** Unix seconds or milliseconds (some relays), or an ISO string → ISO string. */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) {
    return new Date(value > 1e12 ? value : value * 1000).toISOString();
  }
  if (typeof value === "string" && value.trim()) {
    const numeric = Number(value);
    if (Number.isFinite(numeric)) return normalizeTimestamp(numeric);
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
  }
  return undefined;
}

function resultUrl(video: Record<string, unknown>): string | undefined {
  const metadata = isObject(video.metadata) ? video.metadata : {};
  for (const candidate of [
    metadata.url,
    metadata.video_url,
    video.video_url,
    video.url,
    video.result_url,
    video.download_url,
  ]) {
    if (typeof candidate === "string" && /^https?:\/\//i.test(candidate)) return candidate;
  }
  return undefined;
}

function looksLikeTask(value: Record<string, unknown>): boolean {
  return (
    value.status !== undefined ||
    value.task_id !== undefined ||
    value.id !== undefined ||
    value.task_status !== undefined
  );
}

/**
 * The task object inside any wrapper: new-api's `{code, message, data: {…}}`, relays that wrap the
 * flat `{task_id, status, url}` shape once more (`{data: {data: {…}}}`, `{result: {…}}`).
 */
function unwrapTask(body: Record<string, unknown>): Record<string, unknown> {
  let current = body;
  for (let depth = 0; depth < 3; depth++) {
    const inner = [current.data, current.result, current.task].find(isObject);
    if (!inner || (looksLikeTask(current) && current.status !== undefined)) break;
    if (!looksLikeTask(inner) && ![inner.data, inner.result, inner.task].some(isObject)) break;
    current = inner;
  }
  return current;
}

/**
 * One video object in any dialect: OpenAI, new-api's task envelope `{code, data}`, the flat
 * generations answer `{task_id, status, url, format, metadata, error}` and wrappers around it.
 */
export function normalizeVideo(body: unknown): NormalizedVideo | undefined {
  if (!isObject(body)) return undefined;
  const video = unwrapTask(body);
  const error = isObject(video.error)
    ? { code: str(video.error.code), message: str(video.error.message) }
    : str(video.fail_reason) || typeof video.error === "string"
      ? { message: str(video.fail_reason) ?? str(video.error) }
      : undefined;
  const status = video.status ?? video.task_status;
  return {
    id: str(video.id) ?? str(video.task_id) ?? str(video.video_id),
    status: normalizeStatus(status),
    rawStatus: str(status) ?? "",
    progress: normalizeProgress(video.progress),
    url: resultUrl(video),
    expiresAt: normalizeTimestamp(video.expires_at),
    error,
  };
}

export function videoPath(baseUrl: string, upstreamId: string, suffix = ""): string {
  return `${baseUrl}/videos/${encodeURIComponent(upstreamId)}${suffix}`;
}

/** Protocols whose jobs are polled by id (everything but the chat stream). */
export type TaskProtocol = "videos" | "generations";

/** Where a task's status is read: `/v1/videos/{id}` or new-api's `/v1/video/generations/{id}`. */
export function taskPath(protocol: TaskProtocol, baseUrl: string, upstreamId: string): string {
  return protocol === "generations"
    ? `${baseUrl}/video/generations/${encodeURIComponent(upstreamId)}`
    : videoPath(baseUrl, upstreamId);
}

/** Multipart body of `POST /v1/videos`: `seconds` as a string, the image as `input_reference`. */
export function videosFormData(req: GenerationRequest): FormData {
  const form = new FormData();
  form.append("prompt", req.prompt);
  form.append("model", req.model);
  if (req.seconds !== undefined) form.append("seconds", String(req.seconds));
  if (req.size) form.append("size", req.size);
  if (req.image) {
    const extension =
      req.image.mime.split("/")[1] === "jpeg" ? "jpg" : req.image.mime.split("/")[1];
    form.append(
      "input_reference",
      new Blob([new Uint8Array(req.image.bytes)], { type: req.image.mime }),
      `reference.${extension}`,
    );
  }
  return form;
}

/** One videos create: POST the form, return the upstream job id. */
export function videosAttempt(
  req: GenerationRequest,
  cb: GenerationCallbacks,
  ctx: AttemptContext,
): Promise<string> {
  return submitTask(req, cb, ctx, {
    protocol: "videos",
    url: `${ctx.baseUrl}/videos`,
    body: videosFormData(req),
  });
}

/** One remix create: `POST /v1/videos/{id}/remix` with JSON `{prompt}` (the SDK's `videos.remix`). */
export function videosRemixAttempt(
  req: GenerationRequest,
  sourceUpstreamId: string,
  cb: GenerationCallbacks,
  ctx: AttemptContext,
): Promise<string> {
  return submitTask(req, cb, ctx, {
    protocol: "videos",
    url: videoPath(ctx.baseUrl, sourceUpstreamId, "/remix"),
    body: JSON.stringify({ prompt: req.prompt }),
  });
}

/**
 * One task create (videos or generations): POST, and on any 2xx (200 or 202) report the paid
 * create and return the upstream id (`id` or `task_id`, flat or wrapped).
 */
export async function submitTask(
  req: GenerationRequest,
  cb: GenerationCallbacks,
  ctx: AttemptContext,
  wire: { protocol: TaskProtocol; url: string; body: FormData | string },
): Promise<string> {
  const { config } = ctx.deps;
  const json = typeof wire.body === "string";
  const call = await openUpstream({
    operation: "create",
    protocol: wire.protocol,
    url: wire.url,
    baseUrl: ctx.baseUrl,
    apiKey: config.apiKey,
    method: "POST",
    headers: json
      ? { accept: "application/json", "content-type": "application/json" }
      : { accept: "application/json" },
    body: wire.body,
    attempt: ctx.attempt,
    model: req.model,
    signal: ctx.signal,
    deps: ctx.deps,
  });
  if (!call.response.ok) throw await call.failFromStatus();

  ctx.accepted.value = true;
  let text: string;
  try {
    text = await call.readText();
  } catch (error) {
    call.finish({ error });
    cb.onAccepted({ baseUrl: ctx.baseUrl });
    throw error;
  }
  const body = parseJsonOrUndefined(text);
  const video = normalizeVideo(body);
  if (!video?.id) {
    // Accepted (2xx) but unusable: report the paid create, then why it cannot be followed.
    cb.onAccepted({ baseUrl: ctx.baseUrl });
    const error =
      isObject(body) && body.error
        ? classifyUpstreamError({
            status: call.response.status,
            headers: call.response.headers,
            body: text,
            operation: "create",
            model: req.model,
            host: call.host,
          })
        : new UpstreamError("protocol_error", {
            params: { model: req.model, host: call.host },
            status: call.response.status,
            upstreamMessage: `the create answer has no job id: ${text.slice(0, 300)}`,
            upstreamRequestId: call.response.headers.get("x-request-id") ?? undefined,
          });
    call.finish({ error });
    throw error;
  }
  call.finish({ status: call.response.status });
  cb.onAccepted({ baseUrl: ctx.baseUrl, upstreamId: video.id });
  return video.id;
}

interface PollAnswer {
  video: NormalizedVideo;
  pollAfterMs?: number;
}

async function pollOnce(
  protocol: TaskProtocol,
  baseUrl: string,
  upstreamId: string,
  attempt: number,
  signal: AbortSignal,
  deps: UpstreamDeps,
): Promise<PollAnswer> {
  const call = await openUpstream({
    operation: "poll",
    protocol,
    url: taskPath(protocol, baseUrl, upstreamId),
    baseUrl,
    apiKey: deps.config.apiKey,
    headers: { accept: "application/json" },
    attempt,
    signal,
    deps,
  });
  if (!call.response.ok) throw await call.failFromStatus();
  let text: string;
  try {
    text = await call.readText();
  } catch (error) {
    call.finish({ error });
    throw error;
  }
  const body = parseJsonOrUndefined(text);
  const video = normalizeVideo(body);
  const errorOnly = isObject(body) && Boolean(body.error) && video?.rawStatus === "";
  if (!video || errorOnly) {
    const error = errorOnly
      ? classifyUpstreamError({
          status: call.response.status,
          headers: call.response.headers,
          body: text,
          operation: "poll",
          host: call.host,
        })
      : new UpstreamError("protocol_error", {
          params: { host: call.host },
          status: call.response.status,
          upstreamMessage: `unreadable job status: ${text.slice(0, 300)}`,
        });
    call.finish({ error });
    throw error;
  }
  const routine = video.status === "queued" || video.status === "in_progress";
  call.finish({ status: call.response.status, routine });
  const header = Number(call.response.headers.get("openai-poll-after-ms"));
  return {
    video,
    pollAfterMs: Number.isFinite(header) && header > 0 ? header : undefined,
  };
}

/** A 404 from the poll of a job id the upstream has already shown us: the job is gone. */
function isNotFound(error: UpstreamError): boolean {
  return error.options.status === 404;
}

export interface FollowOptions {
  /** The upstream has answered for this id before (a 404 now means it is gone, not "not yet"). */
  seen?: boolean;
  /** Which task API owns the id (default `videos`). */
  protocol?: TaskProtocol;
}

/**
 * Polls `GET /v1/videos/{id}` (or `/v1/video/generations/{id}`) until the job completes (→ VideoSource) or fails (→ AppError).
 * After acceptance trouble is weather: 5xx, 429, network errors and timeouts are retried with
 * capped exponential backoff (Retry-After honoured) until `signal` aborts (the job's deadline).
 * It fails only when the upstream says the job failed, when a job already seen answers 404
 * (gone), or on an error retrying cannot fix (e.g. the key was revoked).
 */
export async function followVideoJob(
  baseUrl: string,
  upstreamId: string,
  cb: Pick<GenerationCallbacks, "onProgress" | "onRetry">,
  signal: AbortSignal,
  deps?: Partial<UpstreamDeps>,
  options: FollowOptions = {},
): Promise<VideoSource> {
  const protocol = options.protocol ?? "videos";
  const resolved = resolveDeps(deps);
  const { config } = resolved;
  const host = hostOf(baseUrl);
  let seen = options.seen === true;
  let last: { percent: number; message?: string } | undefined;
  for (;;) {
    let answer: PollAnswer;
    try {
      answer = await withIdempotentRetry(
        "poll",
        (attempt) => pollOnce(protocol, baseUrl, upstreamId, attempt, signal, resolved),
        {
          deps: resolved,
          signal,
          onRetry: (info) => cb.onRetry(info),
          untilAborted: true,
          // Some relays 404 a task for a moment right after accepting it.
          alsoRetry: (error) => !seen && isNotFound(error),
        },
      );
    } catch (error) {
      if (error instanceof UpstreamError && seen && isNotFound(error)) {
        throw new UpstreamError("generation_failed", {
          detail: { key: "upstreamGone" },
          params: { host },
          status: 404,
          upstreamMessage: error.options.upstreamMessage,
          upstreamRequestId: error.options.upstreamRequestId,
        });
      }
      throw error;
    }
    seen = true;
    const { video } = answer;
    if (video.status === "failed") {
      throw classifyJobFailure(video.error ?? { message: video.rawStatus }, { host });
    }
    const percent = video.status === "completed" ? 100 : (video.progress ?? last?.percent ?? 0);
    const message = video.rawStatus ? scrubUpstreamMessage(video.rawStatus, 80) : undefined;
    if (!last || last.percent !== percent || last.message !== message) {
      last = { percent, message };
      cb.onProgress(message ? { percent, message } : { percent });
    }
    if (video.status === "completed") return completedSource(protocol, baseUrl, upstreamId, video);
    const interval = Math.min(
      Math.max(answer.pollAfterMs ?? config.pollIntervalMs, MIN_POLL_INTERVAL_MS),
      MAX_POLL_INTERVAL_MS,
    );
    await sleep(interval, signal);
  }
}

/** Where a finished task's video is: the generations API has no content route, only its link. */
function completedSource(
  protocol: TaskProtocol,
  baseUrl: string,
  upstreamId: string,
  video: NormalizedVideo,
): VideoSource {
  if (protocol === "videos") {
    return { baseUrl, upstreamId, url: video.url, expiresAt: video.expiresAt };
  }
  if (!video.url) {
    throw new UpstreamError("protocol_error", {
      params: { host: hostOf(baseUrl) },
      upstreamMessage: `the finished task has no result_url/url (status ${video.rawStatus})`,
    });
  }
  return { baseUrl, url: video.url, expiresAt: video.expiresAt };
}

export type VideoLookup =
  | { status: "queued" | "in_progress"; progress?: number }
  | { status: "completed"; source: VideoSource }
  | { status: "failed"; error: UpstreamError }
  | { status: "gone" };

/**
 * One question to the upstream about a job ("check again"): a few retries for weather, then the
 * answer — still running, done (with where to fetch it), failed, or gone (404).
 */
export async function lookupVideoJob(
  baseUrl: string,
  upstreamId: string,
  signal: AbortSignal,
  deps?: Partial<UpstreamDeps>,
  protocol: TaskProtocol = "videos",
): Promise<VideoLookup> {
  const resolved = resolveDeps(deps);
  try {
    const { video } = await withIdempotentRetry(
      "poll",
      (attempt) => pollOnce(protocol, baseUrl, upstreamId, attempt, signal, resolved),
      { deps: resolved, signal },
    );
    if (video.status === "completed") {
      return {
        status: "completed",
        source: completedSource(protocol, baseUrl, upstreamId, video),
      };
    }
    if (video.status === "failed") {
      const error = classifyJobFailure(video.error ?? { message: video.rawStatus }, {
        host: hostOf(baseUrl),
      });
      return { status: "failed", error };
    }
    return { status: video.status, progress: video.progress };
  } catch (error) {
    if (error instanceof UpstreamError && isNotFound(error)) return { status: "gone" };
    throw error;
  }
}
