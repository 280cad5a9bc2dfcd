import "server-only";
import type { ErrorCode } from "@/lib/contracts/errors";
import { AppError, type AppErrorOptions } from "../errors";
import { scrubUpstreamMessage } from "../redact";
import { parseRetryAfter } from "./retry";
import type { UpstreamOperation } from "./types";
import { isObject } from "./json";

/** An AppError that also carries what the retry rules need to know about the failed call. */
export class UpstreamError extends AppError {
  /** Server-requested wait (`retry-after-ms` / `Retry-After`), capped at 60 s. */
  readonly retryAfterMs?: number;
  /** `x-should-retry` when the upstream sent it. */
  readonly shouldRetry?: boolean;
  /** Node/undici error code of a failed connection (ECONNREFUSED, ENOTFOUND …). */
  readonly networkCode?: string;

  constructor(
    code: ErrorCode,
    options: AppErrorOptions & {
      retryAfterMs?: number;
      shouldRetry?: boolean;
      networkCode?: string;
    },
  ) {
    const { retryAfterMs, shouldRetry, networkCode, ...rest } = options;
    // Scrubbed before AppError builds Error.message from it (that message reaches logs too).
    super(code, {
      ...rest,
      upstreamMessage: rest.upstreamMessage
        ? scrubUpstreamMessage(rest.upstreamMessage)
        : undefined,
    });
    this.retryAfterMs = retryAfterMs;
    this.shouldRetry = shouldRetry;
    this.networkCode = networkCode;
  }
}

/** Raised by our own timers; classified as `timeout`. */
export class UpstreamTimeout extends Error {
  constructor(
    readonly phase: "headers" | "body" | "idle",
    readonly ms: number,
  ) {
    super(
      phase === "idle"
        ? `no data from the upstream for ${ms} ms`
        : phase === "headers"
          ? `no response headers within ${ms} ms`
          : `response body not received within ${ms} ms`,
    );
    this.name = "UpstreamTimeout";
  }
}

export interface ClassifyInput {
  status?: number;
  headers?: Headers;
  body?: string;
  error?: unknown;
  operation: UpstreamOperation;
  model?: string;
  host?: string;
  /** A thrown error happened after a 200 stream had started: the generation was cut. */
  streamStarted?: boolean;
}

interface ParsedBody {
  kind: "json" | "html" | "text" | "empty";
  message?: string;
  code?: string;
  type?: string;
  /** All of code, type and message, for marker matching. */
  haystack: string;
}

const NO_CHANNEL =
  /no available channel|无可用渠道|failed to get available channel|没有可用的?渠道|no available channels|\(distributor\)|（distributor）/i;
const QUOTA =
  /insufficient_user_quota|insufficient_quota|credit_balance_exhausted|insufficient_balance|insufficient balance|额度不足|额度已用尽|余额不足|quota is not enough|exceeded your current quota|TokenStatusExhausted|预扣费额度失败|billing_hard_limit/i;
/** Policy wording in HTTP error bodies and stream errors (not the stream's `❌` convention). */
const CONTENT_POLICY =
  /content[\s_-]?policy|moderation|safety system|safety_violation|guardrail|policy_violation|content_filter|违规|违反|敏感内容|不合规|审核未通过/i;
/** S2A writes a final `❌ 生成失败: …` after a policy violation (reference §4, Transcript B ending). */
const STREAM_FAILURE_TEXT = /❌|生成失败/;
const MODEL_NOT_FOUND =
  /model_not_found|model\b[^\n]{0,80}(?:does not exist|not found)|模型[^。\n]{0,40}不存在|invalid model|unknown model|no such model/i;
const INVALID_KEY =
  /invalid_api_key|incorrect api key|无效的令牌|invalid token|未提供令牌|令牌已过期|token has expired|api key (?:is )?invalid/i;
const CLOUDFLARE_TIMEOUT = /\b(?:524|504)\b|a timeout occurred|gateway time-?out/i;
const REQUEST_ID_IN_MESSAGE = /\(?request id\s*[:：]\s*([A-Za-z0-9_.-]+)\)?/i;

/** Connection failures where the request provably never reached the upstream. */
export const NOT_SENT_NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const RESET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ECONNABORTED",
]);

function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

function htmlTitle(body: string): string | undefined {
  const match = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body);
  if (!match?.[1]) return undefined;
  return match[1]
    .replace(/&amp;/g, "&")
    .replace(/&#124;|&vert;/g, "|")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();
}

function looksLikeHtml(body: string, headers?: Headers): boolean {
  const type = headers?.get("content-type") ?? "";
  const head = body.trimStart().slice(0, 200).toLowerCase();
  return (
    type.includes("text/html") ||
    head.startsWith("<!doctype html") ||
    head.startsWith("<html") ||
    head.startsWith("<head")
  );
}

/** Reads the error shapes of OpenAI, new-api/one-api, their task routes, HTML pages and plain text. */
export function parseErrorBody(body: string | undefined, headers?: Headers): ParsedBody {
  const text = (body ?? "").trim();
  if (!text) return { kind: "empty", haystack: "" };
  if (looksLikeHtml(text, headers)) {
    const title = htmlTitle(text);
    const message =
      title ??
      text
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim()
        .slice(0, 300);
    return { kind: "html", message, haystack: `${title ?? ""} ${text.slice(0, 2000)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "text", message: text.slice(0, 1000), haystack: text.slice(0, 4000) };
  }
  if (!isObject(json)) {
    return { kind: "json", message: text.slice(0, 1000), haystack: text.slice(0, 4000) };
  }
  let message: string | undefined;
  let code: string | undefined;
  let type: string | undefined;
  const error = json.error;
  if (isObject(error)) {
    message = str(error.message);
    code = str(error.code) || undefined;
    type = str(error.type);
  } else if (typeof error === "string") {
    message = error;
    code = str(json.code);
  } else {
    // Task routes: {"code":"…","message":"…","data":null}; other relays: {detail} / {msg}.
    code = str(json.code) || undefined;
    message = str(json.message) ?? str(json.detail) ?? str(json.msg) ?? str(json.fail_reason);
  }
  let haystack = [code, type, message].filter(Boolean).join(" ");
  // new-api's `fail_to_fetch_task` carries the raw upstream body as its message.
  if (message && /^\s*\{/.test(message)) {
    const inner = parseErrorBody(message);
    if (inner.kind === "json") {
      if (inner.message) message = inner.message;
      code = inner.code ?? code;
      type = inner.type ?? type;
      haystack = `${haystack} ${inner.haystack}`;
    }
  }
  return { kind: "json", message: message ?? text.slice(0, 1000), code, type, haystack };
}

function requestIdOf(
  headers: Headers | undefined,
  message: string | undefined,
): string | undefined {
  const fromHeader =
    headers?.get("x-request-id") ??
    headers?.get("x-oneapi-request-id") ??
    headers?.get("x-new-api-request-id") ??
    undefined;
  if (fromHeader) return fromHeader.trim();
  const fromMessage = message ? REQUEST_ID_IN_MESSAGE.exec(message)?.[1] : undefined;
  if (fromMessage) return fromMessage;
  return headers?.get("cf-ray") ?? undefined;
}

function shouldRetryHeader(headers: Headers | undefined): boolean | undefined {
  const value = headers?.get("x-should-retry")?.trim().toLowerCase();
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

/** The status-and-body rules of DESIGN §4 / reference §3 and §7. */
function codeForStatus(
  status: number,
  parsed: ParsedBody,
  operation: UpstreamOperation,
  errorCodeField: string | undefined,
): ErrorCode {
  const hay = parsed.haystack;
  if (status === 504 || status === 524) return "gateway_timeout";
  if (parsed.kind === "html" && CLOUDFLARE_TIMEOUT.test(parsed.message ?? "")) {
    return "gateway_timeout";
  }
  if (status === 401) return QUOTA.test(hay) ? "insufficient_quota" : "invalid_api_key";
  if (status === 402) return "insufficient_quota";
  if (status === 403) {
    if (QUOTA.test(hay)) return "insufficient_quota";
    if (INVALID_KEY.test(hay)) return "invalid_api_key";
    if (CONTENT_POLICY.test(hay)) return "content_policy";
    return "forbidden";
  }
  if (status === 429) return QUOTA.test(hay) ? "insufficient_quota" : "rate_limited";
  if (status >= 400) {
    // new-api's distributor answers 503 with code `model_not_found` when no channel serves the model.
    if (NO_CHANNEL.test(hay) || (status === 503 && errorCodeField === "model_not_found")) {
      return "no_available_channel";
    }
    if (QUOTA.test(hay)) return "insufficient_quota";
  }
  if (status >= 400 && status < 500) {
    if (CONTENT_POLICY.test(hay)) return "content_policy";
    if (MODEL_NOT_FOUND.test(hay)) return "model_not_found";
    if (status === 404) {
      // A bare 404 on create means this base URL has no such endpoint (wrong protocol or path);
      // on a poll or download it means the upstream no longer knows the job.
      return operation === "poll" || operation === "content"
        ? "generation_failed"
        : "protocol_error";
    }
    if (status === 408) return "timeout";
    if (status === 409 || status === 425) return "upstream_unavailable";
    return "bad_request";
  }
  if (status >= 500) {
    if (MODEL_NOT_FOUND.test(hay) && !/bad response status code/i.test(hay)) {
      return "model_not_found";
    }
    return "upstream_unavailable";
  }
  if (status >= 300) return "protocol_error";
  // A 2xx that still carries a failure (an error object in a 200 stream or body, an HTML page).
  if (parsed.kind === "html" || parsed.kind === "empty") return "protocol_error";
  if (NO_CHANNEL.test(hay)) return "no_available_channel";
  if (CONTENT_POLICY.test(hay)) return "content_policy";
  if (operation === "stream" && STREAM_FAILURE_TEXT.test(parsed.message ?? ""))
    return "content_policy";
  if (QUOTA.test(hay)) return "insufficient_quota";
  return "generation_failed";
}

function causeChain(error: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    out.push(current);
    if (current instanceof AggregateError) out.push(...current.errors);
    current =
      isObject(current) || current instanceof Error
        ? (current as { cause?: unknown }).cause
        : undefined;
  }
  return out;
}

function networkCodeOf(error: unknown): string | undefined {
  for (const item of causeChain(error)) {
    const code =
      isObject(item) || item instanceof Error ? str((item as { code?: unknown }).code) : undefined;
    if (code && /^[A-Z_]+$/.test(code)) return code;
  }
  return undefined;
}

function describeThrown(error: unknown): string {
  const parts: string[] = [];
  for (const item of causeChain(error)) {
    if (item instanceof Error && item.message && !parts.includes(item.message))
      parts.push(item.message);
  }
  return parts.join(": ") || String(error);
}

function classifyThrown(input: ClassifyInput): UpstreamError {
  const params = { model: input.model, host: input.host };
  const error = input.error;
  if (error instanceof UpstreamError) return error;
  if (error instanceof UpstreamTimeout) {
    return new UpstreamError("timeout", {
      params,
      // A stream that went quiet is told apart from a request that never got its answer.
      detail: error.phase === "idle" ? { key: "idleTimeout" } : undefined,
      upstreamMessage: error.message,
      cause: error,
    });
  }
  const networkCode = networkCodeOf(error);
  const upstreamMessage = networkCode
    ? `${networkCode}: ${describeThrown(error)}`
    : describeThrown(error);
  const base = { params, upstreamMessage, cause: error, networkCode };
  if (networkCode === "UND_ERR_HEADERS_TIMEOUT" || networkCode === "UND_ERR_BODY_TIMEOUT") {
    return new UpstreamError("timeout", base);
  }
  if (input.streamStarted) return new UpstreamError("interrupted", base);
  if (networkCode && NOT_SENT_NETWORK_CODES.has(networkCode)) {
    return new UpstreamError("network_error", base);
  }
  const reset =
    (networkCode && RESET_CODES.has(networkCode)) ||
    /terminated|socket hang up|other side closed/i.test(upstreamMessage);
  // A create whose connection broke may already have been received (and billed): ambiguous.
  if (reset && (input.operation === "create" || input.operation === "stream")) {
    return new UpstreamError("interrupted", base);
  }
  return new UpstreamError("network_error", base);
}

/** Classifies an upstream HTTP answer (status, headers, body) or a thrown fetch error. */
export function classifyUpstreamError(input: ClassifyInput): UpstreamError {
  if (input.error !== undefined && input.status === undefined) return classifyThrown(input);
  const status = input.status ?? 200;
  const parsed = parseErrorBody(input.body, input.headers);
  const code = codeForStatus(status, parsed, input.operation, parsed.code);
  const message =
    parsed.message ?? (parsed.kind === "empty" ? `HTTP ${status} (empty body)` : undefined);
  return new UpstreamError(code, {
    params: { model: input.model, host: input.host },
    status: input.status,
    upstreamMessage: message,
    upstreamRequestId: requestIdOf(input.headers, parsed.message),
    retryAfterMs: parseRetryAfter(input.headers),
    shouldRetry: shouldRetryHeader(input.headers),
    cause: input.error,
  });
}

const MODERATION_CODES =
  /moderation|content[_\s-]?policy|policy_violation|safety|sentinel_content|blocked|违规|敏感/i;

/** A videos job the upstream reports as failed: moderation codes → content_policy, else generation_failed. */
export function classifyJobFailure(
  error: { code?: string; message?: string },
  context: { model?: string; host?: string },
): UpstreamError {
  const text = `${error.code ?? ""} ${error.message ?? ""}`;
  const code: ErrorCode =
    MODERATION_CODES.test(text) || CONTENT_POLICY.test(text)
      ? "content_policy"
      : "generation_failed";
  return new UpstreamError(code, {
    params: context,
    upstreamMessage: error.message || error.code || "the upstream reported the job as failed",
    upstreamRequestId: error.message
      ? (REQUEST_ID_IN_MESSAGE.exec(error.message)?.[1] ?? undefined)
      : undefined,
  });
}

/** Create outcomes never resubmitted, whatever `x-should-retry` says: final or ambiguous. */
const NEVER_RESUBMIT = new Set<ErrorCode>([
  "bad_request",
  "invalid_api_key",
  "forbidden",
  "insufficient_quota",
  "content_policy",
  "model_not_found",
  "no_available_channel",
  "gateway_timeout",
  "generation_failed",
  "protocol_error",
]);

/**
 * Whether a failed create may be sent again: only when the upstream provably did not accept it
 * (DESIGN §3): connection refused / DNS failure, a 429 rate limit, a 503 answer (not "no
 * channel"), or an explicit `x-should-retry: true`. A 502 is ambiguous and never resent.
 */
export function isCreateRetryable(error: AppError): boolean {
  if (!(error instanceof UpstreamError) || NEVER_RESUBMIT.has(error.code)) return false;
  if (error.shouldRetry !== undefined) return error.shouldRetry;
  if (error.code === "network_error") {
    return error.networkCode !== undefined && NOT_SENT_NETWORK_CODES.has(error.networkCode);
  }
  if (error.code === "rate_limited") return true;
  // 502 is ambiguous like 504/524: a proxy may say it after the relay forwarded the request.
  if (error.code === "upstream_unavailable") return error.options.status === 503;
  return false;
}

/**
 * Whether a create that ended in `error` may nevertheless have been accepted (and billed)
 * upstream: the request went out and no answer proved it was refused — a 502/504/524, a timeout
 * or reset after sending, a stream cut after it started, an unreadable 2xx.
 */
export function createMayHaveBeenAccepted(error: AppError): boolean {
  if (isCreateRetryable(error)) return false;
  switch (error.code) {
    case "gateway_timeout":
    case "timeout":
    case "interrupted":
    case "protocol_error":
      return true;
    case "upstream_unavailable":
      return error.options.status === 502 || error.options.status === undefined;
    case "network_error":
      return !(
        error instanceof UpstreamError &&
        error.networkCode !== undefined &&
        NOT_SENT_NETWORK_CODES.has(error.networkCode)
      );
    default:
      return false;
  }
}

const IDEMPOTENT_RETRY_CODES = new Set<ErrorCode>([
  "network_error",
  "timeout",
  "gateway_timeout",
  "rate_limited",
  "upstream_unavailable",
  "interrupted",
  "protocol_error",
]);

/** Whether a failed poll or download (idempotent GETs) may be tried again. */
export function isIdempotentRetryable(error: AppError): boolean {
  if (error instanceof UpstreamError && error.shouldRetry !== undefined) return error.shouldRetry;
  if (error.code === "protocol_error") return (error.options.status ?? 0) < 300;
  return IDEMPOTENT_RETRY_CODES.has(error.code);
}
