import type { ErrorCode } from "@/lib/contracts/errors";
import { isTerminalState } from "@/lib/contracts/job-state";
import type { Job, JobEvent } from "@/lib/contracts/job";

/** The DOM id of a job's card: the form moves the focus there after a submit. */
export function jobCardId(jobId: string): string {
  return `job-${jobId}`;
}

/** Retries and failovers stay visible on the card after they happened (and after a reload). */
export type JobNote =
  | {
      seq: number;
      kind: "retry";
      attempt: number;
      maxRetries: number;
      delayMs: number;
      code: ErrorCode;
      status?: number;
      message: string;
    }
  | { seq: number; kind: "failover"; fromHost: string; toHost: string };

/** How the browser is following a job right now. */
export type FollowStatus = "idle" | "live" | "reconnecting" | "polling" | "gone";

/** A job as the page knows it: the server's snapshot plus what the event stream told us. */
export interface TrackedJob {
  job: Job;
  /** Last event sequence applied; resume asks for events after it. */
  lastSeq: number;
  notes: JobNote[];
  follow: FollowStatus;
}

export const MAX_NOTES = 12;

export function trackJob(job: Job, remembered?: { lastSeq: number; notes: JobNote[] }): TrackedJob {
  return {
    job,
    lastSeq: remembered?.lastSeq ?? 0,
    notes: remembered?.notes ?? [],
    follow: "idle",
  };
}

export function isFinished(tracked: TrackedJob): boolean {
  return isTerminalState(tracked.job.state);
}

function addNote(notes: JobNote[], note: JobNote): JobNote[] {
  if (notes.some((n) => n.seq === note.seq && n.kind === note.kind)) return notes;
  return [...notes, note].sort((a, b) => a.seq - b.seq).slice(-MAX_NOTES);
}

/**
 * Applies one validated SSE event. Replayed events (seq already seen) are ignored, except the `job`
 * snapshot the server sends first on every connection: it is the truth at that moment.
 */
export function applyJobEvent(tracked: TrackedJob, event: JobEvent): TrackedJob {
  if (event.type !== "job" && event.seq > 0 && event.seq <= tracked.lastSeq) return tracked;
  const lastSeq = Math.max(tracked.lastSeq, event.seq);
  const job = tracked.job;
  // On resume the current snapshot comes first and older events follow: a finished job stays finished.
  const settled = isTerminalState(job.state);
  switch (event.type) {
    case "job":
      return { ...tracked, job: event.data, lastSeq };
    case "state":
      if (settled) return { ...tracked, lastSeq };
      return { ...tracked, job: { ...job, state: event.data.state }, lastSeq };
    case "progress":
      if (settled) return { ...tracked, lastSeq };
      return {
        ...tracked,
        job: {
          ...job,
          // Progress never moves backwards on screen, even if a relay reports it that way.
          progress: Math.max(job.progress, event.data.percent),
          progressMessage: event.data.message ?? job.progressMessage,
        },
        lastSeq,
      };
    case "retry":
      return {
        ...tracked,
        lastSeq,
        notes: addNote(tracked.notes, {
          seq: event.seq,
          kind: "retry",
          attempt: event.data.attempt,
          maxRetries: event.data.maxRetries,
          delayMs: event.data.delayMs,
          code: event.data.error.code,
          status: event.data.error.status,
          message: event.data.error.message,
        }),
      };
    case "failover":
      return {
        ...tracked,
        lastSeq,
        notes: addNote(tracked.notes, { seq: event.seq, kind: "failover", ...event.data }),
      };
    case "completed":
    case "failed":
      return { ...tracked, job: event.data.job, lastSeq };
    case "reconnect":
      return { ...tracked, lastSeq };
  }
}
