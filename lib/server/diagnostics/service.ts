import "server-only";
import type {
  DiagnosticCheck,
  DiagnosticsReport,
  IncidentsResponse,
} from "@/lib/contracts/diagnostics";
import type { Locale } from "@/lib/i18n/config";
import { getConfig } from "../config";
import { sharedUpstreamCalls } from "../shared/call-ring";
import { recentUpstreamCalls, upstreamErrorCounts } from "../upstream/records";
import { runDiagnostics } from "./engine";
import { effectiveConfig, targetFromConfig } from "./target";

export interface ServerRunOptions {
  locale: Locale;
  generate?: boolean;
  signal?: AbortSignal;
  onCheck?: (check: DiagnosticCheck) => void;
}

/** The app's own configuration, diagnosed: what `/api/diagnostics` and `/diagnostics` show. */
export function runConfiguredDiagnostics(options: ServerRunOptions): Promise<DiagnosticsReport> {
  const config = getConfig();
  return runDiagnostics(targetFromConfig(config), {
    ...options,
    version: config.version,
    config: effectiveConfig(config),
  });
}

/** The server-side view of the configuration for the dashboard (key masked). */
export function dashboardConfig() {
  return effectiveConfig(getConfig());
}

const INCIDENT_WINDOW_MS = 60 * 60_000;

/**
 * The ring buffer of recent upstream calls (newest first) and error counts of the last hour: this
 * process's, or in shared mode every instance's (from Redis).
 */
export async function recentIncidents(now = Date.now()): Promise<IncidentsResponse> {
  const since = now - INCIDENT_WINDOW_MS;
  const shared = getConfig().shared.redisUrl ? await sharedUpstreamCalls(since) : undefined;
  const calls = (shared?.calls ?? recentUpstreamCalls().reverse()).map((call) => ({
    at: call.at,
    operation: call.operation,
    host: call.host,
    status: call.status,
    latencyMs: call.latencyMs,
    attempt: call.attempt,
    code: call.errorCode,
    upstreamRequestId: call.upstreamRequestId,
  }));
  return {
    calls,
    counts: shared?.counts ?? upstreamErrorCounts(since),
    windowMs: INCIDENT_WINDOW_MS,
    generatedAt: new Date(now).toISOString(),
  };
}

const SLOTS_KEY = Symbol.for("sora-studio.diagnostics.slots");
type SlotHolder = { [SLOTS_KEY]?: { runs: number; generating: boolean } };
/** Each run sends a handful of requests to the relay; a reload loop must not turn into a flood. */
const MAX_CONCURRENT_RUNS = 4;

/**
 * A place for one diagnostics run (at most 4 at once), and for the billed generation only one per
 * server: a second click or a second tab must not pay twice. Returns a release function, or null
 * when the server is busy.
 */
export function claimRunSlot(generate: boolean): (() => void) | null {
  const holder = globalThis as SlotHolder;
  const slots = (holder[SLOTS_KEY] ??= { runs: 0, generating: false });
  if (slots.runs >= MAX_CONCURRENT_RUNS || (generate && slots.generating)) return null;
  slots.runs++;
  if (generate) slots.generating = true;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    slots.runs--;
    if (generate) slots.generating = false;
  };
}
