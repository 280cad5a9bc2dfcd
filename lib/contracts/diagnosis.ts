import * as z from "zod/mini";
import { checkIdSchema, checkStatusSchema } from "./diagnostics";

/**
 * `GET /api/videos/:id/diagnosis` (issue 14): why this failed job failed, found with unbilled probes
 * against its own base URL, key and model, and the ways out that a probe showed would work.
 */
export const diagnosisActionSchema = z.discriminatedUnion("kind", [
  /** The relay routes this model (same protocol, accepts the job's image): retry with it. */
  z.object({ kind: z.literal("switch_model"), model: z.string() }),
  /** A configured fallback base URL routes the job's model: retry there (`fallbackHost` on create). */
  z.object({ kind: z.literal("use_fallback"), host: z.string() }),
  /** Most recent creates failed with 503/429: the relay is saturated. */
  z.object({
    kind: z.literal("wait"),
    minutes: z.int().check(z.positive()),
    reason: z.string(),
  }),
  /** Only the operator can fix it: the variable to change, or the relay console step. */
  z.object({ kind: z.literal("fix_config"), variable: z.string(), step: z.string() }),
]);
export type DiagnosisAction = z.infer<typeof diagnosisActionSchema>;

export const diagnosisSchema = z.object({
  jobId: z.string(),
  model: z.string(),
  host: z.string(),
  rootCause: z.object({
    checkId: z.union([checkIdSchema, z.literal("history")]),
    /** An app error code or a diagnostics cause code (e.g. `no_available_channel`). */
    code: z.string(),
    message: z.string(),
    hint: z.string(),
  }),
  evidence: z.array(
    z.object({
      checkId: z.string(),
      status: checkStatusSchema,
      observed: z.string(),
    }),
  ),
  actions: z.array(diagnosisActionSchema),
  generatedAt: z.string(),
  /** Served from the per-job cache. */
  cached: z.boolean(),
});
export type Diagnosis = z.infer<typeof diagnosisSchema>;

/** Recent upstream health for the generator page's banner (from the recorded calls). */
export const relayWeatherSchema = z.object({
  status: z.enum(["ok", "saturated", "failing"]),
  windowMinutes: z.int(),
  creates: z.int(),
  failed: z.int(),
  /** The most frequent failure status among those creates (503, 429 …). */
  status503or429: z.int(),
  /** Models whose most recent create in the window got `no_available_channel`. */
  noChannelModels: z.array(z.string()),
});
export type RelayWeather = z.infer<typeof relayWeatherSchema>;
