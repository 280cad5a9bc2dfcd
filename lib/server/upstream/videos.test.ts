import { beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import {
  failureOf,
  fakeFetch,
  depsWith,
  jsonResponse,
  recordingCallbacks,
  resetUpstreamState,
} from "./test-support";
import type { GenerationCallbacks } from "./types";
import { followVideoJob, normalizeVideo } from "./videos";

beforeEach(() => resetUpstreamState());

describe("normalizeVideo: dialects", () => {
  it.each([
    {
      name: "OpenAI video object",
      body: {
        id: "video_1",
        object: "video",
        status: "in_progress",
        progress: 33,
        created_at: 1760000000,
      },
      expected: { id: "video_1", status: "in_progress", progress: 33 },
    },
    {
      name: "task_id instead of id, submitted, created_at in ms",
      body: { task_id: "task_abc", status: "submitted", created_at: 1764347090922 },
      expected: { id: "task_abc", status: "queued" },
    },
    {
      name: "upper-case SUCCESS with metadata.url",
      body: {
        id: "sora-2:task_01k7",
        status: "SUCCESS",
        metadata: { url: "https://cdn.example/m.mp4" },
      },
      expected: { id: "sora-2:task_01k7", status: "completed", url: "https://cdn.example/m.mp4" },
    },
    {
      name: "new-api generic envelope with progress as a string",
      body: {
        code: "success",
        message: "",
        data: { task_id: "t1", status: "IN_PROGRESS", progress: "45%", result_url: "" },
      },
      expected: { id: "t1", status: "in_progress", progress: 45 },
    },
    {
      name: "new-api generic success with result_url",
      body: {
        code: "success",
        data: {
          task_id: "t1",
          status: "SUCCESS",
          progress: "100%",
          result_url: "https://cdn.example/r.mp4",
        },
      },
      expected: { status: "completed", progress: 100, url: "https://cdn.example/r.mp4" },
    },
    {
      name: "NOT_START",
      body: { code: "success", data: { task_id: "t1", status: "NOT_START", progress: "0%" } },
      expected: { status: "queued", progress: 0 },
    },
    {
      name: "FAILURE with fail_reason",
      body: {
        code: "success",
        data: { task_id: "t1", status: "FAILURE", fail_reason: "upstream timeout" },
      },
      expected: { status: "failed", error: { message: "upstream timeout" } },
    },
    {
      name: "succeeded with video_url, expires_at in seconds",
      body: {
        id: "v",
        status: "succeeded",
        video_url: "https://cdn.example/v.mp4",
        expires_at: 1760086400,
      },
      expected: {
        status: "completed",
        url: "https://cdn.example/v.mp4",
        expiresAt: "2025-10-10T08:53:20.000Z",
      },
    },
    {
      name: "unknown status counts as queued",
      body: { id: "v", status: "warming_up" },
      expected: { status: "queued" },
    },
    {
      name: "failed with an error object",
      body: {
        id: "video_x",
        object: "video",
        status: "failed",
        progress: 37,
        error: {
          code: "moderation_blocked",
          message: "Your request was blocked by our moderation system.",
        },
      },
      expected: {
        status: "failed",
        progress: 37,
        error: {
          code: "moderation_blocked",
          message: "Your request was blocked by our moderation system.",
        },
      },
    },
  ])("$name", ({ body, expected }) => {
    expect(normalizeVideo(body)).toMatchObject(expected);
  });
});

describe("followVideoJob", () => {
  const base = "https://primary.example/v1";
  /** Follows job `id` on the scripted relay with a signal nobody aborts. */
  const follow = (fetchImpl: typeof fetch, cb: GenerationCallbacks, id = "v") =>
    followVideoJob(base, id, cb, new AbortController().signal, depsWith(fetchImpl));

  it("polls to completion through a 503, reporting progress and the retry", async () => {
    const { fetch, seen } = fakeFetch([
      jsonResponse(
        200,
        { id: "sora-2:task_1", status: "queued", progress: 0 },
        { "openai-poll-after-ms": "20" },
      ),
      jsonResponse(503, {
        error: { message: "bad response status code 503", code: "bad_response_status_code" },
      }),
      jsonResponse(200, { id: "sora-2:task_1", status: "IN_PROGRESS", progress: "45%" }),
      jsonResponse(200, {
        id: "sora-2:task_1",
        status: "completed",
        progress: 100,
        expires_at: 1764347090922,
        metadata: { url: "https://cdn.example/done.mp4" },
      }),
    ]);
    const { cb, events } = recordingCallbacks();
    const source = await follow(fetch, cb, "sora-2:task_1");
    expect(source).toEqual({
      baseUrl: base,
      upstreamId: "sora-2:task_1",
      url: "https://cdn.example/done.mp4",
      expiresAt: new Date(1764347090922).toISOString(),
    });
    expect(seen[0]?.url).toBe("https://primary.example/v1/videos/sora-2%3Atask_1");
    expect(seen[0]?.headers.get("authorization")).toMatch(/^Bearer /);
    expect(events.progress).toEqual([
      { percent: 0, message: "queued" },
      { percent: 45, message: "IN_PROGRESS" },
      { percent: 100, message: "completed" },
    ]);
    expect(events.retries.map((r) => [r.attempt, r.error.code])).toEqual([
      [1, "upstream_unavailable"],
    ]);
  });

  it("a failed job with a moderation code is content_policy, with the upstream message", async () => {
    const { fetch } = fakeFetch([
      jsonResponse(200, {
        id: "video_x",
        status: "failed",
        progress: 37,
        error: {
          code: "moderation_blocked",
          message: "Your request was blocked by our moderation system.",
        },
      }),
    ]);
    const { cb } = recordingCallbacks();
    const error = await failureOf(follow(fetch, cb, "video_x"));
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("content_policy");
    expect(error.options.upstreamMessage).toBe(
      "Your request was blocked by our moderation system.",
    );
  });

  it("after acceptance, failing polls are weather: retried with growing waits until the deadline", async () => {
    const { fetch, seen } = fakeFetch([jsonResponse(502, "")]);
    const { cb, events } = recordingCallbacks();
    const deadline = new AbortController();
    const reason = new Error("deadline");
    cb.onRetry = (info) => {
      events.retries.push(info);
      if (events.retries.length === 6) deadline.abort(reason);
    };
    await expect(
      followVideoJob(
        base,
        "v",
        cb,
        deadline.signal,
        depsWith(fetch, {
          SORA_RETRY_BASE_DELAY_MS: "50",
          SORA_RETRY_JITTER_MS: "0",
          SORA_RETRY_MAX_DELAY_MS: "200",
        }),
      ),
    ).rejects.toBe(reason);
    // Far past SORA_MAX_RETRIES (2); each wait doubles up to the cap.
    expect(seen).toHaveLength(6);
    expect(events.retries.map((r) => r.delayMs)).toEqual([50, 100, 200, 200, 200, 200]);
    expect(events.retries.every((r) => r.error.code === "upstream_unavailable")).toBe(true);
  });

  it("honours Retry-After while polling", async () => {
    const { fetch } = fakeFetch([
      jsonResponse(429, { error: { message: "slow down" } }, { "retry-after-ms": "70" }),
      jsonResponse(200, { id: "v", status: "completed" }),
    ]);
    const { cb, events } = recordingCallbacks();
    await follow(fetch, cb);
    expect(events.retries.map((r) => r.delayMs)).toEqual([70]);
  });

  it("a 404 before the job was ever seen is retried; a 404 after it was seen means gone", async () => {
    const missing = jsonResponse(404, { error: { message: "task not found" } });
    const running = jsonResponse(200, { id: "v", status: "in_progress", progress: 10 });
    const { fetch, seen } = fakeFetch([missing, running, missing]);
    const { cb, events } = recordingCallbacks();
    const error = await failureOf(follow(fetch, cb));
    expect(seen).toHaveLength(3);
    expect(events.retries).toHaveLength(1);
    expect(error.code).toBe("generation_failed");
    expect(error.options.detail?.key).toBe("upstreamGone");
    expect(error.options.status).toBe(404);
  });

  it("each failing streak has its own budget", async () => {
    const fail = jsonResponse(503, "");
    const running = jsonResponse(200, { id: "v", status: "in_progress", progress: 10 });
    const { fetch, seen } = fakeFetch([
      fail,
      fail,
      running,
      fail,
      fail,
      jsonResponse(200, { id: "v", status: "completed" }),
    ]);
    const { cb, events } = recordingCallbacks();
    await follow(fetch, cb);
    expect(seen).toHaveLength(6);
    expect(events.retries.map((r) => r.attempt)).toEqual([1, 2, 1, 2]);
  });

  it("unauthorized polls are not retried", async () => {
    const { fetch, seen } = fakeFetch([
      jsonResponse(401, { error: { message: "无效的令牌", code: "" } }),
    ]);
    const { cb } = recordingCallbacks();
    const error = await failureOf(follow(fetch, cb));
    expect(error.code).toBe("invalid_api_key");
    expect(seen).toHaveLength(1);
  });

  it("a poll answer over 1 MB is refused after 1 MB, not buffered, and not retried", async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode(`{"id":"v","pad":"${"x".repeat(64 * 1024)}`);
    const { fetch, seen } = fakeFetch([
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              // An endless JSON body: only the cap can end this read.
              sent += chunk.byteLength;
              controller.enqueue(chunk);
            },
          }),
          { headers: { "content-type": "application/json" } },
        ),
    ]);
    const { cb } = recordingCallbacks();
    const error = await failureOf(follow(fetch, cb));
    expect(error.code).toBe("protocol_error");
    expect(error.options.upstreamMessage).toContain("larger than 1048576 bytes");
    expect(seen).toHaveLength(1);
    expect(sent).toBeLessThan(2 * 1024 * 1024);
  });

  it("stops when the caller aborts, with the caller's reason", async () => {
    const { fetch } = fakeFetch([
      jsonResponse(200, { id: "v", status: "in_progress", progress: 50 }),
    ]);
    const { cb, events } = recordingCallbacks();
    const controller = new AbortController();
    const reason = new Error("deadline");
    cb.onProgress = (info) => {
      events.progress.push(info);
      controller.abort(reason);
    };
    await expect(
      followVideoJob(
        base,
        "v",
        cb,
        controller.signal,
        depsWith(fetch, { SORA_POLL_INTERVAL_MS: "600000" }),
      ),
    ).rejects.toBe(reason);
  });
});
