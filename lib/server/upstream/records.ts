import "server-only";
import { sora2Log } from "../log";
import type { UpstreamCallRecord } from "./types";

const MAX_CALLS = 100;
const MAX_ERRORS = 2000;

interface UpstreamState {
  calls: UpstreamCallRecord[];
  errors: { atMs: number; code: string }[];
  /** Base URL new creates go to (the last one that accepted a create). */
  currentBaseUrl?: string;
}

const STATE_KEY = Symbol.for("sora-studio.upstream.state");
type StateHolder = { [STATE_KEY]?: UpstreamState };

/** Process-wide state, on globalThis because Next may bundle this module more than once. */
export function upstreamState(): UpstreamState {
  const holder = globalThis as StateHolder;
  holder[STATE_KEY] ??= { calls: [], errors: [] };
  return holder[STATE_KEY];
}

type CallListener = (record: UpstreamCallRecord) => void;
const LISTENERS_KEY = Symbol.for("sora-studio.upstream.call-listeners");

function callListeners(): Set<CallListener> {
  const holder = globalThis as { [LISTENERS_KEY]?: Set<CallListener> };
  holder[LISTENERS_KEY] ??= new Set();
  return holder[LISTENERS_KEY];
}

/** Also hands every recorded call to `listener` (shared mode mirrors them into Redis). */
export function onUpstreamCall(listener: CallListener): void {
  callListeners().add(listener);
}

/** The last 100 upstream calls, oldest first. */
export function recentUpstreamCalls(): UpstreamCallRecord[] {
  return upstreamState().calls.map((call) => ({ ...call }));
}

/** Failed upstream calls per error code since `sinceMs` (epoch milliseconds). */
export function upstreamErrorCounts(sinceMs: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { atMs, code } of upstreamState().errors) {
    if (atMs >= sinceMs) counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

export interface CallOutcome {
  status?: number;
  errorCode?: string;
  upstreamRequestId?: string;
  /** Routine calls (a poll saying "still running") are logged at debug level. */
  routine?: boolean;
  protocol?: string;
}

/** Records one finished upstream call and writes its `[Sora2]` line. */
export function recordUpstreamCall(
  start: {
    startedAt: number;
    operation: UpstreamCallRecord["operation"];
    host: string;
    attempt: number;
    model?: string;
  },
  outcome: CallOutcome,
): void {
  const state = upstreamState();
  const record: UpstreamCallRecord = {
    at: new Date(start.startedAt).toISOString(),
    operation: start.operation,
    host: start.host,
    status: outcome.status,
    latencyMs: Math.max(0, Date.now() - start.startedAt),
    attempt: start.attempt,
    model: start.model,
    errorCode: outcome.errorCode,
    upstreamRequestId: outcome.upstreamRequestId,
  };
  state.calls.push(record);
  for (const listener of callListeners()) listener(record);
  if (state.calls.length > MAX_CALLS) state.calls.splice(0, state.calls.length - MAX_CALLS);
  if (outcome.errorCode) {
    state.errors.push({ atMs: start.startedAt, code: outcome.errorCode });
    if (state.errors.length > MAX_ERRORS) state.errors.splice(0, state.errors.length - MAX_ERRORS);
  }
  const fields = {
    operation: record.operation,
    protocol: outcome.protocol,
    host: record.host,
    status: record.status,
    latencyMs: record.latencyMs,
    attempt: record.attempt,
    upstreamRequestId: record.upstreamRequestId,
    code: record.errorCode,
  };
  if (record.errorCode && record.errorCode !== "aborted") sora2Log.warn("upstream call", fields);
  else if (outcome.routine) sora2Log.debug("upstream call", fields);
  else sora2Log.info("upstream call", fields);
}
