// zod-free: the browser's first load imports this (the schemas in ./errors.ts load with the first answer).

/** Stable error codes of the public API (DESIGN §4). The UI and the CLI map each to text, cause and fix. */
export const ERROR_CODES = [
  "bad_request",
  "invalid_api_key",
  "forbidden",
  "insufficient_quota",
  "rate_limited",
  "no_available_channel",
  "model_not_found",
  "upstream_unavailable",
  "gateway_timeout",
  "timeout",
  "network_error",
  "content_policy",
  "generation_failed",
  "protocol_error",
  // A relay-provided URL led to a private/loopback/metadata address (SSRF guard); never retried.
  "destination_refused",
  "interrupted",
  "internal_error",
  // The server's own disk refused the archive (full or over quota).
  "disk_full",
  // Our own API's answers (not upstream outcomes): unknown job id, access gate, a request refused
  // for where it came from (another site, a foreign Host).
  "not_found",
  "unauthorized",
  "request_refused",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorCodeSpec {
  /** HTTP status our API answers with when this error ends a request. */
  status: number;
  /** Whether trying again later can help (shown to users; not the automatic retry rule). */
  retryable: boolean;
  /** The video may still have been produced upstream: tell the user to check history first. */
  ambiguous: boolean;
}

export const ERROR_SPECS: Record<ErrorCode, ErrorCodeSpec> = {
  bad_request: { status: 400, retryable: false, ambiguous: false },
  invalid_api_key: { status: 401, retryable: false, ambiguous: false },
  forbidden: { status: 403, retryable: false, ambiguous: false },
  insufficient_quota: { status: 402, retryable: false, ambiguous: false },
  rate_limited: { status: 429, retryable: true, ambiguous: false },
  no_available_channel: { status: 503, retryable: false, ambiguous: false },
  model_not_found: { status: 404, retryable: false, ambiguous: false },
  upstream_unavailable: { status: 503, retryable: true, ambiguous: false },
  gateway_timeout: { status: 504, retryable: true, ambiguous: true },
  timeout: { status: 504, retryable: true, ambiguous: true },
  network_error: { status: 502, retryable: true, ambiguous: false },
  content_policy: { status: 422, retryable: false, ambiguous: false },
  generation_failed: { status: 502, retryable: true, ambiguous: false },
  protocol_error: { status: 502, retryable: true, ambiguous: true },
  destination_refused: { status: 502, retryable: false, ambiguous: false },
  interrupted: { status: 502, retryable: true, ambiguous: true },
  internal_error: { status: 500, retryable: true, ambiguous: false },
  disk_full: { status: 507, retryable: false, ambiguous: false },
  not_found: { status: 404, retryable: false, ambiguous: false },
  unauthorized: { status: 401, retryable: false, ambiguous: false },
  request_refused: { status: 403, retryable: false, ambiguous: false },
};
