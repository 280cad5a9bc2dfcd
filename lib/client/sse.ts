import { EventSourceParserStream, type EventSourceMessage } from "eventsource-parser/stream";
import type { DiagnosticCheck, DiagnosticsReport } from "@/lib/contracts/diagnostics";
import type { ApiError } from "@/lib/contracts/errors";
import type { JobEvent } from "@/lib/contracts/job";
import { loadApiSchemas, type ApiSchemas } from "./api";

/**
 * The one way the browser reads our event streams (job events, diagnostics runs), on the model of
 * vercel/ai's `parseJsonEventStream`: every frame is JSON-parsed and schema-validated, and a frame
 * that fails either is handed on as a `RejectedFrame` (logged by the caller, never applied).
 */

/** A frame that did not pass its schema (logged, never applied). */
export interface RejectedFrame {
  rejected: true;
  frame: EventSourceMessage;
  reason: "json" | "schema";
}

export function isRejectedFrame<T extends object>(item: T | RejectedFrame): item is RejectedFrame {
  return "rejected" in item;
}

/** Parses a frame's JSON and hands it to `validate` (undefined = not a valid event). */
export function jsonFrame<T>(
  frame: EventSourceMessage,
  validate: (event: string, data: unknown, frame: EventSourceMessage) => T | undefined,
): T | RejectedFrame {
  let data: unknown;
  try {
    data = JSON.parse(frame.data);
  } catch {
    return { rejected: true, frame, reason: "json" };
  }
  return (
    validate(frame.event ?? "message", data, frame) ?? { rejected: true, frame, reason: "schema" }
  );
}

export interface ReadEventStreamOptions {
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
 * each frame through `toEvent`; comments such as `: ping` are dropped by the parser after
 * `onActivity` saw their bytes.
 */
export async function* readEventStream<T>(
  body: ReadableStream<Uint8Array>,
  toEvent: (frame: EventSourceMessage) => T,
  options: ReadEventStreamOptions = {},
): AsyncGenerator<T> {
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
      yield toEvent(value);
    }
  } finally {
    options.signal?.removeEventListener("abort", stop);
    reader.releaseLock();
    await frames.cancel().catch(() => undefined);
  }
}

export type ReadJobEvent = JobEvent | RejectedFrame;

/** Validates one SSE frame against the shared job event schemas. */
export function toJobEvent(
  frame: EventSourceMessage,
  parseJobEvent: ApiSchemas["parseJobEvent"],
): ReadJobEvent {
  return jsonFrame(frame, (event, data) => {
    const seq = frame.id !== undefined && /^\d+$/.test(frame.id) ? Number(frame.id) : 0;
    return parseJobEvent(event, seq, data) ?? undefined;
  });
}

/** A job's event stream, validated frame by frame (the schemas load before the first frame). */
export async function* readJobEvents(
  body: ReadableStream<Uint8Array>,
  options: ReadEventStreamOptions = {},
): AsyncGenerator<ReadJobEvent> {
  const { parseJobEvent } = await loadApiSchemas();
  yield* readEventStream(body, (frame) => toJobEvent(frame, parseJobEvent), options);
}

export type DiagnosticsEvent =
  | { type: "check"; data: DiagnosticCheck }
  | { type: "report"; data: DiagnosticsReport }
  | { type: "error"; error: ApiError };

/** Validates one frame of `/api/diagnostics` against the shared schemas. */
function toDiagnosticsEvent(
  frame: EventSourceMessage,
  schemas: ApiSchemas["diagnosticsEventDataSchemas"],
): DiagnosticsEvent | RejectedFrame {
  return jsonFrame<DiagnosticsEvent>(frame, (event, data) => {
    if (event === "check") {
      const parsed = schemas.check.safeParse(data);
      return parsed.success ? { type: "check", data: parsed.data } : undefined;
    }
    if (event === "report") {
      const parsed = schemas.report.safeParse(data);
      return parsed.success ? { type: "report", data: parsed.data } : undefined;
    }
    if (event === "error") {
      const parsed = schemas.error.safeParse(data);
      return parsed.success ? { type: "error", error: parsed.data.error } : undefined;
    }
    return undefined;
  });
}

/** A diagnostics run's event stream, validated frame by frame. */
export async function* readDiagnosticsEvents(
  body: ReadableStream<Uint8Array>,
  options: ReadEventStreamOptions = {},
): AsyncGenerator<DiagnosticsEvent | RejectedFrame> {
  const { diagnosticsEventDataSchemas } = await loadApiSchemas();
  yield* readEventStream(
    body,
    (frame) => toDiagnosticsEvent(frame, diagnosticsEventDataSchemas),
    options,
  );
}
