import { describe, expect, it } from "vitest";
import { hostOf, normalizeBaseUrl, sameOrigin } from "./base-url";

describe("normalizeBaseUrl", () => {
  it.each([
    ["https://x.example", "https://x.example/v1"],
    ["https://x.example/", "https://x.example/v1"],
    ["https://x.example/v1", "https://x.example/v1"],
    ["https://x.example/v1/", "https://x.example/v1"],
    ["  https://x.example/v1//  ", "https://x.example/v1"],
    ["https://x.example/v1/chat/completions", "https://x.example/v1"],
    ["https://x.example/v1/videos", "https://x.example/v1"],
    ["https://x.example//v1", "https://x.example/v1"],
    ["https://x.example/openai", "https://x.example/openai/v1"],
    ["http://127.0.0.1:3400", "http://127.0.0.1:3400/v1"],
    ["https://X.Example/V1?x=1#y", "https://x.example/V1"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeBaseUrl(input)).toBe(expected);
  });
});

describe("hosts", () => {
  it("compares origins: scheme, host and port", () => {
    expect(hostOf("http://127.0.0.1:3400/v1")).toBe("127.0.0.1:3400");
    expect(sameOrigin("https://a.example/v1", "https://a.example/files/x.mp4")).toBe(true);
    expect(sameOrigin("https://a.example/v1", "https://cdn.a.example/x.mp4")).toBe(false);
    expect(sameOrigin("http://127.0.0.1:1/v1", "http://127.0.0.1:2/x")).toBe(false);
    // The key must not travel over plain HTTP to the relay's own host.
    expect(sameOrigin("https://a.example/v1", "http://a.example/files/x.mp4")).toBe(false);
    expect(sameOrigin("https://a.example/v1", "https://a.example:443/x")).toBe(true);
    expect(sameOrigin("https://A.example/v1", "https://a.EXAMPLE/x")).toBe(true);
    expect(sameOrigin("not a url", "not a url")).toBe(false);
  });
});
