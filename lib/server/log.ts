import "server-only";
import { getConfig, type LogLevel } from "./config";
import { scrubSecrets } from "./redact";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

type Fields = Record<string, string | number | boolean | null | undefined>;

function format(fields: Fields | undefined): string {
  if (!fields) return "";
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => {
      const s = String(v);
      return ` ${k}=${/\s/.test(s) ? JSON.stringify(s) : s}`;
    })
    .join("");
}

function enabled(level: LogLevel): boolean {
  let configured: LogLevel = "info";
  try {
    configured = getConfig().logLevel;
  } catch {
    // Config errors are reported by start-up itself; logging must still work to report them.
  }
  return LEVELS[level] >= LEVELS[configured];
}

function write(prefix: string, level: LogLevel, message: string, fields?: Fields) {
  if (!enabled(level)) return;
  const line = scrubSecrets(`${prefix} ${level.toUpperCase()} ${message}${format(fields)}`);
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

function channel(prefix: string) {
  return {
    debug: (message: string, fields?: Fields) => write(prefix, "debug", message, fields),
    info: (message: string, fields?: Fields) => write(prefix, "info", message, fields),
    warn: (message: string, fields?: Fields) => write(prefix, "warn", message, fields),
    error: (message: string, fields?: Fields) => write(prefix, "error", message, fields),
  };
}

/** App events: requests, jobs, start-up. */
export const serverLog = channel("[Server]");
/** Upstream traffic: every call, retry and failover. */
export const sora2Log = channel("[Sora2]");

export function newRequestId(): string {
  return `req_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
