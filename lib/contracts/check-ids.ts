// zod-free: the browser's first load imports this (the schemas in ./diagnostics.ts load with the first answer).

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
export type CheckId = (typeof CHECK_IDS)[number];

export const CHECK_STATUSES = ["pass", "warn", "fail", "skip"] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

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
