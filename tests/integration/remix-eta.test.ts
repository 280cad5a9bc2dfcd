import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { timingResponseSchema } from "@/lib/contracts/eta";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { jobListSchema, jobSchema, type Job } from "@/lib/contracts/job";
import { TERMINAL } from "../helpers/client";
import { SAMPLE_MP4, makePng, setupStack, uniquePrompt, type Stack } from "../helpers/stack";

/*
 * Issue 13: remix (a finished video re-made with a new prompt, on the relay that made it) and the
 * honest ETA (each model's p50/p90 from the store's own history; stalled jobs).
 * Two simulators: the source video is made on the primary, then the fallback becomes the base URL
 * new creates go to; a remix that went anywhere but its source's base URL shows up in the wrong
 * simulator's counters.
 */
/** An operator's model on the Videos API without remix: only the catalogue flag stops a remix. */
const MODELS_FILE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "remix-eta-")), "models.json");
fs.writeFileSync(
  MODELS_FILE,
  JSON.stringify([{ id: "plain-video", family: "generic", protocol: "videos", remix: false }]),
);

const stack = setupStack({
  fallback: true,
  speed: 50,
  env: { SORA_STALL_FLOOR_MS: "500", SORA_MODELS_FILE: MODELS_FILE },
});

/** Creates a job and follows it to its end (SSE); the last snapshot. */
async function finished(s: Stack, body: Record<string, unknown>): Promise<Job> {
  const { events } = await s.client.createAndFollow(body, { until: TERMINAL, timeoutMs: 30_000 });
  return jobSchema.parse((events.at(-1)?.data as { job: unknown }).job);
}

function remix(s: Stack, body: Record<string, unknown>, idempotencyKey?: string) {
  return s.client.request("/api/videos", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      "accept-language": "en",
      ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** Every upstream request either simulator received. */
async function upstreamRequests(s: Stack): Promise<number> {
  const all = [await s.sim.stats(), await s.fallbackSim.stats()];
  return all.reduce((sum, st) => sum + Object.values(st.requests).reduce((a, b) => a + b, 0), 0);
}

describe("remix", () => {
  it("goes to the base URL that made the source, links the jobs, completes and archives; idempotent", async () => {
    const primaryHost = new URL(stack.sim.url).host;
    const fallbackHost = new URL(stack.fallbackSim.url).host;
    const source = await finished(stack, {
      prompt: uniquePrompt("a paper lantern"),
      model: "sora-2",
      seconds: "8",
      size: "1280x720",
    });
    expect(source).toMatchObject({ state: "completed", upstreamHost: primaryHost });
    // A job sent to the fallback makes it the base URL new creates go to (the last that worked)…
    await finished(stack, { prompt: uniquePrompt("elsewhere"), model: "sora-2", fallbackHost });
    const control = await finished(stack, { prompt: uniquePrompt("a control"), model: "sora-2" });
    expect(control.upstreamHost).toBe(fallbackHost);

    const prompt = uniquePrompt("the same lantern, in the snow");
    const key = `remix-${Date.now()}`;
    const answer = await remix(stack, { prompt, remixOf: source.id }, key);
    expect(answer.status).toBe(202);
    const created = jobSchema.parse(answer.json.job);
    // Model, duration and size come from the source.
    expect(created).toMatchObject({
      remixOf: source.id,
      model: "sora-2",
      seconds: "8",
      size: "1280x720",
      protocol: "videos",
    });

    const done = await stack.client.waitForJob(
      created.id,
      (j) => j.state === "completed" && !!j.video,
    );
    // … but the remix goes where its source video is: the primary.
    expect(done).toMatchObject({ remixOf: source.id, upstreamHost: primaryHost });
    const [primary, fallback] = [await stack.sim.stats(), await stack.fallbackSim.stats()];
    expect(primary.requests["POST /v1/videos/{id}/remix"]).toBe(1);
    expect(fallback.requests["POST /v1/videos/{id}/remix"]).toBeUndefined();
    expect(primary.creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
    expect(fallback.creates.byPrompt[prompt]).toBeUndefined();
    // Upstream, the new video is a remix of the source's video; it was polled there too.
    const upstream = await fetch(`${stack.sim.url}/v1/videos/${done.upstreamId}`, {
      headers: { authorization: `Bearer ${stack.key}` },
    });
    expect(await upstream.json()).toMatchObject({ remixed_from_video_id: source.upstreamId });
    expect(primary.perJob[done.upstreamId ?? ""]?.polls).toBeGreaterThan(0);
    expect(fallback.perJob[done.upstreamId ?? ""]).toBeUndefined();

    const video = await stack.client.bytes(`/api/videos/${done.id}/content`);
    expect(video.status).toBe(200);
    expect(video.body.equals(SAMPLE_MP4)).toBe(true);
    expect(done.video?.archived).toBe(true);

    // A repeat of the same click creates nothing more.
    const again = await remix(stack, { prompt, remixOf: source.id }, key);
    expect(again.status).toBe(200);
    expect(jobSchema.parse(again.json.job).id).toBe(created.id);
    expect((await stack.sim.stats()).requests["POST /v1/videos/{id}/remix"]).toBe(1);

    // Retrying a remix remixes the same source again, linked both ways.
    const retry = await remix(stack, { prompt, remixOf: source.id, retryOf: created.id });
    expect(retry.status).toBe(202);
    expect(jobSchema.parse(retry.json.job)).toMatchObject({
      remixOf: source.id,
      retryOf: created.id,
      model: "sora-2",
    });

    // History shows the lineage.
    const history = jobListSchema.parse((await stack.client.request("/api/videos?limit=10")).json);
    expect(history.jobs.find((j) => j.id === created.id)?.remixOf).toBe(source.id);
  });

  it("refuses what cannot be remixed with a 400 envelope and not one upstream request", async () => {
    const chat = await finished(stack, { prompt: uniquePrompt("a harbour"), model: "sora_video2" });
    expect(chat.state).toBe("completed");
    const plain = await finished(stack, {
      prompt: uniquePrompt("a plain clip"),
      model: "plain-video",
    });
    expect(plain).toMatchObject({ state: "completed", protocol: "videos" });
    expect(plain.upstreamId).toBeDefined();
    // A job that never finished: canceled while running (so nothing polls it any more).
    const stopped = jobSchema.parse(
      (
        await stack.client.createJob({
          prompt: uniquePrompt("a slow tide [[sim:speed=1]]"),
          model: "sora-2",
        })
      ).json.job,
    );
    await stack.client.waitForJob(stopped.id, (j) => j.upstreamId !== undefined);
    await stack.client.request(`/api/videos/${stopped.id}/cancel`, { method: "POST" });
    const png = makePng(720, 1280).toString("base64");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ remixOf: chat.id }, /sora_video2 cannot remix/],
      [{ remixOf: plain.id }, /plain-video cannot remix/],
      [{ remixOf: stopped.id }, /Only a finished video can be remixed; this job is canceled/],
      [{ remixOf: `job_${"0".repeat(24)}` }, /does not exist/],
      [{ remixOf: "not-a-job" }, /does not exist/],
      [{ remixOf: chat.id, image: `data:image/png;base64,${png}` }, /takes no reference image/],
    ];
    const before = await upstreamRequests(stack);
    for (const [body, message] of cases) {
      const answer = await remix(stack, { prompt: uniquePrompt("again"), ...body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      const { error } = errorEnvelopeSchema.parse(answer.json);
      expect(error.code).toBe("bad_request");
      expect(error.message).toMatch(message);
    }
    // zh-CN by default.
    const zh = await stack.client.createJob({ prompt: "再来", remixOf: chat.id });
    expect(zh.status).toBe(400);
    expect(zh.json.error.message).toMatch(/不支持 Remix/);
    expect(await upstreamRequests(stack)).toBe(before);
  });
});

describe("honest progress", () => {
  const MODEL = "sora-2-pro";

  async function timing() {
    const answer = await stack.client.request("/api/timing");
    expect(answer.status).toBe(200);
    return timingResponseSchema.parse(answer.json);
  }

  it("a running job gets time left only after 5 completed jobs of its model; a job without progress turns stalled", async () => {
    expect((await timing()).models[MODEL]).toBeUndefined();
    const samples = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        finished(stack, { prompt: uniquePrompt(`sample ${i}`), model: MODEL }),
      ),
    );
    expect(samples.every((j) => j.state === "completed")).toBe(true);
    expect((await timing()).models[MODEL]?.samples).toBe(4);

    // Four samples: no time left is claimed.
    const slow = jobSchema.parse(
      (
        await stack.client.createJob({
          prompt: uniquePrompt("a long take [[sim:speed=1]]"),
          model: MODEL,
        })
      ).json.job,
    );
    const early = await stack.client.job(slow.id);
    expect(early.eta).toBeDefined();
    expect(early.eta?.remainingMs).toBeUndefined();
    expect(early.eta?.timing).toBeUndefined();

    await finished(stack, { prompt: uniquePrompt("sample 5"), model: MODEL });
    const table = await timing();
    const model = table.models[MODEL];
    expect(table.minSamples).toBe(5);
    expect(model?.samples).toBe(5);
    expect(model!.p50Ms).toBeGreaterThan(0);
    expect(model!.p90Ms).toBeGreaterThanOrEqual(model!.p50Ms);
    const now = await stack.client.job(slow.id);
    expect(now.eta?.timing).toEqual(model);
    expect(now.eta?.remainingMs).toBeDefined();
    expect(now.eta!.remainingMs!.max).toBeLessThanOrEqual(model!.p90Ms);
    // A finished job has no outlook.
    expect((await stack.client.job(samples[0]!.id)).eta).toBeUndefined();
    await stack.client.request(`/api/videos/${slow.id}/cancel`, { method: "POST" });

    // Stuck at 42 % upstream: no progress for max(floor 500 ms, 1.5 × p90) → stalled.
    const stuck = jobSchema.parse(
      (
        await stack.client.createJob({
          prompt: uniquePrompt("a frozen river [[sim:job_stuck]]"),
          model: MODEL,
        })
      ).json.job,
    );
    const moving = await stack.client.waitForJob(stuck.id, (j) => j.progress === 42);
    expect(moving.state).toBe("running");
    const stalled = await stack.client.waitForJob(stuck.id, (j) => j.eta?.stalled === true, 20_000);
    expect(stalled.state).toBe("running");
    expect(stalled.eta?.stallAfterMs).toBe(Math.max(500, 1.5 * model!.p90Ms));
    expect(Date.now() - Date.parse(stalled.updatedAt)).toBeGreaterThan(stalled.eta!.stallAfterMs);
    // "Check again" is the way out the page offers: the route answers for a running job.
    const recheck = await stack.client.request(`/api/videos/${stuck.id}/recheck`, {
      method: "POST",
    });
    expect(recheck.status).toBe(202);
    await stack.client.request(`/api/videos/${stuck.id}/cancel`, { method: "POST" });
  });
});
