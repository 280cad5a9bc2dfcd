import { describe, expect, it } from "vitest";
import { formatErrorDetails, scrubSecrets, type ErrorDetailLabels } from "./error-details";
import { sampleJob } from "./test-fixtures";

const labels: ErrorDetailLabels = {
  header: "Sora Studio failure details",
  time: "Time",
  jobId: "Job",
  model: "Model",
  code: "Code",
  message: "Message",
  hint: "Next steps",
  status: "Upstream status",
  requestId: "Request id",
  upstreamRequestId: "Upstream request id",
  upstreamHost: "Upstream host",
  attempts: "Attempts",
  upstreamMessage: "Upstream message",
  retryOf: "Retry of",
  prompt: "Prompt",
  page: "Page",
};

describe("formatErrorDetails", () => {
  const job = sampleJob({
    state: "failed",
    upstreamHost: "relay.example.com",
    error: {
      code: "no_available_channel",
      message: "The relay has no channel for the model sora_video2",
      hint: "Enable a channel.",
      retryable: false,
      status: 503,
      requestId: "req_abc",
      upstreamRequestId: "2025112601234567",
      attempts: 1,
      upstreamMessage:
        "no available channel for model sora_video2 (key sk-abcdefghijklmnopqrstuvwxyz0123)",
    },
  });

  it("lists code, message, hint, status, request ids, job, model and time", () => {
    const text = formatErrorDetails(job, labels, { now: new Date("2026-03-14T10:00:00Z") });
    expect(text.split("\n")).toEqual(
      expect.arrayContaining([
        "Sora Studio failure details",
        "Time: 2026-03-14T10:00:00.000Z",
        "Job: job_test123",
        "Model: sora_video2 (chat)",
        "Code: no_available_channel",
        "Message: The relay has no channel for the model sora_video2",
        "Next steps: Enable a channel.",
        "Upstream status: 503",
        "Request id: req_abc",
        "Upstream request id: 2025112601234567",
        "Upstream host: relay.example.com",
      ]),
    );
  });

  it("never contains a key", () => {
    const text = formatErrorDetails(job, labels);
    expect(text).not.toMatch(/sk-[a-z0-9]{6}/i);
    expect(text).toContain("sk-***");
  });

  it("omits what is unknown", () => {
    const text = formatErrorDetails(sampleJob({ state: "failed" }), labels);
    expect(text).not.toContain("Upstream status");
    expect(text).toContain("Code: failed");
  });
});

describe("scrubSecrets", () => {
  it.each([
    ["Authorization: Bearer abcdefghijklmnop", "Authorization: Bearer ***"],
    ["header Bearer abcdefghijklmnop", "header Bearer ***"],
    ['{"api_key":"abcdefghijkl"}', '{"api_key":"***"}'],
    ["token=abcdefghij more", "token=*** more"],
    ["nothing secret here", "nothing secret here"],
  ])("%s", (input, output) => {
    expect(scrubSecrets(input)).toBe(output);
  });
});
