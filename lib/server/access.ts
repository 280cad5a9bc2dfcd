import "server-only";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { getConfig } from "./config";
import { createLimiter } from "./shared/limiter";

export const SESSION_COOKIE = "sora_session";
const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Paths reachable without a session when ACCESS_PASSWORD is set. */
export const PUBLIC_PATHS = [
  "/api/health",
  "/login",
  "/api/auth/login",
  "/api/auth/logout",
  // Guarded by CRON_SECRET instead of a session (Vercel Cron has no cookie).
  "/api/cron/reconcile",
];

export function accessGateEnabled(): boolean {
  return Boolean(getConfig().accessPassword);
}

// Sessions are signed with a key derived from the password: changing it signs everyone out.
function signingKey(password: string): Buffer {
  return createHash("sha256").update(`sora-studio-session:${password}`).digest();
}

function sign(payload: string, password: string): string {
  return createHmac("sha256", signingKey(password)).update(payload).digest("base64url");
}

export function createSessionToken(now = Date.now()): string {
  const password = getConfig().accessPassword;
  if (!password) throw new Error("no ACCESS_PASSWORD configured");
  const payload = `v1.${now}`;
  return `${payload}.${sign(payload, password)}`;
}

export function verifySessionToken(token: string | undefined, now = Date.now()): boolean {
  const password = getConfig().accessPassword;
  if (!password || !token) return false;
  const match = /^(v1\.(\d{1,15}))\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return false;
  const [, payload = "", issued = "0", signature = ""] = match;
  const issuedAt = Number(issued);
  if (issuedAt > now + 60_000 || now - issuedAt > SESSION_TTL_MS) return false;
  const expected = Buffer.from(sign(payload, password));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Timing-safe: both sides are hashed to the same length before comparing. */
export function passwordMatches(input: string): boolean {
  const password = getConfig().accessPassword;
  if (!password) return false;
  const a = createHash("sha256").update(input).digest();
  const b = createHash("sha256").update(password).digest();
  return timingSafeEqual(a, b);
}

export function sessionCookie(token: string, secure: boolean): string {
  const attributes = [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${Math.floor(SESSION_TTL_MS / 1000)}`,
  ];
  if (secure) attributes.push("Secure");
  return attributes.join("; ");
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

export function hasSession(request: Request): boolean {
  return verifySessionToken(readCookie(request, SESSION_COOKIE));
}

const LIMITER_KEY = Symbol.for("sora-studio.login-limiter");
type LimiterHolder = { [LIMITER_KEY]?: RateLimiterAbstract };

/** Ten login attempts per client IP per 15 minutes. */
export function loginLimiter(): RateLimiterAbstract {
  const holder = globalThis as LimiterHolder;
  holder[LIMITER_KEY] ??= createLimiter({ keyPrefix: "login", points: 10, duration: 15 * 60 });
  return holder[LIMITER_KEY];
}

/**
 * The client's address as seen through a reverse proxy. Spoofable where no proxy overwrites the
 * header, which is why the global limit exists next to the per-IP one.
 */
export function clientIp(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || request.headers.get("x-real-ip")?.trim() || "local";
}

/** Whether the server listens on loopback only (from HOSTNAME as given to `next start -H`). */
export function listensOnLoopbackOnly(): boolean {
  const host = getConfig().hostname;
  return Boolean(host && /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/.test(host));
}
