import { describe, expect, it } from "vitest";
import { estimateJob, modelTiming, percentile, STALL_WITHOUT_HISTORY_MS } from "./eta";

const MIN = 60_000;
const t0 = Date.parse("2026-12-03T10:00:00Z");
const at = (ms: number) => new Date(t0 + ms).toISOString();
const running = (updatedMs: number) => ({
  state: "running",
  createdAt: at(0),
  updatedAt: at(updatedMs),
});
const opts = { stallFloorMs: 2 * MIN };

describe("percentile (nearest rank)", () => {
  it.each([
    [[], 50, 0],
    [[5], 90, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 90, 9],
    [[3, 1, 2], 50, 2],
  ])("%j p%i = %i", (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe("estimateJob", () => {
  const usual = modelTiming([3, 4, 4, 5, 5, 6, 8, 9, 10, 12].map((m) => m * MIN));

  it("gives the time left until p50 … p90 once there are enough samples", () => {
    expect(usual).toEqual({ samples: 10, p50Ms: 5 * MIN, p90Ms: 10 * MIN });
    const eta = estimateJob(running(2 * MIN), usual, t0 + 2 * MIN, opts);
    expect(eta).toMatchObject({
      remainingMs: { min: 3 * MIN, max: 8 * MIN },
      overdue: false,
      stalled: false,
      stallAfterMs: 15 * MIN,
    });
  });

  it("has no time left to tell with fewer than 5 samples", () => {
    const few = modelTiming([MIN, MIN, MIN, MIN]);
    const eta = estimateJob(running(0), few, t0 + 10_000, opts);
    expect(eta?.remainingMs).toBeUndefined();
    expect(eta?.timing).toBeUndefined();
    expect(eta?.stallAfterMs).toBe(STALL_WITHOUT_HISTORY_MS);
  });

  it("is overdue past p90, and stalled only without progress for max(floor, 1.5 × p90)", () => {
    const moving = estimateJob(running(11 * MIN), usual, t0 + 12 * MIN, opts);
    expect(moving).toMatchObject({
      overdue: true,
      stalled: false,
      remainingMs: { min: 0, max: 0 },
    });
    // Last progress at minute 1: 14 min of silence is not yet 1.5 × p90 (15 min); 16 is.
    expect(estimateJob(running(MIN), usual, t0 + 15 * MIN, opts)?.stalled).toBe(false);
    expect(estimateJob(running(MIN), usual, t0 + 17 * MIN, opts)?.stalled).toBe(true);
    // A fast model: the floor holds.
    const fast = modelTiming([1, 1, 1, 1, 1].map((s) => s * 1000));
    expect(estimateJob(running(0), fast, t0 + MIN, opts)?.stalled).toBe(false);
    expect(estimateJob(running(0), fast, t0 + 3 * MIN, opts)?.stalled).toBe(true);
  });

  it("says nothing about a finished job", () => {
    const done = { ...running(0), state: "completed" };
    expect(estimateJob(done, usual, t0 + 60 * MIN, opts)).toBeUndefined();
  });
});
