import "server-only";
import type { JobCost } from "@/lib/contracts/cost";
import type { Job, JobCancellation, JobEventType, JobState, Protocol } from "@/lib/contracts/job";
import type { StoredError } from "../errors";
import type { VideoSource } from "../upstream/types";

/** A job as persisted: the public snapshot's fields plus what only the server may know. */
export interface JobRecord {
  id: string;
  createdAt: string;
  updatedAt: string;
  state: JobState;
  prompt: string;
  model: string;
  protocol: Protocol;
  seconds?: string;
  size?: string;
  hasImage: boolean;
  progress: number;
  progressMessage?: string;
  /** Base URL that owns the job upstream (polls and downloads stay there). */
  baseUrl?: string;
  upstreamHost?: string;
  upstreamId?: string;
  /** Where the finished video can be fetched from upstream; set once generation is done. */
  source?: VideoSource;
  retryOf?: string;
  /** The completed job this one remixes. */
  remixOf?: string;
  attempts: number;
  lastSeq: number;
  archived: boolean;
  /** Relative to DATA_DIR. */
  archivePath?: string;
  videoBytes?: number;
  error?: StoredError;
  completedAt?: string;
  /** Request that created the job (carried by its errors). */
  requestId?: string;
  /** A create was sent whose outcome is ambiguous (502/504/524, reset after send, cut stream). */
  mayBeBilled: boolean;
  /**
   * Completed but not archived: until when (epoch ms) the upstream link can still be fetched
   * (`expires_at`, else completion + 24 h). Past it the reconciler stops trying.
   */
  archiveDeadline?: number;
  cancellation?: JobCancellation;
  /** Estimated at creation (SORA_PRICES); replaced when the relay reports what it charged. */
  cost?: JobCost;
  /**
   * Deleted with an undo window: hidden from the history and the public routes, and removed for
   * good (with its archive) once this time (epoch ms) has passed, unless restored before.
   */
  purgeAt?: number;
}

export type NewJob = Pick<
  JobRecord,
  | "prompt"
  | "model"
  | "protocol"
  | "seconds"
  | "size"
  | "hasImage"
  | "retryOf"
  | "requestId"
  | "cost"
  | "remixOf"
  | "requestId"
>;

export type JobPatch = Partial<
  Pick<
    JobRecord,
    | "state"
    | "progress"
    | "progressMessage"
    | "baseUrl"
    | "upstreamHost"
    | "upstreamId"
    | "source"
    | "attempts"
    | "archived"
    | "archivePath"
    | "videoBytes"
    | "error"
    | "completedAt"
    | "mayBeBilled"
    | "archiveDeadline"
    | "cancellation"
    | "cost"
    | "purgeAt"
  >
>;

/**
 * A job snapshot in the event log: the public job with its error kept language-neutral, so that
 * it can be rendered in each reader's locale.
 */
export type JobSnapshot = Omit<Job, "error"> & { error?: StoredError };

/** Retry payload as stored: the error is rendered per reader. */
export interface StoredRetryData {
  attempt: number;
  maxRetries: number;
  delayMs: number;
  error: StoredError;
}

export interface StoredEventDataMap {
  job: JobSnapshot;
  state: { state: JobState };
  progress: { percent: number; message?: string };
  retry: StoredRetryData;
  failover: { fromHost: string; toHost: string };
  completed: { job: JobSnapshot };
  failed: { job: JobSnapshot };
  reconnect: { afterMs: number };
}

export type StoredJobEvent = {
  [K in JobEventType]: {
    jobId: string;
    seq: number;
    type: K;
    data: StoredEventDataMap[K];
    at: string;
  };
}[JobEventType];

/** What appendEvent writes; data may depend on the job after the patch (snapshots). */
export type EventInput = {
  [K in JobEventType]: {
    type: K;
    data: StoredEventDataMap[K] | ((job: JobRecord) => StoredEventDataMap[K]);
  };
}[JobEventType];

/** What the history list may be narrowed to (all given conditions apply). */
export interface JobListFilter {
  /** Only jobs in one of these states. */
  states?: readonly JobState[];
  /** Only jobs of exactly this model. */
  model?: string;
  /** Only jobs whose prompt contains this text, ignoring case (Unicode lower-casing). */
  search?: string;
}

export interface JobListOptions extends JobListFilter {
  limit: number;
  cursor?: string;
}

export interface JobPage {
  jobs: JobRecord[];
  nextCursor: string | null;
}

/** Delivered once per event, in seq order, for events appended by this or any other process. */
export type JobEventListener = (event: StoredJobEvent) => void;

/** Options of createJob. */
export interface CreateJobOptions {
  /**
   * Client-chosen key (≤ 200 printable chars). A second create with a key stored less than
   * `IDEMPOTENCY_TTL_MS` ago creates nothing and returns the job the key points to
   * (`created: false`). Keys are unique in the store (a constraint, not a lookup-then-insert), so
   * two processes racing on one key still create one job.
   */
  idempotencyKey?: string;
  /** Take the job's lease in the same write, so no reconciler elsewhere can grab the new job. */
  lease?: { owner: string; ttlMs: number };
}

/** Options of appendEvent / updateJob. */
export interface WriteOptions {
  /**
   * Fencing: the write happens only while `owner` holds the job's unexpired lease. A worker that
   * lost its lease (paused, partitioned, too slow to renew) can then never write over the worker
   * that took the job over.
   */
  owner?: string;
  /**
   * A recorded recovery (recheck found the video after all): allowed to append to a job whose state
   * is final. Without it, appending to a completed/failed/canceled job is refused.
   */
  recovery?: boolean;
}

export type AppendResult = { job: JobRecord; event: StoredJobEvent };

/** A repeated Idempotency-Key is honoured for this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;

/**
 * Jobs, their append-only event logs, leases and idempotency keys. Every method is async so that
 * a shared store (Redis) implements the same interface as the embedded one (SQLite); the
 * reconciler and the routes do not know which one they run on.
 *
 * Methods report problems as values (undefined / false / null), not AppErrors: the instance may
 * have been created in another bundle chunk (instrumentation), whose AppError class a route's
 * `instanceof` does not recognise. Infrastructure failures (disk, connection) reject.
 *
 * Times are wall-clock milliseconds (`Date.now()`); all processes sharing a store are assumed to
 * have clocks within a fraction of the lease TTL of each other.
 */
export interface JobStore {
  /**
   * Persists a queued job and its first event (`job`, seq 1) atomically — with the idempotency key
   * and the creator's lease when given. With a key already stored (< 24 h old) nothing is written
   * and the existing job is returned with `created: false` (its event is its current first event).
   */
  createJob(
    input: NewJob,
    options?: CreateJobOptions,
  ): Promise<{ job: JobRecord; event: StoredJobEvent; created: boolean }>;
  /** The job a key (< 24 h old) points to, if any. */
  findByIdempotencyKey(key: string): Promise<JobRecord | undefined>;
  getJob(id: string): Promise<JobRecord | undefined>;
  /**
   * Newest first, narrowed by the filter; jobs awaiting their purge (`purgeAt`) are never listed. Null for a cursor this store did not issue. A page may
   * hold fewer than `limit` jobs while `nextCursor` is set (a store may bound the work one page
   * does); the end is reached only when `nextCursor` is null.
   */
  listJobs(options: JobListOptions): Promise<JobPage | null>;
  /**
   * Changes fields without an event (e.g. attempts, archive results on a completed job).
   * Undefined when the job no longer exists or `options.owner` does not hold the lease.
   */
  updateJob(id: string, patch: JobPatch, options?: WriteOptions): Promise<JobRecord | undefined>;
  /**
   * Applies the patch, appends the event with the next seq (one atomic write) and notifies live
   * subscribers (in every process). Undefined — nothing written — when the job no longer exists,
   * when `options.owner` does not hold the lease, or when the job's state is final and the write is
   * not a `recovery`.
   */
  appendEvent(
    id: string,
    event: EventInput,
    patch?: JobPatch,
    options?: WriteOptions,
  ): Promise<AppendResult | undefined>;
  /** Events with seq > afterSeq, in seq order ([] for an unknown job). */
  eventsAfter(id: string, afterSeq: number): Promise<StoredJobEvent[]>;
  /**
   * Jobs a reconciler should advance: non-final jobs (queued/submitting/running), and completed
   * jobs with a source that are not archived yet while their `archiveDeadline` (if set) is in the
   * future. Oldest first; includes jobs whose lease is held (acquireLease decides). At most
   * `limit` (default 500).
   */
  listReconcilable(options?: { limit?: number }): Promise<JobRecord[]>;
  /** Jobs deleted with an undo window whose `purgeAt` is at or before `now`, soonest first. */
  listDuePurges(now: number, options?: { limit?: number }): Promise<JobRecord[]>;
  /** Deletes the job, its events, lease and idempotency keys. False when it did not exist. */
  deleteJob(id: string): Promise<boolean>;
  /**
   * Live events of one job, including those appended by other processes on the same store
   * (SQLite: a poll of subscribed jobs every `pollMs`, 250 ms by default, so another process's
   * events arrive within ~¼ s; this process's own appends arrive synchronously after the write).
   * Each event is delivered at most once per listener and in seq order; events appended before
   * subscribe() are not replayed (read them with eventsAfter after subscribing).
   * Returns the unsubscribe function.
   */
  subscribe(id: string, listener: JobEventListener): () => void;
  countByState(): Promise<Record<JobState, number>>;
  /**
   * How long completed jobs took (ms from createdAt to completedAt), per model, newest job first,
   * among the newest `window` jobs of the history (default 1000): the sample behind each model's
   * honest ETA. Deleted jobs are not in it.
   */
  completionDurations(options?: { window?: number }): Promise<Record<string, number[]>>;

  /**
   * Takes the job's lease for `ttlMs` when it is free, expired, or already `owner`'s (then it is
   * renewed). True when `owner` holds it afterwards. Atomic: of two racing owners exactly one wins.
   * `minIdleMs`: another owner's lease must have expired at least this long ago (a released lease
   * is free at once) — for work that cannot be reattached, where taking over ends the job.
   */
  acquireLease(
    jobId: string,
    owner: string,
    ttlMs: number,
    options?: { minIdleMs?: number },
  ): Promise<boolean>;
  /**
   * Extends `owner`'s lease to now + ttlMs. An expired lease nobody took since is taken again while
   * the job is not final (a late renewal keeps its work). False when the lease was taken, released,
   * or the job is canceled.
   */
  renewLease(jobId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it (no-op otherwise). */
  releaseLease(jobId: string, owner: string): Promise<void>;
  /** Current lease holder and expiry, if any lease row exists (expired ones included). */
  getLease(jobId: string): Promise<{ owner: string; expiresAt: number } | undefined>;

  close(): Promise<void>;
}
