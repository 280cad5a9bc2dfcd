import "server-only";
import {
  ETA_MIN_SAMPLES,
  estimateJob,
  modelTiming,
  type JobEta,
  type TimingResponse,
} from "@/lib/contracts/eta";
import { isTerminalState } from "@/lib/contracts/job";
import { getConfig } from "../config";
import { getJobStore } from "./store";
import type { JobRecord } from "./types";

/** Recomputed when a job completed (the count changed) or after this long. */
const TIMING_TTL_MS = 5 * 60_000;

interface TimingCache {
  at: number;
  completed: number;
  value: TimingResponse;
}

const CACHE_KEY = Symbol.for("sora-studio.timing");

/**
 * Each model's p50/p90 completion time from the store's own history (`GET /api/timing`). The
 * state counts are one cheap read; the sample (the newest 1000 jobs) is read again only when the
 * number of completed jobs changed, or every few minutes (another instance's deletes).
 */
export async function modelTimings(): Promise<TimingResponse> {
  const holder = globalThis as { [CACHE_KEY]?: TimingCache };
  const store = getJobStore();
  const { completed } = await store.countByState();
  const cached = holder[CACHE_KEY];
  if (cached && cached.completed === completed && Date.now() - cached.at < TIMING_TTL_MS) {
    return cached.value;
  }
  const durations = await store.completionDurations();
  const value: TimingResponse = {
    minSamples: ETA_MIN_SAMPLES,
    stallFloorMs: getConfig().stallFloorMs,
    models: Object.fromEntries(
      Object.entries(durations).map(([model, list]) => [model, modelTiming(list)]),
    ),
  };
  holder[CACHE_KEY] = { at: Date.now(), completed, value };
  return value;
}

/** The outlook of one job now (undefined once it ended). */
export async function jobEta(job: JobRecord): Promise<JobEta | undefined> {
  if (isTerminalState(job.state)) return undefined;
  const timings = await modelTimings();
  return estimateJob(job, timings.models[job.model], Date.now(), {
    stallFloorMs: timings.stallFloorMs,
    minSamples: timings.minSamples,
  });
}
