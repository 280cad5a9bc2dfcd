import "server-only";
import { LOCALE_COOKIE, resolveLocale, type Locale } from "@/lib/i18n/config";
import { accessGateEnabled, hasSession, PUBLIC_PATHS } from "./access";
import { clientAddress } from "./client-address";
import { readCookie } from "./cookies";
import { AppError, toAppError } from "./errors";
import { newRequestId, serverLog } from "./log";
import { requestRefusal } from "./request-guard";
import { claimStreamSlot, releaseWhenDone } from "./stream-slots";

export interface ApiContext {
  requestId: string;
  locale: Locale;
}

export interface ApiOptions {
  /** The answer is an event stream: it takes one of the client's (and the server's) stream slots. */
  eventStream?: boolean;
}

export function requestLocale(request: Request): Locale {
  return resolveLocale(readCookie(request, LOCALE_COOKIE), request.headers.get("accept-language"));
}

/** `Accept: application/json` without event-stream: a create answers `202 {job}`, not a stream. */
export function prefersJsonAnswer(request: Request): boolean {
  const accept = (request.headers.get("accept") ?? "").toLowerCase();
  return accept.includes("application/json") && !accept.includes("text/event-stream");
}

/** Whether the request asks for `text/event-stream` (diagnostics, a create without JSON accept). */
export function acceptsEventStream(request: Request): boolean {
  return (request.headers.get("accept") ?? "").toLowerCase().includes("text/event-stream");
}

/**
 * Wraps a route handler: refuses foreign hosts and cross-site state changes, enforces the access
 * gate (ACCESS_PASSWORD) and the event-stream slots, gives the handler a request id and locale,
 * turns thrown errors into the envelope, and writes one `[Server]` line per request.
 */
export async function handleApi(
  request: Request,
  handler: (ctx: ApiContext) => Promise<Response> | Response,
  options: ApiOptions = {},
): Promise<Response> {
  const started = performance.now();
  const ctx: ApiContext = { requestId: newRequestId(), locale: requestLocale(request) };
  const { pathname } = new URL(request.url);
  let response: Response;
  let release: (() => void) | undefined;
  try {
    const refusal = requestRefusal(request);
    if (refusal) throw refusal;
    if (accessGateEnabled() && !PUBLIC_PATHS.includes(pathname) && !hasSession(request)) {
      throw new AppError("unauthorized");
    }
    if (options.eventStream) release = claimStreamSlot(clientAddress(request));
    response = await handler(ctx);
    if (release) response = releaseWhenDone(response, release, request.signal);
  } catch (error) {
    release?.();
    const appError = toAppError(error);
    if (appError.code === "internal_error") {
      serverLog.error("unhandled error", {
        path: pathname,
        requestId: ctx.requestId,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    if (appError.code === "request_refused") {
      serverLog.warn("request refused", {
        path: pathname,
        host: request.headers.get("host")?.slice(0, 100),
        origin: request.headers.get("origin")?.slice(0, 100),
      });
    }
    response = appError.toResponse(ctx.locale, ctx.requestId);
  }
  if (!response.headers.has("x-request-id")) {
    try {
      response.headers.set("x-request-id", ctx.requestId);
    } catch {
      // Some responses (e.g. redirects) have immutable headers.
    }
  }
  serverLog.info(`${request.method} ${pathname}`, {
    status: response.status,
    ms: Math.round(performance.now() - started),
    requestId: ctx.requestId,
  });
  return response;
}
