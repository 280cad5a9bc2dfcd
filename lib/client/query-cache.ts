import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { Job, JobList, JobListFilter } from "@/lib/contracts/job";
import { jobMemory } from "./job-memory";
import { trackJob, type TrackedJob } from "./tracked-job";

/** Query keys and cache updates shared by the history list and the job stream. */
/** Prefix of every history list, whatever it is narrowed to. */
export const jobsKey = ["jobs"] as const;
export const historyKey = (filter: JobListFilter) => ["jobs", filter] as const;
export const jobKey = (id: string) => ["job", id] as const;

export type HistoryData = InfiniteData<JobList, string | null>;

/** The server's filter (lib/server/jobs/list-filter.ts), for placing new jobs in cached lists. */
export function jobMatchesFilter(job: Job, filter: JobListFilter): boolean {
  if (filter.state?.length && !filter.state.includes(job.state)) return false;
  if (filter.model && job.model !== filter.model) return false;
  const fold = (text: string) => text.normalize("NFKC").toLowerCase();
  if (filter.q && !fold(job.prompt).includes(fold(filter.q))) return false;
  return true;
}

const filterOf = (queryKey: readonly unknown[]): JobListFilter =>
  (queryKey[1] ?? {}) as JobListFilter;

/**
 * Puts a job into every cached history list: replaced where it is, or added on top of the lists
 * it belongs in.
 */
export function upsertHistoryJob(queryClient: QueryClient, job: Job): void {
  for (const [queryKey] of queryClient.getQueriesData<HistoryData>({ queryKey: jobsKey })) {
    queryClient.setQueryData<HistoryData>(queryKey, (data) =>
      upsertInPages(data, job, jobMatchesFilter(job, filterOf(queryKey))),
    );
  }
}

function upsertInPages(data: HistoryData | undefined, job: Job, belongs: boolean) {
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
  if (!first || !belongs) return data;
  return { ...data, pages: [{ ...first, jobs: [job, ...first.jobs] }, ...rest] };
}

export function removeHistoryJob(queryClient: QueryClient, id: string): void {
  queryClient.setQueriesData<HistoryData>({ queryKey: jobsKey }, (data) =>
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
