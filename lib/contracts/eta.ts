import * as z from "zod/mini";

export * from "./eta-estimate";

/** One model's completion times (createdAt → completedAt of its completed jobs in this store). */
export const modelTimingSchema = z.object({
  samples: z.int().check(z.minimum(0)),
  p50Ms: z.number().check(z.minimum(0)),
  p90Ms: z.number().check(z.minimum(0)),
});
export type ModelTiming = z.infer<typeof modelTimingSchema>;

/** `GET /api/timing`. */
export const timingResponseSchema = z.object({
  minSamples: z.int(),
  /** A job is stalled after max(stallFloorMs, 1.5 × p90) without progress. */
  stallFloorMs: z.int(),
  models: z.record(z.string(), modelTimingSchema),
});
export type TimingResponse = z.infer<typeof timingResponseSchema>;

/** A running job's honest outlook (`eta` of `GET /api/videos/:id`). */
export const jobEtaSchema = z.object({
  /** Time left until the model's usual p50 … p90; absent without enough samples. */
  remainingMs: z.optional(
    z.object({ min: z.number().check(z.minimum(0)), max: z.number().check(z.minimum(0)) }),
  ),
  /** Already past the model's p90 (the job takes longer than 9 in 10 before it). */
  overdue: z.boolean(),
  /** No progress for well past the usual time: the page offers "Check again". */
  stalled: z.boolean(),
  /** How long without progress counts as stalled for this job. */
  stallAfterMs: z.number().check(z.minimum(0)),
  timing: z.optional(modelTimingSchema),
});
export type JobEta = z.infer<typeof jobEtaSchema>;
