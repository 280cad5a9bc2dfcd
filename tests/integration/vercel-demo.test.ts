import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppServer } from "../helpers/app";
import { ApiClient, TERMINAL } from "../helpers/client";
import { startEngines, type Engines } from "../helpers/engines";
import { SAMPLE_MP4, uniquePrompt } from "../helpers/stack";

/*
 * Vercel demo mode: no key, VERCEL=1. The simulator runs inside the app (/api/demo-upstream) and the
 * app reaches it over its public URL — here a round-robin balancer in front of A and B, as a
 * Vercel domain reaches whichever instance. The in-app simulator keeps no state (the job id
 * carries it), so whichever instance answers a poll knows the job.
 */

let engines: Engines;
let a: AppServer;
let b: AppServer;
let balancer: http.Server;
let publicUrl = "";
const routed = { a: 0, b: 0 };
const onA = new ApiClient(() => a.url);
const onB = new ApiClient(() => b.url);

/** Forwards each request to the next live instance (a dead one is skipped, as a platform would). */
function startBalancer(): Promise<string> {
  let next = 0;
  balancer = http.createServer((req, res) => {
    const targets = [
      { name: "a" as const, app: a },
      { name: "b" as const, app: b },
    ];
    const attempt = (tries: number) => {
      const target = targets[next++ % 2]!;
      const url = new URL(target.app.url);
      const upstream = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          routed[target.name]++;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => (tries > 0 ? attempt(tries - 1) : res.destroy()));
      req.pipe(upstream);
    };
    attempt(1);
  });
  return new Promise((resolve) =>
    balancer.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(balancer.address() as AddressInfo).port}`),
    ),
  );
}

beforeAll(async () => {
  engines = await startEngines();
  publicUrl = await startBalancer();
  const env = {
    ...engines.env(),
    VERCEL: "1",
    PUBLIC_URL: publicUrl,
    SIM_SPEED: "5",
    SORA_LEASE_TTL_MS: "1500",
  };
  // No key: an empty SORA_API_KEY is "not configured".
  [a, b] = await Promise.all([
    new AppServer({ simUrl: "http://127.0.0.1:9", apiKey: "", env }).start(),
    new AppServer({ simUrl: "http://127.0.0.1:9", apiKey: "", env }).start(),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await new Promise((resolve) => balancer?.close(resolve));
  await engines?.stop();
  a?.removeData();
  b?.removeData();
});

describe("Vercel without a key: demo mode on the simulator inside the app", () => {
  it("a demo job created on A completes when followed on B, even once A is gone", async () => {
    const created = await onA.createJob({ prompt: uniquePrompt("vercel demo"), model: "sora-2" });
    expect(created.status).toBe(202);
    const id: string = created.json.job.id;
    // Follow on B until the job has progressed, then A dies mid-job.
    await onB.sse(`/api/videos/${id}/events`, {}, { stopAfter: 4 });
    await a.kill("SIGKILL");
    const { events } = await onB.sse(`/api/videos/${id}/events`, {}, { until: TERMINAL });
    const last = events.at(-1);
    expect(last?.event, JSON.stringify(events.slice(-3))).toBe("completed");
    const content = await onB.bytes(`/api/videos/${id}/content`);
    expect(content.status).toBe(200);
    expect(content.body.equals(SAMPLE_MP4)).toBe(true);
    // Both instances answered the upstream protocol for this one job.
    expect(routed.a).toBeGreaterThan(0);
    expect(routed.b).toBeGreaterThan(0);
    const health = await onB.request("/api/health");
    expect(health.text).not.toContain("sk-demo-");
  });

  it("the in-app upstream answers nobody but the app: no key → 401, a foreign key → 401", async () => {
    const models = await fetch(`${b.url}/api/demo-upstream/v1/models`);
    expect(models.status).toBe(401);
    const forged = await fetch(`${b.url}/api/demo-upstream/v1/videos`, {
      method: "POST",
      headers: { authorization: "Bearer sk-demo-guess", "content-type": "application/json" },
      body: JSON.stringify({ prompt: "x" }),
    });
    expect(forged.status).toBe(401);
    const bogusFile = await fetch(`${b.url}/api/demo-upstream/files/not-a-job-id.mp4`);
    expect(bogusFile.status).toBe(404);
  });
});
