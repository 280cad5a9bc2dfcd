import { describe, expect, it } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { jobSchema } from "@/lib/contracts/job";
import { TERMINAL } from "../helpers/client";
import { setupStack, uniquePrompt, type Stack } from "../helpers/stack";

/*
 * Cancel (issue 13): `POST /api/videos/:id/cancel` stops following a running job for good, asks the
 * relay to delete it where the protocol has a route, and says whether the relay may still bill it.
 * The reconciler runs every 300 ms here, so a canceled job it wrongly picked up again would show as
 * new polls within the observation window.
 */
const stack = setupStack({ speed: 50, env: { SORA_RECONCILE_INTERVAL_MS: "300" } });

/**
 * `[[sim:speed=1]]`: the upstream job takes ~20 s (surely still running when canceled) and asks to
 * be polled every second (`openai-poll-after-ms`), so a job still followed shows within 3 s.
 */
const SLOW = "[[sim:speed=1]]";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cancel(s: Stack, id: string, locale = "en") {
  return s.client.request(`/api/videos/${id}/cancel`, {
    method: "POST",
    headers: { "accept-language": locale },
  });
}

describe("cancel", () => {
  it("a running videos job: DELETE upstream, state canceled, polls stop, may still be billed", async () => {
    const prompt = uniquePrompt(`a lantern ${SLOW}`);
    const created = await stack.client.createJob({ prompt, model: "sora-2" });
    expect(created.status).toBe(202);
    const id = jobSchema.parse(created.json.job).id;
    const running = await stack.client.waitForJob(id, (j) => j.upstreamId !== undefined);
    const upstreamId = running.upstreamId ?? "";
    // Polling is under way before the cancel.
    for (let i = 0; (await stack.sim.stats()).perJob[upstreamId]!.polls < 2; i++) {
      if (i > 100) throw new Error("the job is not being polled");
      await sleep(100);
    }

    const answer = await cancel(stack, id);
    expect(answer.status).toBe(200);
    const job = jobSchema.parse(answer.json.job);
    expect(job.state).toBe("canceled");
    expect(job.cancellation).toMatchObject({
      upstream: { outcome: "deleted", status: 200 },
      mayStillBill: true,
    });
    const afterCancel = await stack.sim.stats();
    expect(afterCancel.perJob[upstreamId]).toMatchObject({ deleted: true });
    expect(afterCancel.requests["DELETE /v1/videos/{id}"]).toBeGreaterThanOrEqual(1);

    // Several reconcile passes and poll intervals later: not one more poll of the job.
    const polls = afterCancel.requests["GET /v1/videos/{id}"];
    await sleep(3_000);
    const later = await stack.sim.stats();
    expect(later.requests["GET /v1/videos/{id}"]).toBe(polls);
    expect(await stack.client.job(id)).toMatchObject({
      state: "canceled",
      cancellation: { upstream: { outcome: "deleted" }, mayStillBill: true },
    });

    // The event log ends with the cancel: a follower gets `state: canceled` and the stream ends.
    const { events } = await stack.client.sse(`/api/videos/${id}/events`, {}, { until: TERMINAL });
    expect(events.at(-1)).toMatchObject({ event: "state", data: { state: "canceled" } });

    // Check again does not revive a canceled job.
    const recheck = await stack.client.request(`/api/videos/${id}/recheck`, { method: "POST" });
    expect(recheck.status).toBe(409);
    await sleep(500);
    expect((await stack.sim.stats()).requests["GET /v1/videos/{id}"]).toBe(polls);
  });

  it("a relay without a delete route: the job still stops being polled, and may still be billed", async () => {
    const prompt = uniquePrompt(`a kite ${SLOW} [[sim:delete_unsupported]]`);
    const created = await stack.client.createJob({ prompt, model: "sora-2" });
    const id = jobSchema.parse(created.json.job).id;
    const upstreamId =
      (await stack.client.waitForJob(id, (j) => j.upstreamId !== undefined)).upstreamId ?? "";
    for (let i = 0; ((await stack.sim.stats()).perJob[upstreamId]?.polls ?? 0) < 2; i++) {
      if (i > 100) throw new Error("the job is not being polled");
      await sleep(100);
    }
    const answer = await cancel(stack, id);
    expect(jobSchema.parse(answer.json.job)).toMatchObject({
      state: "canceled",
      cancellation: { upstream: { outcome: "unsupported", status: 404 }, mayStillBill: true },
    });
    const stats = await stack.sim.stats();
    expect(stats.faults.delete_unsupported).toBeGreaterThanOrEqual(1);
    expect(stats.perJob[upstreamId]?.deleted).toBeUndefined();
    // The relay still has the job and would answer polls: none come.
    const polls = stats.perJob[upstreamId]?.polls;
    await sleep(3_000);
    expect((await stack.sim.stats()).perJob[upstreamId]?.polls).toBe(polls);
  });

  it("a running chat job: the stream is dropped, nothing to delete upstream, may still be billed", async () => {
    const prompt = uniquePrompt(`a harbour ${SLOW}`);
    const created = await stack.client.createJob({ prompt, model: "sora_video2" });
    const id = jobSchema.parse(created.json.job).id;
    await stack.client.waitForJob(id, (j) => j.state === "running");
    const answer = await cancel(stack, id, "zh-CN");
    expect(answer.status).toBe(200);
    expect(jobSchema.parse(answer.json.job)).toMatchObject({
      state: "canceled",
      cancellation: { upstream: { outcome: "not_sent" }, mayStillBill: true },
    });
    await sleep(1_000);
    expect((await stack.client.job(id)).state).toBe("canceled");
  });

  it("a finished job cannot be canceled: 409 with the envelope, nothing sent upstream", async () => {
    const prompt = uniquePrompt("a quick fox");
    const { events } = await stack.client.createAndFollow(
      { prompt, model: "sora-2" },
      { until: TERMINAL, timeoutMs: 30_000 },
    );
    const done = jobSchema.parse((events.at(-1)?.data as { job: unknown }).job);
    expect(done.state).toBe("completed");
    const deletes = (await stack.sim.stats()).requests["DELETE /v1/videos/{id}"] ?? 0;
    const answer = await cancel(stack, done.id);
    expect(answer.status).toBe(409);
    expect(errorEnvelopeSchema.parse(answer.json).error.code).toBe("bad_request");
    expect(answer.json.error.message).toMatch(/already ended/);
    expect((await stack.sim.stats()).requests["DELETE /v1/videos/{id}"] ?? 0).toBe(deletes);
    expect((await stack.client.job(done.id)).state).toBe("completed");
  });

  it("an unknown id is 404, a malformed one 400", async () => {
    expect((await cancel(stack, `job_${"0".repeat(24)}`)).status).toBe(404);
    expect((await cancel(stack, "not-a-job")).status).toBe(400);
  });
});
