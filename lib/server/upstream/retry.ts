import "server-only";
import type { UpstreamConfig } from "./deps";

/** Server-sent waits are honoured up to this long (OpenAI SDK rule). */
export const MAX_SERVER_DELAY_MS = 60_000;

/**
 * `retry-after-ms` (milliseconds) first, then `Retry-After` (seconds or an HTTP date); capped at 60 s.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(
  headers: Headers | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0)
      return Math.min(Math.round(value), MAX_SERVER_DELAY_MS);
  }
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) {
    return seconds >= 0 ? Math.min(Math.round(seconds * 1000), MAX_SERVER_DELAY_MS) : undefined;
  }
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_SERVER_DELAY_MS);
}

/** Retry n (1-based) waits n × base + random(0..jitter), unless the server said how long. */
export function retryDelayMs(
  retry: number,
  config: Pick<UpstreamConfig, "retryBaseDelayMs" | "retryJitterMs">,
  random: () => number,
  serverDelayMs?: number,
): number {
  if (serverDelayMs !== undefined) return serverDelayMs;
  return retry * config.retryBaseDelayMs + Math.floor(random() * (config.retryJitterMs + 1));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Even with a zero base delay, weather retries never spin faster than this. */
const MIN_WEATHER_DELAY_MS = 50;

/**
 * Backoff for trouble after acceptance ("weather"): base × 2^(n-1), capped at `retryMaxDelayMs`,
 * plus jitter; a server-sent wait (Retry-After) wins.
 */
export function weatherDelayMs(
  retry: number,
  config: Pick<UpstreamConfig, "retryBaseDelayMs" | "retryJitterMs" | "retryMaxDelayMs">,
  random: () => number,
  serverDelayMs?: number,
): number {
  if (serverDelayMs !== undefined) return Math.max(serverDelayMs, MIN_WEATHER_DELAY_MS);
  const exponential = config.retryBaseDelayMs * 2 ** Math.min(Math.max(retry - 1, 0), 20);
  const capped = Math.max(Math.min(exponential, config.retryMaxDelayMs), MIN_WEATHER_DELAY_MS);
  return capped + Math.floor(random() * (config.retryJitterMs + 1));
}
