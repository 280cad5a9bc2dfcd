import { describe, expect, it } from "vitest";
import { exposureRefusal } from "./lib.mjs";

describe("npm start's exposure check", () => {
  const key = { SORA_API_KEY: "sk-test" };
  it.each([
    ["127.0.0.1", key, false],
    ["localhost", key, false],
    ["::1", key, false],
    ["0.0.0.0", {}, false],
    ["0.0.0.0", { ...key, ACCESS_PASSWORD: "pw" }, false],
    ["0.0.0.0", { ...key, ALLOW_UNPROTECTED_PUBLIC_BIND: "1" }, false],
    ["0.0.0.0", key, true],
    ["192.168.1.5", key, true],
    ["", key, true],
  ])("%s with %j → refused: %s", (hostname, env, refused) => {
    const message: string | undefined = exposureRefusal(env, hostname);
    expect(Boolean(message)).toBe(refused);
    if (message) expect(message).toMatch(/ACCESS_PASSWORD[\s\S]*ALLOW_UNPROTECTED_PUBLIC_BIND=1/);
  });
});
