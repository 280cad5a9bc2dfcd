import "server-only";
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { JOB_STATES, type JobState } from "@/lib/contracts/job";
import { serverLog } from "../log";
import { RedisScript } from "../shared/redis";
import { newJobId } from "./ids";
import { decodeCursor, encodeCursor, isFiltered, matchesFilter } from "./list-filter";
import { addListener, notifyListeners } from "./listeners";
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

/*
 * Layout (all under one prefix, `sora:` by default):
 *   job:<id>        hash  json (the JobRecord), state, seq (= lastSeq), ver (write counter), row, idem
 *   events:<id>     stream, entry ids `0-<seq>` so Last-Event-ID maps onto XRANGE/XREAD directly
 *   lease:<id>      string owner, expiring by PX (an expired lease is simply gone)
 *   held:<id>       "<owner> <expiresAtMs>" of the last lease, kept a while after it expires
 *   idem:<sha256>   string job id, PX 24 h
 *   jobs            zset of listed ids by creation number (history, newest first); a job awaiting
 *                   its purge (deleted with undo) leaves it and comes back when restored
 *   purges          zset of ids deleted with an undo window, by purge time (epoch ms)
 *   reconcilable    zset of ids a reconciler must advance, by creation number (oldest first)
 *   counts          hash state → number of jobs
 *   rows            counter behind the creation numbers
 * Writes are Lua scripts that check the job's `ver` they were computed from (optimistic
 * concurrency), so snapshots built in JS from "the job after the patch" are never stale.
 */

const isFinal = (state: string) =>
  state === "completed" || state === "failed" || state === "canceled";

/** Whether a reconciler still has something to do with the job. */
const isReconcilable = (job: JobRecord) =>
  !isFinal(job.state) || (job.state === "completed" && !job.archived && job.source !== undefined);

const CREATE = new RedisScript(`
-- KEYS: idem, job, events, jobs, reconcilable, counts, rows, lease, held
-- ARGV: idemTtl, id, json, eventJson, leaseOwner, leaseTtl, idemKey, jobKeyPrefix, memoryMs
if KEYS[1] ~= '' then
  local existing = redis.call('GET', KEYS[1])
  if existing and redis.call('EXISTS', ARGV[8] .. existing) == 1 then
    return {0, existing}
  end
end
local row = redis.call('INCR', KEYS[7])
redis.call('HSET', KEYS[2], 'json', ARGV[3], 'state', 'queued', 'seq', 1, 'ver', 1, 'row', row,
  'idem', KEYS[1])
redis.call('XADD', KEYS[3], '0-1', 'e', ARGV[4])
redis.call('ZADD', KEYS[4], row, ARGV[2])
redis.call('ZADD', KEYS[5], row, ARGV[2])
redis.call('HINCRBY', KEYS[6], 'queued', 1)
if KEYS[1] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1]) end
if ARGV[5] ~= '' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('SET', KEYS[8], ARGV[5], 'PX', ARGV[6])
  redis.call('SET', KEYS[9], ARGV[5] .. ' ' .. (now + tonumber(ARGV[6])), 'PX', ARGV[6] + ARGV[9])
end
return {1, ARGV[2]}
`);

const WRITE = new RedisScript(`
-- KEYS: job, events, lease, reconcilable, counts, jobs, purges
-- ARGV: ver, owner, json, state, seq, eventJson ('' = no event), reconcilable, id,
--       purgeAt ('' = listed)
local cur = redis.call('HMGET', KEYS[1], 'ver', 'state', 'row')
if not cur[1] then return 0 end
if cur[1] ~= ARGV[1] then return -1 end
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then return -2 end
redis.call('HSET', KEYS[1], 'json', ARGV[3], 'state', ARGV[4], 'seq', ARGV[5],
  'ver', tonumber(ARGV[1]) + 1)
if cur[2] ~= ARGV[4] then
  redis.call('HINCRBY', KEYS[5], cur[2], -1)
  redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
end
if ARGV[6] ~= '' then redis.call('XADD', KEYS[2], '0-' .. ARGV[5], 'e', ARGV[6]) end
if ARGV[7] == '1' then
  redis.call('ZADD', KEYS[4], cur[3], ARGV[8])
else
  redis.call('ZREM', KEYS[4], ARGV[8])
end
if ARGV[9] == '' then
  redis.call('ZADD', KEYS[6], cur[3], ARGV[8])
  redis.call('ZREM', KEYS[7], ARGV[8])
else
  redis.call('ZREM', KEYS[6], ARGV[8])
  redis.call('ZADD', KEYS[7], ARGV[9], ARGV[8])
end
return 1
`);

const DELETE = new RedisScript(`
-- KEYS: job, events, lease, jobs, reconcilable, counts, held, purges
-- ARGV: id
local cur = redis.call('HMGET', KEYS[1], 'state', 'idem')
if not cur[1] then return 0 end
redis.call('HINCRBY', KEYS[6], cur[1], -1)
if cur[2] and cur[2] ~= '' then
  if redis.call('GET', cur[2]) == ARGV[1] then redis.call('DEL', cur[2]) end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[7])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[8], ARGV[1])
return 1
`);

/*
 * lease:<id> expires by PX; held:<id> remembers its last holder ("<owner> <expiresAtMs>", Redis
 * clock) a while longer, so an expired lease tells "nobody took it since" from "taken", and a
 * reclaimer can ask for a lease idle for some time. A release writes expiry 0 (free at once).
 */
const ACQUIRE = new RedisScript(`
-- KEYS: lease, job, held   ARGV: owner, ttlMs, minIdleMs, memoryMs
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not cur and tonumber(ARGV[3]) > 0 then
  local held = redis.call('GET', KEYS[3])
  if held then
    local owner, expires = string.match(held, '^(.*) (%d+)$')
    if owner ~= ARGV[1] and tonumber(expires) + tonumber(ARGV[3]) > now then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[1] .. ' ' .. (now + tonumber(ARGV[2])), 'PX', ARGV[2] + ARGV[4])
return 1
`);

const RENEW = new RedisScript(`
-- KEYS: lease, job, held   ARGV: owner, ttlMs, memoryMs
local cur = redis.call('GET', KEYS[1])
local json = redis.call('HGET', KEYS[2], 'json')
local state = json and cjson.decode(json).state
-- A canceled job's lease is never renewed: a worker on another instance stops at once.
if state == 'canceled' then return 0 end
if cur ~= ARGV[1] then
  -- Expired: taken again only if nobody held it since and the job still runs (a late renewal
  -- from a busy event loop must not strand a live create).
  if cur or not json or state == 'completed' or state == 'failed' then return 0 end
  local held = redis.call('GET', KEYS[3])
  if not held or string.match(held, '^(.*) %d+$') ~= ARGV[1] then return 0 end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[1] .. ' ' .. (now + tonumber(ARGV[2])), 'PX', ARGV[2] + ARGV[3])
return 1
`);

const RELEASE = new RedisScript(`
-- KEYS: lease, held   ARGV: owner, memoryMs
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
local held = redis.call('GET', KEYS[2])
if held and string.match(held, '^(.*) %d+$') == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[1] .. ' 0', 'PX', ARGV[2])
end
return 1
`);

/** How long held:<id> outlives its lease (bounds the idle time a reclaimer can ask for). */
const LEASE_MEMORY_MS = 10 * 60_000;

/** Optimistic writes retry on a concurrent change; more than this means something is wrong. */
const MAX_WRITE_ATTEMPTS = 50;
/** Upper bound of one blocking read; a changed subscription set interrupts it earlier. */
const TAIL_BLOCK_MS = 5_000;
const TAIL_BATCH = 500;
/** A filtered history page reads jobs in batches of this many… */
const LIST_SCAN_BATCH = 200;
/** …and at most this many before it answers (with a cursor to go on from). */
const LIST_SCAN_LIMIT = 2_000;

type StreamEntry = [id: string, fields: string[]];

function toEvents(entries: StreamEntry[]): StoredJobEvent[] {
  const events: StoredJobEvent[] = [];
  for (const [, fields] of entries) {
    const index = fields.indexOf("e");
    const json = index >= 0 ? fields[index + 1] : undefined;
    if (json !== undefined) events.push(JSON.parse(json) as StoredJobEvent);
  }
  return events;
}

interface Subscription {
  /** Highest seq delivered to this job's listeners; undefined until the starting point is read. */
  delivered: number | undefined;
  listeners: Set<JobEventListener>;
  /** Events that arrived before the starting point was known. */
  early: StoredJobEvent[];
}

export interface RedisJobStoreOptions {
  /** Command connection; shared with other modules unless `ownsConnection`. */
  redis: Redis;
  /** Key prefix (tests give each store family its own). */
  prefix?: string;
  /** close() quits `redis` too. */
  ownsConnection?: boolean;
}

/**
 * The shared store: jobs, event logs (Redis Streams), leases and idempotency keys in Redis, so
 * any number of instances that share nothing else see one state. Live events of other instances
 * arrive through one blocking XREAD per process, interrupted when the set of followed jobs changes.
 */
export class RedisJobStore implements JobStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ownsConnection: boolean;
  private readonly subscriptions = new Map<string, Subscription>();
  private blocking: Redis | undefined;
  private blockingId: number | undefined;
  private tailRunning = false;
  private wakeTail: (() => void) | undefined;
  private closed = false;

  constructor(options: RedisJobStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? "sora:";
    this.ownsConnection = options.ownsConnection ?? false;
  }

  private key(kind: string, id?: string): string {
    return id === undefined ? `${this.prefix}${kind}` : `${this.prefix}${kind}:${id}`;
  }

  private idemKey(key: string): string {
    return this.key("idem", createHash("sha256").update(key).digest("hex"));
  }

  async createJob(
    input: NewJob,
    options: CreateJobOptions = {},
  ): Promise<{ job: JobRecord; event: StoredJobEvent; created: boolean }> {
    const id = newJobId();
    const createdAt = new Date().toISOString();
    const job: JobRecord = {
      id,
      createdAt,
      updatedAt: createdAt,
      state: "queued",
      prompt: input.prompt,
      model: input.model,
      protocol: input.protocol,
      seconds: input.seconds,
      size: input.size,
      hasImage: input.hasImage,
      progress: 0,
      retryOf: input.retryOf,
      remixOf: input.remixOf,
      attempts: 0,
      lastSeq: 1,
      archived: false,
      requestId: input.requestId,
      mayBeBilled: false,
      cost: input.cost,
    };
    const event = { jobId: id, seq: 1, type: "job", data: toSnapshot(job), at: createdAt };
    const idem = options.idempotencyKey === undefined ? "" : this.idemKey(options.idempotencyKey);
    const result = (await CREATE.run(
      this.redis,
      [
        idem,
        this.key("job", id),
        this.key("events", id),
        this.key("jobs"),
        this.key("reconcilable"),
        this.key("counts"),
        this.key("rows"),
        this.key("lease", id),
        this.key("held", id),
      ],
      [
        IDEMPOTENCY_TTL_MS,
        id,
        JSON.stringify(job),
        JSON.stringify(event),
        options.lease?.owner ?? "",
        options.lease?.ttlMs ?? 0,
        options.idempotencyKey ?? "",
        this.key("job", ""),
        LEASE_MEMORY_MS,
      ],
    )) as [number, string];
    if (result[0] === 1) {
      this.deliver(id, [event as StoredJobEvent]);
      return { job, event: event as StoredJobEvent, created: true };
    }
    const existingId = result[1];
    const [existing, [first]] = await Promise.all([
      this.getJob(existingId),
      this.eventsRange(existingId, 1, 1),
    ]);
    if (!existing || !first) throw new Error(`job ${existingId} vanished while being looked up`);
    return { job: existing, event: first, created: false };
  }

  async findByIdempotencyKey(key: string): Promise<JobRecord | undefined> {
    const id = await this.redis.get(this.idemKey(key));
    return id ? this.getJob(id) : undefined;
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const json = await this.redis.hget(this.key("job", id), "json");
    return json ? (JSON.parse(json) as JobRecord) : undefined;
  }

  private async getJobs(ids: string[]): Promise<JobRecord[]> {
    // Deleted between the index read and this one: skipped.
    return (await this.getJobsAligned(ids)).filter((job) => job !== undefined);
  }

  /** The jobs of `ids`, position by position (undefined where one no longer exists). */
  private async getJobsAligned(ids: string[]): Promise<(JobRecord | undefined)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.key("job", id), "json");
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, json]) => {
      if (error) throw error;
      return typeof json === "string" ? (JSON.parse(json) as JobRecord) : undefined;
    });
  }

  async listJobs({ limit, cursor, ...filter }: JobListOptions): Promise<JobPage | null> {
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    if (before === null) return null;
    // No secondary indexes: a filtered page walks the history newest first and keeps what matches,
    // reading at most LIST_SCAN_LIMIT jobs; then it ends early with a cursor where it stopped.
    const filtered = isFiltered(filter);
    const batch = filtered ? Math.max(limit + 1, LIST_SCAN_BATCH) : limit + 1;
    const found: { job: JobRecord; row: number }[] = [];
    let upper = before === undefined ? "+inf" : `(${before}`;
    let scanned = 0;
    let lastScanned: number | undefined;
    let exhausted = false;
    while (found.length <= limit) {
      if (filtered && scanned >= LIST_SCAN_LIMIT) break;
      const flat = await this.redis.zrevrangebyscore(
        this.key("jobs"),
        upper,
        "-inf",
        "WITHSCORES",
        "LIMIT",
        0,
        batch,
      );
      const rows: { id: string; row: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        rows.push({ id: flat[i] as string, row: Number(flat[i + 1]) });
      }
      const jobs = await this.getJobsAligned(rows.map((r) => r.id));
      for (const [index, { row }] of rows.entries()) {
        const job = jobs[index];
        scanned += 1;
        lastScanned = row;
        if (job && job.purgeAt === undefined && matchesFilter(job, filter)) {
          found.push({ job, row });
          if (found.length > limit) break;
        }
      }
      if (rows.length < batch) {
        exhausted = found.length <= limit;
        break;
      }
      upper = `(${lastScanned}`;
    }
    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    let nextCursor: string | null = null;
    if (found.length > limit && last) nextCursor = encodeCursor(last.row);
    else if (!exhausted && lastScanned !== undefined) nextCursor = encodeCursor(lastScanned);
    return { jobs: page.map((f) => f.job), nextCursor };
  }

  /**
   * Reads the job, computes the new record (and event) in JS, then writes it only if nobody else
   * wrote in between; otherwise reads again.
   */
  private async write(
    id: string,
    patch: JobPatch,
    options: WriteOptions,
    input: EventInput | undefined,
  ): Promise<AppendResult | { job: JobRecord; event?: undefined } | undefined> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const [json, ver] = await this.redis.hmget(this.key("job", id), "json", "ver");
      if (!json || !ver) return undefined;
      const current = JSON.parse(json) as JobRecord;
      if (input && isFinal(current.state) && !options.recovery) {
        serverLog.warn("event refused: the job is finished", { job: id, type: input.type });
        return undefined;
      }
      const at = new Date().toISOString();
      const seq = input ? current.lastSeq + 1 : current.lastSeq;
      const job: JobRecord = { ...current, ...patch, updatedAt: at, lastSeq: seq };
      let event: StoredJobEvent | undefined;
      if (input) {
        const data = typeof input.data === "function" ? input.data(job) : input.data;
        event = { jobId: id, seq, type: input.type, data, at } as StoredJobEvent;
      }
      const outcome = Number(
        await WRITE.run(
          this.redis,
          [
            this.key("job", id),
            this.key("events", id),
            this.key("lease", id),
            this.key("reconcilable"),
            this.key("counts"),
            this.key("jobs"),
            this.key("purges"),
          ],
          [
            ver,
            options.owner ?? "",
            JSON.stringify(job),
            job.state,
            seq,
            event ? JSON.stringify(event) : "",
            isReconcilable(job) ? "1" : "0",
            id,
            job.purgeAt === undefined ? "" : job.purgeAt,
          ],
        ),
      );
      if (outcome === 1) {
        if (event) {
          this.deliver(id, [event]);
          return { job, event };
        }
        return { job };
      }
      // 0: deleted meanwhile; -2: the lease is not (or no longer) the writer's.
      if (outcome !== -1) return undefined;
    }
    throw new Error(`job ${id}: too many concurrent writes`);
  }

  async updateJob(
    id: string,
    patch: JobPatch,
    options: WriteOptions = {},
  ): Promise<JobRecord | undefined> {
    return (await this.write(id, patch, options, undefined))?.job;
  }

  async appendEvent(
    id: string,
    event: EventInput,
    patch: JobPatch = {},
    options: WriteOptions = {},
  ): Promise<AppendResult | undefined> {
    const result = await this.write(id, patch, options, event);
    return result?.event ? (result as AppendResult) : undefined;
  }

  private async eventsRange(id: string, fromSeq: number, count?: number) {
    const key = this.key("events", id);
    const entries = (
      count === undefined
        ? await this.redis.xrange(key, `0-${fromSeq}`, "+")
        : await this.redis.xrange(key, `0-${fromSeq}`, "+", "COUNT", count)
    ) as StreamEntry[];
    return toEvents(entries);
  }

  async eventsAfter(id: string, afterSeq: number): Promise<StoredJobEvent[]> {
    return this.eventsRange(id, afterSeq + 1);
  }

  async listReconcilable(options: { limit?: number } = {}): Promise<JobRecord[]> {
    const limit = options.limit ?? 500;
    const found: JobRecord[] = [];
    for (let offset = 0; found.length < limit;) {
      const ids = await this.redis.zrange(
        this.key("reconcilable"),
        String(offset),
        String(offset + limit - 1),
      );
      if (ids.length === 0) break;
      const now = Date.now();
      const expired: string[] = [];
      for (const job of await this.getJobs(ids)) {
        // Past its link's deadline an unarchived video cannot be fetched any more: off the list.
        const lapsed = job.state === "completed" && (job.archiveDeadline ?? Infinity) <= now;
        if (lapsed) expired.push(job.id);
        else if (found.length < limit) found.push(job);
      }
      if (expired.length > 0) await this.redis.zrem(this.key("reconcilable"), ...expired);
      offset += ids.length - expired.length;
    }
    return found;
  }

  async listDuePurges(now: number, options: { limit?: number } = {}): Promise<JobRecord[]> {
    const ids = await this.redis.zrangebyscore(
      this.key("purges"),
      "-inf",
      now,
      "LIMIT",
      0,
      options.limit ?? 500,
    );
    return this.getJobs(ids);
  }

  async deleteJob(id: string): Promise<boolean> {
    const deleted = await DELETE.run(
      this.redis,
      [
        this.key("job", id),
        this.key("events", id),
        this.key("lease", id),
        this.key("jobs"),
        this.key("reconcilable"),
        this.key("counts"),
        this.key("held", id),
        this.key("purges"),
      ],
      [id],
    );
    return Number(deleted) === 1;
  }

  async countByState(): Promise<Record<JobState, number>> {
    const stored = await this.redis.hgetall(this.key("counts"));
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const state of JOB_STATES) counts[state] = Math.max(0, Number(stored[state] ?? 0));
    return counts;
  }

  async completionDurations(options: { window?: number } = {}): Promise<Record<string, number[]>> {
    const ids = await this.redis.zrevrange(
      this.key("jobs"),
      0,
      (options.window ?? COMPLETION_WINDOW) - 1,
    );
    const jobs = await this.getJobs(ids);
    return groupDurations(
      jobs
        .filter((job) => job.state === "completed" && job.completedAt)
        .map((job) => [job.model, job.createdAt, job.completedAt ?? ""]),
    );
  }

  async acquireLease(
    jobId: string,
    owner: string,
    ttlMs: number,
    options: { minIdleMs?: number } = {},
  ): Promise<boolean> {
    const keys = [this.key("lease", jobId), this.key("job", jobId), this.key("held", jobId)];
    const args = [owner, Math.max(1, ttlMs), Math.max(0, options.minIdleMs ?? 0), LEASE_MEMORY_MS];
    return Number(await ACQUIRE.run(this.redis, keys, args)) === 1;
  }

  async renewLease(jobId: string, owner: string, ttlMs: number): Promise<boolean> {
    const keys = [this.key("lease", jobId), this.key("job", jobId), this.key("held", jobId)];
    const args = [owner, Math.max(1, ttlMs), LEASE_MEMORY_MS];
    return Number(await RENEW.run(this.redis, keys, args)) === 1;
  }

  async releaseLease(jobId: string, owner: string): Promise<void> {
    const keys = [this.key("lease", jobId), this.key("held", jobId)];
    await RELEASE.runWhole(this.redis, keys, [owner, LEASE_MEMORY_MS]);
  }

  async getLease(jobId: string): Promise<{ owner: string; expiresAt: number } | undefined> {
    const key = this.key("lease", jobId);
    const [[, owner], [, ttl]] = ((await this.redis.pipeline().get(key).pttl(key).exec()) ??
      []) as [[unknown, string | null], [unknown, number]];
    return owner && ttl > 0 ? { owner, expiresAt: Date.now() + ttl } : undefined;
  }

  subscribe(id: string, listener: JobEventListener): () => void {
    let sub = this.subscriptions.get(id);
    if (!sub) {
      const created: Subscription = { delivered: undefined, listeners: new Set(), early: [] };
      sub = created;
      this.subscriptions.set(id, created);
      // Sent now, before any replay read the caller makes next on this connection, so every
      // event after this point is either live or in that replay.
      void this.redis.hget(this.key("job", id), "seq").then(
        (seq) => this.started(id, created, Number(seq ?? 0)),
        (error: unknown) => {
          serverLog.error("job event subscription failed", {
            job: id,
            error: error instanceof Error ? error.message : String(error),
          });
          this.started(id, created, 0);
        },
      );
    }
    const remove = addListener(this.subscriptions, id, sub, listener);
    void this.runTail();
    return remove;
  }

  /** Live listeners of a job in this process (for tests). */
  subscriberCount(jobId: string): number {
    return this.subscriptions.get(jobId)?.listeners.size ?? 0;
  }

  private started(id: string, sub: Subscription, seq: number) {
    if (this.subscriptions.get(id) !== sub) return;
    sub.delivered = seq;
    const early = sub.early.splice(0);
    this.deliver(id, early);
    this.interruptTail();
  }

  /** Hands events (in seq order) to a job's listeners, each once, without gaps. */
  private deliver(jobId: string, events: StoredJobEvent[]) {
    const sub = this.subscriptions.get(jobId);
    if (!sub || this.closed || events.length === 0) return;
    if (sub.delivered === undefined) {
      sub.early.push(...events);
      return;
    }
    for (const event of events) {
      if (event.seq <= sub.delivered) continue;
      // A gap (another instance's event not read yet): the tail delivers both, in order.
      if (event.seq !== sub.delivered + 1) return;
      sub.delivered = event.seq;
      notifyListeners(jobId, sub.listeners, event);
    }
  }

  /** Makes the blocking read start over with the current set of followed jobs. */
  private interruptTail() {
    this.wakeTail?.();
    const id = this.blockingId;
    if (id === undefined) return;
    const unblock = () =>
      void this.redis.call("CLIENT", "UNBLOCK", String(id)).catch(() => undefined);
    unblock();
    // The read may have been about to start when the first UNBLOCK arrived.
    setTimeout(unblock, 30).unref?.();
  }

  /** One blocking XREAD over every followed job's stream, for as long as any job is followed. */
  private async runTail() {
    if (this.tailRunning || this.closed) return;
    this.tailRunning = true;
    try {
      if (!this.blocking) {
        this.blocking = this.redis.duplicate({ connectionName: "sora-studio:tail" });
        this.blocking.on("error", () => undefined);
        this.blockingId = Number(await this.blocking.call("CLIENT", "ID"));
      }
      while (!this.closed && this.subscriptions.size > 0) {
        const ready = [...this.subscriptions].filter(([, s]) => s.delivered !== undefined);
        if (ready.length === 0) {
          await new Promise<void>((resolve) => {
            this.wakeTail = resolve;
            setTimeout(resolve, 50).unref?.();
          });
          this.wakeTail = undefined;
          continue;
        }
        const keys = ready.map(([id]) => this.key("events", id));
        const ids = ready.map(([, s]) => `0-${s.delivered ?? 0}`);
        let result: [string, StreamEntry[]][] | null;
        try {
          result = (await this.blocking.xread(
            "COUNT",
            TAIL_BATCH,
            "BLOCK",
            TAIL_BLOCK_MS,
            "STREAMS",
            ...keys,
            ...ids,
          )) as [string, StreamEntry[]][] | null;
        } catch (error) {
          if (this.closed) break;
          serverLog.warn("job event tail read failed; retrying", {
            error: error instanceof Error ? error.message : String(error),
          });
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const [key, entries] of result ?? []) {
          this.deliver(key.slice(this.key("events", "").length), toEvents(entries));
        }
      }
    } finally {
      this.tailRunning = false;
    }
    // A subscription made while the loop was finishing restarts it.
    if (!this.closed && this.subscriptions.size > 0) void this.runTail();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriptions.clear();
    this.wakeTail?.();
    this.blocking?.disconnect();
    this.blocking = undefined;
    if (this.ownsConnection) await this.redis.quit().catch(() => undefined);
  }
}
