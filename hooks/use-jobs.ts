"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";
import { useState } from "react";
import type { CreateVideoRequest } from "@/lib/contracts/create-video";
import type { Job, JobListFilter } from "@/lib/contracts/job";
import {
  ApiRequestError,
  cancelJob,
  createJob,
  deleteJob,
  fetchJobs,
  recheckJob,
  restoreJob,
} from "@/lib/client/api";
import { logJobNotice, logRequestError } from "@/lib/client/console-log";
import { jobMemory } from "@/lib/client/job-memory";
import {
  historyKey,
  jobKey,
  jobsKey,
  removeHistoryJob,
  seedTrackedJob,
  upsertHistoryJob,
} from "@/lib/client/query-cache";
import { rememberSessionImage } from "@/lib/client/session-images";
import { SubmitKeys } from "@/lib/client/submit-keys";
import { trackJob, type TrackedJob } from "@/lib/client/tracked-job";

export const HISTORY_PAGE_SIZE = 12;

/** `GET /api/videos`, newest first, page by page, narrowed on the server by `filter`. */
export function useJobHistory(filter: JobListFilter = {}) {
  return useInfiniteQuery({
    queryKey: historyKey(filter),
    queryFn: ({ pageParam }) => fetchJobs(pageParam, HISTORY_PAGE_SIZE, filter),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 10_000,
    // While a new filter loads, the previous list stays instead of a skeleton flash.
    placeholderData: keepPreviousData,
  });
}

export interface CreateJobVariables extends CreateVideoRequest {
  /** Replace this job in the "current" panel (the Retry button of a failed card). */
  replaces?: string;
  /** What was uploaded, for the console log. */
  imageInfo?: { width: number; height: number; bytes: number; mime: string };
  /** Which of several variations of one prompt (0-based): each is its own job with its own key. */
  variation?: number;
}

/**
 * `POST /api/videos` (202 + job); the job is then shown at once and followed on its stream. Each
 * submit carries a fresh `Idempotency-Key`; when no answer came back at all, sending the very same
 * request again reuses that key, so a lost reply never turns into a second paid job.
 */
export function useCreateJob() {
  const queryClient = useQueryClient();
  const [keys] = useState(() => new SubmitKeys());
  return useMutation({
    mutationFn: (variables: CreateJobVariables) => {
      const request = {
        prompt: variables.prompt,
        model: variables.model,
        seconds: variables.seconds,
        size: variables.size,
        image: variables.image,
        retryOf: variables.retryOf,
        remixOf: variables.remixOf,
        fallbackHost: variables.fallbackHost,
      };
      const submission = JSON.stringify({ request, variation: variables.variation ?? 0 });
      return createJob(request, { idempotencyKey: keys.keyFor(submission) }).then(
        (job) => {
          keys.answered(submission);
          return job;
        },
        (error: unknown) => {
          // An answer from our server (a validation or upstream error) settles this submission.
          if (error instanceof ApiRequestError && error.error) keys.answered(submission);
          throw error;
        },
      );
    },
    onSuccess: (job, variables) => {
      logJobNotice(job.id, `created · ${job.model} (${job.protocol})`, {
        prompt: job.prompt,
        seconds: job.seconds,
        size: job.size,
        image: variables.imageInfo ?? (variables.image ? "attached" : "none"),
        retryOf: job.retryOf,
        remixOf: job.remixOf,
      });
      if (variables.image) rememberSessionImage(job.id, variables.image);
      seedTrackedJob(queryClient, job);
      if (variables.replaces) jobMemory().replaceInWorkspace(variables.replaces, job.id);
      else jobMemory().addToWorkspace(job.id);
      upsertHistoryJob(queryClient, job);
    },
    onError: (error) => {
      if (error instanceof ApiRequestError && error.error) {
        logRequestError("create rejected", error.error);
      } else {
        logJobNotice(null, "create failed", { error: String(error) }, "error");
      }
    },
  });
}

/**
 * Delete with undo: the job leaves every list at once and the server hides it (`?undo=1`, durable
 * even if the page closes next); restore() within the window brings it back. A refused delete
 * puts the job back where it was.
 */
export function useDeleteJob() {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (job: Job) => deleteJob(job.id, { undo: true }),
    onMutate: (job) => {
      removeHistoryJob(queryClient, job.id);
      jobMemory().removeFromWorkspace(job.id);
    },
    onSuccess: (_data, job) => logJobNotice(job.id, "deleted (undo possible)"),
    onError: (error, job) => {
      logJobNotice(job.id, "delete failed", { error: String(error) }, "error");
      void queryClient.invalidateQueries({ queryKey: jobsKey });
    },
  });
  const restore = useMutation({
    mutationFn: (job: Job) => restoreJob(job.id),
    onSuccess: (job) => {
      logJobNotice(job.id, "restored");
      // Back in its own place in every list, not on top.
      void queryClient.invalidateQueries({ queryKey: jobsKey });
    },
  });
  return { remove, restore };
}

/** After the undo window: the job is gone for good, drop what the page still keeps of it. */
export function forgetDeletedJob(queryClient: ReturnType<typeof useQueryClient>, id: string) {
  jobMemory().forget(id);
  queryClient.removeQueries({ queryKey: jobKey(id) });
}

/**
 * `POST /api/videos/:id/recheck`: the server asks the upstream again. The answer replaces the job in
 * the cache; a job that is no longer failed is then followed again from its last seen event.
 */
export function useRecheckJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => recheckJob(id),
    onSuccess: (job) => {
      logJobNotice(job.id, `checked again: ${job.state}`, { upstreamId: job.upstreamId });
      queryClient.setQueryData<TrackedJob>(jobKey(job.id), (current) =>
        current
          ? { ...current, job, follow: "idle" }
          : trackJob(job, jobMemory().remembered(job.id)),
      );
      upsertHistoryJob(queryClient, job);
    },
    onError: (error, id) => {
      if (error instanceof ApiRequestError && error.error)
        logRequestError("check again failed", error.error);
      else logJobNotice(id, "check again failed", { error: String(error) }, "error");
    },
  });
}

/** `POST /api/videos/:id/cancel`: the canceled job (with what the relay said) replaces the cached one. */
export function useCancelJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => cancelJob(id),
    onSuccess: (job) => {
      logJobNotice(job.id, "canceled", {
        upstream: job.cancellation?.upstream.outcome,
        mayStillBill: job.cancellation?.mayStillBill,
      });
      queryClient.setQueryData<TrackedJob>(jobKey(job.id), (current) =>
        current ? { ...current, job } : trackJob(job, jobMemory().remembered(job.id)),
      );
      upsertHistoryJob(queryClient, job);
    },
    onError: (error, id) => {
      if (error instanceof ApiRequestError && error.error)
        logRequestError("cancel failed", error.error);
      else logJobNotice(id, "cancel failed", { error: String(error) }, "error");
    },
  });
}
