import "server-only";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { limiterKey } from "./client-address";
import { getConfig } from "./config";
import { readCookie } from "./cookies";
import { AppError } from "./errors";
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

/** `DATA_DIR/session.json` (0600): the signing secret (unless SESSION_SECRET) and the session version. */
interface SessionState {
  secret: string;
  version: number;
}

function sessionFile(): string {
  return path.join(getConfig().dataDir, "session.json");
}

function readSessionFile(): SessionState | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(sessionFile(), "utf8")) as Partial<SessionState>;
    if (typeof value.secret === "string" && value.secret.length >= 32) {
      const version = typeof value.version === "number" && value.version > 0 ? value.version : 1;
      return { secret: value.secret, version: Math.floor(version) };
    }
  } catch {
    // Missing or damaged: a new one is written below.
  }
  return undefined;
}

function writeSessionFile(state: SessionState, exclusive: boolean): void {
  const file = sessionFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (exclusive) {
    fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600, flag: "wx" });
    return;
  }
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  fs.renameSync(temporary, file);
}

/**
 * The session state, created on first use. Read on every check (a few bytes) so that a "sign out
 * everywhere" by one process on this DATA_DIR holds for the others at once.
 */
function sessionState(): SessionState {
  const existing = readSessionFile();
  if (existing) return existing;
  const created = { secret: randomBytes(32).toString("base64url"), version: 1 };
  try {
    writeSessionFile(created, true);
    return created;
  } catch {
    // Another process created it first (or the file was damaged): use what is there, else replace it.
    const raced = readSessionFile();
    if (raced) return raced;
    writeSessionFile(created, false);
    return created;
  }
}

/** The secret sessions are signed with: SESSION_SECRET (shared by instances) or DATA_DIR's. */
export function sessionSecret(): string {
  return getConfig().sessionSecret ?? sessionState().secret;
}

/** The password takes part in the key too: changing it signs everyone out. */
function sign(payload: string, password: string, secret: string): string {
  const key = createHmac("sha256", secret).update(`sora-studio-session:${password}`).digest();
  return createHmac("sha256", key).update(payload).digest("base64url");
}

/** `v2.<issued ms>.<session version>.<signature>` */
export function createSessionToken(now = Date.now()): string {
  const password = getConfig().accessPassword;
  if (!password) throw new Error("no ACCESS_PASSWORD configured");
  const state = sessionState();
  const payload = `v2.${now}.${state.version}`;
  return `${payload}.${sign(payload, password, getConfig().sessionSecret ?? state.secret)}`;
}

export function verifySessionToken(token: string | undefined, now = Date.now()): boolean {
  const password = getConfig().accessPassword;
  if (!password || !token) return false;
  const match = /^(v2\.(\d{1,15})\.(\d{1,9}))\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return false;
  const [, payload = "", issued = "0", version = "0", signature = ""] = match;
  const issuedAt = Number(issued);
  if (issuedAt > now + 60_000 || now - issuedAt > SESSION_TTL_MS) return false;
  const state = sessionState();
  if (Number(version) !== state.version) return false;
  const expected = Buffer.from(sign(payload, password, getConfig().sessionSecret ?? state.secret));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Ends every session issued so far, on every device, without changing the password. */
export function revokeAllSessions(): void {
  const state = sessionState();
  writeSessionFile({ ...state, version: state.version + 1 }, false);
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

export function hasSession(request: Request): boolean {
  return verifySessionToken(readCookie(request, SESSION_COOKIE));
}

/** Per client address: 10 attempts per 15 minutes. All addresses together: 100 failures. */
const LOGIN_ATTEMPTS_PER_ADDRESS = 10;
const LOGIN_FAILURES_GLOBAL = 100;
const LOGIN_WINDOW_S = 15 * 60;
const BACKOFF_FIRST_MS = 60_000;
const BACKOFF_MAX_MS = 60 * 60_000;

interface LoginGuard {
  /** Shared by every instance through Redis in shared mode (createLimiter). */
  perAddress: RateLimiterAbstract;
  failures: RateLimiterAbstract;
  /** Consecutive times the global budget ran out; each doubles the pause. */
  strikes: number;
  lastStrikeAt: number;
  pausedUntil: number;
}

const GUARD_KEY = Symbol.for("sora-studio.login-guard");
type GuardHolder = { [GUARD_KEY]?: LoginGuard };

function loginGuard(): LoginGuard {
  const holder = globalThis as GuardHolder;
  holder[GUARD_KEY] ??= {
    perAddress: createLimiter({
      keyPrefix: "login",
      points: LOGIN_ATTEMPTS_PER_ADDRESS,
      duration: LOGIN_WINDOW_S,
    }),
    failures: createLimiter({
      keyPrefix: "login-failures",
      points: LOGIN_FAILURES_GLOBAL,
      duration: LOGIN_WINDOW_S,
    }),
    strikes: 0,
    lastStrikeAt: 0,
    pausedUntil: 0,
  };
  return holder[GUARD_KEY];
}

function tooManyLogins(key: string, ms: number): AppError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new AppError("rate_limited", {
    detail: { key, params: { seconds } },
    httpStatus: 429,
    headers: { "Retry-After": String(seconds) },
  });
}

/**
 * Admits one login attempt from `address` or throws 429: while the server-wide pause runs (too
 * many failures from everywhere: a distributed guess), or past the per-address budget.
 */
export async function admitLoginAttempt(address: string, now = Date.now()): Promise<void> {
  const guard = loginGuard();
  if (now < guard.pausedUntil) throw tooManyLogins("loginBackoff", guard.pausedUntil - now);
  try {
    await guard.perAddress.consume(limiterKey(address));
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw tooManyLogins("loginRateLimit", rejection.msBeforeNext);
  }
}

/** Counts a wrong password server-wide; past the budget, sign-in pauses 1, 2, 4 … 60 minutes. */
export async function recordLoginFailure(now = Date.now()): Promise<void> {
  const guard = loginGuard();
  try {
    await guard.failures.consume("all");
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    guard.strikes = now - guard.lastStrikeAt > BACKOFF_MAX_MS ? 1 : guard.strikes + 1;
    guard.lastStrikeAt = now;
    const pause = Math.min(BACKOFF_FIRST_MS * 2 ** (guard.strikes - 1), BACKOFF_MAX_MS);
    guard.pausedUntil = now + pause;
  }
}

/** Whether the server listens on loopback only (`next start -H`, or HOSTNAME for `npm start`). */
export function listensOnLoopbackOnly(): boolean {
  const host = getConfig().hostname;
  return Boolean(host && /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/.test(host));
}
