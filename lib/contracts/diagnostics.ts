import * as z from "zod/mini";
import { ERROR_CODES, errorEnvelopeSchema } from "./errors";
import { protocolSchema } from "./job";

/** Check ids in report order (issue #6). Outside scripts rely on these names. */
export const CHECK_IDS = [
  "key.present",
  "key.format",
  "baseUrl.format",
  "network.dns",
  "network.tcp",
  "network.tls",
  "http.reachable",
  "auth",
  "models",
  "quota",
  "api.call",
  "fallbacks",
  "store",
  "archive",
  "generate",
] as const;
export const checkIdSchema = z.enum(CHECK_IDS);
export type CheckId = z.infer<typeof checkIdSchema>;

export const CHECK_STATUSES = ["pass", "warn", "fail", "skip"] as const;
export const checkStatusSchema = z.enum(CHECK_STATUSES);
export type CheckStatus = z.infer<typeof checkStatusSchema>;

/**
 * Causes found before any upstream answer (key, URL, network). Upstream answers are named by the
 * app's error codes, so a script can treat `no_available_channel` the same in a job and a report.
 */
export const LOCAL_CAUSE_CODES = [
  "key_missing",
  "key_placeholder",
  "key_looks_like_url",
  "key_whitespace",
  "key_newline",
  "key_quotes",
  "key_bearer_prefix",
  "key_full_width",
  "key_invisible",
  "key_non_ascii",
  "key_inner_space",
  "key_prefix",
  "key_short",
  "base_url_no_scheme",
  "base_url_bad_scheme",
  "base_url_invalid",
  "base_url_endpoint",
  "base_url_double_v1",
  "base_url_double_slash",
  "base_url_console",
  "base_url_credentials",
  "base_url_query",
  "base_url_plain_http",
  "dns_not_found",
  "dns_failed",
  "dns_timeout",
  "dns_private",
  "tcp_refused",
  "tcp_timeout",
  "tcp_unreachable",
  "tcp_failed",
  "tls_expired",
  "tls_not_yet_valid",
  "tls_self_signed",
  "tls_untrusted",
  "tls_hostname",
  "tls_handshake",
  "tls_timeout",
  "tls_expiring",
  "tls_insecure_env",
  "proxy_env",
  "http_timeout",
  "http_failed",
  "http_redirect",
  "http_cloudflare_challenge",
  "http_gateway",
  "http_not_api",
  "http_server_error",
  "store_unreachable",
  "store_slow",
  "archive_unwritable",
  "archive_ephemeral",
  "models_endpoint_missing",
  "models_unexpected",
  "model_not_listed",
  "model_shutdown",
  "quota_low",
  "endpoint_not_found",
  "call_accepted",
  "fallback_failed",
] as const;

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

export const STATUS_MARKS: Record<CheckStatus, string> = {
  pass: "✓",
  warn: "!",
  fail: "✗",
  skip: "–",
};

/** i18n key under `diagnostics.checks` for a check id (message keys cannot contain dots). */
export function checkMessageKey(id: CheckId): string {
  return id.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());
}
