import { describe, expect, it } from "vitest";
import { endedNewsworthy, titleWithNotices } from "./away-notices";

describe("titleWithNotices", () => {
  it.each([
    [{ completed: 0, failed: 0 }, "Sora Studio"],
    [{ completed: 1, failed: 0 }, "(1) ✓ Sora Studio"],
    [{ completed: 0, failed: 2 }, "(2) ✗ Sora Studio"],
    [{ completed: 2, failed: 1 }, "(3) ✓ ✗ Sora Studio"],
  ])("%o → %s", (counts, title) => {
    expect(titleWithNotices("Sora Studio", counts)).toBe(title);
  });
});

describe("endedNewsworthy", () => {
  it.each([
    [undefined, "completed", false],
    ["running", "completed", true],
    ["queued", "failed", true],
    ["running", "canceled", false],
    ["completed", "completed", false],
    ["failed", "completed", false],
    ["running", "running", false],
  ] as const)("%s → %s: %s", (before, after, news) => {
    expect(endedNewsworthy(before, after)).toBe(news);
  });
});
