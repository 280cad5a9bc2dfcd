import { describe, expect, it } from "vitest";
import { SubmitKeys } from "./submit-keys";

describe("SubmitKeys", () => {
  it("reuses the key only for the same request sent again without an answer", () => {
    const keys = new SubmitKeys();
    const a = JSON.stringify({ prompt: "a fox" });
    const b = JSON.stringify({ prompt: "a fox", model: "sora-2" });
    const first = keys.keyFor(a);
    expect(keys.keyFor(a)).toBe(first);
    const other = keys.keyFor(b);
    expect(other).not.toBe(first);
    keys.answered();
    expect(keys.keyFor(b)).not.toBe(other);
  });
});
