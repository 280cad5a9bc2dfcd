import "server-only";
import { sora2Log } from "../log";
import { isIdempotentRetryable, UpstreamError } from "./classify";
import type { UpstreamDeps } from "./deps";
import { isCallerAbort } from "./request";
import { retryDelayMs, sleep, weatherDelayMs } from "./retry";
import type { RetryInfo, UpstreamOperation } from "./types";

export interface IdempotentRetryOptions {
  deps: UpstreamDeps;
  signal: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  /**
   * Trouble after acceptance is weather, not a verdict: retry without a count limit (until the
   * caller's signal — the job's deadline — aborts), with capped exponential backoff.
   */
  untilAborted?: boolean;
  /** Also retry errors this says are transient (e.g. a 404 before the job was ever seen). */
  alsoRetry?: (error: UpstreamError) => boolean;
}

/**
 * Runs an idempotent upstream GET (poll, download) with `maxRetries` retries (or, `untilAborted`,
 * as many as the signal allows) for network errors, timeouts, 408/409/425/429 and 5xx. Each retry
 * is reported before its wait.
 */
export async function withIdempotentRetry<T>(
  operation: UpstreamOperation,
  run: (attempt: number) => Promise<T>,
  options: IdempotentRetryOptions,
): Promise<T> {
  const { deps, signal, untilAborted } = options;
  const { maxRetries } = deps.config;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (isCallerAbort(signal, error)) throw signal.reason;
      if (!(error instanceof UpstreamError)) throw error;
      const retryable = isIdempotentRetryable(error) || options.alsoRetry?.(error) === true;
      if ((!untilAborted && attempt > maxRetries) || !retryable) {
        error.options.attempts = attempt;
        throw error;
      }
      const delayMs = untilAborted
        ? weatherDelayMs(attempt, deps.config, deps.random, error.retryAfterMs)
        : retryDelayMs(attempt, deps.config, deps.random, error.retryAfterMs);
      options.onRetry?.({ attempt, maxRetries, delayMs, error });
      sora2Log.warn("retry", {
        operation,
        attempt,
        maxRetries: untilAborted ? "until deadline" : maxRetries,
        status: error.options.status,
        upstreamRequestId: error.options.upstreamRequestId,
        delayMs,
        code: error.code,
      });
      await sleep(delayMs, signal);
    }
  }
}
