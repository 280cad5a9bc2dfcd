import "server-only";
import { LOCALE_COOKIE, resolveLocale, type Locale } from "@/lib/i18n/config";
import { accessGateEnabled, hasSession, PUBLIC_PATHS } from "./access";
import { AppError, toAppError } from "./errors";
import { newRequestId, serverLog } from "./log";

export interface ApiContext {
  requestId: string;
  locale: Locale;
}

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

export function requestLocale(request: Request): Locale {
  return resolveLocale(cookieValue(request, LOCALE_COOKIE), request.headers.get("accept-language"));
}

/**
 * Wraps a route handler: enforces the access gate (ACCESS_PASSWORD), gives the handler a request id
 * and locale, turns thrown errors into the envelope, and writes one `[Server]` line per request.
 */
export async function handleApi(
  request: Request,
  handler: (ctx: ApiContext) => Promise<Response> | Response,
): Promise<Response> {
  const started = performance.now();
  const ctx: ApiContext = { requestId: newRequestId(), locale: requestLocale(request) };
  const { pathname } = new URL(request.url);
  let response: Response;
  try {
    if (accessGateEnabled() && !PUBLIC_PATHS.includes(pathname) && !hasSession(request)) {
      throw new AppError("unauthorized");
    }
    response = await handler(ctx);
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === "internal_error") {
      serverLog.error("unhandled error", {
        path: pathname,
        requestId: ctx.requestId,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
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
