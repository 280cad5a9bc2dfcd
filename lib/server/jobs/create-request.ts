import "server-only";
import * as z from "zod/mini";
import { PROMPT_MAX_CHARS, createVideoRequestSchema } from "@/lib/contracts/create-video";
import { estimateCost, type JobCost } from "@/lib/contracts/cost";
import type { Protocol } from "@/lib/contracts/job";
import { describeModel, protocolFor } from "@/lib/contracts/models";
import { readBody } from "../body";
import { getConfig } from "../config";
import { AppError, badRequest } from "../errors";
import { decodeImageDataUrl, imageTooLarge, inspectImage, type ImageInfo } from "../media/image";
import { hostOf } from "../upstream/base-url";
import { configuredBaseUrls } from "../upstream/generation";
import { isJobId } from "./ids";
import { findModel, modelCatalogue, withPrice } from "./models";
import { getJobStore } from "./store";

/** A submit that passed every check: nothing below this line is rejected for its input. */
export interface CreateJobInput {
  prompt: string;
  model: string;
  protocol: Protocol;
  seconds?: string;
  size?: string;
  image?: ImageInfo & { bytes: Uint8Array };
  retryOf?: string;
  /** Estimated from the model's price (SORA_PRICES), when one is configured. */
  cost?: JobCost;
  /** A remix of a completed job: sent to the base URL that made the source, with its upstream id. */
  remix?: { sourceId: string; baseUrl: string; upstreamId: string };
  /** A configured fallback base URL to try first (resolved from `fallbackHost`). */
  preferBaseUrl?: string;
}

const MULTIPART_FIELDS = [
  "prompt",
  "model",
  "seconds",
  "size",
  "retryOf",
  "remixOf",
  "fallbackHost",
] as const;

/** JSON with a base64 image is ~4/3 of the image, plus the prompt and multipart framing. */
export function maxBodyBytes(maxImageBytes: number): number {
  return Math.ceil(maxImageBytes * 1.4) + 64 * 1024;
}

function requireKey() {
  const { apiKey, demoMode } = getConfig();
  if (!apiKey && !demoMode) {
    throw new AppError("invalid_api_key", { detail: { key: "noKey" } });
  }
}

type RawImage = { kind: "dataUrl"; value: string } | { kind: "file"; file: File };

interface RawRequest {
  fields: Record<string, unknown>;
  image?: RawImage;
}

function parseJsonBody(body: Uint8Array): RawRequest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw badRequest("malformedJson");
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw badRequest("malformedJson");
  const { image, ...fields } = value as Record<string, unknown>;
  if (image === undefined || image === null || image === "") return { fields };
  const images = Array.isArray(image) ? image : [image];
  if (images.length > 1) throw badRequest("imageCount");
  const [only] = images;
  if (typeof only !== "string") throw badRequest("imageType");
  return { fields, image: { kind: "dataUrl", value: only } };
}

async function parseMultipartBody(body: Uint8Array, contentType: string): Promise<RawRequest> {
  let form: FormData;
  try {
    form = await new Response(body as BodyInit, {
      headers: { "content-type": contentType },
    }).formData();
  } catch {
    throw badRequest("invalidField", { field: "multipart" });
  }
  const fields: Record<string, unknown> = {};
  const images: RawImage[] = [];
  for (const [name, value] of form.entries()) {
    if (name === "image") {
      if (typeof value === "string") {
        if (value !== "") images.push({ kind: "dataUrl", value });
      } else if (value.size > 0) {
        images.push({ kind: "file", file: value });
      }
      continue;
    }
    if (typeof value !== "string") throw badRequest("invalidField", { field: name });
    if (!(MULTIPART_FIELDS as readonly string[]).includes(name)) continue;
    if (name in fields) throw badRequest("invalidField", { field: name });
    fields[name] = value === "" ? undefined : value;
  }
  if (images.length > 1) throw badRequest("imageCount");
  return { fields, image: images[0] };
}

function issueToError(issue: z.core.$ZodIssue): AppError {
  const field = String(issue.path[0] ?? "body");
  switch (issue.message) {
    case "prompt_empty":
      return badRequest("promptEmpty");
    case "prompt_too_long":
      return badRequest("promptTooLong", { max: PROMPT_MAX_CHARS });
    case "prompt_control_chars":
      return badRequest("promptControlChars");
    case "image_data_url":
      return badRequest("imageType");
  }
  if (field === "prompt") return badRequest("promptEmpty");
  return badRequest("invalidField", { field });
}

async function readImage(
  raw: RawImage,
  maxBytes: number,
): Promise<ImageInfo & { bytes: Uint8Array }> {
  let bytes: Uint8Array;
  if (raw.kind === "file") {
    if (raw.file.size > maxBytes) throw imageTooLarge(maxBytes);
    bytes = new Uint8Array(await raw.file.arrayBuffer());
  } else {
    if (!raw.value.startsWith("data:")) throw badRequest("imageType");
    bytes = decodeImageDataUrl(raw.value, maxBytes);
  }
  return { ...inspectImage(bytes), bytes };
}

const MODEL_ID_PATTERN = /^[A-Za-z0-9][\w.:/-]*$/;

/**
 * Reads and validates `POST /api/videos` (JSON or multipart) before anything is stored or sent:
 * every rejection is a 4xx AppError with a localized detail.
 */
export async function parseCreateVideoRequest(request: Request): Promise<CreateJobInput> {
  requireKey();
  const config = getConfig();
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const isJson =
    mediaType === "application/json" || /^application\/[\w.+-]+\+json$/.test(mediaType);
  const isMultipart = mediaType === "multipart/form-data";
  if (!isJson && !isMultipart) throw badRequest("contentType", undefined, 415);

  const body = await readBody(request, maxBodyBytes(config.maxImageBytes));
  const raw = isJson ? parseJsonBody(body) : await parseMultipartBody(body, contentType);

  const parsed = z.omit(createVideoRequestSchema, { image: true }).safeParse(raw.fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw issue ? issueToError(issue) : badRequest("invalidField", { field: "body" });
  }
  const { prompt, retryOf } = parsed.data;
  if (parsed.data.remixOf !== undefined) {
    if (raw.image) throw badRequest("remixImage");
    const remix = await parseRemix(prompt, parsed.data.remixOf);
    return { ...remix, retryOf: await checkedRetryOf(retryOf) };
  }

  const model = parsed.data.model ?? config.defaultModel;
  const info = MODEL_ID_PATTERN.test(model) ? await findModel(model) : null;
  if (!info) throw badRequest("modelUnknown", { model });
  const protocol = protocolFor(config.apiStyle, info);

  let seconds: string | undefined;
  if (info.durations.length > 0) {
    seconds = parsed.data.seconds ?? info.durations[0];
    if (seconds !== undefined && !info.durations.includes(seconds)) {
      throw badRequest("secondsNotAllowed", {
        model,
        seconds,
        allowed: info.durations.join(", "),
      });
    }
  }

  const image = raw.image ? await readImage(raw.image, config.maxImageBytes) : undefined;
  if (image && !info.acceptsImage) throw badRequest("imageNotAllowed", { model });

  // Relay-only chat models imply their frame size by name; there is nothing to check or send.
  const checksSize = info.known || protocol !== "chat";
  let size: string | undefined;
  if (checksSize) {
    const imageSize = image ? `${image.width}x${image.height}` : undefined;
    size =
      parsed.data.size ??
      (imageSize && info.sizes.includes(imageSize) ? imageSize : undefined) ??
      info.sizes[0];
    if (size !== undefined && !info.sizes.includes(size)) {
      throw badRequest("sizeNotAllowed", { model, size, allowed: info.sizes.join(", ") });
    }
    // The videos endpoint rejects a reference image whose frame differs from the video's.
    if (image && protocol === "videos" && imageSize !== size) {
      throw badRequest("imageSizeMismatch", {
        width: image.width,
        height: image.height,
        size: size ?? "?",
      });
    }
  }

  await checkedRetryOf(retryOf);

  let preferBaseUrl: string | undefined;
  if (parsed.data.fallbackHost !== undefined) {
    const host = parsed.data.fallbackHost.toLowerCase();
    const fallbacks = configuredBaseUrls(config).slice(1);
    preferBaseUrl = fallbacks.find((url) => hostOf(url).toLowerCase() === host);
    if (!preferBaseUrl) throw badRequest("fallbackHostUnknown");
  }

  // Chat models imply their duration by name: the catalogue's one value prices them.
  const cost = estimateCost(info.price, seconds ?? info.durations[0]);
  return { prompt, model, protocol, seconds, size, image, retryOf, preferBaseUrl, cost };
}

async function checkedRetryOf(retryOf: string | undefined): Promise<string | undefined> {
  if (retryOf !== undefined && (!isJobId(retryOf) || !(await getJobStore().getJob(retryOf)))) {
    throw badRequest("retryOfMissing");
  }
  return retryOf;
}

/**
 * A remix (`remixOf`): the source must be a completed job of a model that can remix, known to the
 * relay by id, on a base URL that is still configured (the key goes nowhere else). Model, duration
 * and size are the source's; the remix goes to the source's base URL and nowhere else.
 */
async function parseRemix(prompt: string, remixOf: string): Promise<CreateJobInput> {
  const source = isJobId(remixOf) ? await getJobStore().getJob(remixOf) : undefined;
  if (!source) throw badRequest("remixOfMissing");
  if (source.state !== "completed") throw badRequest("remixNotCompleted", { state: source.state });
  // The catalogue alone decides (no relay model list is fetched): a remix sends nothing upstream
  // unless it can work.
  const info = describeModel(source.model, undefined, modelCatalogue());
  const protocol = protocolFor(getConfig().apiStyle, info);
  if (!info.remix || protocol !== "videos" || source.protocol !== "videos") {
    throw badRequest("remixNotSupported", { model: source.model });
  }
  if (!source.upstreamId || !source.baseUrl) throw badRequest("remixNoUpstream");
  if (!configuredBaseUrls(getConfig()).includes(source.baseUrl)) {
    throw badRequest("remixRelayGone", { host: hostOf(source.baseUrl) });
  }
  return {
    prompt,
    model: source.model,
    protocol: "videos",
    seconds: source.seconds,
    size: source.size,
    remix: { sourceId: source.id, baseUrl: source.baseUrl, upstreamId: source.upstreamId },
    // Billed as a new video of the source's model and duration.
    cost: estimateCost(withPrice(info).price, source.seconds ?? info.durations[0]),
  };
}
