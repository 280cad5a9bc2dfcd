import { DEFAULT_VIDEO_MODEL } from "../catalog";
import { admit, createJob, videoJobFaults } from "../admission";
import { json, readJson, type Ctx } from "../http";
import { randomId, renderTask, renderTaskSubmit } from "../jobs";
import { decodeDataUrl, imageInfo } from "../media";
import { pollAfter, pollFailed, renderCtx } from "../reads";

/*
 * The unified task protocol of new-api style relays (`POST /v1/video/generations`, then
 * `GET /v1/video/generations/{task_id}`), with its Go-decoder errors (`{ code, message, data }`).
 */

/** The relay's error envelope on this protocol. */
function taskError(ctx: Ctx, code: string, message: string): void {
  json(ctx, 400, { code, message, data: null });
}

export async function createTask(ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  const prompt = typeof body.prompt === "string" ? body.prompt : "";
  const model = typeof body.model === "string" && body.model ? body.model : DEFAULT_VIDEO_MODEL;
  const decoded = typeof body.image === "string" ? decodeDataUrl(body.image) : null;
  if (decoded) {
    ctx.sim.recordUpload(ctx.route, prompt, model, imageInfo(decoded.body, decoded.mime));
  }
  const admission = admit(ctx, prompt, model);
  if (!admission) return;
  if (!prompt.trim()) return taskError(ctx, "invalid_request", "prompt is required");
  const width = Number(body.width ?? 0);
  const height = Number(body.height ?? 0);
  const duration = Number(body.duration ?? 0);
  // dto.VideoRequest: duration is a float64, width/height ints; a string is a 400 in Go's decoder.
  for (const [field, value] of [
    ["duration", body.duration],
    ["width", body.width],
    ["height", body.height],
  ] as const) {
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
      return taskError(
        ctx,
        "invalid_request",
        `json: cannot unmarshal ${typeof value} into Go struct field VideoRequest.${field}`,
      );
    }
  }
  const size = width > 0 && height > 0 ? `${width}x${height}` : "720x1280";
  const job = createJob(ctx, admission, "task", `task_${randomId(16)}`, {
    model,
    prompt,
    size,
    seconds: duration > 0 ? String(duration) : "4",
    faults: videoJobFaults(admission.faults),
    mediaUrl: admission.mediaUrl,
  });
  if (admission.loseReply) return void ctx.res.destroy();
  json(ctx, 200, renderTaskSubmit(job));
}

export function getTask(ctx: Ctx, id: string): void {
  const job = ctx.sim.findJob(id, "task");
  if (!job) return taskError(ctx, "task_not_exist", "task_not_exist");
  if (pollFailed(ctx, job)) return;
  json(ctx, 200, renderTask(job, renderCtx(ctx)), pollAfter(job));
}
