import "server-only";
import { randomBytes } from "node:crypto";
import { serverLog } from "../log";
import type { UpstreamCallRecord } from "../upstream/types";
import { getRedis } from "./redis";

/*
 * Diagnostics' recent upstream calls, shared by every instance: the last 100 calls in a list
 * (newest first) and failed calls of the last hour in a sorted set by time.
 */
const CALLS_KEY = "sora:calls";
const ERRORS_KEY = "sora:call-errors";
const MAX_CALLS = 100;
const ERROR_WINDOW_MS = 60 * 60_000;

let warned = false;

/** Mirrors one finished call into Redis; never delays or fails the call itself. */
export function shareUpstreamCall(record: UpstreamCallRecord): void {
  const atMs = Date.parse(record.at);
  const write = getRedis()
    .multi()
    .lpush(CALLS_KEY, JSON.stringify(record))
    .ltrim(CALLS_KEY, 0, MAX_CALLS - 1);
  if (record.errorCode) {
    write
      .zadd(ERRORS_KEY, atMs, `${record.errorCode}:${atMs}:${randomBytes(4).toString("hex")}`)
      .zremrangebyscore(ERRORS_KEY, 0, Date.now() - ERROR_WINDOW_MS);
  }
  void write.exec().catch((error: unknown) => {
    if (warned) return;
    warned = true;
    serverLog.warn("could not share an upstream call record", {
      error: error instanceof Error ? error.message : String(error),
    });
  });
}

/** The shared ring: calls newest first, and failed calls per code since `sinceMs`. */
export async function sharedUpstreamCalls(
  sinceMs: number,
): Promise<{ calls: UpstreamCallRecord[]; counts: Record<string, number> }> {
  const redis = getRedis();
  const [calls, errors] = await Promise.all([
    redis.lrange(CALLS_KEY, 0, MAX_CALLS - 1),
    redis.zrangebyscore(ERRORS_KEY, sinceMs, "+inf"),
  ]);
  const counts: Record<string, number> = {};
  for (const member of errors) {
    const code = member.split(":")[0] ?? "";
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return { calls: calls.map((c) => JSON.parse(c) as UpstreamCallRecord), counts };
}
