import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { Job, JobList } from "@/lib/contracts/job";
import { jobMemory } from "./job-memory";
import { trackJob, type TrackedJob } from "./tracked-job";

/** Query keys and cache updates shared by the history list and the job stream. */
export const modelsKey = ["models"] as const;
export const jobsKey = ["jobs"] as const;
export const timingKey = ["timing"] as const;
export const jobKey = (id: string) => ["job", id] as const;

export type HistoryData = InfiniteData<JobList, string | null>;

/** Puts a job into the cached history: replaced where it is, or added on top. */
export function upsertHistoryJob(queryClient: QueryClient, job: Job): void {
  queryClient.setQueryData<HistoryData>(jobsKey, (data) => {
    if (!data) return data;
    const present = data.pages.some((page) => page.jobs.some((j) => j.id === job.id));
    if (present) {
      return {
        ...data,
        pages: data.pages.map((page) => ({
          ...page,
          jobs: page.jobs.map((j) => (j.id === job.id ? job : j)),
        })),
      };
    }
    const [first, ...rest] = data.pages;
    if (!first) return data;
    return { ...data, pages: [{ ...first, jobs: [job, ...first.jobs] }, ...rest] };
  });
}

export function removeHistoryJob(queryClient: QueryClient, id: string): void {
  queryClient.setQueryData<HistoryData>(jobsKey, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            jobs: page.jobs.filter((j) => j.id !== id),
          })),
        }
      : data,
  );
}

/** Seeds the cache with a snapshot we already have (just created, or from the history list). */
export function seedTrackedJob(queryClient: QueryClient, job: Job): void {
  queryClient.setQueryData<TrackedJob>(jobKey(job.id), (current) =>
    current ? current : trackJob(job, jobMemory().remembered(job.id)),
  );
}
