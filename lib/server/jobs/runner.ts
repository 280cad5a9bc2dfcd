import "server-only";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { isTerminalState } from "@/lib/contracts/job";
import { forgetRelayBalance } from "../balance";
import { getConfig, type AppConfig } from "../config";
import { AppError, toAppError } from "../errors";
import { serverLog } from "../log";
import { registerSecret, scrubUpstreamMessage } from "../redact";
import { createMayHaveBeenAccepted } from "../upstream/classify";
import { createGeneration } from "../upstream/generation";
import { weatherDelayMs, sleep } from "../upstream/retry";
import type { GenerationCallbacks, RetryInfo, VideoSource } from "../upstream/types";
import { followVideoJob, lookupVideoJob } from "../upstream/videos";
import { archiveVideo, isStorageError, sweepOrphanParts, type ArchiveResult } from "./archive";
import { purgeDueDeletions } from "./deletion";
import type { CreateJobInput } from "./create-request";
import { toSnapshot } from "./snapshot";
import { getJobStore } from "./store";
import type { EventInput, JobPatch, JobRecord, JobStore } from "./types";

export interface RunnerDeps {
  store: JobStore;
  config: Pick<
    AppConfig,
    | "jobDeadlineMs"
    | "leaseTtlMs"
    | "reconcileIntervalMs"
    | "retryBaseDelayMs"
    | "retryJitterMs"
    | "retryMaxDelayMs"
    | "requestTimeoutMs"
  >;
  createGeneration: typeof createGeneration;
  followVideoJob: typeof followVideoJob;
  lookupVideoJob: typeof lookupVideoJob;
  archiveVideo: (
    jobId: string,
    source: VideoSource,
    options: { signal: AbortSignal; onRetry?: (info: RetryInfo) => void },
  ) => Promise<ArchiveResult>;
  /** This process's lease owner id (default: host:pid:random). */
  owner?: string;
  random?: () => number;
}

type StopReason = "canceled" | "lease-lost" | "shutdown";

interface ActiveJob {
  /** Stops all work on the job: cancel (DELETE), a lost lease, shutdown. */
  controller: AbortController;
  reason?: StopReason;
  /** Aborted at the job's deadline, or with `controller`. Bounds create and polls, not archiving. */
  deadline: AbortSignal;
  deadlineHit: boolean;
  percent: number;
  message?: string;
  done: Promise<void>;
}

/** A job picked up by another worker gets at least this long, even past its deadline. */
const RECOVERY_GRACE_MS = 60_000;
/** Without `expires_at`, an upstream video link is assumed to live this long (relays: ~24 h). */
export const ASSUMED_LINK_TTL_MS = 24 * 60 * 60_000;
/** A full disk is not weather: wait at least this long before writing again. */
const DISK_FULL_WAIT_MS = 60_000;

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return "";
  }
}

/** Until when a finished video's upstream link can be fetched. */
export function linkDeadline(source: VideoSource, completedAt: string | undefined): number {
  const expires = source.expiresAt ? Date.parse(source.expiresAt) : NaN;
  if (Number.isFinite(expires)) return expires;
  const done = completedAt ? Date.parse(completedAt) : NaN;
  return (Number.isFinite(done) ? done : Date.now()) + ASSUMED_LINK_TTL_MS;
}

function defaultOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/** The task API that owns a polled job's upstream id. */
function taskProtocol(job: JobRecord): "videos" | "generations" {
  return job.protocol === "generations" ? "generations" : "videos";
}

/**
 * The reconciler: every job is a persisted state machine, and this advances the jobs it holds the
 * lease of — those it created, and any job nobody else is advancing (found at boot, on a timer,
 * and on demand). A lease is renewed while work goes on; every write is fenced by it, so two
 * processes on one store never work one job twice, and a dead process's jobs are taken over once
 * its leases expire. Closed streams never stop a job; only DELETE does.
 */
export class JobRunner {
  readonly owner: string;
  private readonly active = new Map<string, ActiveJob>();
  private readonly writes = new Map<string, Promise<unknown>>();
  private readonly random: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reconciling: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: RunnerDeps) {
    this.owner = deps.owner ?? defaultOwner();
    this.random = deps.random ?? Math.random;
  }

  private get ttl() {
    return this.deps.config.leaseTtlMs;
  }

  /**
   * Persists the job (queued, event `job` seq 1, this process's lease, the idempotency key) before
   * any upstream call, then runs it. A key seen in the last 24 h returns that job instead
   * (`created: false`) and nothing is sent upstream.
   */
  async submitJob(
    input: CreateJobInput,
    ctx: { requestId: string; idempotencyKey?: string },
  ): Promise<{ job: JobRecord; created: boolean }> {
    const { job, created } = await this.deps.store.createJob(
      {
        prompt: input.prompt,
        model: input.model,
        protocol: input.protocol,
        seconds: input.seconds,
        size: input.size,
        hasImage: input.image !== undefined,
        retryOf: input.retryOf,
        remixOf: input.remix?.sourceId,
        requestId: ctx.requestId,
        cost: input.cost,
      },
      {
        idempotencyKey: ctx.idempotencyKey,
        lease: { owner: this.owner, ttlMs: this.ttl },
      },
    );
    if (!created) {
      serverLog.info("idempotent repeat: existing job returned", { job: job.id });
      return { job, created };
    }
    serverLog.info("job created", {
      job: job.id,
      model: job.model,
      protocol: job.protocol,
      image: job.hasImage,
      retryOf: job.retryOf,
      remixOf: job.remixOf,
      requestId: ctx.requestId,
    });
    const deadlineAt = Date.parse(job.createdAt) + this.deps.config.jobDeadlineMs;
    this.start(job, deadlineAt, (active) => this.generate(job, input, active));
    return { job, created };
  }

  isActive(jobId: string): boolean {
    return this.active.has(jobId);
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Stops working on a job here (the upstream job itself is never cancelled). */
  cancel(jobId: string): boolean {
    const active = this.active.get(jobId);
    if (!active) return false;
    active.reason = "canceled";
    active.controller.abort();
    return true;
  }

  /** Resolves once the job's background work has stopped, or after `timeoutMs`. */
  async settled(jobId: string, timeoutMs: number): Promise<void> {
    const active = this.active.get(jobId);
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      active.done,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Boot: sweep orphan downloads, reconcile once, then every `reconcileIntervalMs`. */
  async startReconciler(): Promise<void> {
    await sweepOrphanParts(async (jobId) => {
      const lease = await this.deps.store.getLease(jobId);
      return lease !== undefined && lease.expiresAt > Date.now();
    }).catch((error: unknown) => {
      serverLog.warn("could not sweep unfinished downloads", {
        error: error instanceof Error ? error.message : String(error),
      });
    });
    await this.reconcile();
    if (!this.timer && !this.stopped) {
      this.timer = setInterval(() => void this.reconcile(), this.deps.config.reconcileIntervalMs);
      this.timer.unref?.();
    }
  }

  /** Stops the timer and all work here, leaving leases to expire (tests, shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const running = [...this.active.values()];
    for (const active of running) {
      active.reason ??= "shutdown";
      active.controller.abort();
    }
    await Promise.all(running.map((a) => a.done));
  }

  /**
   * SIGTERM/SIGINT: every lease held here is given back at once, so another instance takes the
   * jobs over now rather than after the TTL (a released lease needs no idle time), then work stops
   * without writing anything more (a create cut here is interrupted by the taker, maybe billed).
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    const held = [...this.active.keys()];
    serverLog.info("shutting down: leases released", { jobs: held.length });
    await Promise.all([
      ...held.map((id) => this.deps.store.releaseLease(id, this.owner).catch(() => undefined)),
      this.stop(),
    ]);
  }

  /**
   * One pass: every reconcilable job not worked here is offered to this process; the lease
   * decides who takes it. Concurrent calls share one pass.
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    try {
      const jobs = await this.deps.store.listReconcilable();
      for (const job of jobs) {
        if (this.stopped) return;
        if (!this.active.has(job.id)) await this.take(job.id);
      }
      if (!this.stopped) await purgeDueDeletions(this.deps.store, this);
    } catch (error) {
      serverLog.error("reconcile pass failed", {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  }

  /** On demand (a follower connects, the content route): advance this job if nobody is. */
  nudge(jobId: string): void {
    if (this.active.has(jobId) || this.stopped) return;
    void this.take(jobId).catch((error: unknown) => {
      serverLog.warn("could not advance job", {
        job: jobId,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }

  /** Takes the job's lease if free and starts what its persisted state calls for. */
  private async take(jobId: string): Promise<boolean> {
    const { store } = this.deps;
    const seen = await store.getJob(jobId);
    if (!seen || !this.needsWork(seen)) return false;
    // Taking over work that cannot be reattached ends the job (interrupted), so its worker gets a
    // whole extra lease period to renew late (a busy event loop) before it is given up for dead.
    const minIdleMs = this.canReattach(seen) ? 0 : this.ttl;
    if (!(await store.acquireLease(jobId, this.owner, this.ttl, { minIdleMs }))) return false;
    if (this.active.has(jobId)) return true;
    // Re-read under the lease: the previous owner may have finished meanwhile.
    const job = await store.getJob(jobId);
    if (!job || !this.needsWork(job)) {
      await store.releaseLease(jobId, this.owner);
      return false;
    }
    this.resume(job);
    return true;
  }

  private needsWork(job: JobRecord): boolean {
    if (!isTerminalState(job.state)) return true;
    return (
      job.state === "completed" &&
      !job.archived &&
      job.source !== undefined &&
      (job.archiveDeadline ?? Infinity) > Date.now()
    );
  }

  /** Whether another worker can carry on from the stored state (else the job is interrupted). */
  private canReattach(job: JobRecord): boolean {
    if (job.source) return true;
    return job.protocol !== "chat" && Boolean(job.baseUrl && job.upstreamId);
  }

  /** Work for a job found by the reconciler (its creator is gone or was another process). */
  private resume(job: JobRecord) {
    const grace = Math.min(RECOVERY_GRACE_MS, this.deps.config.jobDeadlineMs);
    const deadlineAt = Math.max(
      Date.parse(job.createdAt) + this.deps.config.jobDeadlineMs,
      Date.now() + grace,
    );
    const { source, baseUrl, upstreamId } = job;
    if (job.state === "completed" && source) {
      serverLog.info("job taken over", { job: job.id, action: "archive", owner: this.owner });
      this.start(job, Infinity, (active) =>
        this.archiveUntilSafe(job, source, active, linkDeadline(source, job.completedAt)),
      );
    } else if (source) {
      serverLog.info("job taken over", { job: job.id, action: "finish", owner: this.owner });
      this.start(job, deadlineAt, (active) => this.finish(job, source, active));
    } else if (job.protocol !== "chat" && baseUrl && upstreamId) {
      serverLog.info("job taken over", { job: job.id, action: "poll", upstreamId });
      this.start(job, deadlineAt, async (active) => {
        const seenBefore = job.progressMessage !== undefined || job.progress > 0;
        const found = await this.follow(job, baseUrl, upstreamId, active, seenBefore);
        await this.finish(job, found, active);
      });
    } else {
      // A create in flight or a chat stream cannot be reattached: its worker died with it.
      serverLog.warn("job taken over", { job: job.id, action: "interrupt", state: job.state });
      this.start(job, deadlineAt, async () => {
        const mayBeBilled = job.state !== "queued" || job.mayBeBilled;
        throw Object.assign(new AppError("interrupted", { detail: { key: "interruptedWorker" } }), {
          mayBeBilled,
        });
      });
    }
  }

  private start(job: JobRecord, deadlineAt: number, work: (active: ActiveJob) => Promise<void>) {
    const controller = new AbortController();
    const deadlineController = new AbortController();
    const active: ActiveJob = {
      controller,
      deadline: AbortSignal.any([controller.signal, deadlineController.signal]),
      deadlineHit: false,
      percent: job.progress,
      message: job.progressMessage,
      done: Promise.resolve(),
    };
    this.active.set(job.id, active);
    const remaining = deadlineAt - Date.now();
    const deadline = Number.isFinite(remaining)
      ? setTimeout(
          () => {
            active.deadlineHit = true;
            deadlineController.abort(new Error("job deadline"));
          },
          Math.max(0, Math.min(remaining, 2 ** 31 - 1)),
        )
      : undefined;
    // Renew well before expiry; a lost lease stops the work without writing anything more.
    const renew = setInterval(
      () => {
        if (this.stopped) return;
        void this.deps.store.renewLease(job.id, this.owner, this.ttl).then(
          (held) => {
            if (held || controller.signal.aborted) return;
            serverLog.warn("lease lost; stopping work on the job", { job: job.id });
            active.reason ??= "lease-lost";
            controller.abort();
          },
          (error: unknown) =>
            serverLog.warn("lease renewal failed", {
              job: job.id,
              error: error instanceof Error ? error.message : String(error),
            }),
        );
      },
      Math.max(50, Math.floor(this.ttl / 3)),
    );
    renew.unref?.();
    active.done = Promise.resolve()
      .then(() => work(active))
      .catch((error: unknown) => {
        if (active.reason === undefined) return this.fail(job, error, active);
      })
      .catch((error: unknown) => {
        serverLog.error("job could not be marked failed", {
          job: job.id,
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(async () => {
        clearTimeout(deadline);
        clearInterval(renew);
        await this.flush(job.id);
        this.active.delete(job.id);
        if (active.reason !== "lease-lost") {
          await this.deps.store.releaseLease(job.id, this.owner).catch(() => undefined);
        }
      });
  }

  /** Runs a job's store writes one after another, in the order they were asked for. */
  private write<T>(jobId: string, run: () => Promise<T>): Promise<T> {
    const previous = this.writes.get(jobId) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.writes.set(jobId, settled);
    void settled.then(() => {
      if (this.writes.get(jobId) === settled) this.writes.delete(jobId);
    });
    return next;
  }

  private flush(jobId: string): Promise<unknown> {
    return this.writes.get(jobId) ?? Promise.resolve();
  }

  /** A fenced append, unless the work was stopped; keeps the job's write order. */
  private append(active: ActiveJob, jobId: string, event: EventInput, patch?: JobPatch) {
    if (active.controller.signal.aborted) return Promise.resolve(undefined);
    return this.write(jobId, () =>
      this.deps.store.appendEvent(jobId, event, patch, { owner: this.owner }),
    );
  }

  private update(jobId: string, patch: JobPatch) {
    return this.write(jobId, () => this.deps.store.updateJob(jobId, patch, { owner: this.owner }));
  }

  private callbacks(job: JobRecord, active: ActiveJob): GenerationCallbacks {
    return {
      onAttempt: ({ attempt }) => {
        if (!active.controller.signal.aborted) void this.update(job.id, { attempts: attempt });
      },
      onRetry: (info) => this.retry(job, active, info),
      onFailover: ({ fromHost, toHost }) => {
        serverLog.warn("job fails over", { job: job.id, fromHost, toHost });
        void this.append(active, job.id, { type: "failover", data: { fromHost, toHost } });
      },
      onAccepted: ({ baseUrl, upstreamId }) =>
        void this.write(job.id, () => this.accepted(job, active, baseUrl, upstreamId)),
      onProgress: (info) => this.progress(job, active, info),
    };
  }

  private retry(job: JobRecord, active: ActiveJob, info: RetryInfo) {
    const { attempt, maxRetries, delayMs, error } = info;
    void this.append(active, job.id, {
      type: "retry",
      data: { attempt, maxRetries, delayMs, error: error.toStored(job.requestId) },
    });
  }

  /** The upstream took the create (paid): persisted before anything else happens. */
  private async accepted(job: JobRecord, active: ActiveJob, baseUrl: string, upstreamId?: string) {
    const { store } = this.deps;
    const current = await store.getJob(job.id);
    if (!current || active.controller.signal.aborted) return;
    // A stream without an id (chat) is paid from its first byte, whatever happens next.
    const patch: JobPatch = {
      baseUrl,
      upstreamHost: hostOf(baseUrl),
      upstreamId,
      mayBeBilled: true,
    };
    if (current.state === "running") {
      await store.updateJob(job.id, patch, { owner: this.owner });
    } else {
      await store.appendEvent(
        job.id,
        { type: "state", data: { state: "running" } },
        { ...patch, state: "running", attempts: Math.max(current.attempts, 1) },
        { owner: this.owner },
      );
    }
    serverLog.info("job accepted", { job: job.id, host: patch.upstreamHost, upstreamId });
  }

  private progress(job: JobRecord, active: ActiveJob, info: { percent: number; message?: string }) {
    const reported = Number.isFinite(info.percent) ? Math.round(info.percent) : 0;
    const percent = Math.max(active.percent, Math.min(100, Math.max(0, reported)));
    const message = info.message ? scrubUpstreamMessage(info.message, 200) : undefined;
    if (percent === active.percent && (message === undefined || message === active.message)) return;
    active.percent = percent;
    active.message = message ?? active.message;
    void this.append(
      active,
      job.id,
      { type: "progress", data: message ? { percent, message } : { percent } },
      { progress: percent, progressMessage: active.message },
    );
  }

  private async generate(job: JobRecord, input: CreateJobInput, active: ActiveJob) {
    await this.append(
      active,
      job.id,
      { type: "state", data: { state: "submitting" } },
      { state: "submitting" },
    );
    let outcome;
    try {
      outcome = await this.deps.createGeneration(
        {
          prompt: input.prompt,
          model: input.model,
          protocol: input.protocol,
          seconds: input.protocol !== "chat" ? input.seconds : undefined,
          size: input.size,
          image: input.image ? { mime: input.image.mime, bytes: input.image.bytes } : undefined,
          preferBaseUrl: input.preferBaseUrl,
          remix: input.remix
            ? { baseUrl: input.remix.baseUrl, upstreamId: input.remix.upstreamId }
            : undefined,
        },
        this.callbacks(job, active),
        active.deadline,
      );
    } catch (error) {
      // Sent, and no answer proved it refused: a retry may pay twice.
      const cutBySignal = active.deadline.aborted && !AppError.isInstance(error);
      if (cutBySignal || (AppError.isInstance(error) && createMayHaveBeenAccepted(error))) {
        await this.update(job.id, { mayBeBilled: true });
      }
      throw error;
    }
    let source: VideoSource;
    if (outcome.protocol !== "chat") {
      await this.flush(job.id);
      if ((await this.deps.store.getJob(job.id))?.upstreamId !== outcome.upstreamId) {
        await this.write(job.id, () =>
          this.accepted(job, active, outcome.baseUrl, outcome.upstreamId),
        );
      }
      source = await this.follow(job, outcome.baseUrl, outcome.upstreamId, active, true);
    } else {
      source = outcome.source;
    }
    await this.finish(job, source, active);
  }

  private follow(
    job: JobRecord,
    baseUrl: string,
    upstreamId: string,
    active: ActiveJob,
    seen: boolean,
  ): Promise<VideoSource> {
    return this.deps.followVideoJob(
      baseUrl,
      upstreamId,
      {
        onProgress: (info) => this.progress(job, active, info),
        onRetry: (info) => this.retry(job, active, info),
      },
      active.deadline,
      undefined,
      { seen, protocol: taskProtocol(job) },
    );
  }

  /**
   * The video exists: remember where, archive it, complete the job. A download that fails does not
   * fail the job (the video is served from upstream meanwhile); it is retried until safe, beyond
   * the job's deadline, until the upstream link expires.
   */
  private async finish(job: JobRecord, source: VideoSource, active: ActiveJob) {
    const stop = active.controller.signal;
    if (stop.aborted) throw stop.reason;
    await this.flush(job.id);
    await this.update(job.id, { source });
    let archive: ArchiveResult | undefined;
    let firstError: AppError | undefined;
    try {
      archive = await this.deps.archiveVideo(job.id, source, {
        signal: stop,
        onRetry: (info) => this.retry(job, active, info),
      });
    } catch (error) {
      if (stop.aborted) throw error;
      firstError = toAppError(error);
      serverLog.warn("archiving failed; serving from upstream and trying again", {
        job: job.id,
        code: firstError.code,
        reason: firstError.options.upstreamMessage,
        expiresAt: source.expiresAt,
      });
    }
    if (stop.aborted) throw stop.reason;
    await this.flush(job.id);
    const completedAt = new Date().toISOString();
    const until = linkDeadline(source, completedAt);
    // Before the event: a page that refreshes its balance on `completed` must not get the old one.
    forgetRelayBalance();
    const result = await this.deps.store.appendEvent(
      job.id,
      { type: "completed", data: (done: JobRecord) => ({ job: toSnapshot(done) }) },
      {
        state: "completed",
        progress: 100,
        progressMessage: undefined,
        error: undefined,
        source,
        archived: archive !== undefined,
        archivePath: archive?.archivePath,
        videoBytes: archive?.bytes,
        archiveDeadline: archive ? undefined : until,
        completedAt,
      },
      { owner: this.owner },
    );
    active.percent = 100;
    if (!result) return;
    serverLog.info("job completed", {
      job: job.id,
      archived: archive !== undefined,
      bytes: archive?.bytes,
      attempts: result.job.attempts,
      ms: Date.parse(completedAt) - Date.parse(job.createdAt),
    });
    if (!archive) await this.archiveUntilSafe(result.job, source, active, until, firstError);
  }

  /** Archives a completed video with backoff until it is on disk or its link has expired. */
  private async archiveUntilSafe(
    job: JobRecord,
    source: VideoSource,
    active: ActiveJob,
    until: number,
    lastError?: AppError,
  ) {
    const stop = active.controller.signal;
    const assumed = source.expiresAt === undefined;
    for (let attempt = 1; ; attempt++) {
      if (lastError) {
        const diskFull = lastError.code === "disk_full";
        let delayMs = weatherDelayMs(attempt, this.deps.config, this.random);
        if (diskFull) delayMs = Math.max(delayMs, DISK_FULL_WAIT_MS);
        const left = until - Date.now();
        if (left <= 0) break;
        (diskFull ? serverLog.error : serverLog.warn)("video not archived yet; trying again", {
          job: job.id,
          attempt,
          delayMs,
          code: lastError.code,
          reason: lastError.options.upstreamMessage,
          linkExpires: new Date(until).toISOString(),
          linkExpiryAssumed: assumed || undefined,
        });
        await sleep(Math.min(delayMs, left), stop);
      }
      if (Date.now() >= until) break;
      try {
        const archive = await this.deps.archiveVideo(job.id, source, { signal: stop });
        await this.update(job.id, {
          archived: true,
          archivePath: archive.archivePath,
          videoBytes: archive.bytes,
          archiveDeadline: undefined,
        });
        serverLog.info("video archived", { job: job.id, bytes: archive.bytes, attempt });
        return;
      } catch (error) {
        if (stop.aborted) throw error;
        lastError = toAppError(error);
        const gone = !isStorageError(lastError) && lastError.options.status === 404;
        // A refused destination or an answer that is not a video stays so: trying again is moot.
        const final =
          lastError.code === "destination_refused" ||
          (lastError as { shouldRetry?: boolean }).shouldRetry === false;
        if (gone || final) {
          serverLog.error("the video cannot be archived", {
            job: job.id,
            code: lastError.code,
            reason: gone ? "the upstream no longer has it" : lastError.options.upstreamMessage,
          });
          await this.update(job.id, { archiveDeadline: Date.now() });
          return;
        }
      }
    }
    serverLog.error("the upstream link expired before the video could be archived", {
      job: job.id,
      linkExpires: new Date(until).toISOString(),
      linkExpiryAssumed: assumed || undefined,
    });
  }

  private async fail(job: JobRecord, error: unknown, active: ActiveJob) {
    await this.flush(job.id);
    const current = await this.deps.store.getJob(job.id);
    if (!current) return;
    const accepted = Boolean(current.upstreamId) || current.mayBeBilled;
    const minutes = Math.round(this.deps.config.jobDeadlineMs / 6000) / 10;
    const appError = active.deadlineHit
      ? new AppError("timeout", {
          detail: { key: accepted ? "jobDeadlineMayExist" : "jobDeadline", params: { minutes } },
        })
      : toAppError(error);
    if (appError.code === "internal_error") {
      serverLog.error("job crashed", {
        job: job.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    const attempts = Math.max(current.attempts, appError.options.attempts ?? 0);
    const stored = { ...appError.toStored(job.requestId), attempts: attempts || undefined };
    const flagged = (error as { mayBeBilled?: boolean } | undefined)?.mayBeBilled === true;
    forgetRelayBalance();
    const result = await this.deps.store.appendEvent(
      job.id,
      { type: "failed", data: (failed) => ({ job: toSnapshot(failed) }) },
      {
        state: "failed",
        error: stored,
        attempts,
        completedAt: new Date().toISOString(),
        ...(flagged ? { mayBeBilled: true } : {}),
      },
      { owner: this.owner },
    );
    if (!result) return;
    serverLog.warn("job failed", {
      job: job.id,
      code: appError.code,
      status: appError.options.status,
      attempts,
      mayBeBilled: Boolean(current.upstreamId) || result.job.mayBeBilled,
      upstreamRequestId: appError.options.upstreamRequestId,
    });
  }

  /**
   * "Check again": asks the upstream about a job with an upstream id. If the video exists after
   * all (done or still running), the job is revived — a `job` event (the recorded recovery) puts
   * it back to running — and followed to completed + archived. Otherwise it stays as it is.
   */
  async recheck(jobId: string): Promise<JobRecord | undefined> {
    const { store } = this.deps;
    const job = await store.getJob(jobId);
    if (!job || !job.upstreamId || !job.baseUrl) return job;
    if (this.active.has(jobId)) return job;
    if (!(await store.acquireLease(jobId, this.owner, this.ttl))) return job;
    let held = true;
    try {
      const fresh = (await store.getJob(jobId)) ?? job;
      const { baseUrl, upstreamId } = fresh;
      if (!baseUrl || !upstreamId) return fresh;
      if (fresh.state === "completed") {
        held = !this.needsWork(fresh);
        if (!held) this.resume(fresh);
        return fresh;
      }
      const lookup = await this.deps.lookupVideoJob(
        baseUrl,
        upstreamId,
        AbortSignal.timeout(this.deps.config.requestTimeoutMs * 2),
        undefined,
        taskProtocol(fresh),
      );
      serverLog.info("job checked again", { job: jobId, upstream: lookup.status });
      if (lookup.status === "failed" || lookup.status === "gone") {
        if (!isTerminalState(fresh.state)) {
          const reason =
            lookup.status === "failed"
              ? lookup.error
              : new AppError("generation_failed", {
                  detail: { key: "upstreamGone" },
                  status: 404,
                });
          const placeholder = this.placeholder();
          await this.fail(fresh, reason, placeholder);
        }
        return store.getJob(jobId);
      }
      let current = fresh;
      if (isTerminalState(fresh.state)) {
        const revived = await store.appendEvent(
          jobId,
          { type: "job", data: toSnapshot },
          {
            state: "running",
            error: undefined,
            completedAt: undefined,
            progress: lookup.status === "completed" ? 100 : (lookup.progress ?? fresh.progress),
          },
          { owner: this.owner, recovery: true },
        );
        if (!revived) return store.getJob(jobId);
        current = revived.job;
        serverLog.info("job revived: the upstream still has it", { job: jobId });
      }
      const deadlineAt = Date.now() + this.deps.config.jobDeadlineMs;
      held = false;
      if (lookup.status === "completed") {
        const { source } = lookup;
        this.start(current, deadlineAt, (active) => this.finish(current, source, active));
      } else {
        this.start(current, deadlineAt, async (active) => {
          const found = await this.follow(current, baseUrl, upstreamId, active, true);
          await this.finish(current, found, active);
        });
      }
      return current;
    } finally {
      if (held) await store.releaseLease(jobId, this.owner);
    }
  }

  private placeholder(): ActiveJob {
    const controller = new AbortController();
    return {
      controller,
      deadline: controller.signal,
      deadlineHit: false,
      percent: 0,
      done: Promise.resolve(),
    };
  }
}

const RUNNER_KEY = Symbol.for("sora-studio.runner");

/** The process-wide runner (route handlers and instrumentation may be separate bundle chunks). */
export function getJobRunner(): JobRunner {
  const holder = globalThis as { [RUNNER_KEY]?: JobRunner };
  if (!holder[RUNNER_KEY]) {
    const config = getConfig();
    registerSecret(config.apiKey);
    registerSecret(config.rawApiKey);
    holder[RUNNER_KEY] = new JobRunner({
      store: getJobStore(),
      config,
      createGeneration,
      followVideoJob,
      lookupVideoJob,
      archiveVideo,
    });
  }
  return holder[RUNNER_KEY];
}

const STARTED_KEY = Symbol.for("sora-studio.reconciler-started");

/** Called once per server start from instrumentation.ts. */
export async function startReconciler() {
  const holder = globalThis as { [STARTED_KEY]?: boolean };
  if (holder[STARTED_KEY]) return;
  holder[STARTED_KEY] = true;
  try {
    const runner = getJobRunner();
    serverLog.info("reconciler starting", { owner: runner.owner });
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        void runner.shutdown().finally(() => {
          // Next exits on these signals itself unless NEXT_MANUAL_SIG_HANDLE left them to us.
          if (process.listenerCount(signal) === 0) process.exit(signal === "SIGINT" ? 130 : 143);
        });
      });
    }
    await runner.startReconciler();
  } catch (error) {
    serverLog.error("reconciler failed to start", {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
}
