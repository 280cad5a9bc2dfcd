import type { ApiError } from "@/lib/contracts/errors";
import type { JobEvent } from "@/lib/contracts/job";
import { formatDelaySeconds } from "./format";

/**
 * Grouped, prefixed browser console logs. Users of relays are told to "look at the console": each
 * group title says what happened in one line, the body carries everything support asks for.
 */
const PREFIX = "[Sora2]";

type Console = Pick<
  typeof console,
  "groupCollapsed" | "groupEnd" | "log" | "info" | "warn" | "error"
>;

function summary(event: JobEvent): string {
  switch (event.type) {
    case "job":
      return `${event.data.state} ${event.data.progress}% (${event.data.model}, ${event.data.protocol})`;
    case "state":
      return `state → ${event.data.state}`;
    case "progress":
      return `progress ${event.data.percent}%${event.data.message ? ` · ${event.data.message}` : ""}`;
    case "retry": {
      const { attempt, maxRetries, delayMs, error } = event.data;
      const status = error.status ? ` HTTP ${error.status}` : "";
      return `retry ${attempt}/${maxRetries} in ${formatDelaySeconds(delayMs)} s · ${error.code}${status}`;
    }
    case "failover":
      return `failover ${event.data.fromHost} → ${event.data.toHost}`;
    case "completed":
      return `completed · ${event.data.job.video?.url ?? "no video url"}`;
    case "failed": {
      const error = event.data.job.error;
      return `failed · ${error?.code ?? "unknown"}${error?.status ? ` HTTP ${error.status}` : ""}`;
    }
    case "reconnect":
      return `server asks to reconnect in ${event.data.afterMs} ms`;
  }
}

export function logJobEvent(jobId: string, event: JobEvent, out: Console = console): void {
  out.groupCollapsed(`${PREFIX} ${jobId} #${event.seq} ${summary(event)}`);
  try {
    out.log("event", event.type, "seq", event.seq);
    out.log("data", event.data);
    if (event.type === "failed" && event.data.job.error) {
      logApiError(event.data.job.error, out);
    } else if (event.type === "retry") {
      out.warn(`${PREFIX} upstream error before retry:`, event.data.error);
    }
  } finally {
    out.groupEnd();
  }
}

function logApiError(error: ApiError, out: Console): void {
  out.error(`${PREFIX} ${error.code}: ${error.message}`, {
    hint: error.hint,
    status: error.status,
    requestId: error.requestId,
    upstreamRequestId: error.upstreamRequestId,
    attempts: error.attempts,
    upstreamMessage: error.upstreamMessage,
  });
}

/** One-off notes about the connection or a request (created, reconnecting, rejected frame…). */
export function logJobNotice(
  jobId: string | null,
  title: string,
  details?: Record<string, unknown>,
  level: "info" | "warn" | "error" = "info",
  out: Console = console,
): void {
  const label = `${PREFIX}${jobId ? ` ${jobId}` : ""} ${title}`;
  if (!details) {
    out[level](label);
    return;
  }
  out.groupCollapsed(label);
  try {
    out[level](details);
  } finally {
    out.groupEnd();
  }
}

export function logRequestError(title: string, error: ApiError, out: Console = console): void {
  out.groupCollapsed(
    `${PREFIX} ${title} · ${error.code}${error.status ? ` HTTP ${error.status}` : ""}`,
  );
  try {
    logApiError(error, out);
  } finally {
    out.groupEnd();
  }
}
