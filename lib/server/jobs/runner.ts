import "server-only";
import { getConfig, type AppConfig } from "../config";
import { AppError, toAppError } from "../errors";
import { serverLog } from "../log";
import { registerSecret, scrubUpstreamMessage } from "../redact";
import { createGeneration, followVideoJob } from "../upstream";
import type { GenerationCallbacks, RetryInfo, VideoSource } from "../upstream/types";
import { archiveVideo, type ArchiveResult } from "./archive";
import type { CreateJobInput } from "./create-request";
import { toSnapshot } from "./snapshot";
import { getJobStore } from "./store";
import type { JobPatch, JobRecord, JobStore } from "./types";

export interface RunnerDeps {
  store: JobStore;
  config: Pick<AppConfig, "jobDeadlineMs">;
  createGeneration: typeof createGeneration;
  followVideoJob: typeof followVideoJob;
  archiveVideo: (
    jobId: string,
    source: VideoSource,
    options: { signal: AbortSignal; onRetry?: (info: RetryInfo) => void },
  ) => Promise<ArchiveResult>;
}

interface ActiveJob {
  controller: AbortController;
  /** Why the job's signal was aborted, if it was. */
  reason?: "canceled" | "deadline";
  percent: number;
  message?: string;
  done: Promise<void>;
}

/** A recovered job gets at least this long, even past its deadline: its video may be paid for. */
const RECOVERY_GRACE_MS = 60_000;

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return "";
  }
}

/**
 * Runs jobs in this process, independent of any HTTP request: a closed stream never stops a job;
 * only cancel() (DELETE) and the deadline do. Everything it learns goes to the store's event log.
 */
export class JobRunner {
  private readonly active = new Map<string, ActiveJob>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Persists the job (queued, event `job` seq 1) before any upstream call, then runs it. */
  async submitJob(input: CreateJobInput, ctx: { requestId: string }): Promise<JobRecord> {
    const { job } = await this.deps.store.createJob({
      prompt: input.prompt,
      model: input.model,
      protocol: input.protocol,
      seconds: input.seconds,
      size: input.size,
      hasImage: input.image !== undefined,
      retryOf: input.retryOf,
      requestId: ctx.requestId,
    });
    serverLog.info("job created", {
      job: job.id,
      model: job.model,
      protocol: job.protocol,
      image: job.hasImage,
      retryOf: job.retryOf,
      requestId: ctx.requestId,
    });
    this.start(job, (signal, active) => this.generate(job, input, signal, active));
    return job;
  }

  isActive(jobId: string): boolean {
    return this.active.has(jobId);
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Stops following a job (the upstream job itself is never cancelled). */
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

  /**
   * Start-up recovery: a job whose video is known is archived; a `videos` job with an upstream id
   * resumes polling; anything else in flight cannot be reattached and fails as `interrupted`.
   */
  async recoverJobs(): Promise<{ resumed: number; interrupted: number }> {
    let resumed = 0;
    let interrupted = 0;
    for (const job of await this.deps.store.listReconcilable()) {
      if (this.active.has(job.id) || job.state === "completed") continue;
      const { source, baseUrl, upstreamId } = job;
      if (source) {
        serverLog.info("job recovered", { job: job.id, action: "archive" });
        this.start(job, (signal, active) => this.finish(job, source, signal, active), true);
        resumed++;
      } else if (job.protocol === "videos" && baseUrl && upstreamId) {
        serverLog.info("job recovered", { job: job.id, action: "poll", upstreamId });
        this.start(
          job,
          async (signal, active) => {
            const found = await this.follow(job, baseUrl, upstreamId, signal, active);
            await this.finish(job, found, signal, active);
          },
          true,
        );
        resumed++;
      } else {
        await this.fail(
          job,
          new AppError("interrupted", { detail: { key: "interruptedRestart" } }),
          undefined,
        );
        interrupted++;
      }
    }
    if (resumed + interrupted > 0) serverLog.info("jobs recovered", { resumed, interrupted });
    return { resumed, interrupted };
  }

  private start(
    job: JobRecord,
    work: (signal: AbortSignal, active: ActiveJob) => Promise<void>,
    recovered = false,
  ) {
    const controller = new AbortController();
    const active: ActiveJob = {
      controller,
      percent: job.progress,
      message: job.progressMessage,
      done: Promise.resolve(),
    };
    this.active.set(job.id, active);
    const elapsed = Date.now() - Date.parse(job.createdAt);
    let remaining = this.deps.config.jobDeadlineMs - elapsed;
    if (recovered)
      remaining = Math.max(remaining, Math.min(RECOVERY_GRACE_MS, this.deps.config.jobDeadlineMs));
    const deadline = setTimeout(
      () => {
        active.reason ??= "deadline";
        controller.abort();
      },
      Math.max(0, remaining),
    );
    active.done = Promise.resolve()
      .then(() => work(controller.signal, active))
      .catch((error: unknown) => {
        if (active.reason !== "canceled") return this.fail(job, error, active);
      })
      .catch((error: unknown) => {
        serverLog.error("job could not be marked failed", {
          job: job.id,
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => {
        clearTimeout(deadline);
        this.active.delete(job.id);
      });
  }

  /** Appends unless the job was cancelled or timed out meanwhile (writes keep their order). */
  private append(signal: AbortSignal, ...args: Parameters<JobStore["appendEvent"]>) {
    if (signal.aborted) return Promise.resolve(undefined);
    return this.write(args[0], () => this.deps.store.appendEvent(...args));
  }

  private readonly writes = new Map<string, Promise<unknown>>();

  /** Runs a job's store writes one after another, in the order the upstream reported them. */
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

  /** Resolves once every write queued for the job so far is done. */
  private flush(jobId: string): Promise<unknown> {
    return this.writes.get(jobId) ?? Promise.resolve();
  }

  private callbacks(job: JobRecord, signal: AbortSignal, active: ActiveJob): GenerationCallbacks {
    const { store } = this.deps;
    return {
      onAttempt: ({ attempt }) => {
        if (!signal.aborted)
          void this.write(job.id, () => store.updateJob(job.id, { attempts: attempt }));
      },
      onRetry: (info) => this.retry(job, signal, info),
      onFailover: ({ fromHost, toHost }) => {
        serverLog.warn("job fails over", { job: job.id, fromHost, toHost });
        void this.append(signal, job.id, { type: "failover", data: { fromHost, toHost } });
      },
      onAccepted: ({ baseUrl, upstreamId }) =>
        void this.write(job.id, () => this.accepted(job, signal, baseUrl, upstreamId)),
      onProgress: (info) => this.progress(job, signal, active, info),
    };
  }

  private retry(job: JobRecord, signal: AbortSignal, info: RetryInfo) {
    const { attempt, maxRetries, delayMs, error } = info;
    void this.append(signal, job.id, {
      type: "retry",
      data: { attempt, maxRetries, delayMs, error: error.toStored(job.requestId) },
    });
  }

  private async accepted(
    job: JobRecord,
    signal: AbortSignal,
    baseUrl: string,
    upstreamId?: string,
  ) {
    const current = await this.deps.store.getJob(job.id);
    if (!current || signal.aborted) return;
    const patch: JobPatch = { baseUrl, upstreamHost: hostOf(baseUrl), upstreamId };
    if (current.state === "running") {
      await this.deps.store.updateJob(job.id, patch);
    } else {
      await this.deps.store.appendEvent(
        job.id,
        { type: "state", data: { state: "running" } },
        { ...patch, state: "running", attempts: Math.max(current.attempts, 1) },
      );
    }
    serverLog.info("job accepted", { job: job.id, host: patch.upstreamHost, upstreamId });
  }

  private progress(
    job: JobRecord,
    signal: AbortSignal,
    active: ActiveJob,
    info: { percent: number; message?: string },
  ) {
    const reported = Number.isFinite(info.percent) ? Math.round(info.percent) : 0;
    const percent = Math.max(active.percent, Math.min(100, Math.max(0, reported)));
    const message = info.message ? scrubUpstreamMessage(info.message, 200) : undefined;
    if (percent === active.percent && (message === undefined || message === active.message)) return;
    active.percent = percent;
    active.message = message ?? active.message;
    void this.append(
      signal,
      job.id,
      { type: "progress", data: message ? { percent, message } : { percent } },
      { progress: percent, progressMessage: active.message },
    );
  }

  private async generate(
    job: JobRecord,
    input: CreateJobInput,
    signal: AbortSignal,
    active: ActiveJob,
  ) {
    await this.append(
      signal,
      job.id,
      { type: "state", data: { state: "submitting" } },
      {
        state: "submitting",
      },
    );
    const outcome = await this.deps.createGeneration(
      {
        prompt: input.prompt,
        model: input.model,
        protocol: input.protocol,
        seconds: input.protocol === "videos" ? input.seconds : undefined,
        size: input.size,
        image: input.image ? { mime: input.image.mime, bytes: input.image.bytes } : undefined,
      },
      this.callbacks(job, signal, active),
      signal,
    );
    let source: VideoSource;
    if (outcome.protocol === "videos") {
      await this.flush(job.id);
      if ((await this.deps.store.getJob(job.id))?.upstreamId !== outcome.upstreamId) {
        await this.accepted(job, signal, outcome.baseUrl, outcome.upstreamId);
      }
      source = await this.follow(job, outcome.baseUrl, outcome.upstreamId, signal, active);
    } else {
      source = outcome.source;
    }
    await this.finish(job, source, signal, active);
  }

  private follow(
    job: JobRecord,
    baseUrl: string,
    upstreamId: string,
    signal: AbortSignal,
    active: ActiveJob,
  ): Promise<VideoSource> {
    return this.deps.followVideoJob(
      baseUrl,
      upstreamId,
      {
        onProgress: (info) => this.progress(job, signal, active, info),
        onRetry: (info) => this.retry(job, signal, info),
      },
      signal,
    );
  }

  /** Archives the video, then completes the job; a failed archive still completes it (proxied). */
  private async finish(
    job: JobRecord,
    source: VideoSource,
    signal: AbortSignal,
    active: ActiveJob,
  ) {
    const { store } = this.deps;
    if (signal.aborted) throw signal.reason;
    await this.flush(job.id);
    await store.updateJob(job.id, { source });
    let archive: ArchiveResult | undefined;
    try {
      archive = await this.deps.archiveVideo(job.id, source, {
        signal,
        onRetry: (info) => this.retry(job, signal, info),
      });
    } catch (error) {
      // The video exists upstream: a deadline hit while downloading still completes the job.
      if (signal.aborted && active.reason !== "deadline") throw error;
      const appError = active.reason === "deadline" ? new AppError("timeout") : toAppError(error);
      serverLog.warn("archiving failed; the video is served from upstream while its link lives", {
        job: job.id,
        code: appError.code,
        reason: appError.options.upstreamMessage,
        expiresAt: source.expiresAt,
      });
    }
    if (active.reason === "canceled") return;
    const completedAt = new Date().toISOString();
    await this.flush(job.id);
    const result = await store.appendEvent(
      job.id,
      { type: "completed", data: (done: JobRecord) => ({ job: toSnapshot(done) }) },
      {
        state: "completed",
        progress: 100,
        progressMessage: undefined,
        source,
        archived: archive !== undefined,
        archivePath: archive?.archivePath,
        videoBytes: archive?.bytes,
        completedAt,
      },
    );
    active.percent = 100;
    if (result) {
      serverLog.info("job completed", {
        job: job.id,
        archived: archive !== undefined,
        bytes: archive?.bytes,
        attempts: result.job.attempts,
        ms: Date.parse(completedAt) - Date.parse(job.createdAt),
      });
    }
  }

  private async fail(job: JobRecord, error: unknown, active: ActiveJob | undefined) {
    const appError =
      active?.reason === "deadline"
        ? new AppError("timeout", {
            detail: {
              key: "jobDeadline",
              params: { minutes: Math.round(this.deps.config.jobDeadlineMs / 6000) / 10 },
            },
          })
        : toAppError(error);
    if (appError.code === "internal_error") {
      serverLog.error("job crashed", {
        job: job.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    await this.flush(job.id);
    const current = await this.deps.store.getJob(job.id);
    if (!current) return;
    const attempts = Math.max(current.attempts, appError.options.attempts ?? 0);
    const stored = { ...appError.toStored(job.requestId), attempts: attempts || undefined };
    await this.deps.store.appendEvent(
      job.id,
      { type: "failed", data: (failed) => ({ job: toSnapshot(failed) }) },
      { state: "failed", error: stored, attempts, completedAt: new Date().toISOString() },
    );
    serverLog.warn("job failed", {
      job: job.id,
      code: appError.code,
      status: appError.options.status,
      attempts,
      upstreamRequestId: appError.options.upstreamRequestId,
    });
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
      archiveVideo,
    });
  }
  return holder[RUNNER_KEY];
}

const RECOVERED_KEY = Symbol.for("sora-studio.recovered");

/** Called once per server start from instrumentation.ts. */
export async function recoverJobs() {
  const holder = globalThis as { [RECOVERED_KEY]?: boolean };
  if (holder[RECOVERED_KEY]) return;
  holder[RECOVERED_KEY] = true;
  try {
    await getJobRunner().recoverJobs();
  } catch (error) {
    serverLog.error("job recovery failed", {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
}
