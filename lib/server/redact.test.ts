import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { maskKey, registerSecret, scrubDeep, scrubSecrets, scrubUpstreamMessage } from "./redact";

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

/** Every 8-character piece of `secret` that occurs in `text` (what the leak scans look for). */
function pieces(secret: string, text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (text.includes(piece)) found.push(piece);
  }
  return found;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const randomToken = (length: number) =>
  Array.from(randomBytes(length), (b) => ALNUM[b % ALNUM.length]).join("");

describe("registered secrets of any shape", () => {
  it("masks a non-sk key echoed in full, keeping the text around it", () => {
    const key = `relay_${randomToken(40)}`;
    registerSecret(key);
    const out = scrubSecrets(`{"error":{"message":"invalid token ${key} (request id: 7)"}}`);
    expect(pieces(key, out)).toEqual([]);
    expect(out).toContain(maskKey(key));
    expect(out).toContain("(request id: 7)");
  });

  it("masks truncated and partial echoes: no 8-character piece survives", () => {
    const key = `tok-${randomToken(44)}`;
    registerSecret(key);
    const echoes = [
      `Incorrect API key provided: ${key.slice(0, 20)}…`,
      `token ${key.slice(5, 13)} is disabled`,
      `key=${key.slice(0, 30)}***${key.slice(-4)}`,
      `prefix-${key.slice(10)}-suffix and again:${key}`,
      `${key.slice(3, 12)}${key.slice(20, 29)}`,
    ];
    for (const echo of echoes) {
      const out = scrubSecrets(echo);
      expect(pieces(key, out), `${echo} → ${out}`).toEqual([]);
    }
  });

  it("whatever the surroundings, scrubbing leaves no piece of random keys", () => {
    for (let round = 0; round < 200; round++) {
      const key = randomToken(16 + (round % 50));
      registerSecret(key);
      const start = round % key.length;
      const fragment = key.slice(start, start + 8 + (round % 30));
      const text = `${randomToken(round % 7)}${round % 2 ? " " : ""}${fragment}${randomToken(round % 5)}.`;
      expect(pieces(key, scrubSecrets(text)), text).toEqual([]);
    }
  });

  it("registers the raw (untrimmed) value too, and ignores secrets too short to scan for", () => {
    const raw = ` "${randomToken(30)}"\n`;
    registerSecret(raw);
    expect(pieces(raw.trim(), scrubSecrets(`pasted ${raw.trim()} here`))).toEqual([]);
    registerSecret("short");
    expect(scrubSecrets("a short text")).toBe("a short text");
  });

  it("is shared by every copy of the module (Next bundles one per chunk)", async () => {
    vi.resetModules();
    const other = await import("./redact");
    const key = `copy_${randomToken(32)}`;
    other.registerSecret(key);
    expect(pieces(key, scrubSecrets(`echo ${key}`))).toEqual([]);
  });

  it("scrubDeep scrubs every string of a report, leaving other values alone", () => {
    const key = randomToken(36);
    registerSecret(key);
    const out = scrubDeep({ a: [`x ${key}`, 3], b: { c: key, d: null, e: true } });
    expect(pieces(key, JSON.stringify(out))).toEqual([]);
    expect(out.a[1]).toBe(3);
    expect(out.b.d).toBeNull();
    expect(out.b.e).toBe(true);
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
