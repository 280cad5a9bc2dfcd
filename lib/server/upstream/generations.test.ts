import { beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createGeneration } from "./generation";
import { generationsBody } from "./generations";
import {
  depsWith,
  failureOf,
  fakeFetch,
  jsonResponse,
  recordingCallbacks,
  resetUpstreamState,
} from "./test-support";
import type { GenerationCallbacks } from "./types";
import { followVideoJob, normalizeStatus, normalizeVideo } from "./videos";

beforeEach(() => resetUpstreamState());

const base = "https://primary.example/v1";
const RESULT = "https://cdn.example/veo.mp4";

/** Follows task `id` over /v1/video/generations with a signal nobody aborts. */
const followTask = (fetchImpl: typeof fetch, cb: GenerationCallbacks, id: string) =>
  followVideoJob(base, id, cb, new AbortController().signal, depsWith(fetchImpl), {
    protocol: "generations",
  });
/** Creates a veo-3 task over /v1/video/generations with a signal nobody aborts. */
const createTask = (fetchImpl: typeof fetch, cb: GenerationCallbacks) =>
  createGeneration(
    { prompt: "p", model: "veo-3", protocol: "generations" },
    cb,
    new AbortController().signal,
    depsWith(fetchImpl),
  );

describe("generationsBody: one request shape translated to new-api's VideoRequest", () => {
  it("seconds → numeric duration, size → width/height (and size), image → data URL", () => {
    const body = generationsBody({
      prompt: "a fox",
      model: "veo-3.1-fast-generate-preview",
      protocol: "generations",
      seconds: "8",
      size: "1280x720",
      image: { mime: "image/png", bytes: new Uint8Array([1, 2, 3]) },
    });
    expect(body).toEqual({
      model: "veo-3.1-fast-generate-preview",
      prompt: "a fox",
      duration: 8,
      width: 1280,
      height: 720,
      size: "1280x720",
      image: "data:image/png;base64,AQID",
      images: ["data:image/png;base64,AQID"],
    });
  });

  it("leaves out what was not chosen", () => {
    expect(generationsBody({ prompt: "p", model: "m", protocol: "generations" })).toEqual({
      model: "m",
      prompt: "p",
    });
  });
});

describe("status synonyms of every task dialect", () => {
  it.each([
    ["NOT_START", "queued"],
    ["SUBMITTED", "queued"],
    ["QUEUED", "queued"],
    ["UNKNOWN", "queued"],
    ["queued", "queued"],
    ["IN_PROGRESS", "in_progress"],
    ["processing", "in_progress"],
    ["in_progress", "in_progress"],
    ["SUCCESS", "completed"],
    ["succeeded", "completed"],
    ["succeed", "completed"],
    ["completed", "completed"],
    ["FAILURE", "failed"],
    ["failed", "failed"],
  ])("%s → %s", (raw, status) => {
    expect(normalizeStatus(raw)).toBe(status);
  });
});

/** The three answer shapes of reference §5 (and `progress` as a number or a percent string). */
const SHAPES = {
  envelope: (status: string, progress: string | number, url?: string, reason?: string) => ({
    code: "success",
    message: "",
    data: {
      task_id: "task_gen1",
      status,
      progress,
      result_url: url ?? "",
      fail_reason: reason ?? "",
      submit_time: 1764347090,
    },
  }),
  flat: (status: string, progress: string | number, url?: string, reason?: string) => ({
    task_id: "task_gen1",
    status,
    progress,
    ...(url ? { url, format: "mp4", metadata: { duration: 8, width: 1280, height: 720 } } : {}),
    ...(reason ? { error: { code: 500, message: reason } } : {}),
  }),
  wrappedFlat: (status: string, progress: string | number, url?: string, reason?: string) => ({
    code: 0,
    msg: "ok",
    data: SHAPES.flat(status, progress, url, reason),
  }),
  doubleWrapped: (status: string, progress: string | number, url?: string, reason?: string) => ({
    data: { data: SHAPES.flat(status, progress, url, reason) },
  }),
};

describe.each(Object.entries(SHAPES))("answer shape %s", (_name, shape) => {
  it("normalizes running and finished answers", () => {
    expect(normalizeVideo(shape("IN_PROGRESS", "45%"))).toMatchObject({
      id: "task_gen1",
      status: "in_progress",
      progress: 45,
    });
    expect(normalizeVideo(shape("processing", 45))).toMatchObject({ progress: 45 });
    expect(normalizeVideo(shape("SUCCESS", "100%", RESULT))).toMatchObject({
      status: "completed",
      url: RESULT,
    });
    expect(normalizeVideo(shape("FAILURE", "30%", undefined, "quota"))).toMatchObject({
      status: "failed",
      error: { message: "quota" },
    });
  });

  it("a create and its polls run to the result link on /v1/video/generations", async () => {
    const { fetch, seen } = fakeFetch([
      jsonResponse(202, shape("SUBMITTED", 0)),
      jsonResponse(200, shape("NOT_START", "0%")),
      jsonResponse(200, shape("IN_PROGRESS", "45%")),
      jsonResponse(200, shape("succeeded", "100%", RESULT)),
    ]);
    const deps = depsWith(fetch, { SORA_POLL_INTERVAL_MS: "10" });
    const { cb, events } = recordingCallbacks();
    const outcome = await createGeneration(
      {
        prompt: "a fox",
        model: "kling-v2-6",
        protocol: "generations",
        seconds: "5",
        size: "720x1280",
      },
      cb,
      new AbortController().signal,
      deps,
    );
    expect(outcome).toEqual({ protocol: "generations", baseUrl: base, upstreamId: "task_gen1" });
    expect(events.accepted).toEqual([{ baseUrl: base, upstreamId: "task_gen1" }]);
    expect(seen[0]?.url).toBe(`${base}/video/generations`);
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(String(seen[0]?.body))).toMatchObject({
      model: "kling-v2-6",
      duration: 5,
      width: 720,
      height: 1280,
    });
    const source = await followVideoJob(base, "task_gen1", cb, new AbortController().signal, deps, {
      protocol: "generations",
    });
    expect(source).toEqual({ baseUrl: base, url: RESULT });
    expect(seen.slice(1).map((r) => r.url)).toEqual(
      Array(3).fill(`${base}/video/generations/task_gen1`),
    );
    expect(events.progress.map((p) => p.percent)).toEqual([0, 45, 100]);
  });

  it("a FAILURE answer fails the job with the relay's reason", async () => {
    const { fetch } = fakeFetch([
      jsonResponse(200, shape("FAILURE", "30%", undefined, "upstream render error")),
    ]);
    const { cb } = recordingCallbacks();
    const error = await failureOf(followTask(fetch, cb, "task_gen1"));
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("generation_failed");
    expect(error.options.upstreamMessage).toBe("upstream render error");
  });
});

describe("generations: classification and guarantees shared with /v1/videos", () => {
  it("a finished task without a link is a protocol error, not a silent success", async () => {
    const { fetch } = fakeFetch([jsonResponse(200, { task_id: "t", status: "SUCCESS" })]);
    const { cb } = recordingCallbacks();
    const error = await failureOf(followTask(fetch, cb, "t"));
    expect(error.code).toBe("protocol_error");
  });

  it("the task route's saturated 429 is retried on create; the create is sent once accepted", async () => {
    const { fetch, seen } = fakeFetch([
      jsonResponse(
        429,
        { code: "fail_to_fetch_task", message: "当前分组上游负载已饱和，请稍后再试", data: null },
        { "retry-after-ms": "5" },
      ),
      jsonResponse(200, { code: "success", data: { task_id: "t2", status: "SUBMITTED" } }),
    ]);
    const { cb, events } = recordingCallbacks();
    const outcome = await createGeneration(
      { prompt: "p", model: "veo-3", protocol: "generations" },
      cb,
      new AbortController().signal,
      depsWith(fetch, { SORA_RETRY_BASE_DELAY_MS: "1", SORA_RETRY_JITTER_MS: "0" }),
    );
    expect(outcome).toMatchObject({ upstreamId: "t2" });
    expect(seen).toHaveLength(2);
    expect(events.retries.map((r) => r.error.code)).toEqual(["rate_limited"]);
  });

  it("a 2xx create without a task id is reported as accepted, then a protocol error", async () => {
    const { fetch, seen } = fakeFetch([jsonResponse(200, { code: "success", data: null })]);
    const { cb, events } = recordingCallbacks();
    const error = await failureOf(createTask(fetch, cb));
    expect(error.code).toBe("protocol_error");
    expect(events.accepted).toEqual([{ baseUrl: base }]);
    expect(seen).toHaveLength(1);
  });

  it("a 504 on create is ambiguous: never resubmitted", async () => {
    const { fetch, seen } = fakeFetch([
      new Response("<html><title>504: Gateway time-out</title></html>", {
        status: 504,
        headers: { "content-type": "text/html" },
      }),
    ]);
    const { cb } = recordingCallbacks();
    const error = await failureOf(createTask(fetch, cb));
    expect(error.code).toBe("gateway_timeout");
    expect(seen).toHaveLength(1);
  });
});

describe("/v1/videos answered by a non-Sora model", () => {
  it("202 create with a task_ id, numeric seconds, then succeeded with metadata.url", async () => {
    const { fetch, seen } = fakeFetch([
      jsonResponse(202, {
        id: "task_9f8e7d",
        task_id: "task_9f8e7d",
        object: "video",
        model: "veo-3.1-fast-generate-preview",
        status: "queued",
        progress: 0,
        seconds: 8,
        created_at: 1764347090922,
      }),
      jsonResponse(200, {
        id: "task_9f8e7d",
        object: "video",
        status: "succeeded",
        progress: 100,
        seconds: 8,
        metadata: { url: RESULT },
      }),
    ]);
    const deps = depsWith(fetch);
    const { cb } = recordingCallbacks();
    const outcome = await createGeneration(
      { prompt: "p", model: "veo-3.1-fast-generate-preview", protocol: "videos", seconds: "8" },
      cb,
      new AbortController().signal,
      deps,
    );
    expect(outcome).toMatchObject({ protocol: "videos", upstreamId: "task_9f8e7d" });
    const source = await followVideoJob(
      base,
      "task_9f8e7d",
      cb,
      new AbortController().signal,
      deps,
    );
    expect(source).toEqual({ baseUrl: base, upstreamId: "task_9f8e7d", url: RESULT });
    expect(seen[1]?.url).toBe(`${base}/videos/task_9f8e7d`);
  });
});
