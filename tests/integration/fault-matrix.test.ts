import { describe, expect, it } from "vitest";
import { jobSchema } from "@/lib/contracts/job";
import { finalJob, TERMINAL } from "../helpers/client";
import { SAMPLE_MP4, uniquePrompt, setupStack } from "../helpers/stack";

const RETRY_BASE_MS = 100;
const RETRY_JITTER_MS = 50;

const stack = setupStack({
  speed: 50,
  env: {
    SORA_RETRY_BASE_DELAY_MS: String(RETRY_BASE_MS),
    SORA_RETRY_JITTER_MS: String(RETRY_JITTER_MS),
    // Short enough to keep the suite quick, long enough for a 2-core box shared with builds.
    SORA_REQUEST_TIMEOUT_MS: "3000",
    SORA_STREAM_IDLE_TIMEOUT_MS: "3000",
    SORA_JOB_DEADLINE_MS: "8000",
  },
});

const failover = setupStack({
  speed: 50,
  fault: "upstream_503",
  fallback: true,
  env: {
    SORA_RETRY_BASE_DELAY_MS: String(RETRY_BASE_MS),
    SORA_RETRY_JITTER_MS: String(RETRY_JITTER_MS),
  },
});

interface Row {
  fault: string;
  model: "sora-2" | "sora_video2";
  state: "completed" | "failed";
  code?: string;
  /** Upstream create attempts (the simulator's count and job.attempts). */
  attempts: number;
  /** Creates the simulator accepted (billed): never more than one. */
  accepted: 0 | 1;
  /** `retry` events on the stream; a number is exact, "some" means at least one. */
  retries?: number | "some";
  /** `video.archived` of the terminal event. */
  archived?: boolean;
  /** The video must end up archived (byte-exact) after the terminal event. */
  eventuallyArchived?: boolean;
  /** Whether a retry may pay twice (default: accepted, or an ambiguous create). */
  mayBeBilled?: boolean;
  /** Exact delays of the retries when the upstream said how long to wait. */
  delays?: number[];
  detail?: string;
}

const V = "sora-2" as const;
const C = "sora_video2" as const;

/** reference/upstream-protocols.md §7, one row per simulator fault. */
const MATRIX: Row[] = [
  {
    fault: "no_channel",
    model: V,
    state: "failed",
    code: "no_available_channel",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "no_channel_zh",
    model: C,
    state: "failed",
    code: "no_available_channel",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "upstream_503",
    model: V,
    state: "failed",
    code: "upstream_unavailable",
    attempts: 3,
    accepted: 0,
    retries: 2,
  },
  { fault: "upstream_503*2", model: V, state: "completed", attempts: 3, accepted: 1, retries: 2 },
  {
    fault: "overloaded",
    model: V,
    state: "failed",
    code: "upstream_unavailable",
    attempts: 3,
    accepted: 0,
    retries: 2,
  },
  {
    fault: "saturated*1",
    model: V,
    state: "completed",
    attempts: 2,
    accepted: 1,
    retries: 1,
    delays: [2000],
  },
  {
    fault: "saturated_ms*1",
    model: V,
    state: "completed",
    attempts: 2,
    accepted: 1,
    retries: 1,
    delays: [1500],
  },
  {
    fault: "chat_saturated",
    model: C,
    state: "failed",
    code: "rate_limited",
    attempts: 3,
    accepted: 0,
    retries: 2,
  },
  {
    fault: "invalid_key",
    model: V,
    state: "failed",
    code: "invalid_api_key",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "invalid_key_relay",
    model: C,
    state: "failed",
    code: "invalid_api_key",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "relay_quota",
    model: V,
    state: "failed",
    code: "insufficient_quota",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "quota",
    model: V,
    state: "failed",
    code: "insufficient_quota",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "credit_exhausted",
    model: C,
    state: "failed",
    code: "insufficient_quota",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "payment_required",
    model: V,
    state: "failed",
    code: "insufficient_quota",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "no_access",
    model: V,
    state: "failed",
    code: "forbidden",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "gateway_504",
    model: V,
    state: "failed",
    code: "gateway_timeout",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "gateway_524",
    model: C,
    state: "failed",
    code: "gateway_timeout",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "bad_seconds",
    model: V,
    state: "failed",
    code: "bad_request",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "content_policy_400",
    model: V,
    state: "failed",
    code: "content_policy",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "hang",
    model: V,
    state: "failed",
    code: "timeout",
    attempts: 1,
    accepted: 0,
    retries: 0,
  },
  {
    fault: "stall",
    model: C,
    state: "failed",
    code: "timeout",
    attempts: 1,
    accepted: 1,
    retries: 0,
  },
  {
    fault: "stall_ping",
    model: C,
    state: "failed",
    code: "timeout",
    attempts: 1,
    accepted: 1,
    retries: 0,
  },
  {
    fault: "reset",
    model: C,
    state: "failed",
    code: "interrupted",
    attempts: 1,
    accepted: 1,
    retries: 0,
  },
  {
    fault: "malformed_json",
    model: C,
    state: "failed",
    code: "protocol_error",
    attempts: 1,
    accepted: 1,
    retries: 0,
  },
  { fault: "malformed_done", model: C, state: "completed", attempts: 1, accepted: 1, retries: 0 },
  // An `{"error":…}` inside a 200 stream is the upstream's generic failure (upstream layer's rule).
  {
    fault: "stream_error",
    model: C,
    state: "failed",
    code: "generation_failed",
    attempts: 1,
    accepted: 1,
    retries: 0,
  },
  {
    fault: "content_policy",
    model: C,
    state: "failed",
    code: "content_policy",
    attempts: 1,
    accepted: 1,
    retries: 0,
  },
  {
    fault: "job_failed",
    model: V,
    state: "failed",
    code: "content_policy",
    attempts: 1,
    accepted: 1,
    retries: 0,
  },
  {
    fault: "job_stuck",
    model: V,
    state: "failed",
    code: "timeout",
    attempts: 1,
    accepted: 1,
    retries: 0,
    detail: "jobDeadline",
  },
  {
    fault: "poll_503",
    model: V,
    state: "completed",
    attempts: 1,
    accepted: 1,
    retries: "some",
    archived: true,
  },
  {
    fault: "content_reset*1",
    model: V,
    state: "completed",
    attempts: 1,
    accepted: 1,
    retries: 1,
    archived: true,
  },
  {
    // Every download of the first archive run is cut: the job completes unarchived (served from
    // upstream) and the archive is retried in the background until the video is safe.
    fault: "content_reset*4",
    model: V,
    state: "completed",
    attempts: 1,
    accepted: 1,
    retries: 2,
    archived: false,
    eventuallyArchived: true,
  },
  {
    fault: "content_json",
    model: V,
    state: "completed",
    attempts: 1,
    accepted: 1,
    retries: 0,
    archived: true,
  },
  {
    fault: "quirks",
    model: V,
    state: "completed",
    attempts: 1,
    accepted: 1,
    retries: 0,
    archived: true,
  },
];

describe.concurrent("fault matrix (each simulator fault, end to end)", () => {
  it.each(MATRIX)("$fault on $model → $state $code", async (row) => {
    const prompt = uniquePrompt(`fault [[sim:${row.fault}]]`);
    const { events } = await stack.client.createAndFollow(
      { prompt, model: row.model },
      { until: TERMINAL, timeoutMs: 30_000 },
      { "accept-language": "en" },
    );
    expect(events[0]?.event).toBe("job");
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    const job = finalJob(events);
    const summary = `${row.fault}: ${JSON.stringify({ state: job.state, error: job.error })}`;
    expect(job.state, summary).toBe(row.state);
    if (row.code) {
      expect(job.error?.code, summary).toBe(row.code);
      expect(job.error?.message).toBeTruthy();
      expect(job.error?.hint).toBeTruthy();
    } else {
      expect(job.error, summary).toBeUndefined();
    }
    expect(job.attempts, summary).toBe(row.attempts);

    const stats = await stack.sim.stats();
    expect(stats.creates.byPrompt[prompt], summary).toEqual({
      attempts: row.attempts,
      accepted: row.accepted,
    });

    const retries = events
      .filter((e) => e.event === "retry")
      .map((e) => e.data as { attempt: number; delayMs: number });
    if (row.retries === "some") expect(retries.length).toBeGreaterThan(0);
    else if (row.retries !== undefined) expect(retries.length, summary).toBe(row.retries);
    if (row.delays) expect(retries.map((r) => r.delayMs)).toEqual(row.delays);
    if (row.archived !== undefined) expect(job.video?.archived, summary).toBe(row.archived);
    if (row.detail) expect(job.error?.message).toMatch(/not ready within/);
    const ambiguous = row.code === "gateway_timeout" || row.code === "timeout";
    expect(job.mayBeBilled, summary).toBe(row.mayBeBilled ?? (row.accepted === 1 || ambiguous));
    if (row.eventuallyArchived) {
      const deadline = Date.now() + 20_000;
      let latest = job;
      while (!latest.video?.archived && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        latest = jobSchema.parse((await stack.client.request(`/api/videos/${job.id}`)).json);
      }
      expect(latest.video, summary).toMatchObject({ archived: true, bytes: SAMPLE_MP4.length });
      const bytes = await stack.client.bytes(`/api/videos/${job.id}/content`);
      expect(bytes.body.equals(SAMPLE_MP4)).toBe(true);
    }
  });

  it("counted 503s: exactly 2 visible retries with delays in the configured band, then success", async () => {
    const prompt = uniquePrompt("[[sim:upstream_503*2]] band");
    const { events } = await stack.client.createAndFollow(
      { prompt, model: "sora-2" },
      { until: TERMINAL },
    );
    const retries = events
      .filter((e) => e.event === "retry")
      .map(
        (e) =>
          e.data as {
            attempt: number;
            maxRetries: number;
            delayMs: number;
            error: { code: string; status?: number };
          },
      );
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    retries.forEach((retry, i) => {
      const n = i + 1;
      expect(retry.maxRetries).toBe(2);
      expect(retry.error).toMatchObject({ code: "upstream_unavailable", status: 503 });
      expect(retry.delayMs).toBeGreaterThanOrEqual(n * RETRY_BASE_MS);
      expect(retry.delayMs).toBeLessThanOrEqual(n * RETRY_BASE_MS + RETRY_JITTER_MS);
    });
    expect(finalJob(events).state).toBe("completed");
    expect((await stack.sim.stats()).creates.byPrompt[prompt]).toEqual({
      attempts: 3,
      accepted: 1,
    });
  });

  it("an archive whose size on disk is wrong is not served: the upstream link is, Range included", async () => {
    const { events } = await stack.client.createAndFollow(
      { prompt: uniquePrompt("damaged archive"), model: "sora-2" },
      { until: TERMINAL },
    );
    const job = finalJob(events);
    expect(job.video).toMatchObject({ archived: true, bytes: SAMPLE_MP4.length });
    // Damage the file behind the app's back (a disk fault, a bad copy).
    await stack.stored.truncateArchive(job.id, 1000);
    const whole = await stack.client.bytes(`/api/videos/${job.id}/content`);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(SAMPLE_MP4)).toBe(true);
    const part = await stack.client.bytes(`/api/videos/${job.id}/content`, {
      headers: { range: "bytes=10-19" },
    });
    expect(part.status).toBe(206);
    expect(part.body.equals(SAMPLE_MP4.subarray(10, 20))).toBe(true);
    expect(stack.app.log).toMatch(
      new RegExp(`archived video is missing or damaged; trying the upstream link job=${job.id}`),
    );
  });

  it("an upstream 416 on the proxy path is passed on as 416", async () => {
    const { events } = await stack.client.createAndFollow(
      { prompt: uniquePrompt("proxied 416"), model: "sora-2" },
      { until: TERMINAL },
    );
    const job = finalJob(events);
    await stack.stored.removeArchive(job.id);
    const beyond = await stack.client.bytes(`/api/videos/${job.id}/content`, {
      headers: { range: `bytes=${SAMPLE_MP4.length + 10}-` },
    });
    expect(beyond.status).toBe(416);
  });
});

describe("retry button", () => {
  it("a retry is a new job linked to the failed one; the failed one stays in history", async () => {
    const failed = await stack.client.createAndFollow(
      { prompt: uniquePrompt("[[sim:gateway_524]] then retried"), model: "sora_video2" },
      { until: TERMINAL },
    );
    const original = finalJob(failed.events);
    expect(original.error?.code).toBe("gateway_timeout");
    const retry = await stack.client.createAndFollow(
      { prompt: uniquePrompt("retried fine"), model: "sora_video2", retryOf: original.id },
      { until: TERMINAL },
    );
    const job = finalJob(retry.events);
    expect(job).toMatchObject({ state: "completed", retryOf: original.id });
    expect(job.id).not.toBe(original.id);
    const again = await stack.client.request(`/api/videos/${original.id}`);
    expect(again.json).toMatchObject({ id: original.id, state: "failed" });
  });
});

describe("failover", () => {
  it("after the primary keeps answering 503, the create goes to the fallback, which then owns the job", async () => {
    const prompt = uniquePrompt("failover");
    const { events } = await failover.client.createAndFollow(
      { prompt, model: "sora-2" },
      { until: TERMINAL },
    );
    const primaryHost = new URL(failover.sim.url).host;
    const fallbackHost = new URL(failover.fallbackSim.url).host;
    expect(events.filter((e) => e.event === "failover").map((e) => e.data)).toEqual([
      { fromHost: primaryHost, toHost: fallbackHost },
    ]);
    expect(events.filter((e) => e.event === "retry")).toHaveLength(2);
    const job = finalJob(events);
    expect(job).toMatchObject({ state: "completed", upstreamHost: fallbackHost, attempts: 4 });
    expect((await failover.sim.stats()).creates.byPrompt[prompt]).toEqual({
      attempts: 3,
      accepted: 0,
    });
    const fallbackStats = await failover.fallbackSim.stats();
    expect(fallbackStats.creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
    expect(fallbackStats.requests["GET /v1/videos/{id}"]).toBeGreaterThan(0);
    expect((await failover.sim.stats()).requests["GET /v1/videos/{id}"]).toBeUndefined();
  });
});

describe("key leak", () => {
  it("leaks the key nowhere: responses, SSE frames, server log", () => {
    stack.expectNoKeyLeak();
    failover.expectNoKeyLeak();
  });
});
