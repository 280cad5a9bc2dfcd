import { afterEach, describe, expect, it } from "vitest";
import { createSessionToken, passwordMatches, verifySessionToken } from "./access";
import { safeNextPath } from "./auth";
import { parseConfig } from "./config";

const CONFIG_KEY = Symbol.for("sora-studio.config");
const holder = globalThis as Record<symbol, unknown>;

function usePassword(password: string | undefined) {
  holder[CONFIG_KEY] = parseConfig({ ACCESS_PASSWORD: password });
}

afterEach(() => {
  delete holder[CONFIG_KEY];
});

describe("session tokens", () => {
  it("accepts a fresh token and rejects tampered, expired, future and foreign ones", () => {
    usePassword("correct horse");
    const now = Date.now();
    const token = createSessionToken(now);
    expect(verifySessionToken(token, now)).toBe(true);
    const [version, issued, signature = ""] = token.split(".");
    expect(verifySessionToken(`${version}.${Number(issued) + 1}.${signature}`, now)).toBe(false);
    const flipped = signature[5] === "A" ? "B" : "A";
    const tampered = `${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
    expect(verifySessionToken(`${version}.${issued}.${tampered}`, now)).toBe(false);
    expect(verifySessionToken(token, now + 31 * 24 * 3600 * 1000)).toBe(false);
    expect(verifySessionToken(createSessionToken(now + 3_600_000), now)).toBe(false);
    expect(verifySessionToken(undefined, now)).toBe(false);
    expect(verifySessionToken("garbage", now)).toBe(false);
  });

  it("signs everyone out when the password changes", () => {
    usePassword("first password");
    const token = createSessionToken();
    usePassword("second password");
    expect(verifySessionToken(token)).toBe(false);
  });

  it("never accepts anything when no password is configured", () => {
    usePassword(undefined);
    expect(passwordMatches("")).toBe(false);
    expect(verifySessionToken("v1.1.x")).toBe(false);
  });
});

describe("passwordMatches", () => {
  it("compares exactly", () => {
    usePassword("s3cret");
    expect(passwordMatches("s3cret")).toBe(true);
    expect(passwordMatches("s3cret ")).toBe(false);
    expect(passwordMatches("S3cret")).toBe(false);
    expect(passwordMatches("")).toBe(false);
  });
});

describe("safeNextPath", () => {
  it.each([
    ["/diagnostics", "/diagnostics"],
    ["/?a=1", "/?a=1"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example", "/"],
    ["javascript:alert(1)", "/"],
    [undefined, "/"],
  ])("%j → %j", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});
