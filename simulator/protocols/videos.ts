import { DEFAULT_VIDEO_MODEL, VIDEO_SECONDS, VIDEO_SIZES, quoteList } from "../catalog";
import { bodies } from "../fault-answers";
import type { ActiveFaults } from "../faults";
import { admit, createJob, videoJobFaults } from "../admission";
import {
  BadRequest,
  answer,
  json,
  missingParameter,
  readForm,
  routeMissing,
  type Ctx,
} from "../http";
import { fileUrl, jobState, randomId, renderVideo, ulidLike } from "../jobs";
import { decodeDataUrl, imageInfo, type ImageInfo } from "../media";
import { pollAfter, pollFailed, renderCtx, sendMedia } from "../reads";

/*
 * The OpenAI Videos API (`/v1/videos…`) as relays serve it: create (JSON or multipart with a
 * reference image), remix, poll, list, delete and download, with Sora's strict validation and the
 * dialects relays answer in for other models (`nonsora`) or with their own quirks (`quirks`).
 */

export async function createVideo(ctx: Ctx): Promise<void> {
  const { fields, file } = await readForm(ctx);
  const prompt = typeof fields.prompt === "string" ? fields.prompt : "";
  const model =
    typeof fields.model === "string" && fields.model ? fields.model : DEFAULT_VIDEO_MODEL;
  const image = file ? imageInfo(file.body, file.mime || undefined) : jsonReference(fields);
  if (image) ctx.sim.recordUpload(ctx.route, prompt, model, image);

  const admission = admit(ctx, prompt, model);
  if (!admission) return;
  if (!prompt.trim()) throw new BadRequest(missingParameter("prompt"));
  const faults = videoFaults(model, admission.faults);
  const nonSora = faults.dialect?.name === "nonsora";
  // Non-Sora channels take their own durations and frames; only Sora's are checked strictly.
  const seconds = nonSora ? String(Number(fields.seconds) || 8) : validateSeconds(fields.seconds);
  const size = nonSora && typeof fields.size === "string" ? fields.size : validateSize(fields.size);
  if (image?.width && image.height && `${image.width}x${image.height}` !== size) {
    throw new BadRequest(
      bodies.invalidRequest(
        400,
        "Inpaint image must match the requested width and height",
        null,
        null,
      ),
    );
  }
  const job = createJob(ctx, admission, "video", videoId(model, faults), {
    model,
    prompt,
    seconds,
    size,
    faults,
    mediaUrl: admission.mediaUrl,
  });
  // The relay took (and billed) the job, but its answer never reaches the caller.
  if (admission.loseReply) return void ctx.res.destroy();
  json(ctx, nonSora ? 202 : 200, renderVideo(job, renderCtx(ctx)), pollAfter(job));
}

export async function remix(ctx: Ctx, sourceId: string): Promise<void> {
  const { fields } = await readForm(ctx);
  const prompt = typeof fields.prompt === "string" ? fields.prompt : "";
  const source = ctx.sim.findJob(sourceId, "video");
  if (source?.faults.remix?.name === "remix_unsupported") {
    ctx.sim.countFault("remix_unsupported");
    return routeMissing(ctx);
  }
  const admission = admit(ctx, prompt, source?.model ?? DEFAULT_VIDEO_MODEL);
  if (!admission) return;
  if (!source) return videoNotFound(ctx, sourceId);
  if (!prompt.trim()) throw new BadRequest(missingParameter("prompt"));
  const faults = videoJobFaults(admission.faults);
  const job = createJob(ctx, admission, "video", videoId(source.model, faults), {
    model: source.model,
    prompt,
    seconds: source.seconds,
    size: source.size,
    remixedFrom: source.id,
    faults,
  });
  if (admission.loseReply) return void ctx.res.destroy();
  json(ctx, 200, renderVideo(job, renderCtx(ctx)), pollAfter(job));
}

export function getVideo(ctx: Ctx, id: string): void {
  const job = ctx.sim.findJob(id, "video");
  if (!job) return videoNotFound(ctx, id);
  if (pollFailed(ctx, job)) return;
  json(ctx, 200, renderVideo(job, renderCtx(ctx)), pollAfter(job));
}

export function listVideos(ctx: Ctx): void {
  const params = ctx.url.searchParams;
  const order = params.get("order") === "asc" ? "asc" : "desc";
  const limit = Math.min(100, Math.max(1, Number(params.get("limit")) || 20));
  const after = params.get("after");
  const all = [...ctx.sim.jobs.values()]
    .filter((j) => j.kind === "video" && !j.deleted)
    .sort((a, b) => (order === "asc" ? a.seq - b.seq : b.seq - a.seq));
  const start = after ? all.findIndex((j) => j.id === after) + 1 : 0;
  if (after && start === 0) {
    throw new BadRequest(
      bodies.invalidRequest(400, `No video found with id '${after}'.`, "after", "invalid_value"),
    );
  }
  const page = all.slice(start, start + limit);
  const render = renderCtx(ctx);
  json(ctx, 200, {
    object: "list",
    data: page.map((j) => renderVideo(j, render)),
    has_more: start + limit < all.length,
    first_id: page[0]?.id ?? null,
    last_id: page[page.length - 1]?.id ?? null,
  });
}

export function deleteVideo(ctx: Ctx, id: string): void {
  const job = ctx.sim.findJob(id, "video");
  if (!job) return videoNotFound(ctx, id);
  if (job.faults.cancel?.name === "delete_unsupported") {
    ctx.sim.countFault("delete_unsupported");
    return routeMissing(ctx);
  }
  job.deleted = true;
  json(ctx, 200, { id: job.id, object: "video.deleted", deleted: true });
}

export function videoContent(ctx: Ctx, id: string): void {
  const job = ctx.sim.findJob(id, "video");
  if (!job) return videoNotFound(ctx, id);
  const variant = ctx.url.searchParams.get("variant") ?? "video";
  if (!["video", "thumbnail", "spritesheet"].includes(variant)) {
    throw new BadRequest(
      bodies.invalidRequest(
        400,
        `Invalid value: '${variant}'. Supported values are: 'video', 'thumbnail', and 'spritesheet'.`,
        "variant",
        "invalid_value",
      ),
    );
  }
  const state = jobState(job, Date.now());
  if (state.status !== "completed") {
    throw new BadRequest(
      bodies.invalidRequest(
        404,
        `Video '${id}' is not ready: status is ${state.status}.`,
        null,
        "video_not_ready",
      ),
    );
  }
  const kind = variant === "video" ? "video" : "thumbnail";
  if (job.faults.dialect?.name === "nonsora" && !job.faults.content) {
    // A relay without a content proxy for this channel: the link is in metadata.url only.
    throw new BadRequest(
      bodies.invalidRequest(404, `Video '${id}' has no content here.`, null, "not_found"),
    );
  }
  if (job.faults.content?.name === "content_json") {
    return json(ctx, 200, { url: fileUrl(job, ctx.sim.baseUrl, kind) });
  }
  if (job.faults.dialect?.name === "quirks") {
    const url = fileUrl(job, ctx.sim.baseUrl, kind);
    return json(ctx, 200, { video_url: url, url });
  }
  if (job.mediaUrl && kind === "video") {
    return answer(ctx, {
      status: 302,
      headers: { location: job.mediaUrl, "content-type": "text/plain; charset=utf-8" },
      body: "",
    });
  }
  sendMedia(ctx, job, kind);
}

function videoNotFound(ctx: Ctx, id: string): void {
  answer(
    ctx,
    bodies.invalidRequest(404, `Video with id '${id}' not found.`, null, "video_not_found"),
  );
}

function videoId(model: string, faults: ActiveFaults): string {
  if (faults.dialect?.name === "nonsora") return `task_${randomId(32)}`;
  return faults.dialect?.name === "quirks"
    ? `${model}:task_${ulidLike()}`
    : `video_${randomId(20)}`;
}

/** new-api serves any model on /v1/videos; a non-Sora one answers in its converted dialect. */
function videoFaults(model: string, faults: ActiveFaults): ActiveFaults {
  const withJob = videoJobFaults(faults);
  if (withJob.dialect || /^sora/i.test(model)) return withJob;
  return { ...withJob, dialect: { name: "nonsora" } };
}

/** A JSON create's `input_reference`: a data URL, or `{ image_url: <data URL> }`. */
function jsonReference(fields: Record<string, unknown>): ImageInfo | null {
  const value = fields.input_reference;
  const ref =
    typeof value === "string"
      ? value
      : value && typeof value === "object"
        ? (value as Record<string, unknown>).image_url
        : undefined;
  if (typeof ref !== "string") return null;
  const decoded = decodeDataUrl(ref);
  return decoded ? imageInfo(decoded.body, decoded.mime) : null;
}

/** `seconds` must be a STRING, like the real API; an integer gets the exact upstream message. */
function validateSeconds(value: unknown): string {
  if (typeof value === "number") throw new BadRequest(bodies.badSeconds());
  if (value !== undefined && value !== null && typeof value !== "string") {
    throw new BadRequest(
      bodies.invalidRequest(
        400,
        `Invalid type for 'seconds': expected one of '4', '8', or '12', but got ${typeof value} instead.`,
        "seconds",
        null,
      ),
    );
  }
  return oneOf(value, "seconds", VIDEO_SECONDS, "4");
}

function validateSize(value: unknown): string {
  return oneOf(value, "size", VIDEO_SIZES, "720x1280");
}

/** An optional parameter from a fixed list: absent or empty = `fallback`. */
function oneOf(value: unknown, param: string, allowed: string[], fallback: string): string {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "string" && allowed.includes(value)) return value;
  throw new BadRequest(
    bodies.invalidRequest(
      400,
      `Invalid value: '${String(value)}'. Supported values are: ${quoteList(allowed)}.`,
      param,
      "invalid_value",
    ),
  );
}
