import { describe, expect, it } from "vitest";
import { minutesRange } from "./eta";

describe("minutesRange", () => {
  it.each([
    [0, 0, "1"],
    [20_000, 50_000, "1"],
    [3 * 60_000, 8 * 60_000, "3–8"],
    [2.4 * 60_000, 2.2 * 60_000, "2–3"],
    [90_000, 61 * 60_000, "2–61"],
  ])("%i … %i ms → %s", (min, max, expected) => {
    expect(minutesRange(min, max)).toBe(expected);
  });
});
