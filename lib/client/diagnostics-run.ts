import type { CheckId } from "@/lib/contracts/check-ids";
import type { DiagnosticCheck, DiagnosticsReport } from "@/lib/contracts/diagnostics";
import { ApiRequestError, readApiError } from "./api";

export interface DiagnosticsRunState {
  phase: "idle" | "running" | "done" | "error";
  /** This run includes the real (billed) generation. */
  generate: boolean;
  /** Finished checks so far, by id (they arrive in finishing order). */
  checks: Partial<Record<CheckId, DiagnosticCheck>>;
  report?: DiagnosticsReport;
  /** Why the run stopped: shown through `apiErrorMessage`, so the words stay localized. */
  error?: unknown;
}

export const IDLE_RUN: DiagnosticsRunState = { phase: "idle", generate: false, checks: {} };

/**
 * One diagnostics run at a time, read from `/api/diagnostics` as a stream of checks. Kept outside
 * React so the page can start a run from an effect without setting state in it.
 */
export class DiagnosticsRunStore {
  private state: DiagnosticsRunState = IDLE_RUN;
  private listeners = new Set<() => void>();
  private controller: AbortController | undefined;

  constructor(private readonly fetchImpl: typeof fetch = (...args) => fetch(...args)) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.state;

  getServerSnapshot = () => IDLE_RUN;

  private set(next: DiagnosticsRunState) {
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  start(generate = false) {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.set({ phase: "running", generate, checks: {} });
    void this.consume(generate, controller.signal);
  }

  stop() {
    this.controller?.abort();
    this.controller = undefined;
  }

  private async consume(generate: boolean, signal: AbortSignal) {
    const fail = (error: unknown) => {
      if (!signal.aborted) this.set({ ...this.state, phase: "error", error });
    };
    try {
      const response = await this.fetchImpl("/api/diagnostics", {
        method: generate ? "POST" : "GET",
        headers: generate
          ? { accept: "text/event-stream", "content-type": "application/json" }
          : { accept: "text/event-stream" },
        body: generate ? JSON.stringify({ generate: true }) : undefined,
        signal,
        cache: "no-store",
      });
      if (!response.ok || !response.body) {
        fail(await readApiError(response));
        return;
      }
      // The stream reader (with its parser and the schemas) loads with the run, not with the page.
      const { isRejectedFrame, readDiagnosticsEvents } = await import("./sse");
      for await (const item of readDiagnosticsEvents(response.body, { signal })) {
        if (isRejectedFrame(item)) {
          const cause = `unreadable "${item.frame.event ?? "message"}" event (${item.reason})`;
          fail(new ApiRequestError(response.status, null, { cause }));
          return;
        }
        if (item.type === "check") {
          this.set({ ...this.state, checks: { ...this.state.checks, [item.data.id]: item.data } });
        } else if (item.type === "report") {
          const checks = Object.fromEntries(item.data.checks.map((c) => [c.id, c]));
          this.set({ ...this.state, phase: "done", checks, report: item.data });
          return;
        } else {
          fail(new ApiRequestError(response.status, item.error));
          return;
        }
      }
      fail(new Error("connection closed before the report"));
    } catch (error) {
      fail(error);
    }
  }
}
