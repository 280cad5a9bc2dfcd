import { describe, expect, it } from "vitest";
import { analyzeBaseUrl } from "./base-url-format";

const summary = (raw: string) => {
  const a = analyzeBaseUrl(raw);
  return {
    findings: a.findings.map((f) => `${f.code}:${f.severity}`).sort(),
    probeBase: a.probeBase,
  };
};

describe("analyzeBaseUrl", () => {
  it.each([
    ["bare origin", "https://relay.example.com", [], "https://relay.example.com/v1"],
    ["with /v1", "https://relay.example.com/v1", [], "https://relay.example.com/v1"],
    ["trailing slash", "https://relay.example.com/v1/", [], "https://relay.example.com/v1"],
    ["path prefix", "https://relay.example.com/api/v1", [], "https://relay.example.com/api/v1"],
    ["loopback http", "http://127.0.0.1:4010", [], "http://127.0.0.1:4010/v1"],
    [
      "no scheme",
      "relay.example.com/v1",
      ["base_url_no_scheme:fail"],
      "https://relay.example.com/v1",
    ],
    [
      "no scheme, localhost",
      "localhost:4010",
      ["base_url_no_scheme:fail"],
      "http://localhost:4010/v1",
    ],
    [
      "wrong scheme",
      "ftp://relay.example.com",
      ["base_url_bad_scheme:fail"],
      "https://relay.example.com/v1",
    ],
    [
      "chat endpoint pasted (app cuts it back)",
      "https://relay.example.com/v1/chat/completions",
      ["base_url_endpoint:warn"],
      "https://relay.example.com/v1",
    ],
    [
      "videos endpoint pasted",
      "https://relay.example.com/v1/videos",
      ["base_url_endpoint:warn"],
      "https://relay.example.com/v1",
    ],
    [
      "doubled /v1",
      "https://relay.example.com/v1/v1",
      ["base_url_double_v1:fail"],
      "https://relay.example.com/v1",
    ],
    [
      "doubled /v1 plus endpoint",
      "https://relay.example.com/v1/v1/chat/completions",
      ["base_url_double_v1:fail", "base_url_endpoint:fail"],
      "https://relay.example.com/v1",
    ],
    [
      "double slash",
      "https://relay.example.com//v1",
      ["base_url_double_slash:warn"],
      "https://relay.example.com/v1",
    ],
    [
      "OpenAI platform page",
      "https://platform.openai.com/api-keys",
      ["base_url_console:fail"],
      "https://api.openai.com/v1",
    ],
    [
      "ChatGPT website",
      "https://chatgpt.com",
      ["base_url_console:fail"],
      "https://api.openai.com/v1",
    ],
    [
      "relay console token page",
      "https://relay.example.com/console/token",
      ["base_url_console:fail"],
      "https://relay.example.com/v1",
    ],
    [
      "relay SPA hash route",
      "https://relay.example.com/#/token",
      ["base_url_console:fail", "base_url_query:warn"],
      "https://relay.example.com/v1",
    ],
    [
      "credentials in URL",
      "https://user:pw@relay.example.com",
      ["base_url_credentials:fail"],
      "https://relay.example.com/v1",
    ],
    [
      "query string",
      "https://relay.example.com/v1?key=1",
      ["base_url_query:warn"],
      "https://relay.example.com/v1",
    ],
    [
      "plain http to a public host",
      "http://relay.example.com",
      ["base_url_plain_http:warn"],
      "http://relay.example.com/v1",
    ],
  ])("%s", (_name, raw, findings, probeBase) => {
    expect(summary(raw)).toEqual({ findings: [...findings].sort(), probeBase });
  });

  it("cannot guess anything from text that is not a URL", () => {
    const a = analyzeBaseUrl("请填写中转地址");
    expect(a.findings.map((f) => f.code)).toEqual(["base_url_invalid"]);
    expect(a.probeBase).toBeNull();
  });

  it("suggests the value to put in SORA_BASE_URL", () => {
    expect(analyzeBaseUrl("relay.example.com/v1/v1").suggestion).toBe("https://relay.example.com");
    expect(analyzeBaseUrl("https://relay.example.com").suggestion).toBeNull();
  });
});
