import { describe, expect, it, vi } from "vitest";
import type { JobEvent } from "@/lib/contracts/job";
import { logJobEvent, logJobNotice, logRequestError } from "./console-log";
import { sampleJob } from "./test-fixtures";

function fakeConsole() {
  return {
    groupCollapsed: vi.fn(),
    groupEnd: vi.fn(),
    log: vi.fn(),
    info: vi.fn(),
    warn: vi.fn(),
    error: vi.fn(),
  };
}

const failure = {
  code: "no_available_channel",
  message: "no channel",
  hint: "enable a channel",
  retryable: false,
  status: 503,
  requestId: "req_1",
  upstreamRequestId: "up_1",
} as const;
const failedJob = sampleJob({ state: "failed", error: failure });

describe("console logs", () => {
  it.each<[JobEvent, string]>([
    [
      { seq: 3, type: "progress", data: { percent: 45, message: "进度 45%" } },
      "[Sora2] job_x #3 progress 45% · 进度 45%",
    ],
    [
      {
        seq: 4,
        type: "retry",
        data: {
          attempt: 1,
          maxRetries: 2,
          delayMs: 3000,
          error: { code: "upstream_unavailable", status: 503, message: "busy" },
        },
      },
      "[Sora2] job_x #4 retry 1/2 in 3 s · upstream_unavailable HTTP 503",
    ],
    [
      { seq: 5, type: "failover", data: { fromHost: "a", toHost: "b" } },
      "[Sora2] job_x #5 failover a → b",
    ],
    [
      { seq: 9, type: "failed", data: { job: failedJob } },
      "[Sora2] job_x #9 failed · no_available_channel HTTP 503",
    ],
  ])("one collapsed group per event: %#", (event, title) => {
    const out = fakeConsole();
    logJobEvent("job_x", event, out);
    expect(out.groupCollapsed).toHaveBeenCalledWith(title);
    expect(out.groupEnd).toHaveBeenCalledTimes(1);
    expect(out.log).toHaveBeenCalledWith("data", event.data);
  });

  it("a failure carries the ids support asks for", () => {
    const out = fakeConsole();
    logJobEvent("job_x", { seq: 9, type: "failed", data: { job: failedJob } }, out);
    expect(out.error).toHaveBeenCalledWith(
      "[Sora2] no_available_channel: no channel",
      expect.objectContaining({
        requestId: "req_1",
        upstreamRequestId: "up_1",
        status: 503,
        hint: "enable a channel",
      }),
    );
  });

  it("notices and rejected requests are prefixed too", () => {
    const out = fakeConsole();
    logJobNotice("job_x", "resuming after event #7", undefined, "info", out);
    expect(out.info).toHaveBeenCalledWith("[Sora2] job_x resuming after event #7");
    logRequestError("create rejected", { ...failure, code: "bad_request", status: undefined }, out);
    expect(out.groupCollapsed).toHaveBeenCalledWith("[Sora2] create rejected · bad_request");
  });
});
