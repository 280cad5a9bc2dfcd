import "server-only";
import {
  admitLoginAttempt,
  clearedSessionCookie,
  createSessionToken,
  hasSession,
  passwordMatches,
  recordLoginFailure,
  revokeAllSessions,
  sessionCookie,
} from "./access";
import { readBody, readJsonOrForm, SMALL_BODY_BYTES } from "./body";
import { clientAddress } from "./client-address";
import { AppError, badRequest } from "./errors";
import { serverLog } from "./log";

/** Only same-site relative paths: an open redirect would turn the login page into a phishing aid. */
export function safeNextPath(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])[^\s]*$/.test(value) ? value : "/";
}

async function readLoginForm(request: Request): Promise<{ password: string; next: string }> {
  const body = await readJsonOrForm(request, SMALL_BODY_BYTES);
  if (body.kind === "form") {
    return {
      password: String(body.value.get("password") ?? ""),
      next: safeNextPath(body.value.get("next")),
    };
  }
  const fields = (body.value && typeof body.value === "object" ? body.value : {}) as Record<
    string,
    unknown
  >;
  return { password: String(fields.password ?? ""), next: safeNextPath(fields.next) };
}

function wantsJson(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("application/json");
}

/**
 * Checks the password (timing-safe; 10 attempts per client address per 15 min, and a server-wide
 * pause with back-off after 100 failures) and sets the session cookie.
 * Browsers posting the form are redirected; scripts posting JSON get JSON.
 */
export async function login(request: Request): Promise<Response> {
  const address = clientAddress(request);
  try {
    await admitLoginAttempt(address);
  } catch (error) {
    await request.body?.cancel().catch(() => undefined);
    serverLog.warn("login rate limit reached", { address });
    throw error;
  }
  const { password, next } = await readLoginForm(request);
  const ok = password.length > 0 && passwordMatches(password);
  serverLog.info(ok ? "login succeeded" : "login failed", { address });
  if (!ok) {
    await recordLoginFailure();
    if (wantsJson(request))
      throw new AppError("unauthorized", { detail: { key: "wrongPassword" } });
    return redirect(`/login?error=1&next=${encodeURIComponent(next)}`);
  }
  const secure = new URL(request.url).protocol === "https:";
  const cookie = sessionCookie(createSessionToken(), secure);
  const response = wantsJson(request) ? Response.json({ ok: true }) : redirect(next);
  response.headers.append("set-cookie", cookie);
  return response;
}

/** `{everywhere: true}` (JSON) or `everywhere=1` (form): any body other than those two is refused. */
async function logoutEverywhere(request: Request): Promise<boolean> {
  const declaredEmpty = request.headers.get("content-length") === "0" || !request.body;
  if (declaredEmpty && !request.headers.get("content-type")) return false;
  if (!request.headers.get("content-type")) {
    if ((await readBody(request, SMALL_BODY_BYTES)).byteLength === 0) return false;
    throw badRequest("contentType", undefined, 415);
  }
  const body = await readJsonOrForm(request, SMALL_BODY_BYTES);
  if (body.kind === "form") return ["1", "true"].includes(String(body.value.get("everywhere")));
  const fields = body.value && typeof body.value === "object" ? body.value : {};
  return (fields as Record<string, unknown>).everywhere === true;
}

/**
 * Ends this browser's session; with `everywhere`, every session of every device (the session
 * version moves on, so the password need not change). That needs a valid session, else anyone
 * could sign everyone out.
 */
export async function logout(request: Request): Promise<Response> {
  if (await logoutEverywhere(request)) {
    if (!hasSession(request)) {
      throw new AppError("unauthorized", { detail: { key: "everywhereNeedsSession" } });
    }
    revokeAllSessions();
    serverLog.info("signed out everywhere", { address: clientAddress(request) });
  }
  const response = wantsJson(request) ? Response.json({ ok: true }) : redirect("/login");
  response.headers.append("set-cookie", clearedSessionCookie());
  return response;
}

/** Relative: the server does not know the name the browser used (0.0.0.0, a proxy's host). */
function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}
