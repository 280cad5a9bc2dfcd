import "server-only";
import { limiterKey } from "./client-address";
import { getConfig } from "./config";
import { AppError } from "./errors";

const SLOTS_KEY = Symbol.for("sora-studio.stream-slots");
type Slots = { total: number; byClient: Map<string, number> };
type SlotsHolder = { [SLOTS_KEY]?: Slots };

function slots(): Slots {
  const holder = globalThis as SlotsHolder;
  holder[SLOTS_KEY] ??= { total: 0, byClient: new Map() };
  return holder[SLOTS_KEY];
}

/**
 * Takes one open-event-stream slot for a client, or throws 429: each stream holds a connection
 * and a timer for minutes, so one client (and all together) may hold only so many. The returned
 * release is idempotent.
 */
export function claimStreamSlot(address: string): () => void {
  const { maxStreamsPerClient, maxStreams } = getConfig();
  const state = slots();
  const key = limiterKey(address);
  const held = state.byClient.get(key) ?? 0;
  if (held >= maxStreamsPerClient || state.total >= maxStreams) {
    const limit = held >= maxStreamsPerClient ? maxStreamsPerClient : maxStreams;
    throw new AppError("rate_limited", {
      detail: { key: "streamLimit", params: { limit } },
      httpStatus: 429,
      headers: { "Retry-After": "5" },
    });
  }
  state.byClient.set(key, held + 1);
  state.total += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    state.total -= 1;
    const left = (state.byClient.get(key) ?? 1) - 1;
    if (left > 0) state.byClient.set(key, left);
    else state.byClient.delete(key);
  };
}

/** The same response, releasing `release` once its body has ended, failed or been cancelled. */
export function releaseWhenDone(
  response: Response,
  release: () => void,
  signal: AbortSignal,
): Response {
  if (!response.body) {
    release();
    return response;
  }
  signal.addEventListener("abort", release, { once: true });
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
