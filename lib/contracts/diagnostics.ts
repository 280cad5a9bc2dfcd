import * as z from "zod/mini";
import { ERROR_CODES, errorEnvelopeSchema } from "./errors";
import { protocolSchema } from "./job";

import { CHECK_IDS, CHECK_STATUSES, LOCAL_CAUSE_CODES } from "./check-ids";

export * from "./check-ids";

export const checkIdSchema = z.enum(CHECK_IDS);
export const checkStatusSchema = z.enum(CHECK_STATUSES);

export const diagnosticCodeSchema = z.enum([...ERROR_CODES, ...LOCAL_CAUSE_CODES]);
export type DiagnosticCode = z.infer<typeof diagnosticCodeSchema>;

export const diagnosticCheckSchema = z.object({
  id: checkIdSchema,
  /** Localized. */
  title: z.string(),
  status: checkStatusSchema,
  durationMs: z.int().check(z.nonnegative()),
  /** What was seen, in one line (localized; never the key, only its masked form). */
  observed: z.string(),
  /** Machine-readable cause of a warn/fail (stable, see LOCAL_CAUSE_CODES and ERROR_CODES). */
  code: z.optional(diagnosticCodeSchema),
  /** Localized: why this is a problem (warn/fail) or why the check was skipped. */
  cause: z.optional(z.string()),
  /** Localized: the concrete fix. */
  hint: z.optional(z.string()),
});
export type DiagnosticCheck = z.infer<typeof diagnosticCheckSchema>;

export const verdictStatusSchema = z.enum(["pass", "warn", "fail"]);
export type VerdictStatus = z.infer<typeof verdictStatusSchema>;

export const verdictSchema = z.object({
  status: verdictStatusSchema,
  /** The first root cause in check order: the problem to fix first. */
  primaryCause: z.optional(
    z.object({ checkId: checkIdSchema, code: diagnosticCodeSchema, message: z.string() }),
  ),
  /** Localized, concrete, in the order to do them. */
  nextSteps: z.array(z.string()),
});
export type Verdict = z.infer<typeof verdictSchema>;

/** The configuration a report was made with: what a support person needs, the key masked. */
export const effectiveConfigSchema = z.object({
  keyMasked: z.string(),
  keyConfigured: z.boolean(),
  /** Variable the key was read from (SORA_API_KEY, or the CLI's --key-env). */
  keySource: z.string(),
  baseUrl: z.string(),
  fallbackBaseUrls: z.array(z.string()),
  defaultModel: z.string(),
  apiStyle: z.enum(["auto", "videos", "chat", "generations"]),
  protocol: protocolSchema,
  maxRetries: z.int(),
  retryBaseDelayMs: z.int(),
  requestTimeoutMs: z.int(),
  streamIdleTimeoutMs: z.int(),
  jobDeadlineMs: z.int(),
  pollIntervalMs: z.int(),
  demoMode: z.boolean(),
  accessPassword: z.boolean(),
  /** Env files the CLI loaded (`.env.local`, `.env`); absent for the server. */
  envFiles: z.optional(z.array(z.string())),
  runtime: z.optional(z.string()),
});
export type EffectiveConfig = z.infer<typeof effectiveConfigSchema>;

export const diagnosticsReportSchema = z.object({
  version: z.string(),
  startedAt: z.string(),
  durationMs: z.int().check(z.nonnegative()),
  locale: z.optional(z.enum(["zh-CN", "en"])),
  target: z.object({
    baseUrl: z.string(),
    keyMasked: z.string(),
    fallbackBaseUrls: z.optional(z.array(z.string())),
    model: z.optional(z.string()),
    protocol: z.optional(protocolSchema),
  }),
  config: z.optional(effectiveConfigSchema),
  checks: z.array(diagnosticCheckSchema),
  verdict: verdictSchema,
});
export type DiagnosticsReport = z.infer<typeof diagnosticsReportSchema>;

/**
 * `GET /api/diagnostics` with `Accept: text/event-stream`: one `check` event per finished check
 * (in finishing order), then one `report` event (terminal). A run that could not start sends `error`
 * with the same envelope a failed request answers with.
 */
export const diagnosticsEventDataSchemas = {
  check: diagnosticCheckSchema,
  report: diagnosticsReportSchema,
  error: errorEnvelopeSchema,
} as const;
export type DiagnosticsEventType = keyof typeof diagnosticsEventDataSchemas;

export const upstreamCallSchema = z.object({
  /** ISO time the call started. */
  at: z.string(),
  operation: z.string(),
  host: z.string(),
  status: z.optional(z.int()),
  latencyMs: z.number().check(z.nonnegative()),
  attempt: z.optional(z.int()),
  /** Error code of a failed call (an ErrorCode, or `aborted` when our side gave up). */
  code: z.optional(z.string()),
  upstreamRequestId: z.optional(z.string()),
});
export type UpstreamCall = z.infer<typeof upstreamCallSchema>;

/** `GET /api/incidents`: the server's recent upstream calls (newest first) and error counts. */
export const incidentsResponseSchema = z.object({
  calls: z.array(upstreamCallSchema),
  counts: z.record(z.string(), z.int()),
  windowMs: z.int(),
  generatedAt: z.string(),
});
export type IncidentsResponse = z.infer<typeof incidentsResponseSchema>;
