import "server-only";
import type { Locale } from "@/lib/i18n/config";
import { getConfig } from "../config";
import { badRequest } from "../errors";
import { sseResponse, type SseChannel } from "../sse";
import { isTerminalEvent, renderEventData, renderJob } from "./snapshot";
import { getJobStore } from "./store";
import type { JobRecord, JobStore, StoredJobEvent } from "./types";

const SEQ_PATTERN = /^\d{1,9}$/;

/**
 * The resume point of `GET /api/videos/:id/events`: the `Last-Event-ID` header wins over `?after=`.
 * Anything but a plain non-negative integer is a 400 (a reader that sends garbage would otherwise
 * silently miss or repeat events).
 */
export function parseResumePoint(request: Request): number {
  const header = request.headers.get("last-event-id");
  const query = new URL(request.url).searchParams.get("after");
  const field = header !== null ? "Last-Event-ID" : "after";
  const value = (header ?? query ?? "0").trim();
  if (value === "") return 0;
  if (!SEQ_PATTERN.test(value)) throw badRequest("invalidField", { field });
  return Number(value);
}

export interface JobEventStreamOptions {
  locale: Locale;
  /** Last seq the reader has; 0 = from the start. */
  after: number;
  signal: AbortSignal;
  store?: JobStore;
  /** Called once the stream is subscribed (the reconciler advances a stale job on demand). */
  onOpen?: (jobId: string) => void;
}

/**
 * A view of a job's event log: replay after `after`, then the live tail until a terminal event.
 * The first frame is always `job`: from the start that is the log's own `job` event (seq 1); on
 * resume it is the current snapshot sent WITHOUT an `id:` line, so Last-Event-ID stays on the
 * reader's last seq and the replay that follows has neither gaps nor duplicates. The snapshot's
 * `lastSeq` says which events it already reflects.
 */
export function jobEventStream(job: JobRecord, options: JobEventStreamOptions): Response {
  const store = options.store ?? getJobStore();
  const { locale } = options;
  const reconnectMs = getConfig().sseReconnectMs;
  return sseResponse({
    signal: options.signal,
    async start(channel: SseChannel) {
      let lastSent = options.after;
      let replaying = true;
      const pending: StoredJobEvent[] = [];

      const send = (event: StoredJobEvent) => {
        if (event.seq <= lastSent || channel.signal.aborted) return;
        lastSent = event.seq;
        channel.send({ id: event.seq, event: event.type, data: renderEventData(event, locale) });
        if (isTerminalEvent(event)) channel.close();
      };

      // Subscribe before reading the log, so nothing appended in between is missed.
      const unsubscribe = store.subscribe(job.id, (event) => {
        if (replaying) pending.push(event);
        else send(event);
      });
      channel.signal.addEventListener("abort", unsubscribe, { once: true });
      options.onOpen?.(job.id);

      const current = (await store.getJob(job.id)) ?? job;
      // A seq beyond the log (another server's, or a stale store) resumes from the current end.
      lastSent = Math.min(lastSent, current.lastSeq);
      if (lastSent > 0) channel.send({ event: "job", data: renderJob(current, locale) });
      for (const event of await store.eventsAfter(job.id, lastSent)) send(event);
      replaying = false;
      for (const event of pending.splice(0)) send(event);

      const latest = await store.getJob(job.id);
      const finished =
        !latest ||
        (latest.state !== "queued" && latest.state !== "submitting" && latest.state !== "running");
      if (finished && lastSent >= (latest?.lastSeq ?? 0)) {
        channel.close();
        return;
      }
      if (reconnectMs !== undefined) {
        const timer = setTimeout(() => {
          channel.send({ event: "reconnect", data: { afterMs: 0 } });
          channel.close();
        }, reconnectMs);
        channel.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
      }
    },
  });
}
