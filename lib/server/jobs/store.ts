import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { JobCost } from "@/lib/contracts/cost";
import {
  JOB_STATES,
  protocolSchema,
  type JobCancellation,
  type JobState,
} from "@/lib/contracts/job";
import { getConfig } from "../config";
import type { StoredError } from "../errors";
import { serverLog } from "../log";
import type { VideoSource } from "../upstream/types";
import { getRedis } from "../shared/redis";
import { newJobId } from "./ids";
import { decodeCursor, encodeCursor, foldText } from "./list-filter";
import { addListener, notifyListeners } from "./listeners";
import { RedisJobStore } from "./redis-store";
import { toSnapshot } from "./snapshot";
import { COMPLETION_WINDOW, groupDurations } from "./durations";
import {
  IDEMPOTENCY_TTL_MS,
  type AppendResult,
  type CreateJobOptions,
  type EventInput,
  type JobEventListener,
  type JobListOptions,
  type JobPage,
  type JobPatch,
  type JobRecord,
  type JobStore,
  type NewJob,
  type StoredJobEvent,
  type WriteOptions,
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
  // Reconciler leases, exactly-once submit, and "a create may have been accepted".
  `ALTER TABLE jobs ADD COLUMN may_be_billed INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE job_leases (
     job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
     owner TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE idempotency_keys (
     key TEXT PRIMARY KEY,
     job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);`,
  // Until when a completed, unarchived video can still be fetched (epoch ms).
  `ALTER TABLE jobs ADD COLUMN archive_deadline INTEGER;`,
  // A user's cancel: what the relay said and whether it may still bill (JSON).
  `ALTER TABLE jobs ADD COLUMN cancellation TEXT;`,
  // What the job costs: {amount, currency, estimated} (JSON).
  `ALTER TABLE jobs ADD COLUMN cost TEXT;`,
  // The completed job a remix started from.
  `ALTER TABLE jobs ADD COLUMN remix_of TEXT;`,
  // Deleted with an undo window: removed for good at this time (epoch ms) unless restored.
  `ALTER TABLE jobs ADD COLUMN purge_at INTEGER;
   CREATE INDEX jobs_purge_at ON jobs(purge_at) WHERE purge_at IS NOT NULL;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
/** Exported for the upgrade test only. */
export const MIGRATIONS_FOR_TEST = MIGRATIONS;

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
  may_be_billed: number;
  archive_deadline: number | null;
  cancellation: string | null;
  cost: string | null;
  remix_of: string | null;
  purge_at: number | null;
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
  mayBeBilled: ["may_be_billed", (v) => (v ? 1 : 0)],
  archiveDeadline: ["archive_deadline", (v) => v ?? null],
  cancellation: ["cancellation", (v) => (v ? JSON.stringify(v) : null)],
  cost: ["cost", (v) => (v ? JSON.stringify(v) : null)],
  purgeAt: ["purge_at", (v) => v ?? null],
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
    protocol: protocolSchema.safeParse(row.protocol).data ?? "videos",
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
    remixOf: opt(row.remix_of ?? null),
    attempts: row.attempts,
    lastSeq: row.last_seq,
    archived: row.archived === 1,
    archivePath: opt(row.archive_path),
    videoBytes: opt(row.video_bytes),
    error: row.error ? (JSON.parse(row.error) as StoredError) : undefined,
    completedAt: opt(row.completed_at),
    requestId: opt(row.request_id),
    mayBeBilled: row.may_be_billed === 1,
    archiveDeadline: opt(row.archive_deadline),
    cancellation: row.cancellation ? (JSON.parse(row.cancellation) as JobCancellation) : undefined,
    cost: row.cost ? (JSON.parse(row.cost) as JobCost) : undefined,
    purgeAt: opt(row.purge_at),
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

interface Subscription {
  /** Highest seq delivered to this job's listeners. */
  delivered: number;
  listeners: Set<JobEventListener>;
}

/** How often subscribed jobs are checked for events appended by other processes. */
const DEFAULT_SUBSCRIPTION_POLL_MS = 250;

export interface SqliteJobStoreOptions {
  /** Poll interval for events written by other processes sharing the file. */
  pollMs?: number;
}

const isFinal = (state: string) =>
  state === "completed" || state === "failed" || state === "canceled";

/**
 * The embedded store: one SQLite file (WAL, synchronous=FULL) that any number of processes on one
 * machine may open together. Writes are single transactions; leases and idempotency keys are rows
 * guarded by the database, so processes need no other coordination.
 */
export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;
  private readonly patchStatements = new Map<string, Database.Statement>();
  private readonly listStatements = new Map<string, Database.Statement<SqlValue[], JobRow>>();
  private readonly statements;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pollMs: number;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(file: string, options: SqliteJobStoreOptions = {}) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
    this.pollMs = options.pollMs ?? DEFAULT_SUBSCRIPTION_POLL_MS;
    this.db = new Database(file);
    this.db.pragma("busy_timeout = 10000");
    this.db.pragma("journal_mode = WAL");
    // A paid job's accepted id must survive power loss, not only a process crash.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.migrate();
    // The search's case folding, identical to the Redis store's (SQLite's lower() is ASCII-only).
    this.db.function("fold_text", { deterministic: true }, (text) => foldText(String(text)));
    this.statements = {
      insertJob: this.db.prepare(
        `INSERT INTO jobs (id, created_at, updated_at, state, prompt, model, protocol, seconds, size,
           has_image, retry_of, remix_of, request_id, cost, last_seq)
         VALUES (@id, @createdAt, @createdAt, 'queued', @prompt, @model, @protocol, @seconds, @size,
           @hasImage, @retryOf, @remixOf, @requestId, @cost, 0)`,
      ),
      getJob: this.db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?"),
      duePurges: this.db.prepare<[number, number], JobRow>(
        "SELECT * FROM jobs WHERE purge_at IS NOT NULL AND purge_at <= ? ORDER BY purge_at LIMIT ?",
      ),
      reconcilable: this.db.prepare<[number, number], JobRow>(
        `SELECT * FROM jobs
         WHERE state IN ('queued', 'submitting', 'running')
            OR (state = 'completed' AND archived = 0 AND source IS NOT NULL
                AND (archive_deadline IS NULL OR archive_deadline > ?))
         ORDER BY row_id LIMIT ?`,
      ),
      insertEvent: this.db.prepare(
        "INSERT INTO job_events (job_id, seq, type, data, at) VALUES (?, ?, ?, ?, ?)",
      ),
      eventsAfter: this.db.prepare<[string, number], EventRow>(
        "SELECT * FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq",
      ),
      lastSeq: this.db.prepare<[string], { last_seq: number }>(
        "SELECT last_seq FROM jobs WHERE id = ?",
      ),
      deleteJob: this.db.prepare("DELETE FROM jobs WHERE id = ?"),
      recentCompleted: this.db.prepare<
        [number],
        { model: string; created_at: string; completed_at: string }
      >(
        `SELECT model, created_at, completed_at
         FROM (SELECT model, state, created_at, completed_at FROM jobs ORDER BY row_id DESC LIMIT ?)
         WHERE state = 'completed' AND completed_at IS NOT NULL`,
      ),
      countByState: this.db.prepare<[], { state: string; n: number }>(
        "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
      ),
      acquireLease: this.db.prepare<
        [{ id: string; owner: string; until: number; now: number; idle: number }]
      >(
        `INSERT INTO job_leases (job_id, owner, expires_at)
         SELECT id, @owner, @until FROM jobs WHERE id = @id
         ON CONFLICT (job_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE job_leases.owner = excluded.owner OR job_leases.expires_at <= @now - @idle`,
      ),
      renewLease: this.db.prepare<[{ id: string; owner: string; until: number; now: number }]>(
        // A canceled job's lease is never renewed: a worker in another process stops at once.
        // An expired lease nobody took since (the row still names its owner) is taken again
        // while the job runs: a late renewal (a busy event loop) must not strand a live create.
        `UPDATE job_leases SET expires_at = @until WHERE job_id = @id AND owner = @owner
           AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = job_leases.job_id
             AND (jobs.state = 'canceled'
                  OR (job_leases.expires_at <= @now AND jobs.state IN ('completed', 'failed'))))`,
      ),
      releaseLease: this.db.prepare<[string, string]>(
        "DELETE FROM job_leases WHERE job_id = ? AND owner = ?",
      ),
      getLease: this.db.prepare<[string], { owner: string; expires_at: number }>(
        "SELECT owner, expires_at FROM job_leases WHERE job_id = ?",
      ),
      holdsLease: this.db.prepare<[string, string, number], { n: number }>(
        "SELECT 1 AS n FROM job_leases WHERE job_id = ? AND owner = ? AND expires_at > ?",
      ),
      findKey: this.db.prepare<[string, number], { job_id: string }>(
        "SELECT job_id FROM idempotency_keys WHERE key = ? AND created_at > ?",
      ),
      insertKey: this.db.prepare<[string, string, number]>(
        `INSERT INTO idempotency_keys (key, job_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET job_id = excluded.job_id, created_at = excluded.created_at
         WHERE idempotency_keys.created_at <= excluded.created_at - ${IDEMPOTENCY_TTL_MS}`,
      ),
      purgeKeys: this.db.prepare<[number]>("DELETE FROM idempotency_keys WHERE created_at <= ?"),
    };
  }

  private migrate() {
    // IMMEDIATE: two processes opening a new file at once must not both run step 1.
    this.db
      .transaction(() => {
        const version = this.db.pragma("user_version", { simple: true }) as number;
        if (version > MIGRATIONS.length) {
          throw new Error(
            `The job store was written by a newer version (schema ${version} > ${MIGRATIONS.length}).`,
          );
        }
        for (let step = version; step < MIGRATIONS.length; step++) {
          this.db.exec(MIGRATIONS[step] ?? "");
          this.db.pragma(`user_version = ${step + 1}`);
        }
      })
      .immediate();
  }

  /** The schema version of the open file (for tests and diagnostics). */
  schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  /** A pragma's current value (for tests and diagnostics). */
  pragma(name: string): unknown {
    return this.db.pragma(name, { simple: true });
  }

  async createJob(
    input: NewJob,
    options: CreateJobOptions = {},
  ): Promise<{ job: JobRecord; event: StoredJobEvent; created: boolean }> {
    const id = newJobId();
    const createdAt = new Date().toISOString();
    const now = Date.now();
    const result = this.db
      .transaction(() => {
        const key = options.idempotencyKey;
        if (key !== undefined) {
          const existing = this.statements.findKey.get(key, now - IDEMPOTENCY_TTL_MS);
          const row = existing ? this.statements.getJob.get(existing.job_id) : undefined;
          if (row) {
            const first = this.statements.eventsAfter.get(row.id, 0);
            return {
              job: toRecord(row),
              event: first ? toEvent(first) : undefined,
              created: false,
            };
          }
        }
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
          remixOf: input.remixOf ?? null,
          requestId: input.requestId ?? null,
          cost: input.cost ? JSON.stringify(input.cost) : null,
        });
        if (key !== undefined) {
          this.statements.purgeKeys.run(now - IDEMPOTENCY_TTL_MS);
          // The primary key makes a second live key fail the whole transaction.
          if (this.statements.insertKey.run(key, id, now).changes === 0) {
            throw new Error("idempotency key taken concurrently");
          }
        }
        if (options.lease) {
          const { owner, ttlMs } = options.lease;
          this.statements.acquireLease.run({ id, owner, until: now + ttlMs, now, idle: 0 });
        }
        const appended = this.appendInTransaction(id, { type: "job", data: toSnapshot }, {}, {});
        return appended ? { ...appended, created: true } : undefined;
      })
      .immediate();
    if (!result?.event) throw new Error(`job ${id} vanished while being created`);
    if (result.created) this.notify(id);
    return result as { job: JobRecord; event: StoredJobEvent; created: boolean };
  }

  async findByIdempotencyKey(key: string): Promise<JobRecord | undefined> {
    const existing = this.statements.findKey.get(key, Date.now() - IDEMPOTENCY_TTL_MS);
    const row = existing ? this.statements.getJob.get(existing.job_id) : undefined;
    return row ? toRecord(row) : undefined;
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = this.statements.getJob.get(id);
    return row ? toRecord(row) : undefined;
  }

  async listJobs({ limit, cursor, ...filter }: JobListOptions): Promise<JobPage | null> {
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    if (before === null) return null;
    const where = ["purge_at IS NULL"];
    const values: SqlValue[] = [];
    if (before !== undefined) {
      where.push("row_id < ?");
      values.push(before);
    }
    if (filter.states) {
      where.push(`state IN (${filter.states.map(() => "?").join(", ")})`);
      values.push(...filter.states);
    }
    if (filter.model !== undefined) {
      where.push("model = ?");
      values.push(filter.model);
    }
    if (filter.search) {
      where.push("instr(fold_text(prompt), ?) > 0");
      values.push(foldText(filter.search));
    }
    const sql = `SELECT * FROM jobs WHERE ${where.join(" AND ")} ORDER BY row_id DESC LIMIT ?`;
    let statement = this.listStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare<SqlValue[], JobRow>(sql);
      this.listStatements.set(sql, statement);
    }
    const rows = statement.all(...values, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map(toRecord),
      nextCursor: rows.length > limit && last ? encodeCursor(last.row_id) : null,
    };
  }

  private fenced(id: string, options: WriteOptions): boolean {
    return (
      options.owner === undefined ||
      this.statements.holdsLease.get(id, options.owner, Date.now()) !== undefined
    );
  }

  async updateJob(
    id: string,
    patch: JobPatch,
    options: WriteOptions = {},
  ): Promise<JobRecord | undefined> {
    return this.db
      .transaction(() => {
        const row = this.statements.getJob.get(id);
        if (!row || !this.fenced(id, options)) return undefined;
        const updatedAt = new Date().toISOString();
        this.writePatch(id, patch, { updated_at: updatedAt });
        return { ...toRecord(row), ...patch, updatedAt };
      })
      .immediate();
  }

  async appendEvent(
    id: string,
    event: EventInput,
    patch: JobPatch = {},
    options: WriteOptions = {},
  ): Promise<AppendResult | undefined> {
    const result = this.db
      .transaction(() => this.appendInTransaction(id, event, patch, options))
      .immediate();
    if (result) this.notify(id);
    return result;
  }

  private appendInTransaction(
    id: string,
    input: EventInput,
    patch: JobPatch,
    options: WriteOptions,
  ): AppendResult | undefined {
    const row = this.statements.getJob.get(id);
    if (!row || !this.fenced(id, options)) return undefined;
    if (isFinal(row.state) && !options.recovery) {
      serverLog.warn("event refused: the job is finished", { job: id, type: input.type });
      return undefined;
    }
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

  /** Delivers a subscribed job's undelivered events (from this process's write or another's). */
  private notify(jobId: string) {
    const sub = this.subscriptions.get(jobId);
    if (!sub || this.closed) return;
    const events = this.statements.eventsAfter.all(jobId, sub.delivered).map(toEvent);
    for (const event of events) {
      if (event.seq <= sub.delivered) continue;
      sub.delivered = event.seq;
      notifyListeners(jobId, sub.listeners, event);
    }
  }

  /** Picks up events other processes appended to subscribed jobs. */
  private pollSubscriptions() {
    for (const [jobId, sub] of this.subscriptions) {
      const row = this.statements.lastSeq.get(jobId);
      if (row && row.last_seq > sub.delivered) this.notify(jobId);
    }
  }

  async eventsAfter(id: string, afterSeq: number): Promise<StoredJobEvent[]> {
    return this.statements.eventsAfter.all(id, afterSeq).map(toEvent);
  }

  async listReconcilable(options: { limit?: number } = {}): Promise<JobRecord[]> {
    return this.statements.reconcilable.all(Date.now(), options.limit ?? 500).map(toRecord);
  }

  async listDuePurges(now: number, options: { limit?: number } = {}): Promise<JobRecord[]> {
    return this.statements.duePurges.all(now, options.limit ?? 500).map(toRecord);
  }

  async deleteJob(id: string): Promise<boolean> {
    return this.statements.deleteJob.run(id).changes > 0;
  }

  subscribe(id: string, listener: JobEventListener): () => void {
    let sub = this.subscriptions.get(id);
    if (!sub) {
      sub = { delivered: this.statements.lastSeq.get(id)?.last_seq ?? 0, listeners: new Set() };
      this.subscriptions.set(id, sub);
    }
    // A second listener on a job joins at the current point: seq order for all, no replay.
    const remove = addListener(this.subscriptions, id, sub, listener, () => {
      if (this.subscriptions.size === 0 && this.pollTimer) {
        clearInterval(this.pollTimer);
        this.pollTimer = undefined;
      }
    });
    if (!this.pollTimer && !this.closed) {
      this.pollTimer = setInterval(() => this.pollSubscriptions(), this.pollMs);
      this.pollTimer.unref?.();
    }
    return remove;
  }

  /** Live listeners of a job in this process (for tests). */
  subscriberCount(jobId: string): number {
    return this.subscriptions.get(jobId)?.listeners.size ?? 0;
  }

  async countByState(): Promise<Record<JobState, number>> {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const { state, n } of this.statements.countByState.all()) {
      if ((JOB_STATES as readonly string[]).includes(state)) counts[state as JobState] = n;
    }
    return counts;
  }

  async completionDurations(options: { window?: number } = {}): Promise<Record<string, number[]>> {
    const rows = this.statements.recentCompleted.all(options.window ?? COMPLETION_WINDOW);
    return groupDurations(rows.map((r) => [r.model, r.created_at, r.completed_at]));
  }

  async acquireLease(
    jobId: string,
    owner: string,
    ttlMs: number,
    options: { minIdleMs?: number } = {},
  ): Promise<boolean> {
    const now = Date.now();
    const idle = Math.max(0, options.minIdleMs ?? 0);
    return this.db
      .transaction(() => {
        this.statements.acquireLease.run({ id: jobId, owner, until: now + ttlMs, now, idle });
        return this.statements.getLease.get(jobId)?.owner === owner;
      })
      .immediate();
  }

  async renewLease(jobId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return (
      this.statements.renewLease.run({ id: jobId, owner, until: now + ttlMs, now }).changes > 0
    );
  }

  async releaseLease(jobId: string, owner: string): Promise<void> {
    this.statements.releaseLease.run(jobId, owner);
  }

  async getLease(jobId: string): Promise<{ owner: string; expiresAt: number } | undefined> {
    const row = this.statements.getLease.get(jobId);
    return row ? { owner: row.owner, expiresAt: row.expires_at } : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.subscriptions.clear();
    if (this.db.open) this.db.close();
  }
}

export function storeFile(dataDir: string): string {
  return path.join(dataDir, "sora-studio.db");
}

const STORE_KEY = Symbol.for("sora-studio.store");

/** The process-wide store: Redis when REDIS_URL is set (shared mode), else `DATA_DIR/sora-studio.db`. */
export function getJobStore(): JobStore {
  const holder = globalThis as { [STORE_KEY]?: JobStore };
  const config = getConfig();
  holder[STORE_KEY] ??= config.shared.redisUrl
    ? new RedisJobStore({ redis: getRedis() })
    : new SqliteJobStore(storeFile(config.dataDir));
  return holder[STORE_KEY];
}
