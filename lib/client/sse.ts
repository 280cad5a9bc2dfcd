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

/**
 * Reads a `text/event-stream` body (from `fetch`, so that `Last-Event-ID` can be sent) and yields
 * validated job events; comments such as `: ping` are dropped by the parser.
 */
export async function* readJobEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ReadJobEvent> {
  const frames = body
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream());
  const reader = frames.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield toJobEvent(value);
    }
  } finally {
    reader.releaseLock();
    await frames.cancel().catch(() => undefined);
  }
}
