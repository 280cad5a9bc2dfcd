import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CHECK_IDS,
  diagnosticsReportSchema,
  type CheckId,
  type DiagnosticCheck,
  type DiagnosticsReport,
} from "@/lib/contracts/diagnostics";
import type { DiagnosticsTarget } from "./context";
import { runDiagnostics } from "./engine";

// A scriptable fake relay on loopback: each test says how every endpoint answers.
type Answer = { status: number; body?: string; headers?: Record<string, string> } | "hang";
type Route = (req: IncomingMessage, authorized: boolean) => Answer;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers },
});
const html = (status: number, body: string, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers: { "content-type": "text/html; charset=utf-8", ...headers },
});

const KEY = `sk-${"Zq7Wm2Pk".repeat(6)}`;
const MODELS = {
  object: "list",
  data: [{ id: "sora_video2" }, { id: "sora-2" }, { id: "veo-3-fast" }],
};
const unauthorized = json(401, {
  error: { message: "未提供令牌", type: "new_api_error", code: "" },
});

function healthyRoutes(): Record<string, Route> {
  return {
    "GET /v1/models": (_req, auth) => (auth ? json(200, MODELS) : unauthorized),
    "GET /v1/dashboard/billing/subscription": () =>
      json(200, { object: "billing_subscription", hard_limit_usd: 50, access_until: 0 }),
    "GET /v1/dashboard/billing/usage": () => json(200, { object: "list", total_usage: 1000 }),
    "POST /v1/chat/completions": () =>
      json(400, {
        error: {
          message: "Missing required parameter: 'messages'.",
          type: "invalid_request_error",
        },
      }),
    "POST /v1/videos": () =>
      json(400, {
        error: { message: "Missing required parameter: 'prompt'.", type: "invalid_request_error" },
      }),
  };
}

let routes: Record<string, Route> = {};
let server: Server;
let baseUrl = "";
const sockets = new Set<import("node:net").Socket>();

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    const route = routes[`${req.method} ${path}`];
    const authorized = req.headers.authorization === `Bearer ${KEY}`;
    req.resume();
    const answer: Answer = route
      ? route(req, authorized)
      : json(404, {
          error: { message: `Invalid URL (${req.method} ${path})`, type: "invalid_request_error" },
        });
    if (answer === "hang") return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  routes = healthyRoutes();
});

function target(overrides: Partial<DiagnosticsTarget> = {}): DiagnosticsTarget {
  return {
    baseUrl,
    apiKey: KEY,
    rawApiKey: KEY,
    fallbackBaseUrls: [],
    models: ["sora_video2"],
    protocol: "chat",
    ...overrides,
  };
}

async function run(
  overrides: Partial<DiagnosticsTarget> = {},
  options: { timeoutMs?: number; locale?: "en" | "zh-CN" } = {},
): Promise<DiagnosticsReport & { byId: Record<CheckId, DiagnosticCheck> }> {
  const report = await runDiagnostics(target(overrides), {
    locale: options.locale ?? "en",
    timeoutMs: options.timeoutMs ?? 6000,
    version: "test",
  });
  diagnosticsReportSchema.parse(report);
  expect(JSON.stringify(report)).not.toContain(KEY);
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c])) as Record<
    CheckId,
    DiagnosticCheck
  >;
  return { ...report, byId };
}

const statusOf = (r: { byId: Record<CheckId, DiagnosticCheck> }, id: CheckId) =>
  `${r.byId[id].status}${r.byId[id].code ? `:${r.byId[id].code}` : ""}`;

describe("runDiagnostics against a fake relay", () => {
  it("passes a healthy relay, with every check in order and the report valid", async () => {
    const seen: CheckId[] = [];
    const report = await runDiagnostics(target(), {
      locale: "en",
      timeoutMs: 6000,
      onCheck: (check) => seen.push(check.id),
    });
    expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect([...seen].sort()).toEqual([...CHECK_IDS].sort());
    expect(report.verdict).toMatchObject({ status: "pass" });
    expect(report.verdict.primaryCause).toBeUndefined();
    expect(report.checks.filter((c) => c.status === "fail" || c.status === "warn")).toEqual([]);
    expect(report.checks.find((c) => c.id === "quota")?.observed).toContain(
      "$40.00 left of $50.00",
    );
  });

  it.each<[string, () => void, CheckId, string]>([
    [
      "a website answering HTML everywhere",
      () => {
        routes["GET /v1/models"] = () =>
          html(200, "<!doctype html><title>My Relay Console</title>");
      },
      "http.reachable",
      "fail:http_not_api",
    ],
    [
      "a Cloudflare browser challenge",
      () => {
        routes["GET /v1/models"] = () =>
          html(403, "<html><title>Just a moment...</title></html>", {
            "cf-mitigated": "challenge",
          });
      },
      "http.reachable",
      "fail:http_cloudflare_challenge",
    ],
    [
      "a Cloudflare 524 page",
      () => {
        routes["GET /v1/models"] = () =>
          html(524, "<title>relay | 524: A timeout occurred</title>");
      },
      "http.reachable",
      "fail:http_gateway",
    ],
    [
      "a redirect to another address",
      () => {
        routes["GET /v1/models"] = () => ({
          status: 301,
          headers: { location: "https://relay.example/v1/models" },
        });
      },
      "http.reachable",
      "fail:http_redirect",
    ],
    [
      "a rejected key (one-api wording)",
      () => {
        routes["GET /v1/models"] = () =>
          json(401, { error: { message: "无效的令牌", type: "one_api_error" } });
      },
      "auth",
      "fail:invalid_api_key",
    ],
    [
      "a model missing from the list",
      () => {
        routes["GET /v1/models"] = (_r, auth) =>
          auth ? json(200, { data: [{ id: "sora-2" }] }) : unauthorized;
      },
      "models",
      "fail:model_not_listed",
    ],
    [
      "a model whose shutdown date has passed",
      () => {
        routes["GET /v1/models"] = (_r, auth) =>
          auth
            ? json(200, { data: [{ id: "sora_video2", shutdown_date: "2020-01-01" }] })
            : unauthorized;
      },
      "models",
      "fail:model_shutdown",
    ],
    [
      "a used-up balance",
      () => {
        routes["GET /v1/dashboard/billing/usage"] = () => json(200, { total_usage: 5000 });
      },
      "quota",
      "fail:insufficient_quota",
    ],
    [
      "no channel for the model (one-api, Chinese)",
      () => {
        routes["POST /v1/chat/completions"] = () =>
          json(503, {
            error: {
              message: "当前分组 default 下对于模型 sora_video2 无可用渠道",
              type: "one_api_error",
            },
          });
      },
      "api.call",
      "fail:no_available_channel",
    ],
    [
      "the wrong protocol (no chat endpoint)",
      () => {
        delete routes["POST /v1/chat/completions"];
      },
      "api.call",
      "fail:endpoint_not_found",
    ],
    [
      "a relay that hangs on authorized requests",
      () => {
        routes["GET /v1/models"] = (_r, auth) => (auth ? "hang" : unauthorized);
      },
      "auth",
      "fail:timeout",
    ],
  ])("names the first root cause: %s", async (_name, arrange, checkId, expected) => {
    arrange();
    const report = await run({}, { timeoutMs: 3000 });
    expect(statusOf(report, checkId)).toBe(expected);
    expect(report.verdict.status).toBe("fail");
    expect(report.verdict.primaryCause?.checkId).toBe(checkId);
    expect(report.verdict.nextSteps[0]).toBe(report.byId[checkId].hint);
    // Everything that needs the broken step is skipped, not reported as a second failure.
    const laterFailures = report.checks.filter(
      (c) => c.status === "fail" && CHECK_IDS.indexOf(c.id) > CHECK_IDS.indexOf(checkId),
    );
    expect(laterFailures.map((c) => c.id)).toEqual([]);
  });

  it.each<[string, () => void, CheckId, string]>([
    [
      "a relay without /v1/models (the API call proves the key)",
      () => {
        delete routes["GET /v1/models"];
      },
      "auth",
      "warn:models_endpoint_missing",
    ],
    [
      "a model with a future shutdown date",
      () => {
        routes["GET /v1/models"] = (_r, auth) =>
          auth
            ? json(200, { data: [{ id: "sora_video2", shutdown_date: "2099-09-24" }] })
            : unauthorized;
      },
      "models",
      "warn:model_shutdown",
    ],
    [
      "a low balance",
      () => {
        routes["GET /v1/dashboard/billing/usage"] = () => json(200, { total_usage: 4950 });
      },
      "quota",
      "warn:quota_low",
    ],
    [
      "a relay that accepts the invalid call",
      () => {
        routes["POST /v1/chat/completions"] = () => json(200, { id: "chatcmpl-1", choices: [] });
      },
      "api.call",
      "warn:call_accepted",
    ],
    [
      "a rate-limited call",
      () => {
        routes["POST /v1/chat/completions"] = () =>
          json(429, {
            error: { message: "当前分组上游负载已饱和，请稍后再试", code: "rate_limit_exceeded" },
          });
      },
      "api.call",
      "warn:rate_limited",
    ],
  ])("warns without failing: %s", async (_name, arrange, checkId, expected) => {
    arrange();
    const report = await run();
    expect(statusOf(report, checkId)).toBe(expected);
    expect(report.verdict.status).toBe("warn");
    expect(report.verdict.primaryCause?.checkId).toBe(checkId);
  });

  it("tells a passed shutdown date in the past tense, a future one in the future tense", async () => {
    const listing = (date: string) => (_r: unknown, auth: boolean) =>
      auth ? json(200, { data: [{ id: "sora_video2", shutdown_date: date }] }) : unauthorized;
    routes["GET /v1/models"] = listing("2020-01-01");
    const past = (await run()).byId.models;
    expect(past.cause).toBe(
      "The model sora_video2 was shut down on 2020-01-01; its requests fail.",
    );
    expect(past.hint).not.toMatch(/before then/);
    routes["GET /v1/models"] = listing("2099-09-24");
    const future = (await run()).byId.models;
    expect(future.cause).toMatch(/has a shutdown date \(2099-09-24\); after it/);
  });

  it("links a low balance to the relay console as a whole address, not a bare host", async () => {
    routes["GET /v1/dashboard/billing/usage"] = () => json(200, { total_usage: 4950 });
    const fallback = (await run()).byId.quota;
    expect(fallback.hint).toMatch(/: https?:\/\/127\.0\.0\.1:\d+$/);
    const configured = (await run({ consoleUrl: "https://relay.example/console" })).byId.quota;
    expect(configured.hint).toContain("https://relay.example/console");
  });

  it("skips the balance when the relay does not expose billing", async () => {
    delete routes["GET /v1/dashboard/billing/subscription"];
    const report = await run();
    expect(statusOf(report, "quota")).toBe("skip");
    expect(report.verdict.status).toBe("pass");
  });

  it("reports an unlimited token as such", async () => {
    routes["GET /v1/dashboard/billing/subscription"] = () =>
      json(200, { hard_limit_usd: 100000000 });
    const report = await run();
    expect(report.byId.quota.observed).toBe("unlimited quota");
  });

  it("fails the balance when the relay refuses the key for quota, even without billing endpoints", async () => {
    const exhausted = () =>
      json(401, {
        error: {
          message: "该令牌额度已用尽 TokenStatusExhausted[sk-xx***yy]",
          type: "new_api_error",
        },
      });
    routes["GET /v1/models"] = (_r, auth) => (auth ? exhausted() : unauthorized);
    delete routes["GET /v1/dashboard/billing/subscription"];
    routes["POST /v1/chat/completions"] = exhausted;
    const report = await run();
    expect(statusOf(report, "auth")).toBe("warn:insufficient_quota");
    expect(statusOf(report, "quota")).toBe("fail:insufficient_quota");
    expect(report.verdict.primaryCause?.checkId).toBe("quota");
  });

  it("uses the videos endpoint with a body that cannot be billed", async () => {
    const bodies: string[] = [];
    routes["POST /v1/videos"] = (req) => {
      req.on("data", (chunk: Buffer) => bodies.push(chunk.toString()));
      return json(400, {
        error: { message: "Invalid type for 'seconds'", type: "invalid_request_error" },
      });
    };
    const report = await run({ models: ["sora-2"], protocol: "videos" });
    expect(statusOf(report, "api.call")).toBe("pass");
    const sent = JSON.parse(bodies.join("")) as Record<string, unknown>;
    expect(sent.prompt).toBeUndefined();
    expect(sent.seconds).toBe(4);
  });

  it("never shows the key, even when the relay echoes it", async () => {
    routes["POST /v1/chat/completions"] = () =>
      json(401, {
        error: { message: `Incorrect API key provided: ${KEY}`, code: "invalid_api_key" },
      });
    const report = await run();
    expect(statusOf(report, "api.call")).toBe("fail:invalid_api_key");
    expect(report.byId["api.call"].observed).toContain("Incorrect API key provided");
  });

  it("without a key: says so first, still checks the network, skips what needs the key", async () => {
    const report = await run({ apiKey: undefined, rawApiKey: undefined });
    expect(statusOf(report, "key.present")).toBe("fail:key_missing");
    expect(report.verdict.primaryCause?.checkId).toBe("key.present");
    expect(statusOf(report, "network.tcp")).toBe("pass");
    expect(statusOf(report, "http.reachable")).toBe("pass");
    for (const id of ["key.format", "auth", "models", "quota", "api.call"] as const) {
      expect(report.byId[id].status).toBe("skip");
    }
  });

  it("a placeholder key stops before any request is sent with it", async () => {
    let authorizedCalls = 0;
    routes["GET /v1/models"] = (req) => {
      if (req.headers.authorization) authorizedCalls++;
      return unauthorized;
    };
    const report = await run({ apiKey: "your-key-here", rawApiKey: "your-key-here" });
    expect(statusOf(report, "key.format")).toBe("fail:key_placeholder");
    expect(report.byId.auth.status).toBe("skip");
    expect(authorizedCalls).toBe(0);
  });

  it("probes the corrected URL when the base URL has a pasted endpoint, and names the fix", async () => {
    const report = await run({ baseUrl: `${baseUrl}/v1/v1` });
    expect(statusOf(report, "baseUrl.format")).toBe("fail:base_url_double_v1");
    expect(report.byId["baseUrl.format"].hint).toContain(`SORA_BASE_URL=${baseUrl}`);
    expect(statusOf(report, "auth")).toBe("pass");
    expect(report.verdict.primaryCause?.checkId).toBe("baseUrl.format");
  });

  it("checks every fallback base URL", async () => {
    const report = await run({ fallbackBaseUrls: [baseUrl, "http://127.0.0.1:1"] });
    expect(statusOf(report, "fallbacks")).toBe("fail:fallback_failed");
    expect(report.byId.fallbacks.observed).toContain(`${baseUrl} ✓`);
    expect(report.byId.fallbacks.observed).toContain(
      "http://127.0.0.1:1 ✗ TCP connection (tcp_refused)",
    );
  });

  it("a hanging relay cannot hold the run past its bound", async () => {
    routes["GET /v1/models"] = () => "hang";
    const report = await run({}, { timeoutMs: 1500 });
    expect(statusOf(report, "http.reachable")).toBe("fail:http_timeout");
    expect(report.durationMs).toBeLessThan(1500 + 1000);
  });

  it("speaks Chinese", async () => {
    const report = await run({}, { locale: "zh-CN" });
    expect(report.byId.auth.title).toBe("密钥认证");
    expect(report.byId.generate.observed).toContain("未请求");
  });
});
