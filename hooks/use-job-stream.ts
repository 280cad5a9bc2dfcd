"use client";

import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { isTerminalState } from "@/lib/contracts/job-state";
import type { Job } from "@/lib/contracts/job";
import { ApiRequestError, fetchJob } from "@/lib/client/api";
import { JobFollower } from "@/lib/client/job-follower";
import { jobMemory } from "@/lib/client/job-memory";
import { jobKey, upsertHistoryJob } from "@/lib/client/query-cache";
import { trackJob, type TrackedJob } from "@/lib/client/tracked-job";
import { refreshBalance } from "./use-balance";

const followers = new WeakMap<QueryClient, JobFollower>();

/** One follower per query client: a job's event stream feeds `["job", id]` in the cache. */
export function jobFollower(queryClient: QueryClient): JobFollower {
  let follower = followers.get(queryClient);
  if (!follower) {
    follower = new JobFollower(
      {
        get: (id) => queryClient.getQueryData<TrackedJob>(jobKey(id)),
        set: (id, update) => queryClient.setQueryData<TrackedJob>(jobKey(id), update),
        onFinished: (tracked) => {
          upsertHistoryJob(queryClient, tracked.job);
          refreshBalance();
        },
      },
      jobMemory(),
    );
    followers.set(queryClient, follower);
  }
  return follower;
}

/**
 * A job as the page knows it, kept live: while it runs, its event stream is followed (one
 * connection however many components show it) and resumed after the last seen sequence.
 */
export function useJobStream(id: string, initial?: Job) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: jobKey(id),
    queryFn: async (): Promise<TrackedJob> => {
      const job = await fetchJob(id);
      const current = queryClient.getQueryData<TrackedJob>(jobKey(id));
      return current ? { ...current, job } : trackJob(job, jobMemory().remembered(id));
    },
    initialData: initial ? () => trackJob(initial, jobMemory().remembered(id)) : undefined,
    staleTime: Infinity,
    retry: (failures, error) =>
      failures < 2 && !(error instanceof ApiRequestError && error.httpStatus === 404),
  });
  const tracked = query.data;
  const follow = Boolean(
    tracked && !isTerminalState(tracked.job.state) && tracked.follow !== "gone",
  );
  useEffect(() => {
    if (!follow) return;
    return jobFollower(queryClient).follow(id);
  }, [queryClient, id, follow]);
  const gone =
    tracked?.follow === "gone" ||
    (query.error instanceof ApiRequestError && query.error.httpStatus === 404);
  return { tracked, isLoading: query.isPending, error: query.error, gone };
}
