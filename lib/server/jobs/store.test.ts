import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION, SqliteJobStore } from "./store";
import type { NewJob, StoredJobEvent } from "./types";

const newJob: NewJob = { prompt: "a cat", model: "sora-2", protocol: "videos", hasImage: false };
const dirs: string[] = [];
const stores: SqliteJobStore[] = [];

function openStore(file = ":memory:") {
  const store = new SqliteJobStore(file);
  stores.push(store);
  return store;
}

function tempFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobs-store-"));
  dirs.push(dir);
  return path.join(dir, "nested", "sora-studio.db");
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("SqliteJobStore", () => {
  it("creates a queued job with its job snapshot as event 1", () => {
    const store = openStore();
    const { job, event } = store.createJob({ ...newJob, retryOf: undefined });
    expect(job.id).toMatch(/^job_[0-9a-f]{24}$/);
    expect(job).toMatchObject({ state: "queued", lastSeq: 1, attempts: 0, progress: 0 });
    expect(event).toMatchObject({ seq: 1, type: "job", data: { id: job.id, state: "queued" } });
    expect(store.eventsAfter(job.id, 0)).toEqual([event]);
  });

  it("numbers events per job without gaps and applies patches atomically", () => {
    const store = openStore();
    const a = store.createJob(newJob).job;
    const b = store.createJob(newJob).job;
    store.appendEvent(
      a.id,
      { type: "state", data: { state: "submitting" } },
      { state: "submitting" },
    );
    store.appendEvent(b.id, { type: "progress", data: { percent: 5 } }, { progress: 5 });
    const third = store.appendEvent(
      a.id,
      { type: "progress", data: { percent: 40, message: "排队中" } },
      { progress: 40, progressMessage: "排队中" },
    );
    expect(third?.event.seq).toBe(3);
    expect(store.eventsAfter(a.id, 0).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(store.eventsAfter(a.id, 2).map((e) => e.type)).toEqual(["progress"]);
    expect(store.eventsAfter(b.id, 0).map((e) => e.seq)).toEqual([1, 2]);
    expect(store.getJob(a.id)).toMatchObject({
      state: "submitting",
      progress: 40,
      progressMessage: "排队中",
      lastSeq: 3,
    });
  });

  it("builds snapshot payloads from the job after the patch", () => {
    const store = openStore();
    const { job } = store.createJob(newJob);
    const result = store.appendEvent(
      job.id,
      { type: "failed", data: (j) => ({ job: { ...j, error: j.error } as never }) },
      { state: "failed", error: { code: "timeout", requestId: "req_1" } },
    );
    const data = result?.event.data as { job: { state: string; lastSeq: number; error: unknown } };
    expect(data.job).toMatchObject({ state: "failed", lastSeq: 2, error: { code: "timeout" } });
    expect(store.getJob(job.id)?.error).toEqual({ code: "timeout", requestId: "req_1" });
  });

  it("notifies subscribers after the write and stops after unsubscribe", () => {
    const store = openStore();
    const { job } = store.createJob(newJob);
    const seen: StoredJobEvent[] = [];
    const unsubscribe = store.subscribe(job.id, (event) => {
      expect(store.getJob(job.id)?.lastSeq).toBe(event.seq);
      seen.push(event);
    });
    store.appendEvent(job.id, { type: "progress", data: { percent: 10 } });
    unsubscribe();
    store.appendEvent(job.id, { type: "progress", data: { percent: 20 } });
    expect(seen.map((e) => e.seq)).toEqual([2]);
  });

  it("keeps the event log append-only", () => {
    const file = tempFile();
    const store = openStore(file);
    const { job } = store.createJob(newJob);
    const raw = new Database(file);
    expect(() =>
      raw.prepare("UPDATE job_events SET type = 'x' WHERE job_id = ?").run(job.id),
    ).toThrow(/append-only/);
    raw.close();
  });

  it("pages newest first with an opaque cursor and rejects foreign cursors", () => {
    const store = openStore();
    const ids = Array.from({ length: 5 }, () => store.createJob(newJob).job.id);
    const first = store.listJobs({ limit: 2 })!;
    expect(first.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    const second = store.listJobs({ limit: 2, cursor: first!.nextCursor ?? "" })!;
    expect(second.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const last = store.listJobs({ limit: 2, cursor: second.nextCursor ?? "" })!;
    expect(last.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(last.nextCursor).toBeNull();
    for (const bad of ["abc", "1' OR '1'='1", "../etc", Buffer.from("r:x").toString("base64url")]) {
      expect(store.listJobs({ limit: 2, cursor: bad })).toBeNull();
    }
  });

  it("deletes a job with its events and lists unfinished jobs for recovery", () => {
    const store = openStore();
    const done = store.createJob(newJob).job;
    store.appendEvent(
      done.id,
      { type: "state", data: { state: "running" } },
      { state: "completed" },
    );
    const running = store.createJob(newJob).job;
    store.appendEvent(
      running.id,
      { type: "state", data: { state: "running" } },
      {
        state: "running",
        baseUrl: "http://relay.test",
        upstreamId: "video_1",
        source: { baseUrl: "http://relay.test", url: "http://relay.test/x.mp4" },
      },
    );
    expect(store.unfinishedJobs().map((j) => j.id)).toEqual([running.id]);
    expect(store.unfinishedJobs()[0]?.source?.url).toBe("http://relay.test/x.mp4");
    expect(store.deleteJob(done.id)).toBe(true);
    expect(store.deleteJob(done.id)).toBe(false);
    expect(store.getJob(done.id)).toBeUndefined();
    expect(store.eventsAfter(done.id, 0)).toEqual([]);
    expect(store.appendEvent(done.id, { type: "progress", data: { percent: 1 } })).toBeUndefined();
    expect(store.countByState()).toMatchObject({ running: 1, completed: 0 });
  });

  it("migrates a new file once and reopens it with the data intact", () => {
    const file = tempFile();
    const store = openStore(file);
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    const { job } = store.createJob(newJob);
    store.close();
    stores.pop();
    const reopened = openStore(file);
    expect(reopened.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(reopened.getJob(job.id)?.prompt).toBe("a cat");
    const raw = new Database(file);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });
});
