import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { jobSchema, type Job } from "@/lib/contracts/job";
import { finalJob, TERMINAL } from "../helpers/client";
import { SAMPLE_MP4, setupStack, uniquePrompt, type Stack } from "../helpers/stack";

/*
 * The reconciler end to end: relay weather after acceptance, archive until safe, a process killed
 * mid-download, exactly-once submit with Idempotency-Key, and "check again".
 *
 * The outages last the full 30 s of the issue. Only the backoff cap is lowered
 * (SORA_RETRY_MAX_DELAY_MS=2000, production default 30 s) so the job notices the end of the
 * outage within 2 s instead of up to 30 s; what is proven is unchanged: the job keeps retrying far
 * beyond SORA_MAX_RETRIES (2) and ends completed.
 */
const OUTAGE_MS = 30_000;

const stack = setupStack({
  speed: 50,
  env: { SORA_RETRY_BASE_DELAY_MS: "200", SORA_RETRY_MAX_DELAY_MS: "2000" },
});

/** Jobs here run out of time after 3 s: the poll outage outlasts them. */
const short = setupStack({
  speed: 50,
  env: { SORA_JOB_DEADLINE_MS: "3000", SORA_RETRY_MAX_DELAY_MS: "500" },
});

/** The video is served byte for byte, and the relay saw one create of `prompt`, accepted. */
async function expectServedAfterOneCreate(s: Stack, id: string, prompt: string) {
  expect((await s.client.bytes(`/api/videos/${id}/content`)).body.equals(SAMPLE_MP4)).toBe(true);
  expect((await s.sim.stats()).creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
}

function post(s: Stack, body: unknown, headers: Record<string, string>) {
  return s.client.request("/api/videos", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe.concurrent("relay weather after acceptance", () => {
  it("a 30 s poll outage ends completed: one accepted create, retries visible as events and [Sora2] lines", async () => {
    const prompt = uniquePrompt(`[[sim:poll_outage=${OUTAGE_MS}]] weather`);
    const started = Date.now();
    const { events } = await stack.client.createAndFollow(
      { prompt, model: "sora-2" },
      { until: TERMINAL, timeoutMs: 90_000 },
    );
    const job = finalJob(events);
    expect(job).toMatchObject({ state: "completed", video: { archived: true } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(OUTAGE_MS);
    const retries = events
      .filter((e) => e.event === "retry")
      .map((e) => e.data as { delayMs: number; error: { code: string; status?: number } });
    expect(retries.length).toBeGreaterThan(5);
    expect(retries.every((r) => r.error.code === "upstream_unavailable")).toBe(true);
    // Capped exponential backoff: waits grow, none beyond the cap (+ jitter).
    expect(retries[1]!.delayMs).toBeGreaterThan(retries[0]!.delayMs);
    expect(Math.max(...retries.map((r) => r.delayMs))).toBeLessThanOrEqual(2000 + 50);
    const stats = await stack.sim.stats();
    expect(stats.creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
    expect(stats.faults.poll_outage).toBeGreaterThanOrEqual(retries.length);
    const upstreamId = job.upstreamId ?? "";
    expect(stack.app.log).toMatch(/\[Sora2\] WARN retry operation=poll/);
    expect(
      (await stack.client.bytes(`/api/videos/${job.id}/content`)).body.equals(SAMPLE_MP4),
    ).toBe(true);
    expect(stats.perJob[upstreamId]?.polls).toBeGreaterThan(retries.length);
  }, 120_000);

  it("a 30 s content outage ends archived: completed first (served from upstream), archived later", async () => {
    const prompt = uniquePrompt(`[[sim:content_outage=${OUTAGE_MS}]] archive later`);
    const { events } = await stack.client.createAndFollow(
      { prompt, model: "sora-2" },
      { until: TERMINAL, timeoutMs: 60_000 },
    );
    const done = finalJob(events);
    expect(done.state).toBe("completed");
    expect(done.video?.archived).toBe(false);
    const archived = await stack.client.waitForJob(
      done.id,
      (j) => j.video?.archived === true,
      90_000,
    );
    expect(archived.video?.bytes).toBe(SAMPLE_MP4.length);
    await expectServedAfterOneCreate(stack, done.id, prompt);
    expect(stack.app.log).toMatch(
      new RegExp(`video not archived yet; trying again job=${done.id}`),
    );
    expect(stack.app.log).toMatch(new RegExp(`video archived job=${done.id}`));
  }, 120_000);
});

describe("SIGKILL during the download", () => {
  it("ends archived after a restart; orphan parts are swept", async () => {
    const prompt = uniquePrompt("[[sim:content_outage=5000]] killed while downloading");
    const id = (await stack.client.createJob({ prompt, model: "sora-2" })).json.job.id as string;
    // The video is done upstream and the app is trying to download it.
    await stack.client.waitForJob(
      id,
      (j) => j.state === "completed" && j.video?.archived === false,
      20_000,
    );
    await stack.app.kill("SIGKILL");
    const videos = path.join(stack.app.dataDir, "videos");
    fs.mkdirSync(videos, { recursive: true });
    const orphan = path.join(videos, `${id}.mp4.0123456789ab.part`);
    fs.writeFileSync(orphan, SAMPLE_MP4.subarray(0, 1000));
    await stack.app.start();
    const job = await stack.client.waitForJob(id, (j) => j.video?.archived === true, 30_000);
    expect(job.video?.bytes).toBe(SAMPLE_MP4.length);
    expect(fs.existsSync(orphan)).toBe(false);
    expect(fs.readdirSync(videos).filter((n) => n.startsWith(id) && n.endsWith(".part"))).toEqual(
      [],
    );
    expect(await stack.stored.archiveExists(id)).toBe(true);
    expect(stack.app.log).toMatch(new RegExp(`job taken over job=${id} action=archive`));
    await expectServedAfterOneCreate(stack, id, prompt);
  }, 90_000);
});

/** Sends the create and drops the connection before any answer byte is read: a lost reply. */
async function postAndLoseReply(
  s: Stack,
  body: { prompt: string; model: string },
  key: string,
): Promise<void> {
  const payload = JSON.stringify(body);
  const req = http.request(new URL("/api/videos", s.app.url), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      "content-length": Buffer.byteLength(payload),
      "idempotency-key": key,
    },
  });
  const answered = new Promise<void>((resolve) => {
    req.on("error", () => resolve());
    req.on("response", () => resolve());
  });
  req.end(payload);
  // Vanish once the answer starts or the server holds the job, whichever is seen first.
  await Promise.race([
    answered,
    vi.waitFor(
      async () => {
        const { jobs } = (await s.client.request("/api/videos?limit=100")).json as { jobs: Job[] };
        expect(jobs.map((j) => j.prompt)).toContain(body.prompt);
      },
      { timeout: 10_000, interval: 20 },
    ),
  ]);
  req.destroy();
}

describe("exactly-once submit (Idempotency-Key)", () => {
  it("the same key during, after, and after a lost reply yields one job and one accepted create", async () => {
    const prompt = uniquePrompt("[[sim:speed=10]] idempotent");
    const key = `click-${Date.now()}-a`;
    const first = await post(stack, { prompt, model: "sora-2" }, { "idempotency-key": key });
    expect(first.status).toBe(202);
    const id = first.json.job.id as string;

    const during = await post(stack, { prompt, model: "sora-2" }, { "idempotency-key": key });
    expect(during.status).toBe(200);
    expect(jobSchema.parse(during.json.job).id).toBe(id);

    await stack.client.waitForJob(id, (j) => j.state === "completed", 60_000);
    const after = await post(stack, { prompt, model: "sora-2" }, { "idempotency-key": key });
    expect(after.status).toBe(200);
    expect(after.json.job).toMatchObject({ id, state: "completed" });

    // The SSE form follows the existing job from its start.
    const stream = await stack.client.createAndFollow(
      { prompt, model: "sora-2" },
      { until: TERMINAL },
      { "idempotency-key": key },
    );
    expect(stream.events[0]).toMatchObject({ id: "1", event: "job" });
    expect(finalJob(stream.events).id).toBe(id);

    // A reply lost on the way back: the resend with the same key finds the job it created.
    const lostPrompt = uniquePrompt("lost reply");
    const lostKey = `click-${Date.now()}-b`;
    await postAndLoseReply(stack, { prompt: lostPrompt, model: "sora-2" }, lostKey);
    const resent = await post(
      stack,
      { prompt: lostPrompt, model: "sora-2" },
      { "idempotency-key": lostKey },
    );
    expect(resent.status).toBe(200);
    const list = (await stack.client.request("/api/videos?limit=100")).json.jobs as Job[];
    expect(list.filter((j) => j.prompt === lostPrompt).map((j) => j.id)).toEqual([
      resent.json.job.id,
    ]);

    const stats = await stack.sim.stats();
    expect(stats.creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
    await stack.client.waitForJob(
      resent.json.job.id as string,
      (j) => j.state === "completed",
      60_000,
    );
    expect((await stack.sim.stats()).creates.byPrompt[lostPrompt]).toEqual({
      attempts: 1,
      accepted: 1,
    });
  });

  it.each(["", " ", "x".repeat(201), "tab\there", "ключ"])(
    "a malformed key %j → 400 and nothing created",
    async (key) => {
      const prompt = uniquePrompt("bad key");
      const answer = await stack.client
        .fetch("/api/videos", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            "idempotency-key": key,
          },
          body: JSON.stringify({ prompt, model: "sora-2" }),
        })
        .catch(() => undefined);
      // fetch itself refuses non-ASCII header values; the others must be a 400 envelope.
      if (!answer) return;
      expect(answer.status).toBe(400);
      expect(errorEnvelopeSchema.parse(await answer.json()).error.code).toBe("bad_request");
      expect((await stack.sim.stats()).creates.byPrompt[prompt]).toBeUndefined();
    },
  );
});

describe("check again (recheck)", () => {
  it("turns a timed-out job whose video exists into completed + archived, with the recovery in its log", async () => {
    const prompt = uniquePrompt("[[sim:poll_outage=5000]] timed out");
    const { events } = await short.client.createAndFollow(
      { prompt, model: "sora-2" },
      { until: TERMINAL, timeoutMs: 20_000 },
      { "accept-language": "en" },
    );
    const failed = finalJob(events);
    expect(failed).toMatchObject({
      state: "failed",
      mayBeBilled: true,
      error: { code: "timeout" },
    });
    expect(failed.error?.message).toMatch(/not ready within/);
    expect(failed.error?.hint).toMatch(/Check again/);
    // Wait until the relay answers the job's poll again (its outage is over), then ask again.
    await vi.waitFor(
      async () => {
        const poll = await fetch(`${short.sim.url}/v1/videos/${failed.upstreamId}`, {
          headers: { authorization: `Bearer ${short.key}` },
        });
        await poll.body?.cancel();
        expect(poll.status).toBe(200);
      },
      { timeout: 15_000, interval: 200 },
    );
    const answer = await short.client.request(`/api/videos/${failed.id}/recheck`, {
      method: "POST",
    });
    expect(answer.status).toBe(202);
    const revived = jobSchema.parse(answer.json.job);
    expect(revived.error).toBeUndefined();
    expect(["running", "completed"]).toContain(revived.state);

    const rest = await short.client.sse(
      `/api/videos/${failed.id}/events?after=${failed.lastSeq}`,
      {},
      { until: TERMINAL, timeoutMs: 20_000 },
    );
    const recovered = rest.events.filter((e) => e.id !== undefined);
    expect(recovered[0]).toMatchObject({ event: "job", data: { state: "running" } });
    expect(Number(recovered[0]?.id)).toBe(failed.lastSeq + 1);
    expect(rest.events.at(-1)?.event).toBe("completed");
    const done = finalJob(rest.events);
    expect(done).toMatchObject({ state: "completed", video: { archived: true } });
    expect(done.error).toBeUndefined();
    await expectServedAfterOneCreate(short, failed.id, prompt);
  }, 60_000);

  it("404 for an unknown job, 409 for a job without upstream id, 400 for a bad id", async () => {
    const unknown = await short.client.request("/api/videos/job_000000000000000000000000/recheck", {
      method: "POST",
    });
    expect(unknown.status).toBe(404);
    expect(errorEnvelopeSchema.parse(unknown.json).error.code).toBe("not_found");

    const { events } = await short.client.createAndFollow(
      { prompt: uniquePrompt("[[sim:no_channel]] never accepted"), model: "sora-2" },
      { until: TERMINAL },
    );
    const refused = finalJob(events);
    expect(refused).toMatchObject({ state: "failed", mayBeBilled: false });
    const conflict = await short.client.request(`/api/videos/${refused.id}/recheck`, {
      method: "POST",
      headers: { "accept-language": "en" },
    });
    expect(conflict.status).toBe(409);
    expect(errorEnvelopeSchema.parse(conflict.json).error.message).toMatch(/no upstream id/);

    const bad = await short.client.request("/api/videos/..%2Fx/recheck", { method: "POST" });
    expect(bad.status).toBe(400);
  });
});

describe("key leak", () => {
  it("leaks the key nowhere", () => {
    stack.expectNoKeyLeak();
    short.expectNoKeyLeak();
  });
});
