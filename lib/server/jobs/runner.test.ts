import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import type { GenerationOutcome, GenerationRequest, GenerationCallbacks } from "../upstream/types";

vi.mock("../upstream", () => ({
  createGeneration: vi.fn(),
  followVideoJob: vi.fn(),
  fetchVideoContent: vi.fn(),
  listRelayModels: vi.fn(),
  resolveProtocol: vi.fn(),
}));

const { JobRunner } = await import("./runner");
const { SqliteJobStore } = await import("./store");
type Deps = ConstructorParameters<typeof JobRunner>[0];

const stores: InstanceType<typeof SqliteJobStore>[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) void store.close();
});

const BASE = "http://relay.test";

function abortable(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
  });
}

function setup(overrides: Partial<Deps> = {}) {
  const store = new SqliteJobStore(":memory:");
  stores.push(store);
  const deps: Deps = {
    store,
    config: { jobDeadlineMs: 10_000 },
    createGeneration: vi.fn(
      async (req: GenerationRequest, cb: GenerationCallbacks): Promise<GenerationOutcome> => {
        cb.onAttempt?.({ attempt: 1, host: "relay.test" });
        cb.onAccepted({ baseUrl: BASE, upstreamId: "video_1" });
        return { protocol: "videos", baseUrl: BASE, upstreamId: "video_1" };
      },
    ),
    followVideoJob: vi.fn(async (_base, _id, cb) => {
      cb.onProgress({ percent: 10 });
      cb.onProgress({ percent: 10 });
      cb.onProgress({ percent: 55, message: "进度 55%" });
      cb.onProgress({ percent: 40 });
      return { baseUrl: BASE, upstreamId: "video_1" };
    }),
    archiveVideo: vi.fn(async (jobId: string) => ({
      archivePath: `videos/${jobId}.mp4`,
      bytes: 1234,
    })),
    ...overrides,
  };
  return { store, runner: new JobRunner(deps), deps };
}

const input = {
  prompt: "a cat",
  model: "sora-2",
  protocol: "videos" as const,
  seconds: "4",
  size: "720x1280",
};

async function untilSettled(runner: InstanceType<typeof JobRunner>, id: string) {
  await vi.waitFor(() => expect(runner.isActive(id)).toBe(false));
}

describe("JobRunner", () => {
  it("persists the job before calling upstream, then runs it to completed", async () => {
    const { store, runner, deps } = setup();
    const create = deps.createGeneration;
    const statesAtCreate: (string | undefined)[] = [];
    deps.createGeneration = vi.fn(async (...args: Parameters<typeof create>) => {
      const [job] = (await store.listJobs({ limit: 1 }))?.jobs ?? [];
      statesAtCreate.push(job?.state);
      return create(...args);
    });
    const job = await runner.submitJob(input, { requestId: "req_1" });
    await untilSettled(runner, job.id);
    // Persisted (and already submitting) before the upstream call.
    expect(statesAtCreate).toEqual(["submitting"]);
    const events = await store.eventsAfter(job.id, 0);
    expect(events.map((e) => e.type)).toEqual([
      "job",
      "state",
      "state",
      "progress",
      "progress",
      "completed",
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.filter((e) => e.type === "progress").map((e) => e.data)).toEqual([
      { percent: 10 },
      { percent: 55, message: "进度 55%" },
    ]);
    expect(await store.getJob(job.id)).toMatchObject({
      state: "completed",
      progress: 100,
      attempts: 1,
      upstreamId: "video_1",
      upstreamHost: "relay.test",
      archived: true,
      videoBytes: 1234,
    });
    const completed = events.at(-1);
    expect(completed?.type === "completed" && completed.data.job.video).toEqual({
      url: `/api/videos/${job.id}/content`,
      contentType: "video/mp4",
      bytes: 1234,
      archived: true,
    });
  });

  it("completes unarchived when the download keeps failing", async () => {
    const { store, runner } = setup({
      createGeneration: vi.fn(async (_req, cb) => {
        cb.onAccepted({ baseUrl: BASE });
        return {
          protocol: "chat" as const,
          baseUrl: BASE,
          source: { baseUrl: BASE, url: `${BASE}/f.mp4`, expiresAt: "2030-01-01T00:00:00Z" },
        };
      }),
      archiveVideo: vi.fn(async () => {
        throw new AppError("network_error");
      }),
    });
    const job = await runner.submitJob(
      { ...input, model: "sora_video2", protocol: "chat" },
      { requestId: "r" },
    );
    await untilSettled(runner, job.id);
    expect(await store.getJob(job.id)).toMatchObject({ state: "completed", archived: false });
    const completed = (await store.eventsAfter(job.id, 0)).at(-1);
    expect(completed?.type === "completed" && completed.data.job.video).toMatchObject({
      archived: false,
      expiresAt: "2030-01-01T00:00:00Z",
    });
  });

  it("records retries and ends failed with the stored error", async () => {
    const { store, runner } = setup({
      createGeneration: vi.fn(async (_req, cb) => {
        cb.onAttempt?.({ attempt: 1, host: "relay.test" });
        cb.onRetry({
          attempt: 1,
          maxRetries: 2,
          delayMs: 100,
          error: new AppError("upstream_unavailable", { status: 503 }),
        });
        cb.onAttempt?.({ attempt: 2, host: "relay.test" });
        throw new AppError("no_available_channel", { status: 503, params: { model: "sora-2" } });
      }),
    });
    const job = await runner.submitJob(input, { requestId: "req_9" });
    await untilSettled(runner, job.id);
    const events = await store.eventsAfter(job.id, 0);
    expect(events.map((e) => e.type)).toEqual(["job", "state", "retry", "failed"]);
    expect(events[2]?.data).toMatchObject({
      attempt: 1,
      delayMs: 100,
      error: { code: "upstream_unavailable", status: 503 },
    });
    expect(await store.getJob(job.id)).toMatchObject({
      state: "failed",
      attempts: 2,
      error: { code: "no_available_channel", status: 503, requestId: "req_9", attempts: 2 },
    });
  });

  it("fails a job past its deadline with timeout", async () => {
    const { store, runner } = setup({
      config: { jobDeadlineMs: 50 },
      followVideoJob: vi.fn((_b, _i, _cb, signal: AbortSignal) => abortable(signal)),
    });
    const job = await runner.submitJob(input, { requestId: "r" });
    await untilSettled(runner, job.id);
    expect((await store.getJob(job.id))?.error).toMatchObject({
      code: "timeout",
      detail: { key: "jobDeadline" },
    });
  });

  it("completes unarchived when the deadline hits during the download", async () => {
    const { store, runner } = setup({
      config: { jobDeadlineMs: 50 },
      archiveVideo: vi.fn((_id: string, _source: unknown, { signal }: { signal: AbortSignal }) =>
        abortable(signal),
      ),
    });
    const job = await runner.submitJob(input, { requestId: "r" });
    await untilSettled(runner, job.id);
    expect(await store.getJob(job.id)).toMatchObject({ state: "completed", archived: false });
  });

  it("stops following on cancel without writing anything more", async () => {
    const follow = vi.fn((_b: string, _i: string, _cb: unknown, signal: AbortSignal) =>
      abortable(signal),
    );
    const { store, runner } = setup({ followVideoJob: follow });
    const job = await runner.submitJob(input, { requestId: "r" });
    await vi.waitFor(() => expect(follow).toHaveBeenCalled());
    const before = (await store.getJob(job.id))?.lastSeq;
    expect(runner.cancel(job.id)).toBe(true);
    await runner.settled(job.id, 1000);
    expect(runner.isActive(job.id)).toBe(false);
    expect((await store.getJob(job.id))?.lastSeq).toBe(before);
    expect(runner.cancel(job.id)).toBe(false);
  });

  it("recovers: polls videos jobs, archives known videos, interrupts the rest", async () => {
    const { store, runner, deps } = setup();
    const polling = (await store.createJob({ ...input, hasImage: false })).job;
    await store.appendEvent(
      polling.id,
      { type: "state", data: { state: "running" } },
      {
        state: "running",
        baseUrl: BASE,
        upstreamId: "video_7",
      },
    );
    const chat = (await store.createJob({ ...input, protocol: "chat", hasImage: false })).job;
    await store.appendEvent(
      chat.id,
      { type: "state", data: { state: "running" } },
      { state: "running", baseUrl: BASE },
    );
    const downloaded = (await store.createJob({ ...input, protocol: "chat", hasImage: false })).job;
    await store.updateJob(downloaded.id, {
      state: "running",
      source: { baseUrl: BASE, url: `${BASE}/x.mp4` },
    });
    const submitting = (await store.createJob({ ...input, hasImage: false })).job;
    await store.updateJob(submitting.id, { state: "submitting" });

    expect(await runner.recoverJobs()).toEqual({ resumed: 2, interrupted: 2 });
    for (const id of [polling.id, downloaded.id]) await untilSettled(runner, id);
    expect(deps.followVideoJob).toHaveBeenCalledWith(
      BASE,
      "video_7",
      expect.anything(),
      expect.any(AbortSignal),
    );
    expect((await store.getJob(polling.id))?.state).toBe("completed");
    expect((await store.getJob(downloaded.id))?.state).toBe("completed");
    for (const id of [chat.id, submitting.id]) {
      expect(await store.getJob(id)).toMatchObject({
        state: "failed",
        error: { code: "interrupted", detail: { key: "interruptedRestart" } },
      });
    }
  });
});
