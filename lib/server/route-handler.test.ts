import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { createSessionToken, SESSION_COOKIE } from "./access";
import { parseConfig } from "./config";
import { handleApi } from "./route-handler";

const CONFIG_KEY = Symbol.for("sora-studio.config");
const holder = globalThis as Record<symbol, unknown>;
let dataDir = "";

function configure(env: Record<string, string> = {}) {
  holder[CONFIG_KEY] = parseConfig({ DATA_DIR: dataDir, ...env });
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-http-unit-"));
});

afterEach(() => {
  delete holder[CONFIG_KEY];
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function request(pathname: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return new Request(`http://127.0.0.1:3000${pathname}`, {
    ...init,
    headers: { host: "127.0.0.1:3000", ...init.headers },
  });
}

async function run(req: Request) {
  const handler = vi.fn(() => Response.json({ ok: true }));
  const response = await handleApi(req, handler);
  const body: unknown = await response.json();
  return { status: response.status, body, called: handler.mock.calls.length > 0 };
}

function errorCode(body: unknown): string {
  return errorEnvelopeSchema.parse(body).error.code;
}

describe("handleApi: the access gate", () => {
  it("answers 401 with the envelope, without running the handler, when there is no session", async () => {
    configure({ ACCESS_PASSWORD: "pw" });
    for (const pathname of ["/api/videos", "/api/diagnostics", "/api/videos/job_x/content"]) {
      const answer = await run(request(pathname));
      expect(answer.status, pathname).toBe(401);
      expect(errorCode(answer.body)).toBe("unauthorized");
      expect(answer.called).toBe(false);
    }
  });

  it("lets a valid session through and refuses a forged, malformed or foreign one", async () => {
    configure({ ACCESS_PASSWORD: "pw" });
    const token = createSessionToken();
    const ok = await run(
      request("/api/videos", { headers: { cookie: `${SESSION_COOKIE}=${token}` } }),
    );
    expect(ok).toMatchObject({ status: 200, called: true });
    const forged = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const cookie of [
      `${SESSION_COOKIE}=${forged}`,
      `${SESSION_COOKIE}=%`,
      `${SESSION_COOKIE}=v1.${Date.now()}.${"A".repeat(43)}`,
      `other=${token}`,
    ]) {
      const answer = await run(request("/api/videos", { headers: { cookie } }));
      expect(answer.status, cookie).toBe(401);
      expect(answer.called).toBe(false);
    }
  });

  it("keeps the public paths open and everything open without a password", async () => {
    configure({ ACCESS_PASSWORD: "pw" });
    for (const pathname of ["/api/health", "/api/auth/login", "/api/auth/logout"]) {
      expect((await run(request(pathname))).called, pathname).toBe(true);
    }
    configure();
    expect((await run(request("/api/videos"))).called).toBe(true);
  });
});

describe("handleApi: where the request comes from", () => {
  it("refuses a foreign Host with 421 before the gate and the handler", async () => {
    configure({ ACCESS_PASSWORD: "pw" });
    const answer = await run(request("/api/health", { headers: { host: "attacker.example" } }));
    expect(answer.status).toBe(421);
    expect(errorCode(answer.body)).toBe("request_refused");
    expect(answer.called).toBe(false);
  });

  it("accepts configured public names", async () => {
    configure({ PUBLIC_URL: "https://studio.example.com", ALLOWED_HOSTS: "*.corp.example" });
    for (const host of [
      "studio.example.com",
      "a.corp.example:8443",
      "localhost:3000",
      "10.0.0.5",
    ]) {
      expect((await run(request("/api/health", { headers: { host } }))).status, host).toBe(200);
    }
  });

  it("refuses cross-site state changes with 403, and lets scripts and same-origin pages through", async () => {
    configure();
    const cases: [string, Record<string, string>, number][] = [
      ["POST", { origin: "http://attacker.example" }, 403],
      ["DELETE", { "sec-fetch-site": "cross-site" }, 403],
      ["POST", { "sec-fetch-site": "same-site" }, 403],
      ["POST", { origin: "null" }, 403],
      ["POST", { origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-origin" }, 200],
      ["POST", { "sec-fetch-site": "none" }, 200],
      ["POST", {}, 200],
      ["GET", { origin: "http://attacker.example", "sec-fetch-site": "cross-site" }, 200],
    ];
    for (const [method, headers, status] of cases) {
      const answer = await run(request("/api/videos", { method, headers }));
      expect(answer.status, `${method} ${JSON.stringify(headers)}`).toBe(status);
      expect(answer.called).toBe(status === 200);
    }
  });
});

describe("handleApi: event-stream slots", () => {
  it("refuses a stream beyond the per-client cap with 429 and frees the slot when a stream ends", async () => {
    configure({ SORA_MAX_STREAMS_PER_CLIENT: "1" });
    let finish: (() => void) | undefined;
    const stream = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            finish = () => controller.close();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    const first = await handleApi(request("/api/videos/job_a/events"), stream, {
      eventStream: true,
    });
    expect(first.status).toBe(200);
    const second = await handleApi(request("/api/videos/job_b/events"), stream, {
      eventStream: true,
    });
    expect(second.status).toBe(429);
    expect(errorCode(await second.json())).toBe("rate_limited");
    finish?.();
    await first.text();
    const third = await handleApi(request("/api/videos/job_c/events"), stream, {
      eventStream: true,
    });
    expect(third.status).toBe(200);
    await third.body?.cancel();
  });
});
