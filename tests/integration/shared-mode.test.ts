import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppServer, fakeApiKey, startSim, type SimHandle } from "../helpers/app";
import { ApiClient, TERMINAL, type SseEvent } from "../helpers/client";
import { startEngines, type Engines } from "../helpers/engines";
import { SAMPLE_MP4, uniquePrompt } from "../helpers/stack";

/*
 * Shared mode, proven with real engines: two app processes A and B (each its own DATA_DIR, so
 * nothing is shared through the disk) on one redis-server and one S3-compatible bucket (s3rver).
 */

const RATE_LIMIT = 4;
/** ~4 s at the simulator: long enough to switch instances or kill one mid-job. */
const SLOW = "[[sim:speed=5]]";

let engines: Engines;
let sim: SimHandle;
let a: AppServer;
let b: AppServer;
const key = fakeApiKey();
const cronSecret = randomBytes(24).toString("hex");
const onA = new ApiClient(() => a.url);
const onB = new ApiClient(() => b.url);

function appEnv(): Record<string, string> {
  return {
    ...engines.env(),
    CRON_SECRET: cronSecret,
    SORA_RATE_LIMIT_PER_IP: String(RATE_LIMIT),
    // The tests speak for several clients through X-Forwarded-For.
    TRUST_PROXY: "1",
    // Another instance takes a dead one's jobs over within seconds.
    SORA_LEASE_TTL_MS: "2000",
  };
}

beforeAll(async () => {
  engines = await startEngines();
  sim = await startSim({ speed: 50 });
  [a, b] = await Promise.all([
    new AppServer({ simUrl: sim.url, apiKey: key, env: appEnv() }).start(),
    new AppServer({ simUrl: sim.url, apiKey: key, env: appEnv() }).start(),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await sim?.close();
  await engines?.stop();
  a?.removeData();
  b?.removeData();
});

const ids = (events: SseEvent[]) =>
  events.filter((e) => e.id !== undefined).map((e) => Number(e.id));

/** Each test gets its own client address, so the shared rate limit of one test spares the others. */
function client(ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`) {
  return { "x-forwarded-for": ip };
}

async function createOn(api: ApiClient, prompt: string, headers: Record<string, string> = {}) {
  return api.request("/api/videos", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify({ prompt, model: "sora-2" }),
  });
}

describe("shared mode: two instances on one Redis and one bucket", () => {
  it("a job created on A is followed on B from Last-Event-ID with no gap or duplicate", async () => {
    const created = await createOn(onA, uniquePrompt(`follow ${SLOW}`), client());
    expect(created.status).toBe(202);
    const id: string = created.json.job.id;

    const first = await onA.sse(`/api/videos/${id}/events`, {}, { stopAfter: 3 });
    expect(ids(first.events)).toEqual([1, 2, 3]);
    const rest = await onB.sse(
      `/api/videos/${id}/events`,
      { headers: { "last-event-id": "3" } },
      { until: TERMINAL },
    );
    expect(rest.events[0]?.event).toBe("job");
    const all = [...ids(first.events), ...ids(rest.events)];
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect(rest.events.at(-1)?.event).toBe("completed");

    // Both instances tell the same history, newest first.
    const [historyA, historyB] = await Promise.all([
      onA.request("/api/videos?limit=50"),
      onB.request("/api/videos?limit=50"),
    ]);
    expect(historyA.json.jobs.map((j: { id: string }) => j.id)).toContain(id);
    expect(historyB.json).toEqual(historyA.json);
  });

  it("the video is in the bucket; /content on B redirects to its bytes (Range too)", async () => {
    const created = await createOn(onA, uniquePrompt("archive"), client());
    const id: string = created.json.job.id;
    const done = await onB.sse(`/api/videos/${id}/events`, {}, { until: TERMINAL });
    expect(done.events.at(-1)?.event).toBe("completed");
    const job = (await onB.request(`/api/videos/${id}`)).json;
    expect(job.video).toMatchObject({ archived: true, bytes: SAMPLE_MP4.length });

    const redirect = await onB.fetch(`/api/videos/${id}/content`, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get("location") ?? "";
    expect(location.startsWith(engines.s3.endpoint)).toBe(true);
    expect(location).toContain(`videos/${id}.mp4`);
    const whole = await fetch(location);
    expect(Buffer.from(await whole.arrayBuffer()).equals(SAMPLE_MP4)).toBe(true);
    const part = await fetch(location, { headers: { range: "bytes=1000-1999" } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(SAMPLE_MP4.subarray(1000, 2000))).toBe(
      true,
    );
    // Following the redirect as a browser would gives the same bytes.
    const followed = await onA.bytes(`/api/videos/${id}/content`);
    expect(followed.body.equals(SAMPLE_MP4)).toBe(true);
    // HEAD is answered by the app itself from the object's metadata (Next drops Content-Length).
    const head = await onA.fetch(`/api/videos/${id}/content`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("video/mp4");
    expect(head.headers.get("accept-ranges")).toBe("bytes");
    const headRange = await onA.fetch(`/api/videos/${id}/content`, {
      method: "HEAD",
      headers: { range: "bytes=0-9" },
    });
    expect(headRange.status).toBe(206);
    expect(headRange.headers.get("content-range")).toBe(`bytes 0-9/${SAMPLE_MP4.length}`);

    // Deleting the job (on the other instance) deletes its object.
    expect((await onA.request(`/api/videos/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await fetch(location)).status).toBe(404);
    expect((await onB.request(`/api/videos/${id}`)).status).toBe(404);
  });

  it("A dies mid-job (SIGKILL) and B completes its videos job via the lease", async () => {
    const prompt = uniquePrompt(`takeover ${SLOW}`);
    const created = await createOn(onA, prompt, client());
    const id: string = created.json.job.id;
    // Wait until A has the upstream id, then kill it without a goodbye.
    await onB.sse(
      `/api/videos/${id}/events`,
      {},
      {
        until: (e) => e.event === "state" && (e.data as { state?: string }).state === "running",
      },
    );
    await a.kill("SIGKILL");
    try {
      const rest = await onB.sse(`/api/videos/${id}/events`, {}, { until: TERMINAL });
      expect(rest.events.at(-1)?.event).toBe("completed");
      const job = (await onB.request(`/api/videos/${id}`)).json;
      expect(job.video).toMatchObject({ archived: true, bytes: SAMPLE_MP4.length });
      // One upstream create for the one submit, whoever finished the job.
      const stats = await sim.stats();
      expect(stats.creates.byPrompt[prompt]?.accepted).toBe(1);
    } finally {
      await a.start();
    }
  });

  it("an Idempotency-Key sent to A and then to B yields one job", async () => {
    const prompt = uniquePrompt("idempotent");
    const headers = { ...client(), "idempotency-key": `click-${randomBytes(8).toString("hex")}` };
    const first = await createOn(onA, prompt, headers);
    const second = await createOn(onB, prompt, headers);
    expect(first.status).toBe(202);
    expect(second.json.job.id).toBe(first.json.job.id);
    await onB.sse(`/api/videos/${first.json.job.id}/events`, {}, { until: TERMINAL });
    expect((await sim.stats()).creates.byPrompt[prompt]?.accepted).toBe(1);
  });

  it("a rate limit of N per client holds across A and B together", async () => {
    const headers = client("198.51.100.7");
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 2; i++) {
      const answer = await createOn(i % 2 ? onB : onA, uniquePrompt("limit"), headers);
      statuses.push(answer.status);
      if (answer.status === 429) expect(answer.json.error.code).toBe("rate_limited");
    }
    expect(statuses).toEqual([...Array.from({ length: RATE_LIMIT }, () => 202), 429, 429]);
  });

  it("diagnostics' recent upstream calls are the same ring on A and B", async () => {
    // A late reconcile tick may record a call between the two reads: compare once the ring is quiet.
    await vi.waitFor(
      async () => {
        const [fromA, fromB] = await Promise.all([
          onA.request("/api/incidents"),
          onB.request("/api/incidents"),
        ]);
        expect(fromA.json.calls.length).toBeGreaterThan(0);
        expect(fromB.json.calls).toEqual(fromA.json.calls);
        expect(fromB.json.counts).toEqual(fromA.json.counts);
      },
      { timeout: 5000, interval: 250 },
    );
  });

  it("the cron route is 401 without the secret and runs with it", async () => {
    const none = await onA.request("/api/cron/reconcile");
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe("unauthorized");
    const wrong = await onA.request("/api/cron/reconcile", {
      headers: { authorization: `Bearer ${"x".repeat(48)}` },
    });
    expect(wrong.status).toBe(401);
    const right = await onB.request("/api/cron/reconcile", {
      headers: { authorization: `Bearer ${cronSecret}` },
    });
    expect(right.status).toBe(200);
    expect(right.text).not.toContain(cronSecret);
  });
});
