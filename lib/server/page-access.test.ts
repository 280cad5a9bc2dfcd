import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSessionToken, SESSION_COOKIE } from "./access";
import { parseConfig } from "./config";
import { requirePageSession } from "./page-access";

// Next's request APIs, not ours: the page reads the cookie header and redirects through them.
const incoming = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(incoming.cookie ? { cookie: incoming.cookie } : {}),
}));
vi.mock("next/navigation", () => ({
  redirect: (location: string) => {
    throw new Error(`redirect ${location}`);
  },
}));

const CONFIG_KEY = Symbol.for("sora-studio.config");
const holder = globalThis as Record<symbol, unknown>;
let dataDir = "";

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-page-unit-"));
  holder[CONFIG_KEY] = parseConfig({ ACCESS_PASSWORD: "pw", DATA_DIR: dataDir });
});

afterEach(() => {
  delete holder[CONFIG_KEY];
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("requirePageSession (the page's own check, behind proxy.ts)", () => {
  it("sends a visitor without a valid session to the login page", async () => {
    for (const cookie of ["", `${SESSION_COOKIE}=forged`, `${SESSION_COOKIE}=%`]) {
      incoming.cookie = cookie;
      await expect(requirePageSession("/diagnostics")).rejects.toThrow(
        "redirect /login?next=%2Fdiagnostics",
      );
    }
  });

  it("renders for a valid session, and for everyone without a password", async () => {
    incoming.cookie = `${SESSION_COOKIE}=${createSessionToken()}`;
    await expect(requirePageSession("/")).resolves.toBeUndefined();
    holder[CONFIG_KEY] = parseConfig({ DATA_DIR: dataDir });
    incoming.cookie = "";
    await expect(requirePageSession("/")).resolves.toBeUndefined();
  });
});
