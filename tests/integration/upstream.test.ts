import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ErrorCode } from "@/lib/contracts/errors";
import { parseConfig } from "@/lib/server/config";
import { fetchVideoContent } from "@/lib/server/upstream/content";
import type { UpstreamDeps } from "@/lib/server/upstream/deps";
import { createGeneration } from "@/lib/server/upstream/generation";
import { listRelayModels } from "@/lib/server/upstream/models";
import { recentUpstreamCalls } from "@/lib/server/upstream/records";
import type {
  GenerationCallbacks,
  GenerationRequest,
  RetryInfo,
  VideoSource,
} from "@/lib/server/upstream/types";
import { followVideoJob } from "@/lib/server/upstream/videos";
import { failureOf } from "@/lib/server/upstream/test-support";
import { startSimulator, type SimStats, type Simulator } from "@/simulator/server";
import { makePng } from "@/simulator/png";
import { SAMPLE_MP4 } from "../helpers/stack";

/** The upstream layer against the real simulator over loopback (no mocks of our own code). */

const KEY = "sk-test-fake-key-123456";
const STATE_KEY = Symbol.for("sora-studio.upstream.state");

let sim: Simulator;

beforeAll(async () => {
  // speed 40: a job takes ~500 ms
  sim = await startSimulator({ port: 0, speed: 40, quiet: true });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  delete (globalThis as Record<symbol, unknown>)[STATE_KEY];
  await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
});

function deps(env: Record<string, string> = {}): Partial<UpstreamDeps> {
  return {
    config: parseConfig({
      SORA_API_KEY: KEY,
      SORA_BASE_URL: sim.url,
      SORA_MAX_RETRIES: "2",
      SORA_RETRY_BASE_DELAY_MS: "50",
      SORA_RETRY_JITTER_MS: "20",
      SORA_REQUEST_TIMEOUT_MS: "5000",
      SORA_STREAM_IDLE_TIMEOUT_MS: "3000",
      SORA_POLL_INTERVAL_MS: "100",
      ...env,
    }),
  };
}

function recorder() {
  const events = {
    retries: [] as RetryInfo[],
    failovers: [] as { fromHost: string; toHost: string }[],
    accepted: [] as { baseUrl: string; upstreamId?: string }[],
    progress: [] as { percent: number; message?: string }[],
    attempts: 0,
  };
  const cb: GenerationCallbacks = {
    onAttempt: () => void events.attempts++,
    onRetry: (info) => void events.retries.push(info),
    onFailover: (info) => void events.failovers.push(info),
    onAccepted: (info) => void events.accepted.push(info),
    onProgress: (info) => void events.progress.push(info),
  };
  return { cb, events };
}

async function stats(): Promise<SimStats> {
  return (await (await fetch(`${sim.url}/__sim/stats`)).json()) as SimStats;
}

async function createsOf(prompt: string) {
  return (await stats()).creates.byPrompt[prompt] ?? { attempts: 0, accepted: 0 };
}

const videos = (prompt: string, extra: Partial<GenerationRequest> = {}): GenerationRequest => ({
  prompt,
  model: "sora-2",
  protocol: "videos",
  seconds: "4",
  size: "720x1280",
  ...extra,
});
const chat = (prompt: string, extra: Partial<GenerationRequest> = {}): GenerationRequest => ({
  prompt,
  model: "sora_video2",
  protocol: "chat",
  ...extra,
});

async function bytesOf(source: VideoSource, d = deps()): Promise<Buffer> {
  const response = await fetchVideoContent(source, new AbortController().signal, undefined, d);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** videos: create, follow, download. */
async function runVideos(req: GenerationRequest, d = deps()) {
  const { cb, events } = recorder();
  const signal = new AbortController().signal;
  const outcome = await createGeneration(req, cb, signal, d);
  if (outcome.protocol !== "videos") throw new Error("expected a videos outcome");
  const source = await followVideoJob(outcome.baseUrl, outcome.upstreamId, cb, signal, d);
  return { outcome, source, events };
}

describe("happy paths", () => {
  it("videos, text to video: progress rises, bytes equal the simulator's MP4", async () => {
    const prompt = "a lighthouse at dusk";
    const { outcome, source, events } = await runVideos(videos(prompt));
    expect(outcome.baseUrl).toBe(`${sim.url}/v1`);
    expect(events.accepted).toEqual([{ baseUrl: `${sim.url}/v1`, upstreamId: outcome.upstreamId }]);
    const percents = events.progress.map((p) => p.percent);
    expect(percents.at(-1)).toBe(100);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(source.expiresAt).toMatch(/^\d{4}-/);
    expect((await bytesOf(source)).equals(SAMPLE_MP4)).toBe(true);
    expect(await createsOf(prompt)).toEqual({ attempts: 1, accepted: 1 });
  });

  it("videos, image to video: the reference image goes up as input_reference", async () => {
    const prompt = "animate this gradient";
    const png = makePng(720, 1280);
    const { source } = await runVideos(
      videos(prompt, { image: { mime: "image/png", bytes: new Uint8Array(png) } }),
    );
    expect((await bytesOf(source)).equals(SAMPLE_MP4)).toBe(true);
    const upload = (await stats()).uploads.find((u) => u.prompt === prompt);
    expect(upload).toMatchObject({ width: 720, height: 1280, mime: "image/png" });
  });

  it.each(["markdown", "reasoning", "blockquote", "output", "html"])(
    "chat, text to video, %s style",
    async (style) => {
      const prompt = `a fox in snow [[sim:style=${style}]]`;
      const { cb, events } = recorder();
      const outcome = await createGeneration(
        chat(prompt),
        cb,
        new AbortController().signal,
        deps(),
      );
      if (outcome.protocol !== "chat") throw new Error("expected a chat outcome");
      expect(outcome.source.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/[0-9a-f]+\.mp4$/);
      expect(events.accepted).toEqual([{ baseUrl: `${sim.url}/v1` }]);
      expect(Math.max(...events.progress.map((p) => p.percent))).toBeGreaterThan(50);
      expect((await bytesOf(outcome.source)).equals(SAMPLE_MP4)).toBe(true);
      expect(await createsOf(prompt)).toEqual({ attempts: 1, accepted: 1 });
    },
  );

  it("chat, image to video: the image goes up as an image_url data URL", async () => {
    const prompt = "animate this [[sim:style=reasoning]]";
    const png = makePng(64, 64);
    const { cb, events } = recorder();
    const outcome = await createGeneration(
      chat(prompt, { image: { mime: "image/png", bytes: new Uint8Array(png) } }),
      cb,
      new AbortController().signal,
      deps(),
    );
    if (outcome.protocol !== "chat") throw new Error("expected a chat outcome");
    expect(events.progress.map((p) => p.message)).toContain("Image Upload Begins");
    expect((await bytesOf(outcome.source)).equals(SAMPLE_MP4)).toBe(true);
    const upload = (await stats()).uploads.find((u) => u.prompt === prompt);
    expect(upload).toMatchObject({ width: 64, height: 64, mime: "image/png" });
  });

  it("lists the relay's models", async () => {
    const models = await listRelayModels(undefined, undefined, deps());
    expect(models.map((m) => m.id)).toEqual(expect.arrayContaining(["sora_video2", "sora-2"]));
  });
});

describe("create retries", () => {
  it.each([
    { fault: "upstream_503", req: videos },
    { fault: "upstream_503", req: chat },
    { fault: "overloaded", req: videos },
    { fault: "chat_saturated", req: chat },
  ])("counted $fault*2 completes after exactly 2 visible retries", async ({ fault, req }) => {
    const prompt = `counted ${fault} ${req === chat ? "chat" : "videos"} [[sim:${fault}*2]]`;
    const { cb, events } = recorder();
    await createGeneration(req(prompt), cb, new AbortController().signal, deps());
    expect(events.retries.map((r) => r.attempt)).toEqual([1, 2]);
    for (const [index, retry] of events.retries.entries()) {
      const n = index + 1;
      expect(retry.delayMs).toBeGreaterThanOrEqual(n * 50);
      expect(retry.delayMs).toBeLessThanOrEqual(n * 50 + 20);
      expect(retry.error.options.upstreamRequestId).toMatch(/^sim-/);
    }
    expect(await createsOf(prompt)).toEqual({ attempts: 3, accepted: 1 });
  });

  it("saturated_ms: the retry waits the server's retry-after-ms", async () => {
    const prompt = "saturated [[sim:saturated_ms*1]]";
    const { cb, events } = recorder();
    await createGeneration(videos(prompt), cb, new AbortController().signal, deps());
    expect(events.retries.map((r) => [r.delayMs, r.error.code])).toEqual([[1500, "rate_limited"]]);
    expect(await createsOf(prompt)).toEqual({ attempts: 2, accepted: 1 });
  });
});

describe("faults that end the create at once", () => {
  const rows: { fault: string; req: typeof videos; code: ErrorCode; key?: string }[] = [
    { fault: "no_channel", req: videos, code: "no_available_channel" },
    { fault: "no_channel_zh", req: chat, code: "no_available_channel" },
    { fault: "quota", req: videos, code: "insufficient_quota" },
    { fault: "credit_exhausted", req: videos, code: "insufficient_quota" },
    { fault: "relay_quota", req: chat, code: "insufficient_quota" },
    { fault: "payment_required", req: videos, code: "insufficient_quota" },
    { fault: "invalid_key", req: videos, code: "invalid_api_key" },
    { fault: "invalid_key_relay", req: chat, code: "invalid_api_key" },
    { fault: "no_access", req: chat, code: "forbidden" },
    { fault: "gateway_504", req: videos, code: "gateway_timeout" },
    { fault: "gateway_524", req: chat, code: "gateway_timeout" },
    { fault: "bad_seconds", req: videos, code: "bad_request" },
    { fault: "content_policy_400", req: videos, code: "content_policy" },
  ];
  it.each(rows)("$fault → $code with 1 attempt", async ({ fault, req, code }) => {
    const prompt = `fault ${fault} [[sim:${fault}]]`;
    const { cb, events } = recorder();
    const error = await failureOf(
      createGeneration(req(prompt), cb, new AbortController().signal, deps()),
    );
    expect(error.code).toBe(code);
    expect(error.options.attempts).toBe(1);
    expect(error.options.upstreamMessage).toBeTruthy();
    expect(events.retries).toHaveLength(0);
    expect(await createsOf(prompt)).toEqual({ attempts: 1, accepted: 0 });
  });

  it("a key the relay rejects → invalid_api_key, the key masked in the message", async () => {
    const key = "sk-invalid-but-long-enough-0123456789";
    const { cb } = recorder();
    const error = await failureOf(
      createGeneration(
        videos("bad key"),
        cb,
        new AbortController().signal,
        deps({ SORA_API_KEY: key }),
      ),
    );
    expect(error.code).toBe("invalid_api_key");
    expect(error.options.upstreamMessage).not.toContain(key);
  });

  it("hang → timeout from our request timer, 1 attempt", async () => {
    const prompt = "hang [[sim:hang]]";
    const { cb, events } = recorder();
    const error = await failureOf(
      createGeneration(
        videos(prompt),
        cb,
        new AbortController().signal,
        deps({ SORA_REQUEST_TIMEOUT_MS: "300" }),
      ),
    );
    expect(error.code).toBe("timeout");
    expect(events.attempts).toBe(1);
    expect(await createsOf(prompt)).toEqual({ attempts: 1, accepted: 0 });
  });
});

describe("chat stream faults", () => {
  // stall_ping proves that `: PING` comments do not reset the idle timer (pings every 250 ms here).
  const rows: {
    fault: string;
    expected: string;
    code?: ErrorCode;
    env?: Record<string, string>;
  }[] = [
    {
      fault: "stall",
      expected: "timeout",
      code: "timeout",
      env: { SORA_STREAM_IDLE_TIMEOUT_MS: "300" },
    },
    {
      fault: "stall_ping",
      expected: "timeout",
      code: "timeout",
      env: { SORA_STREAM_IDLE_TIMEOUT_MS: "300" },
    },
    { fault: "reset", expected: "interrupted", code: "interrupted" },
    { fault: "malformed_json", expected: "protocol_error", code: "protocol_error" },
    { fault: "malformed_done", expected: "completes" },
    { fault: "stream_error", expected: "generation_failed", code: "generation_failed" },
    { fault: "content_policy", expected: "content_policy", code: "content_policy" },
  ];
  it.each(rows)("$fault → $expected", async ({ fault, code, env }) => {
    const prompt = `stream ${fault} [[sim:${fault}]]`;
    const { cb, events } = recorder();
    const run = createGeneration(chat(prompt), cb, new AbortController().signal, deps(env));
    if (code) {
      const error = await failureOf(run);
      expect(error.code).toBe(code);
      expect(error.options.attempts).toBe(1);
    } else {
      const outcome = await run;
      if (outcome.protocol !== "chat") throw new Error("expected a chat outcome");
      expect((await bytesOf(outcome.source)).equals(SAMPLE_MP4)).toBe(true);
    }
    expect(events.accepted).toHaveLength(1);
    expect(events.retries).toHaveLength(0);
    expect(await createsOf(prompt)).toEqual({ attempts: 1, accepted: 1 });
  });
});

describe("videos job faults", () => {
  it("job_failed → content_policy with the upstream's moderation message", async () => {
    const error = await failureOf(runVideos(videos("failing [[sim:job_failed]]")));
    expect(error.code).toBe("content_policy");
    expect(error.options.upstreamMessage).toContain("moderation");
  });

  it("job_stuck: following ends when the caller aborts", async () => {
    const d = deps();
    const { cb, events } = recorder();
    const controller = new AbortController();
    const reason = new Error("job deadline");
    const outcome = await createGeneration(
      videos("stuck [[sim:job_stuck]]"),
      cb,
      controller.signal,
      d,
    );
    if (outcome.protocol !== "videos") throw new Error("expected a videos outcome");
    cb.onProgress = (info) => {
      events.progress.push(info);
      if (info.percent > 0) controller.abort(reason);
    };
    await expect(
      followVideoJob(outcome.baseUrl, outcome.upstreamId, cb, controller.signal, d),
    ).rejects.toBe(reason);
  });

  it("poll_503*2 recovers on the poll budget", async () => {
    const { source, events } = await runVideos(videos("polls [[sim:poll_503*2]]"));
    expect(events.retries.map((r) => [r.attempt, r.error.code])).toEqual([
      [1, "upstream_unavailable"],
      [2, "upstream_unavailable"],
    ]);
    expect((await bytesOf(source)).equals(SAMPLE_MP4)).toBe(true);
  });

  it("quirks (task ids, SUCCESS, ms timestamps, JSON /content) completes", async () => {
    const { outcome, source } = await runVideos(videos("quirky [[sim:quirks]]"));
    expect(outcome.upstreamId).toMatch(/^sora-2:task_/);
    expect((await bytesOf(source)).equals(SAMPLE_MP4)).toBe(true);
  });

  it("content_json: /content answering {url} is followed to the bytes", async () => {
    const { source } = await runVideos(videos("json content [[sim:content_json]]"));
    expect((await bytesOf(source)).equals(SAMPLE_MP4)).toBe(true);
  });

  it("content_reset*1: a body cut mid-way errors; the next download succeeds", async () => {
    const d = deps();
    const { source } = await runVideos(videos("cut download [[sim:content_reset*1]]"), d);
    const first = await fetchVideoContent(source, new AbortController().signal, undefined, d);
    const error = await failureOf(first.arrayBuffer());
    expect(error.code).toBe("interrupted");
    expect((await bytesOf(source, d)).equals(SAMPLE_MP4)).toBe(true);
  });

  it("Range passes through to a 206", async () => {
    const d = deps();
    const { source } = await runVideos(videos("ranged"), d);
    const response = await fetchVideoContent(
      source,
      new AbortController().signal,
      { range: "bytes=0-99" },
      d,
    );
    expect(response.status).toBe(206);
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(SAMPLE_MP4.subarray(0, 100))).toBe(true);
  });
});

describe("failover", () => {
  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  it("a refused primary fails over to the simulator after its retries", async () => {
    const port = await closedPort();
    const prompt = "failover please";
    const d = deps({ SORA_BASE_URL: `http://127.0.0.1:${port}`, SORA_FALLBACK_BASE_URLS: sim.url });
    const { cb, events } = recorder();
    const outcome = await createGeneration(videos(prompt), cb, new AbortController().signal, d);
    expect(events.retries.map((r) => r.error.code)).toEqual(["network_error", "network_error"]);
    expect(events.failovers).toEqual([
      { fromHost: `127.0.0.1:${port}`, toHost: new URL(sim.url).host },
    ]);
    expect(outcome.baseUrl).toBe(`${sim.url}/v1`);
    expect(await createsOf(prompt)).toEqual({ attempts: 1, accepted: 1 });
    const refused = recentUpstreamCalls().filter((c) => c.host === `127.0.0.1:${port}`);
    expect(refused.map((c) => c.errorCode)).toEqual([
      "network_error",
      "network_error",
      "network_error",
    ]);
  });
});
