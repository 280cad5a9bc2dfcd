import "server-only";
import { ERROR_SPECS, type ApiError, type ErrorCode } from "@/lib/contracts/errors";
import type { Locale } from "@/lib/i18n/config";
import { translator } from "@/lib/i18n/translate";
import { getConfig } from "./config";
import { scrubUpstreamMessage } from "./redact";

/** Key under `errors.details` plus its values, for errors more precise than their code. */
export interface ErrorDetail {
  key: string;
  params?: Record<string, string | number>;
}

/** What an error needs to be shown later in any language; stored with failed jobs. */
export interface StoredError {
  code: ErrorCode;
  detail?: ErrorDetail;
  /** Values for the code's message and hint: model, host. */
  params?: { model?: string; host?: string };
  status?: number;
  upstreamMessage?: string;
  upstreamRequestId?: string;
  attempts?: number;
  requestId?: string;
}

export interface AppErrorOptions extends Omit<StoredError, "code"> {
  /** HTTP status of our answer when it differs from the code's default (e.g. 413, 415, 416). */
  httpStatus?: number;
  headers?: Record<string, string>;
  cause?: unknown;
}

// Next may bundle this module into several server chunks (instrumentation, each route), so
// `instanceof` can miss an error made by another chunk's copy of the class: check the brand instead.
const APP_ERROR_BRAND = Symbol.for("sora-studio.app-error");

/** The one error class of the app: a stable code plus what is needed to explain it. */
export class AppError extends Error {
  /** True for an AppError from any chunk's copy of this class (use this, never `instanceof`). */
  static isInstance(value: unknown): value is AppError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[APP_ERROR_BRAND] === true
    );
  }

  readonly [APP_ERROR_BRAND] = true;
  readonly code: ErrorCode;
  readonly options: AppErrorOptions;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(
      options.upstreamMessage ? `${code}: ${scrubUpstreamMessage(options.upstreamMessage)}` : code,
      {
        cause: options.cause,
      },
    );
    this.name = "AppError";
    this.code = code;
    this.options = {
      ...options,
      upstreamMessage: options.upstreamMessage
        ? scrubUpstreamMessage(options.upstreamMessage)
        : undefined,
    };
  }

  get retryable(): boolean {
    return ERROR_SPECS[this.code].retryable;
  }

  get httpStatus(): number {
    return this.options.httpStatus ?? ERROR_SPECS[this.code].status;
  }

  toStored(requestId?: string): StoredError {
    const { detail, params, status, upstreamMessage, upstreamRequestId, attempts } = this.options;
    return {
      code: this.code,
      detail,
      params,
      status,
      upstreamMessage,
      upstreamRequestId,
      attempts,
      requestId: requestId ?? this.options.requestId,
    };
  }

  toApiError(locale: Locale, requestId: string): ApiError {
    return renderError(this.toStored(requestId), locale);
  }

  toResponse(locale: Locale, requestId: string): Response {
    return Response.json(
      { error: this.toApiError(locale, requestId) },
      {
        status: this.httpStatus,
        headers: { "x-request-id": requestId, ...this.options.headers },
      },
    );
  }
}

/** Turns any thrown value into an AppError (unknown failures become internal_error). */
export function toAppError(error: unknown): AppError {
  if (AppError.isInstance(error)) return error;
  return new AppError("internal_error", { cause: error });
}

/** Errors fixed in the relay's console: their hint links there. */
const CONSOLE_CODES: ReadonlySet<ErrorCode> = new Set([
  "insufficient_quota",
  "no_available_channel",
  "forbidden",
  "invalid_api_key",
]);

function consoleUrl(code: ErrorCode): string | undefined {
  if (!CONSOLE_CODES.has(code)) return undefined;
  try {
    return getConfig().consoleUrl;
  } catch {
    return undefined;
  }
}

/**
 * The envelope's error object, localized: a title (`message`), the next step for the person at
 * the page (`hint`) and the operator's steps (`admin`). A detail (e.g. a deadline rather than an
 * idle stream) may bring its own hint and operator steps.
 */
export function renderError(stored: StoredError, locale: Locale): ApiError {
  const t = translator(locale);
  const values = { model: stored.params?.model ?? "?", host: stored.params?.host ?? "?" };
  const detail = stored.detail;
  const detailValues = { ...values, ...detail?.params };
  const has = (key: string) => t.has(key as never);
  const detailHint = detail && has(`errors.detailHints.${detail.key}`);
  const detailAdmin = detail && has(`errors.detailAdmin.${detail.key}`);
  const message = detail
    ? t(`errors.details.${detail.key}` as never, detail.params as never)
    : t(`errors.codes.${stored.code}.message` as never, values as never);
  const hint = detailHint
    ? t(`errors.detailHints.${detail.key}` as never, detailValues as never)
    : t(`errors.codes.${stored.code}.hint` as never, values as never);
  const admin = detailAdmin
    ? t(`errors.detailAdmin.${detail.key}` as never, detailValues as never)
    : has(`errors.codes.${stored.code}.admin`)
      ? t(`errors.codes.${stored.code}.admin` as never, values as never)
      : undefined;
  return {
    code: stored.code,
    message,
    hint,
    admin,
    consoleUrl: consoleUrl(stored.code),
    retryable: ERROR_SPECS[stored.code].retryable,
    status: stored.status,
    // Scrubbed again when shown: a message stored before a secret was registered stays safe.
    upstreamMessage:
      stored.upstreamMessage === undefined
        ? undefined
        : scrubUpstreamMessage(stored.upstreamMessage),
    requestId: stored.requestId ?? "",
    upstreamRequestId: stored.upstreamRequestId,
    attempts: stored.attempts,
  };
}

/** A 400 with a precise, localized reason and no upstream call. */
export function badRequest(key: string, params?: ErrorDetail["params"], httpStatus?: number) {
  return new AppError("bad_request", { detail: { key, params }, httpStatus });
}
