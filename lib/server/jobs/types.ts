import "server-only";
import type { Job, JobEventType, JobState, Protocol } from "@/lib/contracts/job";
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
}

export type NewJob = Pick<
  JobRecord,
  "prompt" | "model" | "protocol" | "seconds" | "size" | "hasImage" | "retryOf" | "requestId"
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

export interface JobPage {
  jobs: JobRecord[];
  nextCursor: string | null;
}

export type JobEventListener = (event: StoredJobEvent, job: JobRecord) => void;

/**
 * Jobs plus their append-only event logs. The SQLite store serves one process; a shared store
 * (Redis) implements the same interface for instances that share nothing.
 * Methods report problems as values, not AppErrors: the instance may have been created in another
 * bundle chunk (instrumentation), whose AppError class a route's `instanceof` does not recognise.
 */
export interface JobStore {
  /** Persists a queued job and its first event (`job`, seq 1) in one transaction. */
  createJob(input: NewJob): { job: JobRecord; event: StoredJobEvent };
  getJob(id: string): JobRecord | undefined;
  /** Newest first. Null for a cursor this store did not issue. */
  listJobs(options: { limit: number; cursor?: string }): JobPage | null;
  /** Changes fields without an event (e.g. attempts). Undefined when the job no longer exists. */
  updateJob(id: string, patch: JobPatch): JobRecord | undefined;
  /**
   * Applies the patch, appends the event with the next seq, and notifies live subscribers.
   * Undefined when the job no longer exists (deleted meanwhile).
   */
  appendEvent(
    id: string,
    event: EventInput,
    patch?: JobPatch,
  ): { job: JobRecord; event: StoredJobEvent } | undefined;
  eventsAfter(id: string, afterSeq: number): StoredJobEvent[];
  /** Jobs left in queued/submitting/running (for recovery at start-up). */
  unfinishedJobs(): JobRecord[];
  deleteJob(id: string): boolean;
  subscribe(id: string, listener: JobEventListener): () => void;
  countByState(): Record<JobState, number>;
  close(): void;
}
