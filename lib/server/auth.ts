import "server-only";
import { RateLimiterRes } from "rate-limiter-flexible";
import {
  clearedSessionCookie,
  clientIp,
  createSessionToken,
  loginLimiter,
  passwordMatches,
  sessionCookie,
} from "./access";
import { AppError, badRequest } from "./errors";
import { serverLog } from "./log";

/** Only same-site relative paths: an open redirect would turn the login page into a phishing aid. */
export function safeNextPath(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])[^\s]*$/.test(value) ? value : "/";
}

async function readLoginForm(request: Request): Promise<{ password: string; next: string }> {
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
    return { password: String(body?.password ?? ""), next: safeNextPath(body?.next) };
  }
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const form = await request.formData();
    return { password: String(form.get("password") ?? ""), next: safeNextPath(form.get("next")) };
  }
  throw badRequest("contentType", undefined, 415);
}

/**
 * Checks the password (timing-safe, 10 attempts per IP per 15 min) and sets the session cookie.
 * Browsers posting the form are redirected; scripts posting JSON get JSON.
 */
export async function login(request: Request): Promise<Response> {
  const ip = clientIp(request);
  try {
    await loginLimiter().consume(ip);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    serverLog.warn("login rate limit reached", { ip });
    throw new AppError("rate_limited", {
      detail: { key: "loginRateLimit", params: { seconds } },
      httpStatus: 429,
      headers: { "Retry-After": String(seconds) },
    });
  }
  const { password, next } = await readLoginForm(request);
  const wantsJson = (request.headers.get("accept") ?? "").includes("application/json");
  const ok = password.length > 0 && passwordMatches(password);
  serverLog.info(ok ? "login succeeded" : "login failed", { ip });
  if (!ok) {
    if (wantsJson) throw new AppError("unauthorized", { detail: { key: "wrongPassword" } });
    return redirect(`/login?error=1&next=${encodeURIComponent(next)}`, request);
  }
  const secure = new URL(request.url).protocol === "https:";
  const cookie = sessionCookie(createSessionToken(), secure);
  const response = wantsJson
    ? Response.json({ ok: true }, { status: 200 })
    : redirect(next, request);
  response.headers.append("set-cookie", cookie);
  return response;
}

export function logout(request: Request): Response {
  const response = redirect("/login", request);
  response.headers.append("set-cookie", clearedSessionCookie());
  return response;
}

function redirect(path: string, request: Request): Response {
  return new Response(null, {
    status: 303,
    headers: { location: new URL(path, request.url).toString() },
  });
}
