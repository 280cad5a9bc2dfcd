import { beforeAll, describe, expect, it } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { healthSchema, healthStatusOnlySchema } from "@/lib/contracts/health";
import { floodBody, rawRequest } from "../helpers/attack";
import { setupStack, uniquePrompt } from "../helpers/stack";

/**
 * Issue 11, played as the attacker: a stranger on the network (gate bypass, forged addresses,
 * memory exhaustion) and a web page in the victim's browser (CSRF, DNS rebinding).
 */

const PASSWORD = "open sesame, but slowly";
const FIFTY_MB = 50 * 1024 * 1024;
const RSS_BUDGET = 64 * 1024 * 1024;

/** Every header a client can use to look like a prefetch or an RSC fetch. */
const PREFETCH_HEADERS: Record<string, string>[] = [
  { purpose: "prefetch" },
  { "next-router-prefetch": "1" },
  { "sec-purpose": "prefetch" },
  { rsc: "1", "next-router-prefetch": "1" },
  { rsc: "1", "next-router-state-tree": "%5B%22%22%5D" },
  { purpose: "prefetch", "next-router-prefetch": "1", rsc: "1" },
];

function sumRequests(stats: { requests: Record<string, number> }): number {
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

describe("a stranger against a password-protected server (no proxy trusted)", () => {
  const stack = setupStack({ env: { ACCESS_PASSWORD: PASSWORD, SORA_RATE_LIMIT_PER_IP: "2" } });
  let cookie = "";

  beforeAll(async () => {
    const answer = await stack.client.login(PASSWORD);
    expect(answer.status).toBe(200);
    cookie = (answer.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  });

  it("cannot get past the gate on any page with prefetch headers, and every page has the CSP", async () => {
    for (const headers of PREFETCH_HEADERS) {
      for (const page of ["/", "/diagnostics", "/diagnostics?probe=1", "/no-such-page"]) {
        const answer = await rawRequest(stack.app.url, page, { headers });
        const label = `${page} ${JSON.stringify(headers)}`;
        expect(answer.status, label).toBe(303);
        expect(answer.headers.location, label).toMatch(/^\/login\?next=/);
        expect(answer.text, label).not.toContain(stack.sim.url);
      }
    }
    // (An RSC fetch without `?_rsc=` is sent there by Next itself, before any page code.)
    const documentFetches = PREFETCH_HEADERS.filter((h) => !("rsc" in h));
    for (const headers of documentFetches) {
      const login = await rawRequest(stack.app.url, "/login", { headers });
      expect(login.status).toBe(200);
      expect(login.headers["content-security-policy"]).toContain("'strict-dynamic'");
    }
    // The same pages with a session: they render, with the CSP, prefetch or not.
    for (const headers of [{}, ...documentFetches]) {
      const page = await rawRequest(stack.app.url, "/diagnostics", {
        headers: { ...headers, cookie },
      });
      expect(page.status).toBe(200);
      expect(page.headers["content-security-policy"]).toContain("'strict-dynamic'");
    }
    stack.expectNoKeyLeak();
  });

  it("learns only the status from /api/health", async () => {
    const stranger = await stack.client.request("/api/health");
    expect(stranger.status).toBe(200);
    expect(healthStatusOnlySchema.parse(stranger.json)).toEqual({ status: "pass" });
    expect(stranger.text).not.toMatch(/sk-|live|demo|mode/);
    const member = await stack.client.request("/api/health", { headers: { cookie } });
    expect(healthSchema.parse(member.json).checks["config:mode"]?.[0]?.observedValue).toBe("live");
  });

  it("cannot exhaust memory with a 50 MB unauthenticated body", async () => {
    const expected: Record<string, number> = {
      "/api/auth/login": 413,
      "/api/videos": 401,
      "/api/diagnostics": 401,
      "/": 303,
    };
    for (const [path, status] of Object.entries(expected)) {
      const flood = await floodBody(stack.app.url, path, stack.app.pid, {
        totalBytes: FIFTY_MB,
        headers: { "content-type": "application/json", "accept-language": "en" },
      });
      expect(flood.rssGrowth, `${path}: RSS grew ${flood.rssGrowth} bytes`).toBeLessThan(
        RSS_BUDGET,
      );
      expect(flood.status, path).toBe(status);
      if (status !== 303) {
        expect(errorEnvelopeSchema.parse(JSON.parse(flood.text)).error.code).toMatch(
          /^(bad_request|unauthorized)$/,
        );
      }
    }
  });

  it("cannot rotate X-Forwarded-For past the login limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const answer = await stack.client.login(`guess ${i}`, {
        "x-forwarded-for": `203.0.113.${i}`,
        "x-real-ip": `198.51.100.${i}`,
      });
      statuses.push(answer.status);
    }
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThan(0);
    expect(firstLimited).toBeLessThanOrEqual(10);
    expect(statuses.slice(firstLimited)).toEqual(Array(30 - firstLimited).fill(429));
  });

  it("cannot rotate X-Forwarded-For past the job creation limit", async () => {
    const prompt = uniquePrompt("forged address");
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await stack.client.request("/api/videos", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          cookie,
          "x-forwarded-for": `192.0.2.${i}`,
        },
        body: JSON.stringify({ prompt, model: "sora-2" }),
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([202, 202, 429, 429]);
    expect((await stack.sim.stats()).creates.byPrompt[prompt]?.attempts ?? 0).toBeLessThanOrEqual(
      2,
    );
  });
});

describe("a web page in the user's browser against a server on loopback (no password)", () => {
  // Slow upstream: the jobs started here stay running, so their event streams stay open.
  const stack = setupStack({ speed: 1, env: { SORA_MAX_STREAMS_PER_CLIENT: "2" } });
  const evil = "http://attacker.example";

  it("cannot start paid work or change anything from another site (CSRF), and nothing reaches the upstream", async () => {
    const before = sumRequests(await stack.sim.stats());
    const host = new URL(stack.app.url).host;
    const multipart = [
      "--b",
      'Content-Disposition: form-data; name="prompt"',
      "",
      "a paid video nobody asked for",
      "--b--",
      "",
    ].join("\r\n");
    const attempts: {
      path: string;
      method: string;
      headers: Record<string, string>;
      body?: string;
    }[] = [
      // A <form> post: multipart needs no preflight.
      {
        path: "/api/videos",
        method: "POST",
        headers: { host, origin: evil, "content-type": "multipart/form-data; boundary=b" },
        body: multipart,
      },
      // The same from a browser that sends only Sec-Fetch-Site.
      {
        path: "/api/videos",
        method: "POST",
        headers: {
          host,
          "sec-fetch-site": "cross-site",
          "content-type": "multipart/form-data; boundary=b",
        },
        body: multipart,
      },
      // A sibling subdomain is same-site, not same-origin.
      {
        path: "/api/videos",
        method: "POST",
        headers: { host, "sec-fetch-site": "same-site", "content-type": "application/json" },
        body: JSON.stringify({ prompt: "x" }),
      },
      // A sandboxed frame's opaque origin.
      {
        path: "/api/diagnostics",
        method: "POST",
        headers: { host, origin: "null", "content-type": "application/json" },
        body: JSON.stringify({ generate: true }),
      },
      // fetch(…, {mode: "no-cors", body: '{"generate":true}'}) is text/plain.
      {
        path: "/api/diagnostics",
        method: "POST",
        headers: { host, origin: evil, "content-type": "text/plain" },
        body: JSON.stringify({ generate: true }),
      },
      {
        path: "/api/videos/job_does_not_matter",
        method: "DELETE",
        headers: { host, origin: evil },
      },
      { path: "/api/auth/logout", method: "POST", headers: { host, origin: evil } },
      { path: "/api/auth/login", method: "POST", headers: { host, origin: evil } },
      // A server action posted to a page.
      {
        path: "/",
        method: "POST",
        headers: { host, origin: evil, "next-action": "0".repeat(40) },
        body: "[]",
      },
    ];
    for (const attempt of attempts) {
      const answer = await rawRequest(stack.app.url, attempt.path, attempt);
      const label = `${attempt.method} ${attempt.path} ${JSON.stringify(attempt.headers)}`;
      expect(answer.status, label).toBe(403);
      expect(errorEnvelopeSchema.parse(JSON.parse(answer.text)).error.code, label).toBe(
        "request_refused",
      );
    }
    // Without Origin or Sec-Fetch-Site a text/plain body is still not JSON.
    const plain = await rawRequest(stack.app.url, "/api/diagnostics", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ generate: true }),
    });
    expect(plain.status).toBe(415);
    expect(sumRequests(await stack.sim.stats())).toBe(before);
  });

  it("does not answer a foreign Host (DNS rebinding), and nothing reaches the upstream", async () => {
    const before = sumRequests(await stack.sim.stats());
    const requests: {
      path: string;
      method?: string;
      headers: Record<string, string>;
      body?: string;
    }[] = [
      { path: "/", headers: { host: "attacker.example" } },
      { path: "/diagnostics", headers: { host: "attacker.example:3000" } },
      { path: "/api/health", headers: { host: "attacker.example" } },
      { path: "/api/diagnostics", headers: { host: "rebind.attacker.example" } },
      {
        path: "/api/videos",
        method: "POST",
        headers: { host: "attacker.example", "content-type": "application/json" },
        body: JSON.stringify({ prompt: "rebound" }),
      },
    ];
    for (const request of requests) {
      const answer = await rawRequest(stack.app.url, request.path, request);
      expect(answer.status, `${request.path} ${request.headers.host}`).toBe(421);
      expect(errorEnvelopeSchema.parse(JSON.parse(answer.text)).error.code).toBe("request_refused");
    }
    for (const host of ["localhost:3000", "127.0.0.1", "[::1]:3000", "192.168.1.20:3000"]) {
      const answer = await rawRequest(stack.app.url, "/api/health", { headers: { host } });
      expect(answer.status, host).toBe(200);
    }
    expect(sumRequests(await stack.sim.stats())).toBe(before);
  });

  it("serves its own pages' same-origin requests and scripts without Origin", async () => {
    const host = new URL(stack.app.url).host;
    const sameOrigin = await rawRequest(stack.app.url, "/api/videos", {
      method: "POST",
      headers: {
        host,
        origin: stack.app.url,
        "sec-fetch-site": "same-origin",
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify({ prompt: uniquePrompt("same origin"), model: "sora-2" }),
    });
    expect(sameOrigin.status).toBe(202);
    const script = await stack.client.createJob({ prompt: uniquePrompt("curl"), model: "sora-2" });
    expect(script.status).toBe(202);
  });

  it("caps the open event streams of one client with 429 and the envelope", async () => {
    const open: AbortController[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const controller = new AbortController();
        open.push(controller);
        const response = await stack.client.fetch("/api/videos", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ prompt: uniquePrompt("long stream"), model: "sora-2" }),
          signal: controller.signal,
        });
        expect(response.headers.get("content-type")).toContain("text/event-stream");
      }
      const third = await stack.client.request("/api/diagnostics", {
        headers: { accept: "text/event-stream", "accept-language": "en" },
      });
      expect(third.status).toBe(429);
      const error = errorEnvelopeSchema.parse(third.json).error;
      expect(error.code).toBe("rate_limited");
      expect(error.message).toContain("event streams");
      // A closed stream gives its slot back.
      open.shift()?.abort();
      let status = 429;
      for (let i = 0; i < 50 && status === 429; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const answer = await stack.client.fetch("/api/diagnostics", {
          headers: { accept: "text/event-stream" },
        });
        status = answer.status;
        await answer.body?.cancel();
      }
      expect(status).toBe(200);
    } finally {
      for (const controller of open) controller.abort();
    }
  });

  it("answers a malformed percent-encoding in any cookie without a 500", async () => {
    for (const cookie of [
      "locale=%E0%A4%A",
      "sora_session=%",
      "a=%zz; locale=%; sora_session=%%",
    ]) {
      for (const path of ["/", "/api/videos", "/api/health"]) {
        const answer = await rawRequest(stack.app.url, path, { headers: { cookie } });
        expect(answer.status, `${path} ${cookie}`).toBe(200);
      }
    }
  });

  it("refuses a 50 MB body at its cap, before parsing", async () => {
    for (const [path, type, cap] of [
      ["/api/diagnostics", "application/json", "4 KB"],
      ["/api/videos", "application/json", "MB"],
      ["/api/videos", "multipart/form-data; boundary=b", "MB"],
    ] as const) {
      const flood = await floodBody(stack.app.url, path, stack.app.pid, {
        totalBytes: FIFTY_MB,
        headers: { "content-type": type, "accept-language": "en" },
      });
      expect(flood.rssGrowth, `${path}: RSS grew ${flood.rssGrowth} bytes`).toBeLessThan(
        RSS_BUDGET,
      );
      expect(flood.status, path).toBe(413);
      const error = errorEnvelopeSchema.parse(JSON.parse(flood.text)).error;
      expect(error.message).toContain(cap);
    }
  });
});
