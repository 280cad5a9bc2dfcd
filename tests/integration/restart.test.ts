import { describe, expect, it } from "vitest";
import { jobSchema } from "@/lib/contracts/job";
import { TERMINAL } from "../helpers/client";
import { SAMPLE_MP4, uniquePrompt, setupStack } from "../helpers/stack";

const stack = setupStack({ speed: 50 });

describe("SIGKILL mid-job, then start again on the same DATA_DIR", () => {
  it("resumes polling a videos job, marks a chat job interrupted, keeps finished work", async () => {
    const finished = await stack.client.createAndFollow(
      { prompt: uniquePrompt("finished before the crash"), model: "sora-2" },
      { until: TERMINAL },
    );
    const finishedId = (finished.events.at(-1)?.data as { job: { id: string } }).job.id;

    const videosPrompt = uniquePrompt("videos survives [[sim:speed=4]]");
    const chatPrompt = uniquePrompt("chat is cut [[sim:speed=4]]");
    const videos = (await stack.client.createJob({ prompt: videosPrompt, model: "sora-2" })).json
      .job.id as string;
    const chat = (await stack.client.createJob({ prompt: chatPrompt, model: "sora_video2" })).json
      .job.id as string;
    await stack.client.waitForJob(
      videos,
      (j) => j.state === "running" && j.upstreamId !== undefined && j.progress > 0,
    );
    await stack.client.waitForJob(chat, (j) => j.state === "running" && j.progress > 0);

    await stack.app.kill("SIGKILL");
    await stack.app.start();

    const videosEvents = await stack.client.sse(
      `/api/videos/${videos}/events`,
      {},
      { until: TERMINAL, timeoutMs: 20_000 },
    );
    const videosJob = jobSchema.parse((videosEvents.events.at(-1)?.data as { job: unknown }).job);
    expect(videosJob).toMatchObject({
      state: "completed",
      video: { archived: true, bytes: SAMPLE_MP4.length },
    });
    expect(
      (await stack.client.bytes(`/api/videos/${videos}/content`)).body.equals(SAMPLE_MP4),
    ).toBe(true);

    const chatJob = await stack.client.waitForJob(chat, (j) => j.state !== "running");
    expect(chatJob.state).toBe("failed");
    expect(chatJob.error).toMatchObject({ code: "interrupted", retryable: true });
    const chatEvents = await stack.client.sse(
      `/api/videos/${chat}/events`,
      {},
      { until: TERMINAL },
    );
    expect(chatEvents.events.at(-1)?.event).toBe("failed");

    const stats = await stack.sim.stats();
    expect(stats.creates.byPrompt[videosPrompt]).toEqual({ attempts: 1, accepted: 1 });
    expect(stats.creates.byPrompt[chatPrompt]).toEqual({ attempts: 1, accepted: 1 });

    expect((await stack.client.job(finishedId)).state).toBe("completed");
    expect(
      (await stack.client.bytes(`/api/videos/${finishedId}/content`)).body.equals(SAMPLE_MP4),
    ).toBe(true);
    expect(stack.app.log).toMatch(new RegExp(`job taken over job=${videos} action=poll`));
    expect(stack.app.log).toMatch(new RegExp(`job taken over job=${chat} action=interrupt`));
  });

  it("a job recovered at start-up is the same runner a route talks to: DELETE stops its polling", async () => {
    const prompt = uniquePrompt("recovered then deleted [[sim:speed=1]]");
    const id = (await stack.client.createJob({ prompt, model: "sora-2" })).json.job.id as string;
    await stack.client.waitForJob(id, (j) => j.state === "running" && j.upstreamId !== undefined);
    await stack.app.kill("SIGKILL");
    await stack.app.start();
    const polls = async () => (await stack.sim.stats()).requests["GET /v1/videos/{id}"] ?? 0;
    const before = await polls();
    const deadline = Date.now() + 10_000;
    while ((await polls()) === before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await polls()).toBeGreaterThan(before);

    const deleted = await stack.client.request(`/api/videos/${id}`, { method: "DELETE" });
    expect(deleted.json).toEqual({ deleted: true, id });
    const after = await polls();
    await new Promise((r) => setTimeout(r, 600));
    expect(await polls()).toBe(after);
    expect(stack.app.log).toMatch(
      new RegExp(`job deleted job=${id} state=running stoppedFollowing=true`),
    );
  });
});

describe("key leak", () => {
  it("leaks the key nowhere: responses, SSE frames, server log", () => {
    stack.expectNoKeyLeak();
  });
});
