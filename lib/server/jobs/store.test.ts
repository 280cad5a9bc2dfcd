import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION, SqliteJobStore } from "./store";
import type { NewJob } from "./types";

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

  // Behaviour every store shares is proven by store.contract.ts (run on SQLite and Redis); here only
  // what is SQLite-specific: the append-only trigger, migrations and the file format.

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
