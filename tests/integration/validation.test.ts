import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { AppServer } from "../helpers/app";
import { ApiClient, EN, TERMINAL } from "../helpers/client";
import { SAMPLE_MP4, dataUrl, fileBlob, makePng, setupStack, uniquePrompt } from "../helpers/stack";

const MAX_IMAGE_BYTES = 200_000;
const MAX_BODY_BYTES = Math.ceil(MAX_IMAGE_BYTES * 1.4) + 64 * 1024;

const stack = setupStack({ env: { SORA_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES) } });

/** Runs a rejected request and proves it left no trace: no upstream request, no stored job. */
async function expectRejected(
  send: () => Promise<{ status: number; json: unknown }>,
  status: number,
  message: RegExp | string,
) {
  const statsBefore = await stack.sim.stats();
  const rowsBefore = await stack.stored.jobCount();
  const answer = await send();
  expect(answer.status).toBe(status);
  const envelope = errorEnvelopeSchema.parse(answer.json);
  expect(envelope.error.code).toBe("bad_request");
  expect(envelope.error.requestId).toMatch(/^req_/);
  expect(envelope.error.hint).toBeTruthy();
  if (typeof message === "string") expect(envelope.error.message).toBe(message);
  else expect(envelope.error.message).toMatch(message);
  expect((await stack.sim.stats()).requests).toEqual(statsBefore.requests);
  expect(await stack.stored.jobCount()).toBe(rowsBefore);
}

function postJson(body: unknown) {
  return stack.client.request("/api/videos", {
    method: "POST",
    headers: { "content-type": "application/json", ...EN },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function postForm(form: FormData) {
  return stack.client.request("/api/videos", { method: "POST", headers: EN, body: form });
}

const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

let completedJobId = "";

beforeAll(async () => {
  // Warm what a real page load warms (the relay's model list), and leave one finished job around.
  await stack.client.request("/api/models");
  const { events } = await stack.client.createAndFollow(
    { prompt: uniquePrompt("finished job for range checks"), model: "sora-2" },
    { until: TERMINAL },
  );
  completedJobId = (events.at(-1)?.data as { job: { id: string } }).job.id;
});

describe("POST /api/videos rejects bad input before anything is stored or sent", () => {
  it.each([
    ["an empty prompt", { prompt: "" }, "The prompt must not be empty."],
    ["a whitespace-only prompt", { prompt: "  \n\t  " }, "The prompt must not be empty."],
    ["a missing prompt", { model: "sora-2" }, "The prompt must not be empty."],
    [
      "an over-long prompt",
      { prompt: "x".repeat(4001) },
      "The prompt is too long (at most 4000 characters).",
    ],
    [
      "control characters",
      { prompt: "a cat\u0007\u0000" },
      "The prompt contains control characters.",
    ],
    ["an unknown model", { prompt: "a cat", model: "not-a-model" }, "Unknown model: not-a-model."],
    [
      "a video-looking model nobody lists",
      { prompt: "a cat", model: "sora-9-ultra" },
      "Unknown model: sora-9-ultra.",
    ],
    ["SQL in the model", { prompt: "a cat", model: "x' OR '1'='1" }, /^Unknown model/],
    [
      "a duration the model lacks",
      { prompt: "a cat", model: "sora-2", seconds: "5" },
      /does not offer 5 s; allowed: 4, 8, 12/,
    ],
    [
      "a duration the chat model lacks",
      { prompt: "a cat", model: "sora_video2", seconds: 4 },
      /does not offer 4 s; allowed: 10/,
    ],
    [
      "a size the model lacks",
      { prompt: "a cat", model: "sora-2", size: "1920x1080" },
      /does not offer the size 1920x1080/,
    ],
    ["a malformed size", { prompt: "a cat", size: "big" }, "The field size is not valid."],
    [
      "a GIF behind an image/png data URL",
      { prompt: "a cat", image: dataUrl(GIF, "image/png") },
      /must be a PNG, JPEG or WebP/,
    ],
    [
      "text behind an image/png data URL",
      { prompt: "a cat", image: dataUrl(Buffer.from("not an image at all")) },
      /must be a PNG, JPEG or WebP/,
    ],
    [
      "an undecodable PNG",
      {
        prompt: "a cat",
        image: dataUrl(Buffer.concat([makePng(10, 10).subarray(0, 8), Buffer.alloc(40, 7)])),
      },
      /cannot be read/,
    ],
    [
      "a non-data-URL image",
      { prompt: "a cat", image: "https://example.com/cat.png" },
      /must be a PNG, JPEG or WebP/,
    ],
    [
      "two images",
      { prompt: "a cat", image: [dataUrl(makePng(8, 8)), dataUrl(makePng(8, 8))] },
      "Only one reference image is allowed.",
    ],
    [
      "an oversized image",
      { prompt: "a cat", image: dataUrl(Buffer.alloc(MAX_IMAGE_BYTES + 1000, 1)) },
      /too large \(at most 195 KB\)/,
    ],
    [
      "an image of another frame size",
      { prompt: "a cat", model: "sora-2", size: "720x1280", image: dataUrl(makePng(100, 100)) },
      /100x100.*720x1280/,
    ],
    [
      "a retry of an unknown job",
      { prompt: "a cat", retryOf: "job_000000000000000000000000" },
      "The job to retry does not exist.",
    ],
    [
      "a retry of a non-id",
      { prompt: "a cat", retryOf: "../etc/passwd" },
      "The job to retry does not exist.",
    ],
  ])("JSON with %s → 4xx", async (_name, body, message) => {
    const status = /too large/.test(String(message)) ? 413 : 400;
    await expectRejected(() => postJson(body), status, message);
  });

  it("a chat model accepts the durations its name implies", async () => {
    const statsBefore = await stack.sim.stats();
    const answer = await postJson({
      prompt: uniquePrompt("fine"),
      model: "sora_video2",
      seconds: 10,
    });
    expect(answer.status).toBe(200);
    expect(statsBefore).toBeDefined();
  });

  it.each([
    ["malformed JSON", "{prompt: 'a cat'", "The request body is not valid JSON."],
    ["a JSON array", "[1,2]", "The request body is not valid JSON."],
    ["a JSON string", '"a cat"', "The request body is not valid JSON."],
    [
      "invalid UTF-8",
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      "The request body is not valid JSON.",
    ],
  ])("%s → 400", async (_name, body, message) => {
    await expectRejected(
      () =>
        stack.client.request("/api/videos", {
          method: "POST",
          headers: { "content-type": "application/json", ...EN },
          body,
        }),
      400,
      message,
    );
  });

  it.each([
    ["text/plain", "text/plain"],
    ["form-urlencoded", "application/x-www-form-urlencoded"],
    ["no content type", undefined],
  ])("Content-Type %s → 415", async (_name, type) => {
    await expectRejected(
      () =>
        stack.client.request("/api/videos", {
          method: "POST",
          headers: { ...(type ? { "content-type": type } : {}), ...EN },
          body: new Blob([JSON.stringify({ prompt: "a cat" })]).stream(),
          duplex: "half",
        } as RequestInit),
      415,
      /Unsupported Content-Type/,
    );
  });

  it("multipart: a lying MIME type, two images, an oversized file, a file in a text field", async () => {
    const form = (build: (f: FormData) => void) => {
      const f = new FormData();
      f.set("prompt", "a cat");
      build(f);
      return f;
    };
    await expectRejected(
      () => postForm(form((f) => f.set("image", fileBlob(GIF, "image/png"), "cat.png"))),
      400,
      /must be a PNG, JPEG or WebP/,
    );
    await expectRejected(
      () =>
        postForm(
          form((f) => {
            f.append("image", fileBlob(makePng(8, 8), "image/png"), "a.png");
            f.append("image", fileBlob(makePng(8, 8), "image/png"), "b.png");
          }),
        ),
      400,
      "Only one reference image is allowed.",
    );
    await expectRejected(
      () =>
        postForm(
          form((f) => f.set("image", fileBlob(Buffer.alloc(MAX_IMAGE_BYTES + 1)), "big.png")),
        ),
      413,
      /too large/,
    );
    await expectRejected(
      () => postForm(form((f) => f.set("model", new Blob(["sora-2"]), "model.txt"))),
      400,
      "The field model is not valid.",
    );
  });

  /**
   * Raw HTTP on its own connection: the server answers before the upload is over, and that
   * connection must not be reused by the other tests.
   */
  function rawPost(headers: Record<string, string>, write: (req: http.ClientRequest) => void) {
    const url = new URL(stack.client.url("/api/videos"));
    return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const req = http.request(
        url,
        { method: "POST", agent: false, headers: { ...headers, ...EN } },
        (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
          res.on("end", () => {
            stack.client.transcript.add(text);
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
            req.destroy();
          });
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
      });
      write(req);
    });
  }

  it("a body over the limit is refused from its Content-Length, without being read", async () => {
    await expectRejected(
      () =>
        rawPost(
          { "content-type": "application/json", "content-length": String(1_000_000_000) },
          (req) => {
            // A few bytes of a "1 GB" body: the answer must come without waiting for the rest.
            req.write('{"prompt":"');
          },
        ),
      413,
      /request body is too large/,
    );
  });

  it("a chunked body that grows past the limit is cut off at the limit", async () => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    await expectRejected(
      () =>
        rawPost({ "content-type": "application/json", "transfer-encoding": "chunked" }, (req) => {
          let sent = 0;
          const pump = () => {
            while (sent <= MAX_BODY_BYTES * 3) {
              sent += chunk.length;
              if (!req.write(chunk)) return void req.once("drain", pump);
            }
          };
          req.on("error", () => undefined);
          pump();
        }),
      413,
      /request body is too large/,
    );
  });
});

describe("hostile ids, ranges, cursors and resume points", () => {
  const ids = [
    "..%2F..%2Fetc%2Fpasswd",
    "1'%20OR%20'1'%3D'1",
    "job_123",
    "JOB_000000000000000000000000",
    "%00",
  ];

  it.each(ids)("id %s → 400 invalidId on every route", async (id) => {
    for (const [method, suffix] of [
      ["GET", ""],
      ["DELETE", ""],
      ["GET", "/events"],
      ["GET", "/content"],
    ] as const) {
      await expectRejected(
        () => stack.client.request(`/api/videos/${id}${suffix}`, { method, headers: EN }),
        400,
        "Invalid job id.",
      );
    }
  });

  it("an unknown well-formed id → 404 envelope", async () => {
    const answer = await stack.client.request("/api/videos/job_000000000000000000000000", {
      headers: EN,
    });
    expect(answer.status).toBe(404);
    expect(errorEnvelopeSchema.parse(answer.json).error.code).toBe("not_found");
  });

  it("Range beyond the end → 416 with the size", async () => {
    const answer = await stack.client.request(`/api/videos/${completedJobId}/content`, {
      headers: { range: "bytes=99999999-", ...EN },
    });
    expect(answer.status).toBe(416);
    expect(answer.headers.get("content-range")).toMatch(/^bytes \*\/\d+$/);
    expect(errorEnvelopeSchema.parse(answer.json).error.message).toBe("Invalid Range request.");
  });

  // RFC 9110 §14.2: an unknown unit is ignored; several ranges or invalid syntax may be.
  it.each(["bytes=0-1,5-9", "bytes=9-1", "bytes=x-y", "lines=1-2", "bytes=--1"])(
    "Range %s is ignored → 200 with the whole body",
    async (range) => {
      const answer = await stack.client.bytes(`/api/videos/${completedJobId}/content`, {
        headers: { range, ...EN },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-range")).toBeNull();
      expect(answer.body.equals(SAMPLE_MP4)).toBe(true);
    },
  );

  it.each(["abc", "-1", "1.5", "1e9", "99999999999", "1' OR '1'='1"])(
    "Last-Event-ID %s → 400 (also as ?after=)",
    async (value) => {
      await expectRejected(
        () =>
          stack.client.request(`/api/videos/${completedJobId}/events`, {
            headers: { "last-event-id": value, ...EN },
          }),
        400,
        "The field Last-Event-ID is not valid.",
      );
      await expectRejected(
        () =>
          stack.client.request(
            `/api/videos/${completedJobId}/events?after=${encodeURIComponent(value)}`,
            {
              headers: EN,
            },
          ),
        400,
        "The field after is not valid.",
      );
    },
  );

  it.each([
    ["cursor=abc", "Invalid page cursor."],
    ["cursor=1'%20OR%20'1'%3D'1", "Invalid page cursor."],
    ["limit=0", "The field limit is not valid."],
    ["limit=101", "The field limit is not valid."],
    ["limit=ten", "The field limit is not valid."],
  ])("history ?%s → 400", async (query, message) => {
    await expectRejected(
      () => stack.client.request(`/api/videos?${query}`, { headers: EN }),
      400,
      message,
    );
  });
});

describe("without a key", () => {
  let keyless: AppServer;
  const client = new ApiClient(() => keyless.url);

  beforeAll(async () => {
    keyless = await new AppServer({ simUrl: stack.sim.url, apiKey: "" }).start();
  });
  afterAll(async () => {
    await keyless?.stop();
    keyless?.removeData();
  });

  it("answers 401 invalid_api_key (noKey) and creates no job", async () => {
    const statsBefore = await stack.sim.stats();
    const answer = await client.request("/api/videos", {
      method: "POST",
      headers: { "content-type": "application/json", ...EN },
      body: JSON.stringify({ prompt: "a cat" }),
    });
    expect(answer.status).toBe(401);
    const { error } = errorEnvelopeSchema.parse(answer.json);
    expect(error).toMatchObject({
      code: "invalid_api_key",
      message: "No API key is configured (SORA_API_KEY).",
    });
    expect((await stack.sim.stats()).requests).toEqual(statsBefore.requests);
    const list = await client.request("/api/videos");
    expect(list.json).toEqual({ jobs: [], nextCursor: null });
  });
});

describe("key leak", () => {
  it("leaks the key nowhere: responses, SSE frames, server log", () => {
    stack.expectNoKeyLeak();
  });
});
