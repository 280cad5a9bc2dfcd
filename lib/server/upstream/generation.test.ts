import { beforeEach, describe, expect, it } from "vitest";
import { createGeneration, currentBaseUrl } from "./generation";
import { recentUpstreamCalls } from "./records";
import {
  depsWith,
  failureOf,
  fakeFetch,
  fetchFailed,
  jsonResponse,
  recordingCallbacks,
  resetUpstreamState,
  streamBody,
  testConfig,
  TEST_KEY,
} from "./test-support";
import type { GenerationCallbacks, GenerationRequest } from "./types";

const videosReq: GenerationRequest = {
  prompt: "a cat on a skateboard",
  model: "sora-2",
  protocol: "videos",
  seconds: "4",
  size: "720x1280",
};
const chatReq: GenerationRequest = { prompt: "a cat", model: "sora_video2", protocol: "chat" };

/** Creates `request` on the scripted relay with a signal nobody aborts. */
const create = (
  request: GenerationRequest,
  fetchImpl: typeof fetch,
  cb: GenerationCallbacks,
  env: Record<string, string> = {},
) => createGeneration(request, cb, new AbortController().signal, depsWith(fetchImpl, env));

const upstream503 = () =>
  jsonResponse(503, {
    error: {
      message: "bad response status code 503 (request id: 2025A)",
      type: "upstream_error",
      param: "503",
      code: "bad_response_status_code",
    },
  });
const accepted = () =>
  jsonResponse(200, { id: "video_123", object: "video", status: "queued", progress: 0 });

beforeEach(() => resetUpstreamState());

describe("createGeneration: safe create retries", () => {
  it("retries counted 503s visibly, then completes with exactly one accepted create", async () => {
    const { fetch, seen } = fakeFetch([upstream503(), upstream503(), accepted()]);
    const { cb, events } = recordingCallbacks();
    const outcome = await createGeneration(
      videosReq,
      cb,
      new AbortController().signal,
      depsWith(fetch),
    );

    expect(outcome).toEqual({
      protocol: "videos",
      baseUrl: "https://primary.example/v1",
      upstreamId: "video_123",
    });
    expect(seen).toHaveLength(3);
    expect(events.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(
      events.retries.map((r) => [r.attempt, r.maxRetries, r.error.code, r.error.options.status]),
    ).toEqual([
      [1, 2, "upstream_unavailable", 503],
      [2, 2, "upstream_unavailable", 503],
    ]);
    // n × base (20 ms) + jitter (≤ 10 ms)
    expect(events.retries[0]?.delayMs).toBeGreaterThanOrEqual(20);
    expect(events.retries[0]?.delayMs).toBeLessThanOrEqual(30);
    expect(events.retries[1]?.delayMs).toBeGreaterThanOrEqual(40);
    expect(events.retries[1]?.delayMs).toBeLessThanOrEqual(50);
    expect(events.retries[0]?.error.options.upstreamRequestId).toBe("2025A");
    expect(events.accepted).toEqual([
      { baseUrl: "https://primary.example/v1", upstreamId: "video_123" },
    ]);
  });

  it("sends the videos create as multipart with seconds as a string and the key as Bearer", async () => {
    const { fetch, seen } = fakeFetch([accepted()]);
    const { cb } = recordingCallbacks();
    const image = { mime: "image/png" as const, bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) };
    await createGeneration(
      { ...videosReq, image },
      cb,
      new AbortController().signal,
      depsWith(fetch),
    );
    const request = seen[0];
    expect(request?.url).toBe("https://primary.example/v1/videos");
    expect(request?.method).toBe("POST");
    expect(request?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
    const form = request?.body as FormData;
    expect(form.get("seconds")).toBe("4");
    expect(form.get("model")).toBe("sora-2");
    const file = form.get("input_reference") as File;
    expect(file.type).toBe("image/png");
    expect(file.size).toBe(4);
  });

  it("honours retry-after-ms for the delay it reports and waits", async () => {
    const saturated = jsonResponse(
      429,
      { code: "fail_to_fetch_task", message: "当前分组上游负载已饱和，请稍后再试", data: null },
      { "retry-after-ms": "35" },
    );
    const { fetch, seen } = fakeFetch([saturated, accepted()]);
    const { cb, events } = recordingCallbacks();
    await create(videosReq, fetch, cb);
    expect(seen).toHaveLength(2);
    expect(events.retries.map((r) => [r.delayMs, r.error.code])).toEqual([[35, "rate_limited"]]);
  });

  it.each([
    {
      name: "no available channel",
      answer: () =>
        jsonResponse(503, {
          error: {
            message:
              "No available channel for model sora-2 under group default (distributor) (request id: X1)",
            type: "new_api_error",
            code: "model_not_found",
          },
        }),
      code: "no_available_channel",
    },
    {
      name: "quota",
      answer: () =>
        jsonResponse(429, {
          error: {
            message: "You exceeded your current quota",
            type: "insufficient_quota",
            code: "insufficient_quota",
          },
        }),
      code: "insufficient_quota",
    },
    {
      name: "invalid key",
      answer: () =>
        jsonResponse(401, {
          error: { message: "Incorrect API key provided", code: "invalid_api_key" },
        }),
      code: "invalid_api_key",
    },
    {
      name: "gateway 524",
      answer: () =>
        new Response("<html><head><title>x | 524: A timeout occurred</title></head></html>", {
          status: 524,
          headers: { "content-type": "text/html" },
        }),
      code: "gateway_timeout",
    },
    { name: "reset after send", answer: () => fetchFailed("ECONNRESET"), code: "interrupted" },
    { name: "hang until our timeout", answer: () => "hang" as const, code: "timeout" },
    {
      name: "bad request",
      answer: () =>
        jsonResponse(400, { error: { message: "Invalid type for 'seconds'", param: "seconds" } }),
      code: "bad_request",
    },
  ])("$name → $code after exactly one create", async ({ answer, code }) => {
    const { fetch, seen } = fakeFetch([answer()]);
    const { cb, events } = recordingCallbacks();
    const error = await failureOf(create(videosReq, fetch, cb));
    expect(error.code).toBe(code);
    expect(error.options.attempts).toBe(1);
    expect(seen).toHaveLength(1);
    expect(events.retries).toHaveLength(0);
    expect(events.accepted).toHaveLength(0);
  });

  it("a 2xx create is accepted even when its body is unusable, and is not sent again", async () => {
    const { fetch, seen } = fakeFetch([
      new Response("<html>oops</html>", { status: 200, headers: { "content-type": "text/html" } }),
    ]);
    const { cb, events } = recordingCallbacks();
    const error = await failureOf(create(videosReq, fetch, cb));
    expect(error.code).toBe("protocol_error");
    expect(seen).toHaveLength(1);
    expect(events.accepted).toEqual([{ baseUrl: "https://primary.example/v1" }]);
  });

  it("x-should-retry: true makes a 500 retryable", async () => {
    const { fetch, seen } = fakeFetch([
      jsonResponse(500, { error: { message: "boom" } }, { "x-should-retry": "true" }),
      accepted(),
    ]);
    const { cb } = recordingCallbacks();
    await create(videosReq, fetch, cb);
    expect(seen).toHaveLength(2);
  });

  it("gives up after maxRetries with the last error and its attempt count", async () => {
    const { fetch, seen } = fakeFetch([upstream503()]);
    const { cb, events } = recordingCallbacks();
    const error = await failureOf(create(videosReq, fetch, cb));
    expect(error.code).toBe("upstream_unavailable");
    expect(error.options.attempts).toBe(3);
    expect(seen).toHaveLength(3);
    expect(events.retries).toHaveLength(2);
  });

  it("SORA_MAX_RETRIES=0 means a single try", async () => {
    const { fetch, seen } = fakeFetch([upstream503()]);
    const { cb } = recordingCallbacks();
    const error = await failureOf(
      createGeneration(
        videosReq,
        cb,
        new AbortController().signal,
        depsWith(fetch, { SORA_MAX_RETRIES: "0" }),
      ),
    );
    expect(error.code).toBe("upstream_unavailable");
    expect(seen).toHaveLength(1);
  });

  it("an abort during a retry wait ends the call at once with the caller's reason", async () => {
    const { fetch } = fakeFetch([upstream503()]);
    const { cb, events } = recordingCallbacks();
    const controller = new AbortController();
    const reason = new Error("job canceled");
    cb.onRetry = (info) => {
      events.retries.push(info);
      setTimeout(() => controller.abort(reason), 5);
    };
    const deps = depsWith(fetch, { SORA_RETRY_BASE_DELAY_MS: "600000" });
    await expect(createGeneration(videosReq, cb, controller.signal, deps)).rejects.toBe(reason);
    expect(events.retries).toHaveLength(1);
  });

  it("records each call in the ring buffer with its error code", async () => {
    const { fetch } = fakeFetch([upstream503(), accepted()]);
    const { cb } = recordingCallbacks();
    await create(videosReq, fetch, cb);
    const calls = recentUpstreamCalls().slice(-2);
    expect(calls.map((c) => [c.operation, c.host, c.status, c.attempt, c.errorCode])).toEqual([
      ["create", "primary.example", 503, 1, "upstream_unavailable"],
      ["create", "primary.example", 200, 2, undefined],
    ]);
  });
});

describe("createGeneration: failover", () => {
  const env = { SORA_FALLBACK_BASE_URLS: "https://backup.example/v1/" };

  it("moves to the next base URL after the retries of a refused connection, and stays there", async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.url.startsWith("https://primary.example") ? fetchFailed("ECONNREFUSED") : accepted(),
    );
    const { cb, events } = recordingCallbacks();
    const outcome = await createGeneration(
      videosReq,
      cb,
      new AbortController().signal,
      depsWith(fetch, env),
    );
    expect(outcome.baseUrl).toBe("https://backup.example/v1");
    expect(seen.map((r) => new URL(r.url).host)).toEqual([
      "primary.example",
      "primary.example",
      "primary.example",
      "backup.example",
    ]);
    expect(events.retries.map((r) => r.error.code)).toEqual(["network_error", "network_error"]);
    expect(events.failovers).toEqual([{ fromHost: "primary.example", toHost: "backup.example" }]);
    expect(currentBaseUrl(testConfig(env))).toBe("https://backup.example/v1");

    const again = fakeFetch([accepted()]);
    await createGeneration(
      videosReq,
      recordingCallbacks().cb,
      new AbortController().signal,
      depsWith(again.fetch, env),
    );
    expect(again.seen.map((r) => new URL(r.url).host)).toEqual(["backup.example"]);
  });

  it("never fails over after an ambiguous outcome", async () => {
    const { fetch, seen } = fakeFetch([fetchFailed("ECONNRESET")]);
    const { cb, events } = recordingCallbacks();
    const error = await failureOf(create(videosReq, fetch, cb, env));
    expect(error.code).toBe("interrupted");
    expect(seen).toHaveLength(1);
    expect(events.failovers).toHaveLength(0);
  });

  it("throws the last error when every base URL is exhausted", async () => {
    const { fetch, seen } = fakeFetch([fetchFailed("ENOTFOUND")]);
    const { cb, events } = recordingCallbacks();
    const error = await failureOf(create(videosReq, fetch, cb, env));
    expect(error.code).toBe("network_error");
    expect(error.options.attempts).toBe(6);
    expect(seen).toHaveLength(6);
    expect(events.failovers).toHaveLength(1);
  });
});

describe("createGeneration: chat", () => {
  const sse =
    (chunks: string[], after: "end" | "reset" | "stall") => (_: unknown, signal: AbortSignal) =>
      new Response(streamBody(chunks, after, signal), {
        status: 200,
        headers: { "content-type": "text/event-stream" },
      });
  const chunk = (content: string, finish: string | null = null) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

  it("reads the stream to its link, reporting progress", async () => {
    const { fetch, seen } = fakeFetch([
      sse(
        [
          chunk("> 排队中......\n"),
          ": PING\n\n",
          chunk(">🏃 进度：50%\n"),
          chunk("[v](https://cdn.example/v.mp4)", "stop"),
          "data: [DONE]\n\n",
        ],
        "end",
      ),
    ]);
    const { cb, events } = recordingCallbacks();
    const image = { mime: "image/png" as const, bytes: new Uint8Array([1, 2, 3]) };
    const outcome = await createGeneration(
      { ...chatReq, image },
      cb,
      new AbortController().signal,
      depsWith(fetch),
    );
    expect(outcome).toEqual({
      protocol: "chat",
      baseUrl: "https://primary.example/v1",
      source: { baseUrl: "https://primary.example/v1", url: "https://cdn.example/v.mp4" },
    });
    expect(events.accepted).toEqual([{ baseUrl: "https://primary.example/v1" }]);
    expect(events.progress).toEqual([
      { percent: 0, message: "排队中" },
      { percent: 50, message: "🏃 进度：50%" },
    ]);
    const body = JSON.parse(String(seen[0]?.body)) as {
      stream: boolean;
      messages: { content: { type: string; image_url?: { url: string } }[] }[];
    };
    expect(body.stream).toBe(true);
    expect(body.messages[0]?.content[1]?.image_url?.url).toBe("data:image/png;base64,AQID");
  });

  it("a link already parsed when the caller's deadline hits is kept", async () => {
    // The link arrives, then the relay goes quiet before [DONE]; our deadline stops the read.
    const { fetch } = fakeFetch([sse([chunk("[v](https://cdn.example/late.mp4)")], "stall")]);
    const { cb } = recordingCallbacks();
    const deadline = new AbortController();
    cb.onProgress = () => undefined;
    setTimeout(() => deadline.abort(new Error("job deadline")), 100);
    const outcome = await createGeneration(
      chatReq,
      cb,
      deadline.signal,
      depsWith(fetch, { SORA_STREAM_IDLE_TIMEOUT_MS: "60000" }),
    );
    expect(outcome).toMatchObject({
      protocol: "chat",
      source: { url: "https://cdn.example/late.mp4" },
    });
  });

  it("a stream cut after it started is interrupted and never resubmitted", async () => {
    const { fetch, seen } = fakeFetch([sse([chunk(">🏃 进度：20%\n")], "reset")]);
    const { cb, events } = recordingCallbacks();
    const error = await failureOf(create(chatReq, fetch, cb));
    expect(error.code).toBe("interrupted");
    expect(seen).toHaveLength(1);
    expect(events.accepted).toHaveLength(1);
  });

  it("silence past the idle limit is a timeout, not a hang", async () => {
    const { fetch, seen } = fakeFetch([sse([chunk("> 排队中\n")], "stall")]);
    const { cb } = recordingCallbacks();
    const error = await failureOf(create(chatReq, fetch, cb));
    expect(error.code).toBe("timeout");
    expect(seen).toHaveLength(1);
  });

  it("a 503 before the stream starts is retried", async () => {
    const { fetch, seen } = fakeFetch([
      upstream503(),
      sse([chunk("[v](https://cdn.example/v.mp4)", "stop"), "data: [DONE]\n\n"], "end"),
    ]);
    const { cb, events } = recordingCallbacks();
    await create(chatReq, fetch, cb);
    expect(seen).toHaveLength(2);
    expect(events.retries).toHaveLength(1);
  });
});
