import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import type { GenerationOutcome, GenerationRequest, GenerationCallbacks } from "../upstream/types";

vi.mock("./archive", () => ({
  archiveVideo: vi.fn(),
  sweepOrphanParts: vi.fn(async () => 0),
  isStorageError: (error: AppError) => error.code === "disk_full",
}));

const { JobRunner } = await import("./runner");
const { SqliteJobStore } = await import("./store");
type Deps = ConstructorParameters<typeof JobRunner>[0];
type Runner = InstanceType<typeof JobRunner>;
type Store = InstanceType<typeof SqliteJobStore>;

const stores: Store[] = [];
const runners: Runner[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.stop();
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const BASE = "http://relay.test";

function abortable(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function openStore(file = ":memory:") {
  const store = new SqliteJobStore(file, { pollMs: 20 });
  stores.push(store);
  return store;
}

function tempDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-"));
  dirs.push(dir);
  return path.join(dir, "jobs.db");
}

const CONFIG: Deps["config"] = {
  jobDeadlineMs: 10_000,
  leaseTtlMs: 300,
  reconcileIntervalMs: 50,
  retryBaseDelayMs: 5,
  retryJitterMs: 0,
  retryMaxDelayMs: 1000,
  requestTimeoutMs: 1000,
};

function setup(overrides: Partial<Deps> = {}, store: Store = openStore()) {
  const deps: Deps = {
    store,
    config: CONFIG,
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
    lookupVideoJob: vi.fn(),
    archiveVideo: vi.fn(async (jobId: string) => ({
      archivePath: `videos/${jobId}.mp4`,
      bytes: 1234,
    })),
    random: () => 0,
    ...overrides,
  };
  const runner = new JobRunner(deps);
  runners.push(runner);
  return { store, runner, deps };
}

const input = {
  prompt: "a cat",
  model: "sora-2",
  protocol: "videos" as const,
  seconds: "4",
  size: "720x1280",
};

async function untilSettled(runner: Runner, id: string) {
  await vi.waitFor(() => expect(runner.isActive(id)).toBe(false), { timeout: 5000 });
}

async function submit(runner: Runner, overrides: Partial<typeof input> = {}) {
  return (await runner.submitJob({ ...input, ...overrides }, { requestId: "req_1" })).job;
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
    const job = await submit(runner);
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
    // The lease is given back once the work is done.
    expect(await store.getLease(job.id)).toBeUndefined();
  });

  it("completes unarchived when the download fails, then keeps archiving until it succeeds", async () => {
    let downloads = 0;
    const { store, runner } = setup({
      createGeneration: vi.fn(async (_req, cb) => {
        cb.onAccepted({ baseUrl: BASE });
        return {
          protocol: "chat" as const,
          baseUrl: BASE,
          source: { baseUrl: BASE, url: `${BASE}/f.mp4`, expiresAt: "2030-01-01T00:00:00Z" },
        };
      }),
      archiveVideo: vi.fn(async (jobId: string) => {
        if (++downloads <= 3) throw new AppError("network_error");
        return { archivePath: `videos/${jobId}.mp4`, bytes: 99 };
      }),
    });
    const job = await submit(runner, { model: "sora_video2", protocol: "chat" } as never);
    await vi.waitFor(async () => expect((await store.getJob(job.id))?.state).toBe("completed"));
    const completed = (await store.eventsAfter(job.id, 0)).at(-1);
    expect(completed?.type === "completed" && completed.data.job.video).toMatchObject({
      archived: false,
      expiresAt: "2030-01-01T00:00:00Z",
    });
    expect(completed?.type === "completed" && completed.data.job.mayBeBilled).toBe(true);
    await untilSettled(runner, job.id);
    expect(downloads).toBe(4);
    expect(await store.getJob(job.id)).toMatchObject({
      state: "completed",
      archived: true,
      videoBytes: 99,
      archiveDeadline: undefined,
    });
  });

  it("stops archiving when the upstream link has expired", async () => {
    const archive = vi.fn(async () => {
      throw new AppError("network_error");
    });
    const { store, runner } = setup({
      createGeneration: vi.fn(async () => ({
        protocol: "chat" as const,
        baseUrl: BASE,
        source: {
          baseUrl: BASE,
          url: `${BASE}/f.mp4`,
          expiresAt: new Date(Date.now() + 300).toISOString(),
        },
      })),
      archiveVideo: archive,
    });
    const job = await submit(runner, { protocol: "chat" } as never);
    await untilSettled(runner, job.id);
    const tries = archive.mock.calls.length;
    expect(tries).toBeGreaterThan(1);
    expect((await store.listReconcilable()).map((j) => j.id)).not.toContain(job.id);
    await runner.reconcile();
    expect(archive.mock.calls.length).toBe(tries);
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
    const job = await submit(runner);
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
      mayBeBilled: false,
      error: { code: "no_available_channel", status: 503, requestId: "req_1", attempts: 2 },
    });
  });

  it("marks a create whose outcome is ambiguous as maybe billed", async () => {
    const { store, runner } = setup({
      createGeneration: vi.fn(async () => {
        throw new AppError("gateway_timeout", { status: 524 });
      }),
    });
    const job = await submit(runner);
    await untilSettled(runner, job.id);
    expect(await store.getJob(job.id)).toMatchObject({
      state: "failed",
      mayBeBilled: true,
      error: { code: "gateway_timeout" },
    });
  });

  it("fails an accepted job at its deadline with a timeout that says the video may exist", async () => {
    const { store, runner } = setup({
      config: { ...CONFIG, jobDeadlineMs: 80 },
      followVideoJob: vi.fn((_b, _i, _cb, signal: AbortSignal) => abortable(signal)),
    });
    const job = await submit(runner);
    await untilSettled(runner, job.id);
    const failed = await store.getJob(job.id);
    expect(failed?.error).toMatchObject({
      code: "timeout",
      detail: { key: "jobDeadlineMayExist" },
    });
    expect(failed?.upstreamId).toBe("video_1");
  });

  it("keeps downloading past the deadline: the download is not bounded by it", async () => {
    const { store, runner } = setup({
      config: { ...CONFIG, jobDeadlineMs: 50 },
      archiveVideo: vi.fn(async (jobId: string) => {
        await new Promise((r) => setTimeout(r, 200));
        return { archivePath: `videos/${jobId}.mp4`, bytes: 5 };
      }),
    });
    const job = await submit(runner);
    await untilSettled(runner, job.id);
    expect(await store.getJob(job.id)).toMatchObject({ state: "completed", archived: true });
  });

  it("stops following on cancel without writing anything more", async () => {
    const follow = vi.fn((_b: string, _i: string, _cb: unknown, signal: AbortSignal) =>
      abortable(signal),
    );
    const { store, runner } = setup({ followVideoJob: follow });
    const job = await submit(runner);
    await vi.waitFor(() => expect(follow).toHaveBeenCalled());
    const before = (await store.getJob(job.id))?.lastSeq;
    expect(runner.cancel(job.id)).toBe(true);
    await runner.settled(job.id, 1000);
    expect(runner.isActive(job.id)).toBe(false);
    expect((await store.getJob(job.id))?.lastSeq).toBe(before);
    expect(runner.cancel(job.id)).toBe(false);
  });

  it("reconciles: polls videos jobs, archives known videos, interrupts what cannot be resumed", async () => {
    const { store, runner, deps } = setup();
    const polling = (await store.createJob({ ...input, hasImage: false })).job;
    await store.appendEvent(
      polling.id,
      { type: "state", data: { state: "running" } },
      { state: "running", baseUrl: BASE, upstreamId: "video_7" },
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
    const queued = (await store.createJob({ ...input, hasImage: false })).job;
    // A job another live process holds is left alone.
    const leased = (await store.createJob({ ...input, hasImage: false })).job;
    await store.acquireLease(leased.id, "someone-else", 60_000);

    await runner.reconcile();
    for (const id of [polling.id, downloaded.id, chat.id, submitting.id, queued.id]) {
      await untilSettled(runner, id);
    }
    expect(deps.followVideoJob).toHaveBeenCalledWith(
      BASE,
      "video_7",
      expect.anything(),
      expect.any(AbortSignal),
      undefined,
      { seen: false, protocol: "videos" },
    );
    expect((await store.getJob(polling.id))?.state).toBe("completed");
    expect((await store.getJob(downloaded.id))?.state).toBe("completed");
    for (const [id, mayBeBilled] of [
      [chat.id, true],
      [submitting.id, true],
      [queued.id, false],
    ] as const) {
      expect(await store.getJob(id)).toMatchObject({
        state: "failed",
        mayBeBilled,
        error: { code: "interrupted", detail: { key: "interruptedWorker" } },
      });
    }
    expect((await store.getJob(leased.id))?.state).toBe("queued");
  });

  it("two runners on one store: each job is worked by one owner, and taken over when it dies", async () => {
    const file = tempDb();
    const followers = new Map<string, string[]>();
    const follow = (name: string) =>
      vi.fn(async (_b: string, upstreamId: string, _cb: unknown, signal: AbortSignal) => {
        followers.set(upstreamId, [...(followers.get(upstreamId) ?? []), name]);
        if (name === "A") return abortable(signal);
        return { baseUrl: BASE, upstreamId };
      });
    const a = setup({ followVideoJob: follow("A"), owner: "A" }, openStore(file));
    const b = setup({ followVideoJob: follow("B"), owner: "B" }, openStore(file));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const job = (await a.store.createJob({ ...input, hasImage: false })).job;
      await a.store.updateJob(job.id, { state: "running", baseUrl: BASE, upstreamId: `v${i}` });
      ids.push(job.id);
    }
    await a.runner.reconcile();
    await b.runner.reconcile();
    expect([...followers.values()].every((names) => names.join() === "A")).toBe(true);
    expect(followers.size).toBe(4);
    // A stops renewing (as if SIGKILLed): B takes every job over once the lease expires.
    await a.runner.stop();
    await new Promise((r) => setTimeout(r, CONFIG.leaseTtlMs + 50));
    await b.runner.reconcile();
    for (const id of ids) await untilSettled(b.runner, id);
    for (const id of ids) expect((await b.store.getJob(id))?.state).toBe("completed");
    expect([...followers.values()].map((n) => n.join())).toEqual(["A,B", "A,B", "A,B", "A,B"]);
  });

  it("a create in flight whose renewals come late is not taken over and interrupted", async () => {
    const file = tempDb();
    // A's event loop is busy: every renewal reaches the store one lease period late, so the lease
    // lapses while A is still waiting for the upstream to answer the create.
    const slow = openStore(file);
    const late = Object.assign(Object.create(slow) as Store, {
      renewLease: async (...args: Parameters<Store["renewLease"]>) => {
        await new Promise((r) => setTimeout(r, CONFIG.leaseTtlMs));
        return slow.renewLease(...args);
      },
    });
    const create = vi.fn(
      async (_req: GenerationRequest, cb: GenerationCallbacks): Promise<GenerationOutcome> => {
        await new Promise((r) => setTimeout(r, CONFIG.leaseTtlMs * 3));
        cb.onAccepted({ baseUrl: BASE, upstreamId: "video_1" });
        return { protocol: "videos", baseUrl: BASE, upstreamId: "video_1" };
      },
    );
    const a = setup({ owner: "A", createGeneration: create }, late);
    const b = setup({ owner: "B", createGeneration: create }, openStore(file));
    await b.runner.startReconciler();
    const job = await submit(a.runner);
    // Once accepted, the job may change hands (polling can be reattached); it must complete.
    await vi.waitFor(
      async () => expect((await b.store.getJob(job.id))?.state).toMatch(/completed|failed/),
      { timeout: 5000 },
    );
    expect(await b.store.getJob(job.id)).toMatchObject({
      state: "completed",
      upstreamId: "video_1",
    });
    expect(create).toHaveBeenCalledTimes(1);
    const events = await b.store.eventsAfter(job.id, 0);
    expect(events.some((e) => e.type === "failed")).toBe(false);
  });

  it("a worker whose lease was taken writes nothing more", async () => {
    const file = tempDb();
    let report: GenerationCallbacks["onProgress"] | undefined;
    const a = setup(
      {
        owner: "A",
        followVideoJob: vi.fn((_b, _i, cb, signal: AbortSignal) => {
          report = cb.onProgress;
          return abortable(signal);
        }),
      },
      openStore(file),
    );
    const job = await submit(a.runner);
    await vi.waitFor(() => expect(report).toBeDefined());
    const other = openStore(file);
    // Simulate a stalled A: its lease expires and another owner takes the job.
    await other.releaseLease(job.id, "A");
    expect(await other.acquireLease(job.id, "B", 60_000)).toBe(true);
    const before = (await other.getJob(job.id))?.lastSeq;
    report?.({ percent: 77 });
    await vi.waitFor(() => expect(a.runner.isActive(job.id)).toBe(false), { timeout: 2000 });
    expect((await other.getJob(job.id))?.lastSeq).toBe(before);
    expect((await other.getJob(job.id))?.state).toBe("running");
  });

  /** A job whose upstream never answers, failed by a 60 ms deadline. */
  async function timedOutJob() {
    const stack = setup({
      config: { ...CONFIG, jobDeadlineMs: 60 },
      followVideoJob: vi.fn((_b, _i, _cb, signal: AbortSignal) => abortable(signal)),
    });
    const job = await submit(stack.runner);
    await untilSettled(stack.runner, job.id);
    return { ...stack, job };
  }

  it("recheck revives a timed-out job whose video exists, with a recorded recovery", async () => {
    const { store, runner, deps, job } = await timedOutJob();
    expect((await store.getJob(job.id))?.state).toBe("failed");
    const failedSeq = (await store.getJob(job.id))!.lastSeq;
    deps.lookupVideoJob = vi.fn(async () => ({
      status: "completed" as const,
      source: { baseUrl: BASE, upstreamId: "video_1" },
    }));
    const revived = await runner.recheck(job.id);
    expect(revived).toMatchObject({ state: "running", error: undefined });
    await untilSettled(runner, job.id);
    const after = await store.eventsAfter(job.id, failedSeq);
    expect(after.map((e) => e.type)).toEqual(["job", "completed"]);
    expect(after[0]?.data).toMatchObject({ state: "running" });
    expect(await store.getJob(job.id)).toMatchObject({
      state: "completed",
      archived: true,
      error: undefined,
    });
  });

  it("recheck leaves a job whose upstream says failed as it is", async () => {
    const { store, runner, deps, job } = await timedOutJob();
    const before = await store.getJob(job.id);
    deps.lookupVideoJob = vi.fn(async () => ({ status: "gone" as const }));
    expect((await runner.recheck(job.id))?.state).toBe("failed");
    expect((await store.getJob(job.id))?.lastSeq).toBe(before?.lastSeq);
    expect(await store.getLease(job.id)).toBeUndefined();
  });
});
