import { EventSourceParserStream, type EventSourceMessage } from "eventsource-parser/stream";
import { parseJobEvent, type JobEvent } from "@/lib/contracts/job";

/** A frame that did not pass the shared schema (logged, never applied). */
export interface RejectedFrame {
  rejected: true;
  frame: EventSourceMessage;
  reason: "json" | "schema";
}

export type ReadJobEvent = JobEvent | RejectedFrame;

export function isRejectedFrame(item: ReadJobEvent): item is RejectedFrame {
  return "rejected" in item;
}

/** Validates one SSE frame against the shared job event schemas. */
export function toJobEvent(frame: EventSourceMessage): ReadJobEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(frame.data);
  } catch {
    return { rejected: true, frame, reason: "json" };
  }
  const seq = frame.id !== undefined && /^\d+$/.test(frame.id) ? Number(frame.id) : 0;
  const event = parseJobEvent(frame.event ?? "message", seq, raw);
  return event ?? { rejected: true, frame, reason: "schema" };
}

export interface ReadJobEventsOptions {
  /**
   * Called for every chunk of bytes, before parsing: `: ping` comments count too, so a follower can
   * tell a quiet but healthy stream from a half-open one.
   */
  onActivity?: () => void;
  /** Stops reading (the generator then ends) even when the body itself ignores the abort. */
  signal?: AbortSignal;
}

/**
 * Reads a `text/event-stream` body (from `fetch`, so that `Last-Event-ID` can be sent) and yields
 * validated job events; comments such as `: ping` are dropped by the parser after `onActivity` saw
 * their bytes.
 */
export async function* readJobEvents(
  body: ReadableStream<Uint8Array>,
  options: ReadJobEventsOptions = {},
): AsyncGenerator<ReadJobEvent> {
  const { onActivity } = options;
  const source = onActivity
    ? body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            onActivity();
            controller.enqueue(chunk);
          },
        }),
      )
    : body;
  const frames = source
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream());
  const reader = frames.getReader();
  const stop = () => void reader.cancel(options.signal?.reason).catch(() => undefined);
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield toJobEvent(value);
    }
  } finally {
    options.signal?.removeEventListener("abort", stop);
    reader.releaseLock();
    await frames.cancel().catch(() => undefined);
  }
}
