import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_CHAT_MODEL,
  DEFAULT_VIDEO_MODEL,
  MODELS,
  VIDEO_SECONDS,
  VIDEO_SIZES,
} from "./catalog";
import { SSE_HEADERS } from "./chat-chunks";
import { buildScript, type ChatPlan } from "./chat-stream";
import { jobDuration, renderTask, renderTaskSubmit, renderVideo, type Job } from "./jobs";

/*
 * The simulator as a fetch-style handler, for hosts where it cannot be a separate process (Vercel
 * demo mode: the app serves it behind a route handler and talks to it over its own public URL).
 * No state: a job id carries its creation time, model, seconds and size, so progress is a pure
 * function of the clock and any instance answers for any job. It reaches nothing else (no
 * outbound request; the only links it hands out point back at itself), echoes no request header,
 * and serves the happy path of the three protocols — faults live in the full simulator.
 */

export interface InAppSimulatorOptions {
  /** Time factor as in the full simulator: 1 = a job takes ~20 s. */
  speed?: number;
  /** Where sample.mp4 lives (simulator/assets; bundlers move this module away from it). */
  assetsDir: string;
}

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range; anything else is answered whole. */
function singleRange(header: string | null, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!match || (match[1] === "" && match[2] === "")) return null;
  const start = match[1] === "" ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  const end = match[1] === "" || match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start <= end && start < size ? { start, end } : null;
}

interface IdFields {
  /** Creation time, ms. */
  t: number;
  m: string;
  s: string;
  z: string;
  /** Protocol family: v (videos), g (generations). */
  k: "v" | "g";
}

/** As the full simulator: a reference image goes up inside the create. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const ID_PATTERN = /^(video|task)_sim_([A-Za-z0-9_-]{8,400})$/;
const FILE_PATTERN = /^([A-Za-z0-9_-]{8,400})\.mp4$/;
const SAFE_TEXT = /^[\w.:-]{1,64}$/;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

function error(status: number, message: string, type = "invalid_request_error"): Response {
  return json(status, { error: { message, type, param: null, code: null } });
}

function encodeId(fields: IdFields): string {
  return Buffer.from(JSON.stringify(fields)).toString("base64url");
}

function decodeId(token: string): IdFields | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as IdFields;
    const ok =
      Number.isSafeInteger(value.t) &&
      (value.k === "v" || value.k === "g") &&
      [value.m, value.s, value.z].every((v) => typeof v === "string" && SAFE_TEXT.test(v));
    return ok ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A job object the full simulator's renderers understand, rebuilt from the id alone. */
function jobOf(token: string, fields: IdFields, speed: number): Job {
  return {
    kind: fields.k === "g" ? "task" : "video",
    id: `${fields.k === "g" ? "task" : "video"}_sim_${token}`,
    fileKey: token,
    seq: 0,
    model: fields.m,
    prompt: "",
    seconds: fields.s,
    size: fields.z,
    createdAtMs: fields.t,
    durationMs: jobDuration(speed),
    speed,
    remixedFrom: null,
    faults: {} as Job["faults"],
    polls: 0,
    downloads: 0,
    outages: {} as Job["outages"],
    deleted: false,
  };
}

async function readBody(request: Request): Promise<Record<string, unknown> | Response> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return error(413, "Request body too large");
  const type = request.headers.get("content-type") ?? "";
  try {
    if (type.includes("multipart/form-data")) {
      const form = await request.formData();
      const out: Record<string, unknown> = {};
      for (const [name, value] of form) out[name] = typeof value === "string" ? value : "<file>";
      return out;
    }
    const value: unknown = await request.json();
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return error(400, "We could not parse the JSON body of your request.");
  }
}

const str = (value: unknown, fallback: string) =>
  typeof value === "string" && SAFE_TEXT.test(value) ? value : fallback;

export function createInAppSimulator(options: InAppSimulatorOptions) {
  const speed = options.speed ?? 1;
  const video = readFileSync(join(options.assetsDir, "sample.mp4"));

  function media(request: Request): Response {
    const range = singleRange(request.headers.get("range"), video.length);
    const headers = {
      "content-type": "video/mp4",
      "accept-ranges": "bytes",
      "cache-control": "no-store",
    };
    if (range) {
      const part = video.subarray(range.start, range.end + 1);
      return new Response(new Uint8Array(part), {
        status: 206,
        headers: {
          ...headers,
          "content-length": String(part.length),
          "content-range": `bytes ${range.start}-${range.end}/${video.length}`,
        },
      });
    }
    return new Response(new Uint8Array(video), {
      headers: { ...headers, "content-length": String(video.length) },
    });
  }

  function created(body: Record<string, unknown>, kind: "v" | "g"): IdFields {
    const model = str(body.model, kind === "g" ? "veo-3-fast" : DEFAULT_VIDEO_MODEL);
    const seconds = str(String(body.seconds ?? body.duration ?? ""), VIDEO_SECONDS[0] ?? "4");
    const size = str(body.size, VIDEO_SIZES[0] ?? "720x1280");
    return { t: Date.now(), m: model, s: seconds, z: size, k: kind };
  }

  function chat(body: Record<string, unknown>, base: string, signal: AbortSignal): Response {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const text = JSON.stringify(messages);
    const model = str(body.model, DEFAULT_CHAT_MODEL);
    const fields: IdFields = { t: Date.now(), m: model, s: "10", z: "720x1280", k: "v" };
    const token = encodeId(fields);
    const plan: ChatPlan = {
      style: "markdown",
      fault: undefined,
      model,
      prompt: createHash("sha256").update(text).digest("hex").slice(0, 12),
      hasImage: text.includes("image_url"),
      resultUrl: `${base}/files/${token}.mp4`,
      taskId: `task_${token.slice(0, 16)}`,
      durationMs: jobDuration(speed),
      speed,
    };
    const start = Date.now();
    const steps = buildScript(plan, start);
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const step = steps.shift();
        if (!step || signal.aborted) return controller.close();
        const wait = step.at - (Date.now() - start);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        controller.enqueue(encoder.encode(step.text));
      },
    });
    return new Response(stream, { headers: SSE_HEADERS });
  }

  /**
   * Answers one upstream request. `path` is the part after the mount point (`/v1/videos`), `base`
   * the absolute URL of the mount point (links to videos are built on it).
   */
  return async function handle(request: Request, path: string, base: string): Promise<Response> {
    const now = Date.now();
    const segments = path.split("/").filter(Boolean);
    const [v1, resource, id, tail] = segments;
    const method = request.method.toUpperCase();
    if (v1 === "files" && segments.length === 2 && method === "GET") {
      const match = FILE_PATTERN.exec(resource ?? "");
      return match && decodeId(match[1] ?? "") ? media(request) : error(404, "Not found");
    }
    if (v1 !== "v1") return error(404, "Not found");
    if (resource === "models" && segments.length === 2 && method === "GET") {
      return json(200, { object: "list", data: MODELS });
    }
    if (resource === "videos" && segments.length === 2 && method === "POST") {
      const body = await readBody(request);
      if (body instanceof Response) return body;
      const fields = created(body, "v");
      return json(200, renderVideo(jobOf(encodeId(fields), fields, speed), { now, baseUrl: base }));
    }
    if (resource === "video" && id === "generations" && method === "POST" && !tail) {
      const body = await readBody(request);
      if (body instanceof Response) return body;
      const fields = created(body, "g");
      return json(200, renderTaskSubmit(jobOf(encodeId(fields), fields, speed)));
    }
    if (resource === "chat" && id === "completions" && method === "POST" && !tail) {
      const body = await readBody(request);
      if (body instanceof Response) return body;
      return chat(body, base, request.signal);
    }
    const taskId = resource === "video" && id === "generations" ? tail : undefined;
    const videoId = resource === "videos" ? id : undefined;
    const match = ID_PATTERN.exec(taskId ?? videoId ?? "");
    const fields = match ? decodeId(match[2] ?? "") : undefined;
    if (!match || !fields || method !== "GET") {
      return error(404, "Not found");
    }
    const job = jobOf(match[2] ?? "", fields, speed);
    if (taskId !== undefined && segments.length === 4) {
      return json(200, renderTask(job, { now, baseUrl: base }));
    }
    if (videoId !== undefined && segments.length === 3) {
      return json(200, renderVideo(job, { now, baseUrl: base }));
    }
    if (videoId !== undefined && tail === "content" && segments.length === 4) {
      const done = renderVideo(job, { now, baseUrl: base }).status === "completed";
      return done ? media(request) : error(404, "Video is not ready yet");
    }
    return error(404, "Not found");
  };
}
