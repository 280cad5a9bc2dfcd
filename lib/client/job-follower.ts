import type { Job, JobEvent } from "@/lib/contracts/job";
import { loadApiSchemas } from "./api";
import { logJobEvent, logJobNotice } from "./console-log";
import type { JobMemory } from "./job-memory";
import {
  applyJobEvent,
  isFinished,
  trackJob,
  type FollowStatus,
  type TrackedJob,
} from "./tracked-job";

/** Where followed jobs live (the TanStack Query cache in the app, a Map in tests). */
export interface TrackedJobSink {
  get(id: string): TrackedJob | undefined;
  set(id: string, update: (current: TrackedJob | undefined) => TrackedJob | undefined): void;
  /** Called once when a job reaches completed/failed/canceled. */
  onFinished?(tracked: TrackedJob): void;
}

export interface JobFollowerOptions {
  fetch?: typeof fetch;
  /**
   * Browsers open at most 6 HTTP/1.1 connections per origin: beyond this many live streams,
   * further jobs are followed by polling their snapshot so the page never starves itself.
   */
  maxStreams?: number;
  pollIntervalMs?: number;
  /** Reconnect delays after failures: base·2^n capped at max. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Keep following this long after the last subscriber left (avoids churn on re-render). */
  lingerMs?: number;
  /**
   * A stream that sends nothing at all (not even the server's `: ping`, written every 10 s) for this
   * long is taken as half-open (laptop sleep, NAT timeout): it is dropped and resumed.
   */
  silenceTimeoutMs?: number;
  log?: boolean;
}

export const DEFAULT_SILENCE_TIMEOUT_MS = 30_000;

interface Entry {
  refs: number;
  controller: AbortController;
  hasSlot: boolean;
  lingerTimer?: ReturnType<typeof setTimeout>;
}

type StreamOutcome =
  | { kind: "finished" }
  | { kind: "gone" }
  | { kind: "ended"; received: number }
  | { kind: "silent" }
  | { kind: "reconnect"; afterMs: number };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Follows running jobs on `GET /api/videos/:id/events`, one connection per job however many
 * components show it, resuming after the last seen sequence on every reconnect or reload.
 */
export class JobFollower {
  private readonly entries = new Map<string, Entry>();
  /** The highest event applied per job: a resume never goes back, even if the cache entry was rebuilt. */
  private readonly applied = new Map<string, number>();
  private streams = 0;
  private readonly fetch: typeof fetch;
  private readonly maxStreams: number;
  private readonly pollIntervalMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly lingerMs: number;
  private readonly silenceTimeoutMs: number;
  private readonly log: boolean;

  constructor(
    private readonly sink: TrackedJobSink,
    private readonly memory: JobMemory | null,
    options: JobFollowerOptions = {},
  ) {
    this.fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.maxStreams = options.maxStreams ?? 4;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 15_000;
    this.lingerMs = options.lingerMs ?? 1500;
    this.silenceTimeoutMs = options.silenceTimeoutMs ?? DEFAULT_SILENCE_TIMEOUT_MS;
    this.log = options.log ?? true;
  }

  /** Starts (or joins) following a job; call the returned function to leave. */
  follow(id: string): () => void {
    let entry = this.entries.get(id);
    if (entry) {
      clearTimeout(entry.lingerTimer);
      entry.refs += 1;
    } else {
      entry = { refs: 1, controller: new AbortController(), hasSlot: false };
      this.entries.set(id, entry);
      void this.run(id, entry);
    }
    const joined = entry;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      joined.refs -= 1;
      if (joined.refs > 0) return;
      joined.lingerTimer = setTimeout(() => this.stop(id, joined), this.lingerMs);
    };
  }

  isFollowing(id: string): boolean {
    return this.entries.has(id);
  }

  /** Stops everything (tests, page teardown). */
  close(): void {
    for (const [id, entry] of this.entries) this.stop(id, entry);
  }

  private stop(id: string, entry: Entry): void {
    clearTimeout(entry.lingerTimer);
    entry.controller.abort();
    if (this.entries.get(id) === entry) this.entries.delete(id);
  }

  private takeSlot(entry: Entry): boolean {
    if (entry.hasSlot) return true;
    if (this.streams >= this.maxStreams) return false;
    this.streams += 1;
    entry.hasSlot = true;
    return true;
  }

  private releaseSlot(entry: Entry): void {
    if (!entry.hasSlot) return;
    entry.hasSlot = false;
    this.streams -= 1;
  }

  private async run(id: string, entry: Entry): Promise<void> {
    const { signal } = entry.controller;
    let failures = 0;
    try {
      while (!signal.aborted) {
        const current = this.sink.get(id);
        if (current && isFinished(current)) return;
        if (!this.takeSlot(entry)) {
          this.setFollow(id, "polling");
          if ((await this.poll(id, signal)) === "gone") return;
          await sleep(this.pollIntervalMs, signal);
          continue;
        }
        try {
          const outcome = await this.stream(id, signal);
          if (outcome.kind === "finished") return;
          if (outcome.kind === "gone") {
            this.markGone(id);
            return;
          }
          if (outcome.kind === "reconnect") {
            failures = 0;
            await sleep(Math.max(0, outcome.afterMs), signal);
            continue;
          }
          if (outcome.kind === "silent") {
            // A silent stream already cost the whole timeout: resume at once, without backoff.
            failures = 0;
            this.setFollow(id, "reconnecting");
            continue;
          }
          // The server closed the stream without a terminal event (platform limit, restart).
          if (outcome.received > 0) failures = 0;
          else failures += 1;
        } catch (error) {
          if (signal.aborted) return;
          failures += 1;
          this.notice(
            id,
            "stream interrupted, reconnecting",
            { error: String(error), failures },
            "warn",
          );
        }
        if (failures > 0) {
          this.setFollow(id, "reconnecting");
          if ((await this.poll(id, signal)) === "gone") return;
          const delay = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (failures - 1));
          await sleep(delay, signal);
        }
      }
    } finally {
      this.releaseSlot(entry);
      if (this.entries.get(id) === entry && !signal.aborted) this.entries.delete(id);
      this.setFollow(id, this.sink.get(id)?.follow === "gone" ? "gone" : "idle");
    }
  }

  private async stream(id: string, signal: AbortSignal): Promise<StreamOutcome> {
    // Each attempt has its own controller: the watchdog ends this connection, not the following.
    const attempt = new AbortController();
    const follow = () => attempt.abort(signal.reason);
    signal.addEventListener("abort", follow, { once: true });
    let silent = false;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        silent = true;
        attempt.abort(new Error("event stream silent"));
      }, this.silenceTimeoutMs);
    };
    const quiet = (): StreamOutcome => {
      this.notice(
        id,
        `no data for ${Math.round(this.silenceTimeoutMs / 1000)} s, reconnecting`,
        undefined,
        "warn",
      );
      return { kind: "silent" };
    };
    arm();
    try {
      const after = Math.max(this.sink.get(id)?.lastSeq ?? 0, this.applied.get(id) ?? 0);
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      if (after > 0) headers["Last-Event-ID"] = String(after);
      const query = after > 0 ? `?after=${after}` : "";
      const response = await this.fetch(`/api/videos/${encodeURIComponent(id)}/events${query}`, {
        headers,
        signal: attempt.signal,
        cache: "no-store",
      });
      if (response.status === 404) return { kind: "gone" };
      if (!response.ok || !response.body)
        throw new Error(`events stream answered HTTP ${response.status}`);
      if (after > 0) this.notice(id, `resuming after event #${after}`);
      this.setFollow(id, "live");
      let received = 0;
      // The stream reader (with its parser and the schemas) loads with the first stream.
      const { isRejectedFrame, readJobEvents } = await import("./sse");
      const events = readJobEvents(response.body, { onActivity: arm, signal: attempt.signal });
      for await (const item of events) {
        if (isRejectedFrame(item)) {
          this.notice(
            id,
            `ignored an invalid "${item.frame.event ?? "message"}" event`,
            { ...item },
            "warn",
          );
          continue;
        }
        received += 1;
        if (this.log) logJobEvent(id, item);
        this.apply(id, item);
        if (item.type === "reconnect") return { kind: "reconnect", afterMs: item.data.afterMs };
        const tracked = this.sink.get(id);
        if (tracked && isFinished(tracked)) return { kind: "finished" };
      }
      if (silent && !signal.aborted) return quiet();
      return { kind: "ended", received };
    } catch (error) {
      if (silent && !signal.aborted) return quiet();
      throw error;
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener("abort", follow);
    }
  }

  /** Snapshot fallback while no stream slot is free, or between reconnect attempts. */
  private async poll(id: string, signal: AbortSignal): Promise<"ok" | "gone" | "error"> {
    try {
      const response = await this.fetch(`/api/videos/${encodeURIComponent(id)}`, {
        headers: { Accept: "application/json" },
        signal,
        cache: "no-store",
      });
      if (response.status === 404) {
        this.markGone(id);
        return "gone";
      }
      if (!response.ok) return "error";
      const [{ jobSchema }, body] = await Promise.all([loadApiSchemas(), response.json()]);
      const parsed = jobSchema.safeParse(body);
      if (!parsed.success) return "error";
      this.applySnapshot(id, parsed.data);
      return "ok";
    } catch {
      return "error";
    }
  }

  private apply(id: string, event: JobEvent): void {
    let finishedNow: TrackedJob | undefined;
    this.sink.set(id, (current) => {
      const base = current ?? (event.type === "job" ? trackJob(event.data) : undefined);
      if (!base) return current;
      const next = applyJobEvent(base, event);
      if (!isFinished(base) && isFinished(next)) finishedNow = next;
      return next;
    });
    if (event.seq > 0) this.applied.set(id, Math.max(this.applied.get(id) ?? 0, event.seq));
    const tracked = this.sink.get(id);
    if (tracked) this.memory?.remember(id, { lastSeq: tracked.lastSeq, notes: tracked.notes });
    if (finishedNow) this.sink.onFinished?.(finishedNow);
  }

  private applySnapshot(id: string, job: Job): void {
    let finishedNow: TrackedJob | undefined;
    this.sink.set(id, (current) => {
      const base = current ?? trackJob(job);
      const next = { ...base, job };
      if (!isFinished(base) && isFinished(next)) finishedNow = next;
      return next;
    });
    if (finishedNow) this.sink.onFinished?.(finishedNow);
  }

  private markGone(id: string): void {
    this.memory?.forget(id);
    this.setFollow(id, "gone");
    this.notice(id, "job no longer exists on the server (deleted?)", undefined, "warn");
  }

  private setFollow(id: string, follow: FollowStatus): void {
    this.sink.set(id, (current) =>
      current && current.follow !== follow && current.follow !== "gone"
        ? { ...current, follow }
        : current,
    );
  }

  private notice(
    id: string,
    title: string,
    details?: Record<string, unknown>,
    level: "info" | "warn" = "info",
  ): void {
    if (this.log) logJobNotice(id, title, details, level);
  }
}
