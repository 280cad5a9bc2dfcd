import "server-only";
import { parseSize } from "@/lib/contracts/models";
import type { AttemptContext } from "./chat";
import type { GenerationCallbacks, GenerationRequest } from "./types";
import { submitTask } from "./videos";

/**
 * JSON body of new-api's `POST /v1/video/generations`: its generic `dto.VideoRequest`
 * (`model, prompt, image, duration, width, height, metadata`). `size` and `images` are what
 * new-api's own `relaycommon.TaskSubmitReq` reads from the same body (channel adaptors map `size`
 * to an aspect ratio or resolution and count `images` for first/last-frame modes), so both are sent.
 */
export function generationsBody(req: GenerationRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: req.model, prompt: req.prompt };
  const duration = req.seconds === undefined ? NaN : Number(req.seconds);
  if (Number.isFinite(duration) && duration > 0) body.duration = duration;
  const frame = req.size ? parseSize(req.size) : null;
  if (frame && req.size) {
    body.width = frame.width;
    body.height = frame.height;
    body.size = req.size;
  }
  if (req.image) {
    const dataUrl = `data:${req.image.mime};base64,${Buffer.from(req.image.bytes).toString("base64")}`;
    body.image = dataUrl;
    body.images = [dataUrl];
  }
  return body;
}

/** One generations create: POST the JSON body, return the task id. */
export function generationsAttempt(
  req: GenerationRequest,
  cb: GenerationCallbacks,
  ctx: AttemptContext,
): Promise<string> {
  return submitTask(req, cb, ctx, {
    protocol: "generations",
    url: `${ctx.baseUrl}/video/generations`,
    body: JSON.stringify(generationsBody(req)),
  });
}
