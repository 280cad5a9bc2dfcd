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

  it("gives every variation of one prompt its own key, each kept until answered", () => {
    const keys = new SubmitKeys();
    const body = JSON.stringify({ prompt: "a fox" });
    const variation = (n: number) => JSON.stringify({ body, variation: n });
    const sent = [0, 1, 2, 3].map((n) => keys.keyFor(variation(n)));
    expect(new Set(sent).size).toBe(4);
    // No answer came for any of them: sending the batch again reuses each one's key.
    expect([0, 1, 2, 3].map((n) => keys.keyFor(variation(n)))).toEqual(sent);
    keys.answered(variation(1));
    expect(keys.keyFor(variation(1))).not.toBe(sent[1]);
    expect(keys.keyFor(variation(2))).toBe(sent[2]);
  });
});
