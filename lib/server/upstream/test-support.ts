import "server-only";
import { parseConfig } from "../config";
import { AppError } from "../errors";
import type { UpstreamConfig, UpstreamDeps } from "./deps";
import type { Lookup } from "./destination";
import type { GenerationCallbacks, RetryInfo } from "./types";

/** Test-only helpers for the upstream unit tests (fake fetch, recorded callbacks, small delays). */

export const TEST_KEY = "sk-test-fake-key-123456";

export function testConfig(env: Record<string, string> = {}): UpstreamConfig {
  return parseConfig({
    SORA_API_KEY: TEST_KEY,
    SORA_BASE_URL: "https://primary.example",
    SORA_RETRY_BASE_DELAY_MS: "20",
    SORA_RETRY_JITTER_MS: "10",
    SORA_MAX_RETRIES: "2",
    SORA_REQUEST_TIMEOUT_MS: "300",
    SORA_STREAM_IDLE_TIMEOUT_MS: "300",
    SORA_POLL_INTERVAL_MS: "10",
    ...env,
  });
}

export interface SeenRequest {
  url: string;
  method: string;
  headers: Headers;
  body?: BodyInit | null;
}

export type FakeAnswer =
  | Response
  | Error
  | "hang"
  | ((request: SeenRequest, signal: AbortSignal) => Response | Promise<Response>);

/** A fetch that answers from a script (one entry per call; the last one repeats). */
export function fakeFetch(script: FakeAnswer[] | ((request: SeenRequest) => FakeAnswer)) {
  const seen: SeenRequest[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const request: SeenRequest = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: init?.body,
    };
    seen.push(request);
    const signal = init?.signal ?? new AbortController().signal;
    const answer =
      typeof script === "function"
        ? script(request)
        : (script[Math.min(seen.length - 1, script.length - 1)] as FakeAnswer);
    if (signal.aborted) throw signal.reason;
    if (answer === "hang") {
      return new Promise<Response>((_, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    if (answer instanceof Error) throw answer;
    if (typeof answer === "function") return answer(request, signal);
    return answer.clone();
  };
  return { fetch: fetchImpl, seen };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function fetchFailed(code: string): Error {
  return Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error(`${code} (fake)`), { code }),
  });
}

/** A body that sends `chunks`, then ends (`end`), errors like a reset (`reset`) or goes silent (`stall`). */
export function streamBody(
  chunks: string[],
  after: "end" | "reset" | "stall",
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk !== undefined) {
        controller.enqueue(encoder.encode(chunk));
        return;
      }
      if (after === "end") controller.close();
      else if (after === "reset") controller.error(fetchFailed("UND_ERR_SOCKET"));
      else {
        return new Promise<void>((_, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      }
    },
  });
}

/** The AppError `promise` rejects with; anything else (or no failure at all) fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (AppError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

export function recordingCallbacks() {
  const events = {
    attempts: [] as { attempt: number; host: string }[],
    retries: [] as RetryInfo[],
    failovers: [] as { fromHost: string; toHost: string }[],
    accepted: [] as { baseUrl: string; upstreamId?: string }[],
    progress: [] as { percent: number; message?: string }[],
  };
  const cb: GenerationCallbacks = {
    onAttempt: (info) => events.attempts.push(info),
    onRetry: (info) => events.retries.push(info),
    onFailover: (info) => events.failovers.push(info),
    onAccepted: (info) => events.accepted.push(info),
    onProgress: (info) => events.progress.push(info),
  };
  return { cb, events };
}

/** A public address (documentation hosts must resolve somewhere the destination check accepts). */
export const PUBLIC_TEST_ADDRESS = "93.184.215.14";

/** Fake DNS: `table` first, every other name a public address. */
export function fakeLookup(table: Record<string, string> = {}): Lookup {
  return async (hostname) => {
    const address = table[hostname] ?? PUBLIC_TEST_ADDRESS;
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  };
}

export function depsWith(
  fetchImpl: typeof fetch,
  env: Record<string, string> = {},
  dns: Record<string, string> = {},
): Partial<UpstreamDeps> {
  return {
    config: testConfig(env),
    fetch: fetchImpl,
    lookup: fakeLookup(dns),
    random: Math.random,
  };
}

const STATE_KEY = Symbol.for("sora-studio.upstream.state");

/** Forgets the process-wide current base URL and call records. */
export function resetUpstreamState(): void {
  delete (globalThis as Record<symbol, unknown>)[STATE_KEY];
}
