import { afterEach, describe, expect, it } from "vitest";
import { exposureRefusal } from "./boot";
import { parseConfig } from "./config";

const CONFIG_KEY = Symbol.for("sora-studio.config");
const holder = globalThis as Record<symbol, unknown>;

afterEach(() => {
  delete holder[CONFIG_KEY];
});

function boot(env: Record<string, string>, argv: string[] = []) {
  holder[CONFIG_KEY] = parseConfig(env, argv);
  return exposureRefusal();
}

describe("exposureRefusal at server boot", () => {
  const key = { SORA_API_KEY: "sk-test-key" };
  it.each([
    ["next start -H 0.0.0.0", key, ["next", "start", "-H", "0.0.0.0"], true],
    ["next start (every interface)", key, ["next", "start"], true],
    ["on Vercel", { ...key, VERCEL: "1" }, [], true],
    ["next start -H 127.0.0.1", key, ["next", "start", "-H", "127.0.0.1"], false],
    ["with ACCESS_PASSWORD", { ...key, ACCESS_PASSWORD: "pw" }, ["next", "start"], false],
    ["opted out", { ...key, ALLOW_UNPROTECTED_PUBLIC_BIND: "1" }, ["next", "start"], false],
    ["without a key", {}, ["next", "start"], false],
    ["in demo mode", { ...key, SORA_DEMO_MODE: "1" }, ["next", "start"], false],
  ])("%s → refused: %s", (_label, env, argv, refused) => {
    const message = boot(env, argv);
    expect(Boolean(message)).toBe(refused);
    if (message) expect(message).toMatch(/ACCESS_PASSWORD[\s\S]*ALLOW_UNPROTECTED_PUBLIC_BIND=1/);
  });
});
