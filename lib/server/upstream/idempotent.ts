import "server-only";
import { sora2Log } from "../log";
import { isIdempotentRetryable, UpstreamError } from "./classify";
import type { UpstreamDeps } from "./deps";
import { isCallerAbort } from "./request";
import { retryDelayMs, sleep } from "./retry";
import type { RetryInfo, UpstreamOperation } from "./types";

/**
 * Runs an idempotent upstream GET (poll, download) with `maxRetries` retries for network errors,
 * timeouts, 408/409/425/429 and 5xx. Each retry is reported before its wait.
 */
export async function withIdempotentRetry<T>(
  operation: UpstreamOperation,
  run: (attempt: number) => Promise<T>,
  options: { deps: UpstreamDeps; signal: AbortSignal; onRetry?: (info: RetryInfo) => void },
): Promise<T> {
  const { deps, signal } = options;
  const { maxRetries } = deps.config;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (isCallerAbort(signal, error)) throw signal.reason;
      if (!(error instanceof UpstreamError)) throw error;
      if (attempt > maxRetries || !isIdempotentRetryable(error)) {
        error.options.attempts = attempt;
        throw error;
      }
      const delayMs = retryDelayMs(attempt, deps.config, deps.random, error.retryAfterMs);
      options.onRetry?.({ attempt, maxRetries, delayMs, error });
      sora2Log.warn("retry", {
        operation,
        attempt,
        maxRetries,
        status: error.options.status,
        upstreamRequestId: error.options.upstreamRequestId,
        delayMs,
        code: error.code,
      });
      await sleep(delayMs, signal);
    }
  }
}
