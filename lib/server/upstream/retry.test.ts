import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryDelayMs, sleep } from "./retry";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    { headers: { "retry-after-ms": "1500" }, expected: 1500 },
    { headers: { "retry-after-ms": "1500", "retry-after": "9" }, expected: 1500 },
    { headers: { "retry-after": "2" }, expected: 2000 },
    { headers: { "retry-after": "0.5" }, expected: 500 },
    { headers: { "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, expected: 5000 },
    { headers: { "retry-after": "3600" }, expected: 60_000 },
    { headers: { "retry-after-ms": "999999" }, expected: 60_000 },
    { headers: { "retry-after": "soon" }, expected: undefined },
    { headers: { "retry-after": "-1" }, expected: undefined },
    { headers: {}, expected: undefined },
  ] as { headers: Record<string, string>; expected: number | undefined }[])(
    "$headers → $expected",
    ({ headers, expected }) => {
      expect(parseRetryAfter(new Headers(headers), now)).toBe(expected);
    },
  );
});

describe("retryDelayMs", () => {
  const config = { retryBaseDelayMs: 3000, retryJitterMs: 1000 };
  it("n × base plus up to the jitter: 3–4 s, then 6–7 s by default", () => {
    expect(retryDelayMs(1, config, () => 0)).toBe(3000);
    expect(retryDelayMs(1, config, () => 0.9999)).toBe(4000);
    expect(retryDelayMs(2, config, () => 0)).toBe(6000);
    expect(retryDelayMs(2, config, () => 0.9999)).toBe(7000);
  });
  it("a server-sent delay replaces the computed one", () => {
    expect(retryDelayMs(2, config, () => 0.5, 1500)).toBe(1500);
  });
});

describe("sleep", () => {
  it("rejects with the abort reason as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const waiting = sleep(600_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
  it("rejects at once on an already aborted signal", async () => {
    await expect(sleep(10, AbortSignal.abort("x"))).rejects.toBe("x");
  });
});
