import "server-only";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { JOB_STATES, type JobState } from "@/lib/contracts/job";
import { getConfig } from "../config";
import type { StoredError } from "../errors";
import { serverLog } from "../log";
import type { VideoSource } from "../upstream/types";
import { newJobId } from "./ids";
import { toSnapshot } from "./snapshot";
import type {
  EventInput,
  JobEventListener,
  JobPage,
  JobPatch,
  JobRecord,
  JobStore,
  NewJob,
  StoredJobEvent,
} from "./types";

/** Schema steps; `PRAGMA user_version` counts how many have been applied. Append, never edit. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     row_id INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     state TEXT NOT NULL,
     prompt TEXT NOT NULL,
     model TEXT NOT NULL,
     protocol TEXT NOT NULL,
     seconds TEXT,
     size TEXT,
     has_image INTEGER NOT NULL,
     progress REAL NOT NULL DEFAULT 0,
     progress_message TEXT,
     base_url TEXT,
     upstream_host TEXT,
     upstream_id TEXT,
     source TEXT,
     retry_of TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_seq INTEGER NOT NULL DEFAULT 0,
     archived INTEGER NOT NULL DEFAULT 0,
     archive_path TEXT,
     video_bytes INTEGER,
     error TEXT,
     completed_at TEXT,
     request_id TEXT
   );
   CREATE INDEX jobs_state ON jobs(state);
   CREATE TABLE job_events (
     job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     type TEXT NOT NULL,
     data TEXT NOT NULL,
     at TEXT NOT NULL,
     PRIMARY KEY (job_id, seq)
   ) WITHOUT ROWID;
   CREATE TRIGGER job_events_append_only BEFORE UPDATE ON job_events
   BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

interface JobRow {
  row_id: number;
  id: string;
  created_at: string;
  updated_at: string;
  state: string;
  prompt: string;
  model: string;
  protocol: string;
  seconds: string | null;
  size: string | null;
  has_image: number;
  progress: number;
  progress_message: string | null;
  base_url: string | null;
  upstream_host: string | null;
  upstream_id: string | null;
  source: string | null;
  retry_of: string | null;
  attempts: number;
  last_seq: number;
  archived: number;
  archive_path: string | null;
  video_bytes: number | null;
  error: string | null;
  completed_at: string | null;
  request_id: string | null;
}

interface EventRow {
  job_id: string;
  seq: number;
  type: string;
  data: string;
  at: string;
}

type SqlValue = string | number | null;

/** How each patchable field is written to its column. */
const PATCH_COLUMNS: { [K in keyof Required<JobPatch>]: [string, (v: JobPatch[K]) => SqlValue] } = {
  state: ["state", (v) => v ?? null],
  progress: ["progress", (v) => v ?? 0],
  progressMessage: ["progress_message", (v) => v ?? null],
  baseUrl: ["base_url", (v) => v ?? null],
  upstreamHost: ["upstream_host", (v) => v ?? null],
  upstreamId: ["upstream_id", (v) => v ?? null],
  source: ["source", (v) => (v ? JSON.stringify(v) : null)],
  attempts: ["attempts", (v) => v ?? 0],
  archived: ["archived", (v) => (v ? 1 : 0)],
  archivePath: ["archive_path", (v) => v ?? null],
  videoBytes: ["video_bytes", (v) => v ?? null],
  error: ["error", (v) => (v ? JSON.stringify(v) : null)],
  completedAt: ["completed_at", (v) => v ?? null],
};

const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    state: row.state as JobState,
    prompt: row.prompt,
    model: row.model,
    protocol: row.protocol === "chat" ? "chat" : "videos",
    seconds: opt(row.seconds),
    size: opt(row.size),
    hasImage: row.has_image === 1,
    progress: row.progress,
    progressMessage: opt(row.progress_message),
    baseUrl: opt(row.base_url),
    upstreamHost: opt(row.upstream_host),
    upstreamId: opt(row.upstream_id),
    source: row.source ? (JSON.parse(row.source) as VideoSource) : undefined,
    retryOf: opt(row.retry_of),
    attempts: row.attempts,
    lastSeq: row.last_seq,
    archived: row.archived === 1,
    archivePath: opt(row.archive_path),
    videoBytes: opt(row.video_bytes),
    error: row.error ? (JSON.parse(row.error) as StoredError) : undefined,
    completedAt: opt(row.completed_at),
    requestId: opt(row.request_id),
  };
}

function toEvent(row: EventRow): StoredJobEvent {
  return {
    jobId: row.job_id,
    seq: row.seq,
    type: row.type,
    data: JSON.parse(row.data),
    at: row.at,
  } as StoredJobEvent;
}

function encodeCursor(rowId: number): string {
  return Buffer.from(`r:${rowId}`).toString("base64url");
}

function decodeCursor(cursor: string): number | null {
  const decoded = /^[A-Za-z0-9_-]{1,40}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const match = /^r:(\d{1,15})$/.exec(decoded);
  return match ? Number(match[1]) : null;
}

const BUS_KEY = Symbol.for("sora-studio.jobEvents");

/** In-process fan-out of appended events, shared by every bundle chunk of this process. */
function eventBus(): EventEmitter {
  const holder = globalThis as { [BUS_KEY]?: EventEmitter };
  if (!holder[BUS_KEY]) {
    const bus = new EventEmitter();
    // One listener per open SSE stream; hundreds are normal.
    bus.setMaxListeners(0);
    holder[BUS_KEY] = bus;
  }
  return holder[BUS_KEY];
}

export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;
  private readonly bus = eventBus();
  private readonly patchStatements = new Map<string, Database.Statement>();
  private readonly statements;

  constructor(file: string) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.migrate();
    this.statements = {
      insertJob: this.db.prepare(
        `INSERT INTO jobs (id, created_at, updated_at, state, prompt, model, protocol, seconds, size,
           has_image, retry_of, request_id, last_seq)
         VALUES (@id, @createdAt, @createdAt, 'queued', @prompt, @model, @protocol, @seconds, @size,
           @hasImage, @retryOf, @requestId, 0)`,
      ),
      getJob: this.db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?"),
      listFirst: this.db.prepare<[number], JobRow>(
        "SELECT * FROM jobs ORDER BY row_id DESC LIMIT ?",
      ),
      listBefore: this.db.prepare<[number, number], JobRow>(
        "SELECT * FROM jobs WHERE row_id < ? ORDER BY row_id DESC LIMIT ?",
      ),
      unfinished: this.db.prepare<[], JobRow>(
        "SELECT * FROM jobs WHERE state IN ('queued', 'submitting', 'running') ORDER BY row_id",
      ),
      insertEvent: this.db.prepare(
        "INSERT INTO job_events (job_id, seq, type, data, at) VALUES (?, ?, ?, ?, ?)",
      ),
      eventsAfter: this.db.prepare<[string, number], EventRow>(
        "SELECT * FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq",
      ),
      deleteJob: this.db.prepare("DELETE FROM jobs WHERE id = ?"),
      countByState: this.db.prepare<[], { state: string; n: number }>(
        "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
      ),
    };
  }

  private migrate() {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `The job store was written by a newer version (schema ${version} > ${MIGRATIONS.length}).`,
      );
    }
    for (let step = version; step < MIGRATIONS.length; step++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[step] ?? "");
        this.db.pragma(`user_version = ${step + 1}`);
      })();
    }
  }

  /** The schema version of the open file (for tests and diagnostics). */
  schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  createJob(input: NewJob): { job: JobRecord; event: StoredJobEvent } {
    const id = newJobId();
    const createdAt = new Date().toISOString();
    const result = this.db.transaction(() => {
      this.statements.insertJob.run({
        id,
        createdAt,
        prompt: input.prompt,
        model: input.model,
        protocol: input.protocol,
        seconds: input.seconds ?? null,
        size: input.size ?? null,
        hasImage: input.hasImage ? 1 : 0,
        retryOf: input.retryOf ?? null,
        requestId: input.requestId ?? null,
      });
      return this.appendInTransaction(id, { type: "job", data: toSnapshot }, {});
    })();
    if (!result) throw new Error(`job ${id} vanished while being created`);
    this.notify(result.event, result.job);
    return result;
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.statements.getJob.get(id);
    return row ? toRecord(row) : undefined;
  }

  listJobs({ limit, cursor }: { limit: number; cursor?: string }): JobPage | null {
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    if (before === null) return null;
    const rows =
      before === undefined
        ? this.statements.listFirst.all(limit + 1)
        : this.statements.listBefore.all(before, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map(toRecord),
      nextCursor: rows.length > limit && last ? encodeCursor(last.row_id) : null,
    };
  }

  updateJob(id: string, patch: JobPatch): JobRecord | undefined {
    return this.db.transaction(() => {
      const row = this.statements.getJob.get(id);
      if (!row) return undefined;
      const updatedAt = new Date().toISOString();
      this.writePatch(id, patch, { updated_at: updatedAt });
      return { ...toRecord(row), ...patch, updatedAt };
    })();
  }

  appendEvent(
    id: string,
    event: EventInput,
    patch: JobPatch = {},
  ): { job: JobRecord; event: StoredJobEvent } | undefined {
    const result = this.db.transaction(() => this.appendInTransaction(id, event, patch))();
    if (result) this.notify(result.event, result.job);
    return result;
  }

  private appendInTransaction(id: string, input: EventInput, patch: JobPatch) {
    const row = this.statements.getJob.get(id);
    if (!row) return undefined;
    const at = new Date().toISOString();
    const seq = row.last_seq + 1;
    this.writePatch(id, patch, { updated_at: at, last_seq: seq });
    const job: JobRecord = { ...toRecord(row), ...patch, updatedAt: at, lastSeq: seq };
    const data = typeof input.data === "function" ? input.data(job) : input.data;
    this.statements.insertEvent.run(id, seq, input.type, JSON.stringify(data), at);
    const event = { jobId: id, seq, type: input.type, data, at } as StoredJobEvent;
    return { job, event };
  }

  private writePatch(id: string, patch: JobPatch, extra: Record<string, SqlValue>) {
    const fields = Object.keys(patch) as (keyof JobPatch)[];
    const columns = [...fields.map((f) => PATCH_COLUMNS[f][0]), ...Object.keys(extra)];
    const key = columns.join(",");
    let statement = this.patchStatements.get(key);
    if (!statement) {
      const sets = columns.map((c) => `${c} = ?`).join(", ");
      statement = this.db.prepare(`UPDATE jobs SET ${sets} WHERE id = ?`);
      this.patchStatements.set(key, statement);
    }
    const values = fields.map((f) => (PATCH_COLUMNS[f][1] as (v: unknown) => SqlValue)(patch[f]));
    statement.run(...values, ...Object.values(extra), id);
  }

  private notify(event: StoredJobEvent, job: JobRecord) {
    for (const listener of this.bus.listeners(event.jobId) as JobEventListener[]) {
      try {
        listener(event, job);
      } catch (error) {
        serverLog.error("job event listener failed", {
          job: event.jobId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  eventsAfter(id: string, afterSeq: number): StoredJobEvent[] {
    return this.statements.eventsAfter.all(id, afterSeq).map(toEvent);
  }

  unfinishedJobs(): JobRecord[] {
    return this.statements.unfinished.all().map(toRecord);
  }

  deleteJob(id: string): boolean {
    return this.statements.deleteJob.run(id).changes > 0;
  }

  subscribe(id: string, listener: JobEventListener): () => void {
    this.bus.on(id, listener);
    return () => {
      this.bus.off(id, listener);
    };
  }

  countByState(): Record<JobState, number> {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const { state, n } of this.statements.countByState.all()) {
      if ((JOB_STATES as readonly string[]).includes(state)) counts[state as JobState] = n;
    }
    return counts;
  }

  close(): void {
    this.db.close();
  }
}

export function storeFile(dataDir: string): string {
  return path.join(dataDir, "sora-studio.db");
}

const STORE_KEY = Symbol.for("sora-studio.store");

/** The process-wide store, opened once on `DATA_DIR/sora-studio.db`. */
export function getJobStore(): JobStore {
  const holder = globalThis as { [STORE_KEY]?: JobStore };
  holder[STORE_KEY] ??= new SqliteJobStore(storeFile(getConfig().dataDir));
  return holder[STORE_KEY];
}
