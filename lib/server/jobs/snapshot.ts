import "server-only";
import type { Job, JobEventData, JobEventType } from "@/lib/contracts/job";
import type { Locale } from "@/lib/i18n/config";
import { renderError } from "../errors";
import type { JobRecord, JobSnapshot, StoredJobEvent } from "./types";

export const VIDEO_CONTENT_TYPE = "video/mp4";

export function contentUrl(jobId: string): string {
  return `/api/videos/${jobId}/content`;
}

/** The public fields of a job, with its error still language-neutral. */
export function toSnapshot(job: JobRecord): JobSnapshot {
  return {
    id: job.id,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    state: job.state,
    prompt: job.prompt,
    model: job.model,
    protocol: job.protocol,
    seconds: job.seconds,
    size: job.size,
    hasImage: job.hasImage,
    progress: job.progress,
    progressMessage: job.progressMessage,
    upstreamHost: job.upstreamHost,
    upstreamId: job.upstreamId,
    retryOf: job.retryOf,
    remixOf: job.remixOf,
    attempts: job.attempts,
    mayBeBilled: Boolean(job.upstreamId) || job.mayBeBilled,
    lastSeq: job.lastSeq,
    cancellation: job.cancellation,
    cost: job.cost,
    video:
      job.state === "completed"
        ? {
            url: contentUrl(job.id),
            contentType: VIDEO_CONTENT_TYPE,
            bytes: job.videoBytes,
            archived: job.archived,
            // Only an upstream link expires; the archive does not.
            expiresAt: job.archived ? undefined : job.source?.expiresAt,
          }
        : undefined,
    error: job.error,
    completedAt: job.completedAt,
  };
}

export function renderSnapshot(snapshot: JobSnapshot, locale: Locale): Job {
  const { error, ...rest } = snapshot;
  return error ? { ...rest, error: renderError(error, locale) } : rest;
}

export function renderJob(job: JobRecord, locale: Locale): Job {
  return renderSnapshot(toSnapshot(job), locale);
}

/** An event's wire payload in the reader's language. */
export function renderEventData(event: StoredJobEvent, locale: Locale): JobEventData[JobEventType] {
  switch (event.type) {
    case "job":
      return renderSnapshot(event.data, locale);
    case "completed":
    case "failed":
      return { job: renderSnapshot(event.data.job, locale) };
    case "retry": {
      const { error, ...rest } = event.data;
      const rendered = renderError(error, locale);
      return {
        ...rest,
        error: { code: rendered.code, status: rendered.status, message: rendered.message },
      };
    }
    default:
      return event.data;
  }
}

export function isTerminalEvent(event: StoredJobEvent): boolean {
  if (event.type === "completed" || event.type === "failed") return true;
  return event.type === "state" && event.data.state === "canceled";
}
