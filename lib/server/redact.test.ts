import { describe, expect, it } from "vitest";
import { maskKey, registerSecret, scrubSecrets, scrubUpstreamMessage } from "./redact";

// Built at runtime: no key-shaped literal in the repository.
const fakeKey = ["sk-", "R8bTestOnly", "x".repeat(24), "y5h"].join("");

describe("maskKey", () => {
  it("shows the first six and last three characters", () => {
    expect(maskKey(fakeKey)).toBe("sk-R8b…y5h");
  });
  it("reveals nothing of short keys", () => {
    expect(maskKey("sk-short")).toBe("sk-…");
    expect(maskKey("tiny")).toBe("…");
    expect(maskKey(undefined)).toBe("");
  });
});

describe("scrubSecrets", () => {
  it("removes sk- tokens anywhere in a string", () => {
    const out = scrubSecrets(`Incorrect API key provided: ${fakeKey}. (request id: 1)`);
    expect(out).not.toContain(fakeKey);
    expect(out).toContain("sk-R8b…y5h");
    expect(out).toContain("(request id: 1)");
  });

  it("removes bearer tokens and registered secrets that are not sk- shaped", () => {
    registerSecret("relay-token-abcdef123456");
    const out = scrubSecrets("auth: Bearer abcdefghijklmnop token relay-token-abcdef123456");
    expect(out).not.toContain("abcdefghijklmnop");
    expect(out).not.toContain("relay-token-abcdef123456");
  });

  it("leaves ordinary text alone", () => {
    expect(scrubSecrets("sketch the sky-blue sea")).toBe("sketch the sky-blue sea");
  });
});

describe("scrubUpstreamMessage", () => {
  it("folds whitespace and cuts long bodies", () => {
    const out = scrubUpstreamMessage(`a\n\n b ${"z".repeat(1000)}`, 50);
    expect(out.startsWith("a b z")).toBe(true);
    expect(out).toHaveLength(50);
    expect(out.endsWith("…")).toBe(true);
  });
});
