import { describe, expect, it } from "vitest";
import { announcedProgress, jobPhase, relayDetail } from "./job-phase";

describe("jobPhase", () => {
  it("names the phase from the state and the progress, never from the relay's raw words", () => {
    expect(jobPhase({ state: "queued", progress: 0 })).toBe("queued");
    expect(jobPhase({ state: "submitting", progress: 0 })).toBe("submitting");
    expect(jobPhase({ state: "running", progress: 0, progressMessage: "queued" })).toBe("queued");
    expect(jobPhase({ state: "running", progress: 0, progressMessage: "in_progress" })).toBe(
      "generating",
    );
    expect(jobPhase({ state: "running", progress: 0 })).toBe("generating");
    expect(jobPhase({ state: "running", progress: 42, progressMessage: "queued" })).toBe(
      "generating",
    );
    expect(jobPhase({ state: "running", progress: 100 })).toBe("saving");
    expect(jobPhase({ state: "completed", progress: 100 })).toBe("completed");
  });
});

describe("relayDetail", () => {
  it("drops what only repeats the phase or the percentage", () => {
    for (const message of [
      undefined,
      "",
      "in_progress",
      "IN_PROGRESS",
      "queued",
      "🏃 进度：18%",
      "Progress: 45%",
      "45%",
      "(45%)",
      "状态：生成中",
    ]) {
      expect(relayDetail(message)).toBeUndefined();
    }
  });

  it("keeps the relay's real words, without the percentage", () => {
    expect(relayDetail("视频渲染中 18%")).toBe("视频渲染中");
    expect(relayDetail("Rendering frames (45%)")).toBe("Rendering frames");
    expect(relayDetail("High demand: expect delays")).toBe("High demand: expect delays");
  });
});

describe("announcedProgress", () => {
  it.each([
    [0, 0],
    [24, 0],
    [25, 25],
    [49, 25],
    [50, 50],
    [99, 75],
    [100, 75],
  ])("progress %i%% is announced as the %i%% step", (progress, step) => {
    expect(announcedProgress(progress)).toBe(step);
  });
});
