import "server-only";
import { serverLog } from "./log";
import { scrubDeep } from "./redact";

export const SSE_HEADERS: Record<string, string> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
  Connection: "keep-alive",
};

/** Below the 15 s that the HTML spec suggests for proxies, with margin for a busy event loop. */
export const SSE_HEARTBEAT_MS = 10_000;

export interface SseFrame {
  /** Omitted: the reader's Last-Event-ID stays where it was. */
  id?: number | string;
  event?: string;
  data: unknown;
}

/** `id: 3\nevent: progress\ndata: {...}\n\n`; JSON never contains a raw newline, so one data line. */
export function formatSseFrame(frame: SseFrame): string {
  let text = "";
  if (frame.id !== undefined) text += `id: ${frame.id}\n`;
  if (frame.event) text += `event: ${frame.event}\n`;
  // Scrubbed before serialising: masking the JSON text could land next to a `\n` escape.
  text += `data: ${JSON.stringify(scrubDeep(frame.data))}\n\n`;
  return text;
}

export interface SseChannel {
  /** False once the stream has ended (the frame was dropped). */
  send(frame: SseFrame): boolean;
  comment(text: string): void;
  /** Ends the stream normally (after a terminal event). */
  close(): void;
  /** Aborted when the stream ends for any reason: closed, client gone, or cancelled. */
  readonly signal: AbortSignal;
}

export interface SseOptions {
  /** The request's signal: a closed connection ends the stream at once. */
  signal?: AbortSignal;
  heartbeatMs?: number;
  status?: number;
  headers?: Record<string, string>;
  /** Runs once the stream is open; register clean-up on `channel.signal`. */
  start(channel: SseChannel): void | Promise<void>;
}

/**
 * A `text/event-stream` Response built on a ReadableStream, with a `: ping` heartbeat. Both the
 * request's signal and the stream's cancel() end it, because some server paths only report one.
 */
export function sseResponse(options: SseOptions): Response {
  const encoder = new TextEncoder();
  const ended = new AbortController();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const finish = (closeStream: boolean) => {
    if (ended.signal.aborted) return;
    clearInterval(heartbeat);
    options.signal?.removeEventListener("abort", onClientGone);
    ended.abort();
    if (closeStream) {
      try {
        controller?.close();
      } catch {
        // Already closed or errored by the runtime.
      }
    }
  };
  const onClientGone = () => finish(true);

  const write = (text: string): boolean => {
    if (ended.signal.aborted || !controller) return false;
    try {
      controller.enqueue(encoder.encode(text));
      return true;
    } catch {
      finish(false);
      return false;
    }
  };

  const channel: SseChannel = {
    send: (frame) => write(formatSseFrame(frame)),
    comment: (text) => void write(`: ${text.replace(/[\r\n]+/g, " ")}\n\n`),
    close: () => finish(true),
    signal: ended.signal,
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (options.signal?.aborted) {
        finish(true);
        return;
      }
      options.signal?.addEventListener("abort", onClientGone, { once: true });
      heartbeat = setInterval(
        () => channel.comment("ping"),
        options.heartbeatMs ?? SSE_HEARTBEAT_MS,
      );
      Promise.resolve()
        .then(() => options.start(channel))
        .catch((error: unknown) => {
          serverLog.error("event stream failed", {
            error: error instanceof Error ? error.message : String(error),
          });
          finish(true);
        });
    },
    cancel() {
      finish(false);
    },
  });

  return new Response(body, {
    status: options.status ?? 200,
    headers: { ...SSE_HEADERS, ...options.headers },
  });
}
