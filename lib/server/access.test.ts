import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSessionToken,
  passwordMatches,
  revokeAllSessions,
  verifySessionToken,
} from "./access";
import { safeNextPath } from "./auth";
import { parseConfig } from "./config";

const CONFIG_KEY = Symbol.for("sora-studio.config");
const holder = globalThis as Record<symbol, unknown>;
let dataDir = "";

function usePassword(password: string | undefined, env: Record<string, string> = {}) {
  holder[CONFIG_KEY] = parseConfig({ ACCESS_PASSWORD: password, DATA_DIR: dataDir, ...env });
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-access-unit-"));
});

afterEach(() => {
  delete holder[CONFIG_KEY];
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("session tokens", () => {
  it("accepts a fresh token and rejects tampered, expired, future and foreign ones", () => {
    usePassword("correct horse");
    const now = Date.now();
    const token = createSessionToken(now);
    expect(verifySessionToken(token, now)).toBe(true);
    const [format, issued, version = "1", signature = ""] = token.split(".");
    expect(verifySessionToken(`${format}.${Number(issued) + 1}.${version}.${signature}`, now)).toBe(
      false,
    );
    expect(verifySessionToken(`${format}.${issued}.${Number(version) + 1}.${signature}`, now)).toBe(
      false,
    );
    const flipped = signature[5] === "A" ? "B" : "A";
    const tampered = `${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
    expect(verifySessionToken(`${format}.${issued}.${version}.${tampered}`, now)).toBe(false);
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

describe("session secret and version", () => {
  it("keeps a random secret in DATA_DIR/session.json, readable by the owner only", () => {
    usePassword("pw");
    const token = createSessionToken();
    const file = path.join(dataDir, "session.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const { secret } = JSON.parse(fs.readFileSync(file, "utf8")) as { secret: string };
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(verifySessionToken(token)).toBe(true);
    // Another DATA_DIR (another secret) does not accept it: the password alone cannot forge one.
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "sora-access-unit-"));
    try {
      holder[CONFIG_KEY] = parseConfig({ ACCESS_PASSWORD: "pw", DATA_DIR: other });
      expect(verifySessionToken(token)).toBe(false);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it("uses SESSION_SECRET when set, so instances without a shared disk agree", () => {
    const shared = { SESSION_SECRET: "x".repeat(40) };
    usePassword("pw", shared);
    const token = createSessionToken();
    fs.rmSync(path.join(dataDir, "session.json"), { force: true });
    usePassword("pw", shared);
    expect(verifySessionToken(token)).toBe(true);
  });

  it("revokes every session issued so far without a password change", () => {
    usePassword("pw");
    const before = [createSessionToken(), createSessionToken(Date.now() - 1000)];
    revokeAllSessions();
    for (const token of before) expect(verifySessionToken(token)).toBe(false);
    expect(verifySessionToken(createSessionToken())).toBe(true);
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
