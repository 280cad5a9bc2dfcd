"use client";

import { EventSourceParserStream } from "eventsource-parser/stream";
import { useEffect, useState, useSyncExternalStore } from "react";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import {
  diagnosticsEventDataSchemas,
  type CheckId,
  type DiagnosticCheck,
  type DiagnosticsReport,
} from "@/lib/contracts/diagnostics";

export interface DiagnosticsRunState {
  phase: "idle" | "running" | "done" | "error";
  /** This run includes the real (billed) generation. */
  generate: boolean;
  /** Finished checks so far, by id (they arrive in finishing order). */
  checks: Partial<Record<CheckId, DiagnosticCheck>>;
  report?: DiagnosticsReport;
  error?: string;
}

const IDLE: DiagnosticsRunState = { phase: "idle", generate: false, checks: {} };

/**
 * One diagnostics run at a time, read from `/api/diagnostics` as a stream of checks. Kept outside
 * React so the page can start a run from an effect without setting state in it.
 */
export class DiagnosticsRunStore {
  private state: DiagnosticsRunState = IDLE;
  private listeners = new Set<() => void>();
  private controller: AbortController | undefined;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.state;

  getServerSnapshot = () => IDLE;

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
    const fail = (error: string) => {
      if (!signal.aborted) this.set({ ...this.state, phase: "error", error });
    };
    let response: Response;
    try {
      response = await fetch("/api/diagnostics", {
        method: generate ? "POST" : "GET",
        headers: generate
          ? { accept: "text/event-stream", "content-type": "application/json" }
          : { accept: "text/event-stream" },
        body: generate ? JSON.stringify({ generate: true }) : undefined,
        signal,
        cache: "no-store",
      });
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
      return;
    }
    if (!response.ok || !response.body) {
      const envelope = errorEnvelopeSchema.safeParse(await response.json().catch(() => null));
      fail(envelope.success ? envelope.data.error.message : `HTTP ${response.status}`);
      return;
    }
    const events = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream());
    const reader = events.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const data: unknown = JSON.parse(value.data);
        if (value.event === "check") {
          const check = diagnosticsEventDataSchemas.check.parse(data);
          this.set({ ...this.state, checks: { ...this.state.checks, [check.id]: check } });
        } else if (value.event === "report") {
          const report = diagnosticsEventDataSchemas.report.parse(data);
          const checks = Object.fromEntries(report.checks.map((c) => [c.id, c]));
          this.set({ ...this.state, phase: "done", checks, report });
          return;
        } else if (value.event === "error") {
          fail(diagnosticsEventDataSchemas.error.parse(data).error.message);
          return;
        }
      }
      fail("connection closed before the report");
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    } finally {
      reader.releaseLock();
    }
  }
}

/** Runs diagnostics once when the page opens; `run()` starts another (with the generation if asked). */
export function useDiagnosticsRun() {
  const [store] = useState(() => new DiagnosticsRunStore());
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
  useEffect(() => {
    store.start(false);
    return () => store.stop();
  }, [store]);
  return { state, run: (generate = false) => store.start(generate) };
}
