import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { setupStack } from "../helpers/stack";

const PASSWORD = "correct horse battery staple";

describe("ACCESS_PASSWORD gate and rate limits (behind one trusted proxy)", () => {
  // TRUST_PROXY=1: the address the proxy appends to X-Forwarded-For is the client's, so the tests
  // can play several clients. Without it the header is ignored (security.test.ts).
  const stack = setupStack({
    env: {
      ACCESS_PASSWORD: PASSWORD,
      SORA_RATE_LIMIT_PER_IP: "2",
      SORA_RATE_LIMIT_GLOBAL: "100",
      TRUST_PROXY: "1",
    },
  });

  async function signIn(ip: string): Promise<string> {
    const answer = await stack.client.login(PASSWORD, { "x-forwarded-for": ip });
    expect(answer.status).toBe(200);
    const cookie = answer.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^sora_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
    return cookie.split(";")[0] ?? "";
  }

  it("keeps /api/health open and closes every other route", async () => {
    expect((await stack.client.request("/api/health")).status).toBe(200);
    for (const path of ["/api/videos", "/api/models", "/api/diagnostics", "/api/balance"]) {
      const answer = await stack.client.request(path);
      expect(answer.status, path).toBe(401);
      expect(errorEnvelopeSchema.parse(answer.json).error.code).toBe("unauthorized");
    }
    const page = await stack.client.fetch("/diagnostics", { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Fdiagnostics");
    const login = await stack.client.request("/login");
    expect(login.status).toBe(200);
    expect(login.text).toContain('action="/api/auth/login"');
    expect(login.headers.get("content-security-policy")).toContain("'strict-dynamic'");
  });

  it("rejects a wrong password and lets the right one in with a signed HttpOnly cookie", async () => {
    const wrong = await stack.client.login("guess", { "x-forwarded-for": "10.9.0.1" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const cookie = await signIn("10.9.0.1");
    const list = await stack.client.request("/api/videos", { headers: { cookie } });
    expect(list.status).toBe(200);
    const page = await stack.client.fetch("/", { headers: { cookie }, redirect: "manual" });
    expect(page.status).toBe(200);

    const forged = cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect(
      (await stack.client.request("/api/videos", { headers: { cookie: forged } })).status,
    ).toBe(401);
  });

  it("signs in from the HTML form with a redirect to the page asked for, and signs out", async () => {
    const form = new URLSearchParams({ password: PASSWORD, next: "/diagnostics" });
    const response = await stack.client.fetch("/api/auth/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-forwarded-for": "10.9.0.2",
      },
      body: form.toString(),
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/diagnostics");
    const offsite = await stack.client.fetch("/api/auth/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-forwarded-for": "10.9.0.2",
      },
      body: new URLSearchParams({ password: PASSWORD, next: "//evil.example/" }).toString(),
      redirect: "manual",
    });
    expect(offsite.headers.get("location")).toBe("/");

    const logout = await stack.client.fetch("/api/auth/logout", {
      method: "POST",
      redirect: "manual",
    });
    expect(logout.status).toBe(303);
    expect(logout.headers.get("location")).toBe("/login");
    expect(logout.headers.get("set-cookie")).toMatch(/^sora_session=; .*Max-Age=0/);
  });

  it("limits login attempts per IP with 429 and Retry-After", async () => {
    const attempt = () => stack.client.login("nope", { "x-forwarded-for": "10.9.0.3" });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(errorEnvelopeSchema.parse(limited.json).error.code).toBe("rate_limited");
    // Another client is not affected.
    expect((await stack.client.request("/api/health")).status).toBe(200);
    await signIn("10.9.0.4");
  });

  it("limits job creation per client IP with 429, Retry-After and the envelope", async () => {
    const cookie = await signIn("10.9.0.5");
    const create = (ip: string) =>
      stack.client.request("/api/videos", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "accept-language": "en",
          cookie,
          "x-forwarded-for": ip,
        },
        body: JSON.stringify({ prompt: `rate limit ${ip}`, model: "sora-2" }),
      });
    expect((await create("10.9.1.1")).status).toBe(202);
    expect((await create("10.9.1.1")).status).toBe(202);
    const limited = await create("10.9.1.1");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const error = errorEnvelopeSchema.parse(limited.json).error;
    expect(error.code).toBe("rate_limited");
    expect(error.message).toContain("at most 2 per hour");
    expect((await create("10.9.1.2")).status).toBe(202);
    // The limited third request never reached the upstream: at most the two accepted ones did.
    const after = await stack.sim.stats();
    expect(after.creates.byPrompt["rate limit 10.9.1.1"]?.attempts ?? 0).toBeLessThanOrEqual(2);
    stack.expectNoKeyLeak();
  });
  it("signs out everywhere without a password change, and only for a signed-in caller", async () => {
    const phone = await signIn("10.9.2.1");
    const laptop = await signIn("10.9.2.2");
    const stranger = await stack.client.request("/api/auth/logout", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ everywhere: true }),
    });
    expect(stranger.status).toBe(401);
    expect(
      (await stack.client.request("/api/videos", { headers: { cookie: laptop } })).status,
    ).toBe(200);

    const everywhere = await stack.client.request("/api/auth/logout", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", cookie: phone },
      body: JSON.stringify({ everywhere: true }),
    });
    expect(everywhere.status).toBe(200);
    for (const cookie of [phone, laptop]) {
      expect((await stack.client.request("/api/videos", { headers: { cookie } })).status).toBe(401);
    }
    // The same password still signs in; the secret sits in DATA_DIR, readable by the owner only.
    const fresh = await signIn("10.9.2.3");
    expect((await stack.client.request("/api/videos", { headers: { cookie: fresh } })).status).toBe(
      200,
    );
    const file = path.join(stack.app.dataDir, "session.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const secret = (JSON.parse(fs.readFileSync(file, "utf8")) as { secret: string }).secret;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(stack.client.transcript.texts.join("")).not.toContain(secret);
  });

  // Last: it pauses sign-in on this server for a minute.
  it("pauses sign-in for everyone after many failures from many addresses", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 110; i++) {
      const answer = await stack.client.login(`distributed guess ${i}`, {
        "accept-language": "en",
        "x-forwarded-for": `10.${100 + Math.floor(i / 250)}.${i % 250}.7`,
      });
      statuses.push(answer.status);
      if (answer.status === 429) {
        const error = errorEnvelopeSchema.parse(answer.json).error;
        expect(error.message).toContain("sign-in is paused");
        expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    }
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(100);
    expect(statuses.at(-1)).toBe(429);
    // Even the right password waits: the pause holds for every address.
    const right = await stack.client.login(PASSWORD, { "x-forwarded-for": "10.200.0.1" });
    expect(right.status).toBe(429);
  });
});
