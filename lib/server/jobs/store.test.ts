import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SCHEMA_VERSION, SqliteJobStore } from "./store";
import type { NewJob, StoredJobEvent } from "./types";

const newJob: NewJob = { prompt: "a cat", model: "sora-2", protocol: "videos", hasImage: false };
const dirs: string[] = [];
const stores: SqliteJobStore[] = [];

function openStore(file = ":memory:", pollMs?: number) {
  const store = new SqliteJobStore(file, { pollMs });
  stores.push(store);
  return store;
}

function tempFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobs-store-"));
  dirs.push(dir);
  return path.join(dir, "nested", "sora-studio.db");
}

const created = async (store: SqliteJobStore) => (await store.createJob(newJob)).job;

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("SqliteJobStore", () => {
  it.each(["videos", "chat", "generations"] as const)(
    "keeps the %s protocol of a job across a reopen",
    async (protocol) => {
      const file = tempFile();
      const { job } = await openStore(file).createJob({ ...newJob, protocol });
      expect((await openStore(file).getJob(job.id))?.protocol).toBe(protocol);
    },
  );

  it("creates a queued job with its job snapshot as event 1", async () => {
    const store = openStore();
    const { job, event, created: isNew } = await store.createJob({ ...newJob, retryOf: undefined });
    expect(isNew).toBe(true);
    expect(job.id).toMatch(/^job_[0-9a-f]{24}$/);
    expect(job).toMatchObject({ state: "queued", lastSeq: 1, attempts: 0, progress: 0 });
    expect(event).toMatchObject({ seq: 1, type: "job", data: { id: job.id, state: "queued" } });
    expect(await store.eventsAfter(job.id, 0)).toEqual([event]);
  });

  it("numbers events per job without gaps and applies patches atomically", async () => {
    const store = openStore();
    const a = await created(store);
    const b = await created(store);
    await store.appendEvent(
      a.id,
      { type: "state", data: { state: "submitting" } },
      { state: "submitting" },
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
      state: "submitting",
      progress: 40,
      progressMessage: "排队中",
      lastSeq: 3,
    });
  });

  it("builds snapshot payloads from the job after the patch", async () => {
    const store = openStore();
    const job = await created(store);
    const result = await store.appendEvent(
      job.id,
      { type: "failed", data: (j) => ({ job: { ...j, error: j.error } as never }) },
      { state: "failed", error: { code: "timeout", requestId: "req_1" } },
    );
    const data = result?.event.data as { job: { state: string; lastSeq: number; error: unknown } };
    expect(data.job).toMatchObject({ state: "failed", lastSeq: 2, error: { code: "timeout" } });
    expect((await store.getJob(job.id))?.error).toEqual({ code: "timeout", requestId: "req_1" });
  });

  it("refuses events after a final state unless they are a recorded recovery", async () => {
    const store = openStore();
    const job = await created(store);
    await store.appendEvent(
      job.id,
      { type: "state", data: { state: "running" } },
      {
        state: "failed",
      },
    );
    expect(
      await store.appendEvent(job.id, { type: "completed", data: { job: {} as never } }),
    ).toBeUndefined();
    const revived = await store.appendEvent(
      job.id,
      { type: "state", data: { state: "running" } },
      { state: "running", error: undefined },
      { recovery: true },
    );
    expect(revived?.job).toMatchObject({ state: "running", lastSeq: 3 });
    expect((await store.getJob(job.id))?.error).toBeUndefined();
  });

  it("notifies subscribers after the write and stops after unsubscribe", async () => {
    const store = openStore();
    const job = await created(store);
    const seen: StoredJobEvent[] = [];
    const lastSeqAtDelivery: (number | undefined)[] = [];
    const unsubscribe = store.subscribe(job.id, (event) => {
      seen.push(event);
      void store.getJob(job.id).then((j) => lastSeqAtDelivery.push(j?.lastSeq));
    });
    await store.appendEvent(job.id, { type: "progress", data: { percent: 10 } });
    unsubscribe();
    await store.appendEvent(job.id, { type: "progress", data: { percent: 20 } });
    expect(seen.map((e) => e.seq)).toEqual([2]);
    await vi.waitFor(() => expect(lastSeqAtDelivery[0]).toBeGreaterThanOrEqual(2));
  });

  it("delivers events another process appends to live subscribers, once and in order", async () => {
    const file = tempFile();
    const here = openStore(file, 20);
    const there = openStore(file, 20);
    const job = await created(here);
    const seen: number[] = [];
    here.subscribe(job.id, (event) => seen.push(event.seq));
    await there.appendEvent(job.id, { type: "progress", data: { percent: 10 } });
    await there.appendEvent(job.id, { type: "progress", data: { percent: 20 } });
    await vi.waitFor(() => expect(seen).toEqual([2, 3]));
    // Its own append right after another process's: the gap is filled first.
    await there.appendEvent(job.id, { type: "progress", data: { percent: 30 } });
    await here.appendEvent(job.id, { type: "progress", data: { percent: 40 } });
    await new Promise((r) => setTimeout(r, 80));
    expect(seen).toEqual([2, 3, 4, 5]);
  });

  it("keeps the event log append-only", async () => {
    const file = tempFile();
    const store = openStore(file);
    const job = await created(store);
    const raw = new Database(file);
    expect(() =>
      raw.prepare("UPDATE job_events SET type = 'x' WHERE job_id = ?").run(job.id),
    ).toThrow(/append-only/);
    raw.close();
  });

  it("pages newest first with an opaque cursor and rejects foreign cursors", async () => {
    const store = openStore();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await created(store)).id);
    const first = (await store.listJobs({ limit: 2 }))!;
    expect(first.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    const second = (await store.listJobs({ limit: 2, cursor: first.nextCursor ?? "" }))!;
    expect(second.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const last = (await store.listJobs({ limit: 2, cursor: second.nextCursor ?? "" }))!;
    expect(last.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(last.nextCursor).toBeNull();
    for (const bad of ["abc", "1' OR '1'='1", "../etc", Buffer.from("r:x").toString("base64url")]) {
      expect(await store.listJobs({ limit: 2, cursor: bad })).toBeNull();
    }
  });

  it("deletes a job with its events and lists what a reconciler must advance", async () => {
    const store = openStore();
    const done = await created(store);
    await store.appendEvent(
      done.id,
      { type: "state", data: { state: "running" } },
      { state: "completed", archived: true },
    );
    const unarchived = await created(store);
    await store.appendEvent(
      unarchived.id,
      { type: "completed", data: { job: {} as never } },
      { state: "completed", source: { baseUrl: "http://relay.test", upstreamId: "video_0" } },
    );
    const failed = await created(store);
    await store.appendEvent(
      failed.id,
      { type: "failed", data: { job: {} as never } },
      {
        state: "failed",
      },
    );
    const running = await created(store);
    await store.appendEvent(
      running.id,
      { type: "state", data: { state: "running" } },
      {
        state: "running",
        baseUrl: "http://relay.test",
        upstreamId: "video_1",
        source: { baseUrl: "http://relay.test", url: "http://relay.test/x.mp4" },
      },
    );
    const reconcilable = await store.listReconcilable();
    expect(reconcilable.map((j) => j.id)).toEqual([unarchived.id, running.id]);
    expect(reconcilable[1]?.source?.url).toBe("http://relay.test/x.mp4");
    expect(await store.deleteJob(done.id)).toBe(true);
    expect(await store.deleteJob(done.id)).toBe(false);
    expect(await store.getJob(done.id)).toBeUndefined();
    expect(await store.eventsAfter(done.id, 0)).toEqual([]);
    expect(
      await store.appendEvent(done.id, { type: "progress", data: { percent: 1 } }),
    ).toBeUndefined();
    expect(await store.countByState()).toMatchObject({ running: 1, completed: 1, failed: 1 });
  });

  it("grants a lease to one owner at a time, renews it, and hands it over once expired", async () => {
    const file = tempFile();
    const a = openStore(file);
    const b = openStore(file);
    const job = await created(a);
    expect(await a.acquireLease(job.id, "A", 200)).toBe(true);
    expect(await b.acquireLease(job.id, "B", 200)).toBe(false);
    expect(await a.acquireLease(job.id, "A", 200)).toBe(true);
    expect(await a.renewLease(job.id, "A", 200)).toBe(true);
    expect(await b.renewLease(job.id, "B", 200)).toBe(false);
    expect((await b.getLease(job.id))?.owner).toBe("A");
    await new Promise((r) => setTimeout(r, 250));
    expect(await a.renewLease(job.id, "A", 200)).toBe(false);
    expect(await b.acquireLease(job.id, "B", 10_000)).toBe(true);
    expect(await a.acquireLease(job.id, "A", 200)).toBe(false);
    await a.releaseLease(job.id, "A");
    expect((await a.getLease(job.id))?.owner).toBe("B");
    await b.releaseLease(job.id, "B");
    expect(await a.getLease(job.id)).toBeUndefined();
    expect(await a.acquireLease("job_missing", "A", 200)).toBe(false);
  });

  it("fences writes to the lease holder and leases a job at creation", async () => {
    const store = openStore();
    const { job } = await store.createJob(newJob, { lease: { owner: "A", ttlMs: 10_000 } });
    expect(await store.acquireLease(job.id, "B", 10_000)).toBe(false);
    const progress = { type: "progress" as const, data: { percent: 5 } };
    expect(await store.appendEvent(job.id, progress, {}, { owner: "B" })).toBeUndefined();
    expect(await store.updateJob(job.id, { attempts: 3 }, { owner: "B" })).toBeUndefined();
    expect(await store.appendEvent(job.id, progress, {}, { owner: "A" })).toBeDefined();
    expect(await store.updateJob(job.id, { attempts: 1 }, { owner: "A" })).toBeDefined();
    expect(await store.getJob(job.id)).toMatchObject({ attempts: 1, lastSeq: 2 });
  });

  it("creates one job per idempotency key, across processes", async () => {
    const file = tempFile();
    const a = openStore(file);
    const b = openStore(file);
    const first = await a.createJob(newJob, { idempotencyKey: "click-1" });
    const again = await b.createJob({ ...newJob, prompt: "other" }, { idempotencyKey: "click-1" });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.job.id).toBe(first.job.id);
    expect(again.event.seq).toBe(1);
    expect((await b.findByIdempotencyKey("click-1"))?.id).toBe(first.job.id);
    const other = await b.createJob(newJob, { idempotencyKey: "click-2" });
    expect(other.job.id).not.toBe(first.job.id);
    expect((await a.countByState()).queued).toBe(2);
    const raw = new Database(file);
    expect(() =>
      raw
        .prepare("INSERT INTO idempotency_keys (key, job_id, created_at) VALUES (?, ?, ?)")
        .run("click-1", other.job.id, Date.now()),
    ).toThrow(/UNIQUE|PRIMARY/);
    // An expired key (> 24 h) is reused for a new job.
    raw.prepare("UPDATE idempotency_keys SET created_at = 0 WHERE key = 'click-1'").run();
    raw.close();
    expect(await a.findByIdempotencyKey("click-1")).toBeUndefined();
    const later = await a.createJob(newJob, { idempotencyKey: "click-1" });
    expect(later.created).toBe(true);
    expect(later.job.id).not.toBe(first.job.id);
  });

  it("migrates a new file once, durably, and reopens it with the data intact", async () => {
    const file = tempFile();
    const store = openStore(file);
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(store.pragma("synchronous")).toBe(2); // FULL
    const job = await created(store);
    await store.close();
    stores.pop();
    const reopened = openStore(file);
    expect(reopened.schemaVersion()).toBe(SCHEMA_VERSION);
    expect((await reopened.getJob(job.id))?.prompt).toBe("a cat");
    const raw = new Database(file);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });

  it("upgrades a schema-1 file in place", async () => {
    const file = tempFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const raw = new Database(file);
    const { MIGRATIONS_FOR_TEST } = await import("./store");
    raw.exec(MIGRATIONS_FOR_TEST[0] ?? "");
    raw.pragma("user_version = 1");
    raw
      .prepare(
        `INSERT INTO jobs (id, created_at, updated_at, state, prompt, model, protocol, has_image)
         VALUES ('job_old', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'running', 'p', 'm', 'videos', 0)`,
      )
      .run();
    raw.close();
    const store = openStore(file);
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(await store.getJob("job_old")).toMatchObject({ state: "running", mayBeBilled: false });
  });
});
