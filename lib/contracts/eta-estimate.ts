// zod-free: the browser's first load imports this (the schemas in ./eta.ts load with the first answer).
import type { JobEta, ModelTiming } from "./eta";
import { TERMINAL_STATES } from "./job-state";

const FINISHED: readonly string[] = TERMINAL_STATES;

/** Fewer completed jobs than this and a model has no ETA: a guess from two runs is not honest. */
export const ETA_MIN_SAMPLES = 5;
/** Without enough history a job counts as stalled only after this long without progress. */
export const STALL_WITHOUT_HISTORY_MS = 15 * 60_000;

/** Nearest-rank percentile of durations (any order); 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

export function modelTiming(durations: readonly number[]): ModelTiming {
  return {
    samples: durations.length,
    p50Ms: percentile(durations, 50),
    p90Ms: percentile(durations, 90),
  };
}

/**
 * The outlook of a job at `now`: time left from the model's p50/p90 (only with enough samples),
 * and whether it is stalled — not finished and without progress (its last change, `updatedAt`)
 * for max(floor, 1.5 × p90), or for STALL_WITHOUT_HISTORY_MS without enough history.
 * Undefined for a finished job.
 */
export function estimateJob(
  job: { state: string; createdAt: string; updatedAt: string },
  timing: ModelTiming | undefined,
  now: number,
  options: { stallFloorMs: number; minSamples?: number },
): JobEta | undefined {
  if (FINISHED.includes(job.state)) return undefined;
  const known = timing !== undefined && timing.samples >= (options.minSamples ?? ETA_MIN_SAMPLES);
  const elapsed = Math.max(0, now - Date.parse(job.createdAt));
  const quiet = Math.max(0, now - Date.parse(job.updatedAt));
  const stallAfterMs = known
    ? Math.max(options.stallFloorMs, 1.5 * timing.p90Ms)
    : Math.max(options.stallFloorMs, STALL_WITHOUT_HISTORY_MS);
  return {
    remainingMs: known
      ? { min: Math.max(0, timing.p50Ms - elapsed), max: Math.max(0, timing.p90Ms - elapsed) }
      : undefined,
    overdue: known && elapsed > timing.p90Ms,
    stalled: Number.isFinite(quiet) && quiet > stallAfterMs,
    stallAfterMs,
    timing: known ? timing : undefined,
  };
}
