import { afterEach, describe, expect, it, vi } from "vitest";
import type { JobStore, NewJob, StoredJobEvent } from "./types";

/*
 * The JobStore contract (types.ts), run against every implementation: the reconciler and the
 * routes rely on exactly this, whichever store they run on. "Two processes" are two store
 * instances on the same backing store (one SQLite file, one Redis), each with its own connection.
 */

export interface StoreFamily {
  /** A new store instance on this family's shared backing store. */
  open(): Promise<JobStore>;
  /** Makes an idempotency key look older than 24 h. */
  expireIdempotencyKey(key: string): Promise<void>;
}

const newJob: NewJob = { prompt: "a cat", model: "sora-2", protocol: "videos", hasImage: false };

export function describeJobStoreContract(name: string, makeFamily: () => Promise<StoreFamily>) {
  describe(`JobStore contract: ${name}`, () => {
    const opened: JobStore[] = [];
    let family: StoreFamily | undefined;

    async function stores(count: number): Promise<JobStore[]> {
      family ??= await makeFamily();
      const list: JobStore[] = [];
      for (let i = 0; i < count; i++) list.push(await family.open());
      opened.push(...list);
      return list;
    }
    const one = async () => (await stores(1))[0] as JobStore;
    const two = async () => (await stores(2)) as [JobStore, JobStore];
    const created = async (store: JobStore) => (await store.createJob(newJob)).job;
    /** A new job after one appended event (`patch` updates its row). */
    const createdThen = async (
      store: JobStore,
      event: Parameters<JobStore["appendEvent"]>[1],
      patch: Parameters<JobStore["appendEvent"]>[2],
    ) => {
      const job = await created(store);
      await store.appendEvent(job.id, event, patch);
      return job;
    };

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      family = undefined;
    });

    it("creates a queued job with its snapshot as event 1", async () => {
      const store = await one();
      const { job, event, created: isNew } = await store.createJob(newJob);
      expect(isNew).toBe(true);
      expect(job.id).toMatch(/^job_[0-9a-f]{24}$/);
      expect(job).toMatchObject({ state: "queued", lastSeq: 1, attempts: 0, mayBeBilled: false });
      expect(event).toMatchObject({ seq: 1, type: "job", data: { id: job.id, state: "queued" } });
      expect(await store.eventsAfter(job.id, 0)).toEqual([event]);
      expect(await store.getJob(job.id)).toEqual(job);
    });

    it("keeps a job's cost from creation, replaces it by a patch, and lists it", async () => {
      const [a, b] = await two();
      const estimate = { amount: 0.8, currency: "USD", estimated: true };
      const { job } = await a.createJob({ ...newJob, seconds: "8", cost: estimate });
      expect(job.cost).toEqual(estimate);
      expect(await b.getJob(job.id)).toMatchObject({ cost: estimate });
      const [first] = await b.eventsAfter(job.id, 0);
      expect(first?.data).toMatchObject({ cost: estimate });
      const charged = { amount: 0.75, currency: "USD", estimated: false };
      await a.updateJob(job.id, { cost: charged });
      const page = await b.listJobs({ limit: 5 });
      expect(page?.jobs.find((j) => j.id === job.id)?.cost).toEqual(charged);
      expect((await created(a)).cost).toBeUndefined();
    });

    it("numbers events per job without gaps; patches land with their event", async () => {
      const store = await one();
      const a = await created(store);
      const b = await created(store);
      await store.appendEvent(
        a.id,
        { type: "state", data: { state: "running" } },
        {
          state: "running",
        },
      );
      await store.appendEvent(b.id, { type: "progress", data: { percent: 5 } }, { progress: 5 });
      const third = await store.appendEvent(
        a.id,
        { type: "progress", data: { percent: 40, message: "排队中" } },
        { progress: 40, progressMessage: "排队中" },
      );
      expect(third?.event.seq).toBe(3);
      expect((await store.eventsAfter(a.id, 0)).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect((await store.eventsAfter(a.id, 2)).map((e) => e.type)).toEqual(["progress"]);
      expect((await store.eventsAfter(b.id, 0)).map((e) => e.seq)).toEqual([1, 2]);
      expect(await store.getJob(a.id)).toMatchObject({
        state: "running",
        progress: 40,
        progressMessage: "排队中",
        lastSeq: 3,
      });
      expect(await store.eventsAfter("job_000000000000000000000000", 0)).toEqual([]);
    });

    it("builds snapshot payloads from the job after the patch", async () => {
      const store = await one();
      const job = await created(store);
      const result = await store.appendEvent(
        job.id,
        { type: "failed", data: (j) => ({ job: { ...j } as never }) },
        { state: "failed", error: { code: "timeout", requestId: "req_1" } },
      );
      const data = result?.event.data as { job: { state: string; lastSeq: number } };
      expect(data.job).toMatchObject({ state: "failed", lastSeq: 2 });
      expect((await store.getJob(job.id))?.error).toEqual({ code: "timeout", requestId: "req_1" });
    });

    it("refuses events after a final state unless they are a recorded recovery", async () => {
      const store = await one();
      const job = await created(store);
      await store.appendEvent(
        job.id,
        { type: "failed", data: { job: {} as never } },
        {
          state: "failed",
          error: { code: "timeout" },
        },
      );
      const late = { type: "progress" as const, data: { percent: 1 } };
      expect(await store.appendEvent(job.id, late)).toBeUndefined();
      const revived = await store.appendEvent(
        job.id,
        { type: "state", data: { state: "running" } },
        { state: "running", error: undefined },
        { recovery: true },
      );
      expect(revived?.job).toMatchObject({ state: "running", lastSeq: 3 });
      expect((await store.getJob(job.id))?.error).toBeUndefined();
    });

    it("keeps concurrent appends from two processes gapless and unique", async () => {
      const [a, b] = await two();
      const job = await created(a);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).appendEvent(job.id, { type: "progress", data: { percent: i } }),
        ),
      );
      const seqs = (await b.eventsAfter(job.id, 0)).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      expect((await a.getJob(job.id))?.lastSeq).toBe(21);
    });

    it("delivers this process's appends to subscribers and stops after unsubscribe", async () => {
      const store = await one();
      const job = await created(store);
      const seen: StoredJobEvent[] = [];
      const unsubscribe = store.subscribe(job.id, (event) => seen.push(event));
      await store.eventsAfter(job.id, 0);
      await store.appendEvent(job.id, { type: "progress", data: { percent: 10 } });
      await vi.waitFor(() => expect(seen.map((e) => e.seq)).toEqual([2]));
      unsubscribe();
      await store.appendEvent(job.id, { type: "progress", data: { percent: 20 } });
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.map((e) => e.seq)).toEqual([2]);
    });

    it("delivers another process's events to live subscribers once and in order", async () => {
      const [here, there] = await two();
      const job = await created(here);
      const seen: number[] = [];
      here.subscribe(job.id, (event) => seen.push(event.seq));
      await here.eventsAfter(job.id, 0);
      await there.appendEvent(job.id, { type: "progress", data: { percent: 10 } });
      await there.appendEvent(job.id, { type: "progress", data: { percent: 20 } });
      await vi.waitFor(() => expect(seen).toEqual([2, 3]));
      // Its own append right after another process's: the gap is filled first.
      await there.appendEvent(job.id, { type: "progress", data: { percent: 30 } });
      await here.appendEvent(job.id, { type: "progress", data: { percent: 40 } });
      await vi.waitFor(() => expect(seen).toEqual([2, 3, 4, 5]));
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([2, 3, 4, 5]);
    });

    it("pages newest first with an opaque cursor and rejects foreign cursors", async () => {
      const [a, b] = await two();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await created(i % 2 ? a : b)).id);
      const first = (await b.listJobs({ limit: 2 }))!;
      expect(first.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
      const second = (await a.listJobs({ limit: 2, cursor: first.nextCursor ?? "" }))!;
      expect(second.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
      const last = (await b.listJobs({ limit: 2, cursor: second.nextCursor ?? "" }))!;
      expect(last.jobs.map((j) => j.id)).toEqual([ids[0]]);
      expect(last.nextCursor).toBeNull();
      for (const bad of [
        "abc",
        "1' OR '1'='1",
        "../etc",
        Buffer.from("r:x").toString("base64url"),
      ]) {
        expect(await a.listJobs({ limit: 2, cursor: bad })).toBeNull();
      }
    });

    it("narrows the history by state, model and prompt text, paging through the narrowed list", async () => {
      const [a, b] = await two();
      const make = async (store: JobStore, prompt: string, model: string, state?: "failed") => {
        const { job } = await store.createJob({ ...newJob, prompt, model });
        if (state) {
          await store.appendEvent(
            job.id,
            { type: "failed", data: { job: {} as never } },
            { state },
          );
        }
        return job.id;
      };
      const lighthouse = await make(a, "A Lighthouse at dusk", "sora-2");
      const quota = await make(b, "lighthouse in fog", "sora-2-pro", "failed");
      const cat = await make(a, "一只猫在灯塔上", "sora-2", "failed");
      const literal = await make(b, "100% real_photo", "veo-3");
      const plain = await make(a, "1000 realXphoto", "veo-3");
      const ids = async (options: Parameters<JobStore["listJobs"]>[0]) =>
        (await b.listJobs(options))?.jobs.map((j) => j.id);

      expect(await ids({ limit: 10, states: ["failed"] })).toEqual([cat, quota]);
      expect(await ids({ limit: 10, states: ["queued", "failed"], model: "sora-2" })).toEqual([
        cat,
        lighthouse,
      ]);
      expect(await ids({ limit: 10, model: "veo-3" })).toEqual([plain, literal]);
      expect(await ids({ limit: 10, model: "veo" })).toEqual([]);
      // Case-insensitive, CJK, and wildcard characters taken literally.
      expect(await ids({ limit: 10, search: "LIGHTHOUSE" })).toEqual([quota, lighthouse]);
      expect(await ids({ limit: 10, search: "灯塔" })).toEqual([cat]);
      expect(await ids({ limit: 10, search: "0% real_p" })).toEqual([literal]);
      expect(await ids({ limit: 10, search: "lighthouse", states: ["failed"] })).toEqual([quota]);
      expect(await ids({ limit: 10, search: "nothing like it" })).toEqual([]);

      // Paging keeps the filter: one at a time through the two matches, then the end.
      const first = (await a.listJobs({ limit: 1, search: "lighthouse" }))!;
      expect(first.jobs.map((j) => j.id)).toEqual([quota]);
      const rest: string[] = [];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = (await b.listJobs({ limit: 1, search: "lighthouse", cursor }))!;
        rest.push(...page.jobs.map((j) => j.id));
        cursor = page.nextCursor;
      }
      expect(rest).toEqual([lighthouse]);
    });

    it("hides a job deleted with undo, lists it as due at its purge time, and shows it again when restored", async () => {
      const [a, b] = await two();
      const kept = await created(a);
      const removed = await created(a);
      const later = await created(a);
      const now = Date.now();
      await a.updateJob(removed.id, { purgeAt: now + 1_000 });
      await a.updateJob(later.id, { purgeAt: now + 60_000 });
      expect((await b.listJobs({ limit: 10 }))?.jobs.map((j) => j.id)).toEqual([kept.id]);
      expect((await b.getJob(removed.id))?.purgeAt).toBe(now + 1_000);
      expect(await b.listDuePurges(now)).toEqual([]);
      expect((await b.listDuePurges(now + 1_000)).map((j) => j.id)).toEqual([removed.id]);
      expect((await b.listDuePurges(now + 60_000)).map((j) => j.id)).toEqual([
        removed.id,
        later.id,
      ]);
      // Restored: listed again in its place, no longer due.
      await b.updateJob(later.id, { purgeAt: undefined });
      expect((await a.getJob(later.id))?.purgeAt).toBeUndefined();
      expect((await a.listJobs({ limit: 10 }))?.jobs.map((j) => j.id)).toEqual([later.id, kept.id]);
      expect((await a.listDuePurges(now + 60_000)).map((j) => j.id)).toEqual([removed.id]);
      expect(await a.deleteJob(removed.id)).toBe(true);
      expect(await a.listDuePurges(now + 60_000)).toEqual([]);
    });

    it("deletes a job with its events and lists what a reconciler must advance", async () => {
      const store = await one();
      const toRunning = { type: "state", data: { state: "running" } } as const;
      const toCompleted = { type: "completed", data: { job: {} as never } } as const;
      const toFailed = { type: "failed", data: { job: {} as never } } as const;
      const done = await createdThen(store, toRunning, { state: "completed", archived: true });
      const unarchived = await createdThen(store, toCompleted, {
        state: "completed",
        source: { baseUrl: "http://relay.test", upstreamId: "video_0" },
      });
      await createdThen(store, toFailed, { state: "failed" });
      const running = await createdThen(store, toRunning, {
        state: "running",
        source: { baseUrl: "http://relay.test", url: "http://relay.test/x.mp4" },
      });
      const reconcilable = await store.listReconcilable();
      expect(reconcilable.map((j) => j.id)).toEqual([unarchived.id, running.id]);
      expect(reconcilable[1]?.source?.url).toBe("http://relay.test/x.mp4");
      const lapsed = await createdThen(store, toCompleted, {
        state: "completed",
        source: { baseUrl: "http://relay.test", upstreamId: "video_1" },
        archiveDeadline: Date.now() - 1,
      });
      expect((await store.listReconcilable()).map((j) => j.id)).not.toContain(lapsed.id);
      await store.deleteJob(lapsed.id);
      // Archiving afterwards (no event) takes it off the list.
      await store.updateJob(unarchived.id, { archived: true, archivePath: "videos/x.mp4" });
      expect((await store.listReconcilable()).map((j) => j.id)).toEqual([running.id]);
      expect(await store.countByState()).toMatchObject({ running: 1, completed: 2, failed: 1 });
      expect(await store.deleteJob(done.id)).toBe(true);
      expect(await store.deleteJob(done.id)).toBe(false);
      expect(await store.getJob(done.id)).toBeUndefined();
      expect(await store.eventsAfter(done.id, 0)).toEqual([]);
      expect(
        await store.appendEvent(done.id, { type: "progress", data: { percent: 1 } }),
      ).toBeUndefined();
      expect(await store.updateJob(done.id, { attempts: 1 })).toBeUndefined();
      expect(await store.countByState()).toMatchObject({ running: 1, completed: 1, failed: 1 });
      expect((await store.listJobs({ limit: 10 }))?.jobs.map((j) => j.id)).not.toContain(done.id);
    });

    it("grants a lease to one owner at a time, renews it, and hands it over once expired", async () => {
      const [a, b] = await two();
      const job = await created(a);
      expect(await a.acquireLease(job.id, "A", 200)).toBe(true);
      expect(await b.acquireLease(job.id, "B", 200)).toBe(false);
      expect(await a.acquireLease(job.id, "A", 200)).toBe(true);
      expect(await a.renewLease(job.id, "A", 200)).toBe(true);
      expect(await b.renewLease(job.id, "B", 200)).toBe(false);
      const lease = await b.getLease(job.id);
      expect(lease?.owner).toBe("A");
      expect(lease?.expiresAt).toBeGreaterThan(Date.now());
      await new Promise((r) => setTimeout(r, 250));
      expect(await b.acquireLease(job.id, "B", 10_000)).toBe(true);
      expect(await a.renewLease(job.id, "A", 200)).toBe(false);
      expect(await a.acquireLease(job.id, "A", 200)).toBe(false);
      await a.releaseLease(job.id, "A");
      expect((await a.getLease(job.id))?.owner).toBe("B");
      await b.releaseLease(job.id, "B");
      expect(await a.getLease(job.id)).toBeUndefined();
      expect(await a.acquireLease("job_000000000000000000000000", "A", 200)).toBe(false);
    });

    it("never renews the lease of a canceled job, so its worker anywhere stops", async () => {
      const [a, b] = await two();
      const job = await created(a);
      expect(await a.acquireLease(job.id, "A", 10_000)).toBe(true);
      await b.appendEvent(
        job.id,
        { type: "state", data: { state: "canceled" } },
        {
          state: "canceled",
        },
      );
      expect(await a.renewLease(job.id, "A", 10_000)).toBe(false);
    });

    it("lets a late renewal keep an expired lease nobody took, while the job runs", async () => {
      const [a, b] = await two();
      const { job } = await a.createJob(newJob, { lease: { owner: "A", ttlMs: 100 } });
      await new Promise((r) => setTimeout(r, 150));
      // The create is still in flight on A; its renewal came late but nobody took the job.
      expect(await a.renewLease(job.id, "A", 10_000)).toBe(true);
      expect(await b.acquireLease(job.id, "B", 10_000)).toBe(false);
      expect(
        await a.appendEvent(job.id, { type: "progress", data: { percent: 1 } }, {}, { owner: "A" }),
      ).toBeDefined();
      // Taken meanwhile, released by its taker, or the job ended: a late renewal is refused.
      const taken = await created(a);
      expect(await a.acquireLease(taken.id, "A", 100)).toBe(true);
      await new Promise((r) => setTimeout(r, 150));
      expect(await b.acquireLease(taken.id, "B", 100)).toBe(true);
      await b.releaseLease(taken.id, "B");
      expect(await a.renewLease(taken.id, "A", 10_000)).toBe(false);
      const ended = await created(a);
      expect(await a.acquireLease(ended.id, "A", 100)).toBe(true);
      await b.appendEvent(
        ended.id,
        { type: "state", data: { state: "failed" } },
        { state: "failed" },
      );
      await new Promise((r) => setTimeout(r, 150));
      expect(await a.renewLease(ended.id, "A", 10_000)).toBe(false);
    });

    it("gives a lease to a taker asking for idle time only once it has been free that long", async () => {
      const [a, b] = await two();
      const { job } = await a.createJob(newJob, { lease: { owner: "A", ttlMs: 100 } });
      await new Promise((r) => setTimeout(r, 150));
      expect(await b.acquireLease(job.id, "B", 10_000, { minIdleMs: 400 })).toBe(false);
      await new Promise((r) => setTimeout(r, 400));
      expect(await b.acquireLease(job.id, "B", 10_000, { minIdleMs: 400 })).toBe(true);
      // A released lease is free at once, idle time or not.
      const released = await created(a);
      expect(await a.acquireLease(released.id, "A", 10_000)).toBe(true);
      await a.releaseLease(released.id, "A");
      expect(await b.acquireLease(released.id, "B", 10_000, { minIdleMs: 60_000 })).toBe(true);
      expect(await a.acquireLease(released.id, "A", 10_000, { minIdleMs: 60_000 })).toBe(false);
    });

    it("lets exactly one of many racing owners take a free lease", async () => {
      const [a, b] = await two();
      const job = await created(a);
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquireLease(job.id, `w${i}`, 5000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it("fences writes to the lease holder and leases a job at creation", async () => {
      const [a, b] = await two();
      const { job } = await a.createJob(newJob, { lease: { owner: "A", ttlMs: 10_000 } });
      expect(await b.acquireLease(job.id, "B", 10_000)).toBe(false);
      const progress = { type: "progress" as const, data: { percent: 5 } };
      expect(await b.appendEvent(job.id, progress, {}, { owner: "B" })).toBeUndefined();
      expect(await b.updateJob(job.id, { attempts: 3 }, { owner: "B" })).toBeUndefined();
      expect(await a.appendEvent(job.id, progress, {}, { owner: "A" })).toBeDefined();
      expect(await a.updateJob(job.id, { attempts: 1 }, { owner: "A" })).toBeDefined();
      expect(await b.getJob(job.id)).toMatchObject({ attempts: 1, lastSeq: 2 });
    });

    it("creates one job per idempotency key, across processes and races", async () => {
      const [a, b] = await two();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? a : b).createJob({ ...newJob, prompt: `p${i}` }, { idempotencyKey: "click-1" }),
        ),
      );
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const first = results.find((r) => r.created)!;
      const again = await b.createJob(newJob, { idempotencyKey: "click-1" });
      expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
      expect(again.event.seq).toBe(1);
      expect((await b.findByIdempotencyKey("click-1"))?.id).toBe(first.job.id);
      const other = await b.createJob(newJob, { idempotencyKey: "click-2" });
      expect(other.job.id).not.toBe(first.job.id);
      expect((await a.countByState()).queued).toBe(2);
      await family!.expireIdempotencyKey("click-1");
      expect(await a.findByIdempotencyKey("click-1")).toBeUndefined();
      const later = await a.createJob(newJob, { idempotencyKey: "click-1" });
      expect(later.created).toBe(true);
      expect(later.job.id).not.toBe(first.job.id);
    });

    it("keeps a remix's source and reports completion times per model, newest first", async () => {
      const [a, b] = await two();
      const finish = async (model: string, done: boolean) => {
        const job = (await a.createJob({ ...newJob, model })).job;
        const completedAt = new Date(Date.parse(job.createdAt) + 1_000).toISOString();
        const state = done ? "completed" : "failed";
        await a.appendEvent(job.id, { type: "state", data: { state } }, { state, completedAt });
        return job;
      };
      const first = await finish("sora-2", true);
      await finish("sora-2", false);
      const remix = await a.createJob({ ...newJob, remixOf: first.id });
      expect(remix.job.remixOf).toBe(first.id);
      expect(await b.getJob(remix.job.id)).toMatchObject({ remixOf: first.id });
      expect(remix.event.data).toMatchObject({ remixOf: first.id });
      await a.updateJob(first.id, {
        completedAt: new Date(Date.parse(first.createdAt) + 3_000).toISOString(),
      });
      const other = await finish("veo-3", true);
      const last = await finish("sora-2", true);
      // Running, failed and queued jobs are not samples; newest first within a model.
      expect(await b.completionDurations()).toEqual({ "sora-2": [1_000, 3_000], "veo-3": [1_000] });
      // Only the newest `window` jobs of the history are looked at.
      expect(await b.completionDurations({ window: 1 })).toEqual({ "sora-2": [1_000] });
      await b.deleteJob(last.id);
      await b.deleteJob(other.id);
      expect(await a.completionDurations()).toEqual({ "sora-2": [3_000] });
    });
  });
}
