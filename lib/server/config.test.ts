import { describe, expect, it } from "vitest";
import { cleanApiKey, configFromEnvironment, parseConfig } from "./config";
import { problemsFor } from "./config-test-support";
import { scrubSecrets } from "./redact";

describe("parseConfig", () => {
  it("applies the defaults of DESIGN §7 to an empty environment", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      apiKey: undefined,
      baseUrl: "https://api.openai.com",
      fallbackBaseUrls: [],
      defaultModel: "sora_video2",
      apiStyle: "auto",
      maxRetries: 2,
      retryBaseDelayMs: 3000,
      retryJitterMs: 1000,
      requestTimeoutMs: 60_000,
      streamIdleTimeoutMs: 180_000,
      jobDeadlineMs: 45 * 60_000,
      maxImageBytes: 10 * 1024 * 1024,
      accessPassword: undefined,
      logLevel: "info",
      demoMode: false,
    });
    expect(config.dataDir).toMatch(/[\\/]data$/);
  });

  it.each([
    ["SORA_API_KEY", "", "apiKey", undefined],
    ["SORA_FALLBACK_BASE_URLS", "", "fallbackBaseUrls", []],
    ["SORA_MAX_RETRIES", "  ", "maxRetries", 2],
    ["SORA_BASE_URL", " ", "baseUrl", "https://api.openai.com"],
    ["LOG_LEVEL", "\t", "logLevel", "info"],
    ["ACCESS_PASSWORD", "   ", "accessPassword", undefined],
  ] as const)("treats %s=%j (as .env files leave it) as unset", (name, value, field, expected) => {
    expect(parseConfig({ [name]: value })[field]).toEqual(expected);
  });

  it("links the relay console: SORA_CONSOLE_URL, else the base URL's origin without credentials", () => {
    expect(parseConfig({ SORA_BASE_URL: "https://u:pw@relay.example/v1/" }).consoleUrl).toBe(
      "https://relay.example",
    );
    expect(
      parseConfig({
        SORA_BASE_URL: "https://api.relay.example/v1",
        SORA_CONSOLE_URL: "https://relay.example/console",
      }).consoleUrl,
    ).toBe("https://relay.example/console");
    expect(() => parseConfig({ SORA_CONSOLE_URL: "relay.example" })).toThrow();
  });

  it("parses every variable", () => {
    const config = parseConfig({
      SORA_API_KEY: "sk-test-fake-key-123456",
      SORA_BASE_URL: "https://relay.example/v1/",
      SORA_FALLBACK_BASE_URLS: "https://a.example, https://b.example/v1",
      SORA_DEFAULT_MODEL: "sora-2",
      SORA_API_STYLE: "CHAT",
      SORA_MAX_RETRIES: "5",
      SORA_REQUEST_TIMEOUT_MS: "1000",
      SORA_STREAM_IDLE_TIMEOUT_MS: "2000",
      SORA_JOB_DEADLINE_MS: "3000",
      DATA_DIR: "/tmp/sora-data",
      ACCESS_PASSWORD: "hunter2",
      LOG_LEVEL: "debug",
      SORA_DEMO_MODE: "1",
    });
    expect(config).toMatchObject({
      apiKey: "sk-test-fake-key-123456",
      baseUrl: "https://relay.example/v1/",
      fallbackBaseUrls: ["https://a.example", "https://b.example/v1"],
      defaultModel: "sora-2",
      apiStyle: "chat",
      maxRetries: 5,
      requestTimeoutMs: 1000,
      streamIdleTimeoutMs: 2000,
      jobDeadlineMs: 3000,
      dataDir: "/tmp/sora-data",
      accessPassword: "hunter2",
      logLevel: "debug",
      demoMode: true,
    });
  });

  it.each([
    [{ SORA_MAX_RETRIES: "abc" }, "SORA_MAX_RETRIES", /whole number from 0 to 10.*"abc"/],
    [{ SORA_MAX_RETRIES: "-1" }, "SORA_MAX_RETRIES", /0 to 10/],
    [{ SORA_MAX_RETRIES: "1.5" }, "SORA_MAX_RETRIES", /whole number/],
    [{ SORA_BASE_URL: "api.example.com" }, "SORA_BASE_URL", /http\(s\) URL.*"api.example.com"/],
    [{ SORA_BASE_URL: "ftp://x.example" }, "SORA_BASE_URL", /http\(s\) URL/],
    [
      { SORA_FALLBACK_BASE_URLS: "https://ok.example,nope" },
      "SORA_FALLBACK_BASE_URLS",
      /http\(s\) URL/,
    ],
    [{ SORA_API_STYLE: "grpc" }, "SORA_API_STYLE", /auto, videos, chat/],
    [{ SORA_REQUEST_TIMEOUT_MS: "soon" }, "SORA_REQUEST_TIMEOUT_MS", /milliseconds/],
    [{ SORA_JOB_DEADLINE_MS: "5" }, "SORA_JOB_DEADLINE_MS", /at least 1000/],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /debug, info, warn, error/],
  ])("rejects %o with a message naming %s", (env, name, pattern) => {
    const problems = problemsFor(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(problems[0]).toMatch(pattern);
  });

  it("reports every invalid variable at once and never echoes the key", () => {
    const problems = problemsFor({ SORA_MAX_RETRIES: "x", SORA_BASE_URL: "nope" });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "SORA_BASE_URL",
      "SORA_MAX_RETRIES",
    ]);
  });

  it("keeps the raw key for diagnostics but uses the cleaned one", () => {
    const raw = ' "Bearer sk-test-fake-key-123456"\n';
    const config = parseConfig({ SORA_API_KEY: raw });
    expect(config.apiKey).toBe("sk-test-fake-key-123456");
    expect(config.rawApiKey).toBe(raw);
  });
});

describe("relay-provided media settings", () => {
  it("defaults to no extra hosts and a 2 GB video cap", () => {
    const config = parseConfig({});
    expect(config.allowedMediaHosts).toEqual([]);
    expect(config.maxVideoBytes).toBe(2 * 1024 ** 3);
  });

  it("reads hosts (lower-cased, with ports) and a byte cap", () => {
    const config = parseConfig({
      SORA_ALLOWED_MEDIA_HOSTS: " MinIO.lan:9000 , cdn.internal,[fd00::5]:8080",
      SORA_MAX_VIDEO_BYTES: "1048576",
    });
    expect(config.allowedMediaHosts).toEqual(["minio.lan:9000", "cdn.internal", "[fd00::5]:8080"]);
    expect(config.maxVideoBytes).toBe(1048576);
  });

  it("refuses URLs or junk in the host list and a tiny cap", () => {
    expect(problemsFor({ SORA_ALLOWED_MEDIA_HOSTS: "http://cdn.example/x" })[0]).toMatch(
      /^SORA_ALLOWED_MEDIA_HOSTS/,
    );
    expect(problemsFor({ SORA_MAX_VIDEO_BYTES: "12" })[0]).toMatch(/^SORA_MAX_VIDEO_BYTES/);
  });
});

describe("secrets of a configuration", () => {
  it("are registered with the scrubber as soon as a configuration is read", () => {
    const key = ["tok", "Config", "Registered", "0123456789"].join("_");
    const password = ["pass", "word", "ForThe", "Gate"].join("-");
    const config = configFromEnvironment({
      SORA_API_KEY: ` ${key}\n`,
      ACCESS_PASSWORD: password,
      SORA_BASE_URL: "https://user:UrlSecret12345@relay.example/v1",
    });
    expect(config.apiKey).toBe(key);
    const out = scrubSecrets(`a ${key} b ${password} c UrlSecret12345`);
    expect(out).not.toContain(key.slice(4, 12));
    expect(out).not.toContain(password.slice(0, 8));
    expect(out).not.toContain("UrlSecre");
  });
});

describe("cleanApiKey", () => {
  it.each([
    ["sk-abc12345", "sk-abc12345"],
    ["  sk-abc12345  ", "sk-abc12345"],
    ["sk-abc12345\n", "sk-abc12345"],
    ['"sk-abc12345"', "sk-abc12345"],
    ["'sk-abc12345'", "sk-abc12345"],
    ["“sk-abc12345”", "sk-abc12345"],
    ["Bearer sk-abc12345", "sk-abc12345"],
    ["bearer  sk-abc12345", "sk-abc12345"],
  ])("%j → %j", (raw, clean) => {
    expect(cleanApiKey(raw)).toBe(clean);
  });
});

describe("parseConfig: exposure and access", () => {
  it("defaults to the connection's address, no extra hosts, and caps on streams", () => {
    expect(parseConfig({})).toMatchObject({
      trustProxy: 0,
      allowedHosts: [],
      onVercel: false,
      sessionSecret: undefined,
      allowUnprotectedPublicBind: false,
      maxStreamsPerClient: 16,
      maxStreams: 200,
    });
  });

  it("collects the server's own host names from PUBLIC_URL, ALLOWED_HOSTS and Vercel", () => {
    const config = parseConfig({
      PUBLIC_URL: "https://Studio.Example.com/app",
      ALLOWED_HOSTS: "a.example, *.corp.example",
      VERCEL: "1",
      VERCEL_URL: "sora-abc123.vercel.app",
      VERCEL_PROJECT_PRODUCTION_URL: "sora.example.org",
      TRUST_PROXY: "2",
      ALLOW_UNPROTECTED_PUBLIC_BIND: "1",
    });
    expect(config.allowedHosts).toEqual([
      "a.example",
      "*.corp.example",
      "studio.example.com",
      "sora-abc123.vercel.app",
      "sora.example.org",
    ]);
    expect(config).toMatchObject({
      trustProxy: 2,
      onVercel: true,
      allowUnprotectedPublicBind: true,
    });
  });

  it("takes the bind address from `next start -H`, then HOSTNAME", () => {
    expect(parseConfig({}, ["node", "next", "start", "-H", "0.0.0.0"]).hostname).toBe("0.0.0.0");
    expect(parseConfig({ HOSTNAME: "127.0.0.1" }, ["next", "--hostname=::"]).hostname).toBe("::");
    expect(parseConfig({ HOSTNAME: "127.0.0.1" }, ["next", "start"]).hostname).toBe("127.0.0.1");
  });

  it("refuses bad values, and never echoes SESSION_SECRET", () => {
    const problems = problemsFor({ TRUST_PROXY: "yes", SESSION_SECRET: "short-secret-value" });
    expect(problems.join("\n")).toMatch(/TRUST_PROXY/);
    expect(problems.join("\n")).toMatch(/SESSION_SECRET: expected at least 32 characters/);
    expect(problems.join("\n")).not.toContain("short-secret-value");
  });
});

describe("parseConfig: demo mode on Vercel", () => {
  it("with no key on Vercel, the app is its own upstream at its public origin", () => {
    const production = parseConfig({
      VERCEL: "1",
      VERCEL_ENV: "production",
      VERCEL_URL: "sora-abc123.vercel.app",
      VERCEL_PROJECT_PRODUCTION_URL: "studio.example.com",
      SORA_FALLBACK_BASE_URLS: "https://backup.example.com",
    });
    expect(production).toMatchObject({
      demoMode: true,
      inAppDemo: true,
      baseUrl: "https://studio.example.com/api/demo-upstream",
      fallbackBaseUrls: [],
    });
    expect(production.apiKey).toMatch(/^sk-demo-[0-9a-f]{40}$/);
    // Every instance derives the same key.
    expect(
      parseConfig({
        VERCEL: "1",
        VERCEL_ENV: "production",
        VERCEL_PROJECT_PRODUCTION_URL: "studio.example.com",
      }).apiKey,
    ).toBe(production.apiKey);
    const preview = parseConfig({
      VERCEL: "1",
      VERCEL_URL: "sora-abc123.vercel.app",
      PUBLIC_URL: "https://demo.example.org/",
    });
    expect(preview.baseUrl).toBe("https://demo.example.org/api/demo-upstream");
  });

  it("a key, or not being on Vercel, means no in-app upstream", () => {
    expect(
      parseConfig({
        VERCEL: "1",
        VERCEL_URL: "x.vercel.app",
        SORA_API_KEY: "sk-abcdefghijklmnopqrstuvwxyz0123",
      }),
    ).toMatchObject({ inAppDemo: false, demoMode: false });
    expect(parseConfig({})).toMatchObject({ inAppDemo: false, demoMode: false, apiKey: undefined });
  });
});
