import { describe, expect, it } from "vitest";
import type { DiagnosticCheck, DiagnosticsReport } from "@/lib/contracts/diagnostics";
import { ApiRequestError } from "./api";
import { DiagnosticsRunStore, type DiagnosticsRunState } from "./diagnostics-run";

const check: DiagnosticCheck = {
  id: "key.present",
  title: "Key present",
  status: "pass",
  durationMs: 1,
  observed: "sk-…abc",
};
const report: DiagnosticsReport = {
  version: "1",
  startedAt: new Date(0).toISOString(),
  durationMs: 5,
  target: { baseUrl: "http://127.0.0.1:1", keyMasked: "sk-…abc" },
  checks: [check],
  verdict: { status: "pass", nextSteps: [] },
};

const frame = (event: string, data: unknown) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const stream = (text: string) => async () =>
  new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } });

/** Runs the store against one fake answer until it settles. */
async function run(answer: () => Promise<Response>): Promise<DiagnosticsRunState> {
  const store = new DiagnosticsRunStore(answer as typeof fetch);
  const settled = new Promise<DiagnosticsRunState>((resolve) => {
    store.subscribe(() => {
      const state = store.getSnapshot();
      if (state.phase === "done" || state.phase === "error") resolve(state);
    });
  });
  store.start();
  return settled;
}

describe("DiagnosticsRunStore", () => {
  it("collects checks as they arrive and ends with the report", async () => {
    const state = await run(stream(frame("check", check) + frame("report", report)));
    expect(state.phase).toBe("done");
    expect(state.checks["key.present"]).toEqual(check);
    expect(state.report?.verdict.status).toBe("pass");
  });

  it("fails on a frame that does not match its schema instead of applying it", async () => {
    const state = await run(stream(frame("check", { ...check, status: "great" })));
    expect(state.phase).toBe("error");
    expect(state.error).toBeInstanceOf(ApiRequestError);
    expect(String((state.error as Error).cause)).toContain("schema");
    expect(state.checks).toEqual({});
  });

  const envelope = {
    error: {
      code: "request_refused",
      message: "Busy here",
      hint: "Wait",
      retryable: false,
      requestId: "r1",
    },
  };

  it("keeps the envelope of a refused run", async () => {
    const state = await run(async () => Response.json(envelope, { status: 409 }));
    expect(state.phase).toBe("error");
    expect((state.error as ApiRequestError).error).toEqual(envelope.error);
  });

  it("keeps the envelope of a run that failed after it started", async () => {
    const state = await run(stream(frame("check", check) + frame("error", envelope)));
    expect(state.phase).toBe("error");
    expect((state.error as ApiRequestError).error).toEqual(envelope.error);
    expect(state.checks["key.present"]).toEqual(check);
  });

  it("names the status when the answer has no envelope", async () => {
    const state = await run(async () => new Response("oops", { status: 502 }));
    expect(state.phase).toBe("error");
    expect(state.error).toMatchObject({ httpStatus: 502, error: null });
  });

  it("says the stream ended early when it closes before the report", async () => {
    const state = await run(stream(frame("check", check)));
    expect(state.phase).toBe("error");
    expect(state.error).not.toBeInstanceOf(ApiRequestError);
    expect((state.error as Error).message).toBe("connection closed before the report");
  });
});
