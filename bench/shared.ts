/**
 * Shared-mode numbers (issue 12): two app processes A and B on one redis-server and one S3 bucket
 * (s3rver), both started here on loopback. Used by bench/run.ts (`npm run bench -- shared`).
 */
import fs from "node:fs";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { createParser } from "eventsource-parser";
import { Redis } from "ioredis";
import { AppServer, fakeApiKey, startSim } from "../tests/helpers/app";
import { startEngines, type Engines } from "../tests/helpers/engines";

export interface SharedSection {
  title: string;
  lines: string[];
  targets: { label: string; ok: boolean }[];
}

export interface SharedBenchTools {
  percentile(values: number[], p: number): number;
  treeRssBytes(pid: number): number;
  stampedUpstream(
    steps: number,
    gapMs: number,
  ): Promise<{ url: string; emitted: Map<number, number>; close(): void }>;
}

const ENV = {
  SORA_RATE_LIMIT_PER_IP: "0",
  SORA_RATE_LIMIT_GLOBAL: "0",
  // One bench client follows every job from one address: above the per-client stream cap (16).
  SORA_MAX_STREAMS_PER_CLIENT: "1000",
  SORA_MAX_STREAMS: "1000",
  SORA_POLL_INTERVAL_MS: "200",
  LOG_LEVEL: "warn",
};

const ms = (v: number) => `${v.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function pair(engines: Engines, simUrl: string): Promise<[AppServer, AppServer]> {
  const key = fakeApiKey();
  const env = { ...ENV, ...engines.env() };
  return Promise.all([
    new AppServer({ simUrl, apiKey: key, env }).start(),
    new AppServer({ simUrl, apiKey: key, env }).start(),
  ]);
}

async function stopAll(apps: AppServer[]) {
  await Promise.all(apps.map((app) => app.stop()));
  for (const app of apps) app.removeData();
}

async function follow(url: string, onEvent: (type: string, data: unknown, at: number) => void) {
  const response = await fetch(url, { headers: { accept: "text/event-stream" } });
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const parser = createParser({
    onEvent: (m) => onEvent(m.event ?? "message", JSON.parse(m.data), performance.now()),
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
}

async function createJson(appUrl: string, body: object): Promise<string> {
  const response = await fetch(`${appUrl}/api/videos`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
  const { job } = (await response.json()) as { job: { id: string } };
  return job.id;
}

/** Upstream progress chunk → A writes the event → a follower on B reads it. */
async function crossInstanceLatency(tools: SharedBenchTools): Promise<SharedSection> {
  const engines = await startEngines();
  const upstream = await tools.stampedUpstream(95, 20);
  const [a, b] = await pair(engines, upstream.url);
  const delays: number[] = [];
  try {
    for (let run = 0; run < 3; run++) {
      upstream.emitted.clear();
      const id = await createJson(a.url, { prompt: `cross ${run}`, model: "sora_video2" });
      await follow(`${b.url}/api/videos/${id}/events`, (type, data, at) => {
        if (type !== "progress") return;
        const sent = upstream.emitted.get((data as { percent: number }).percent);
        if (sent !== undefined) delays.push(at - sent);
      });
    }
  } finally {
    await stopAll([a, b]);
    upstream.close();
    await engines.stop();
  }
  const p50 = tools.percentile(delays, 50);
  const p99 = tools.percentile(delays, 99);
  return {
    title: "Shared mode: event written on A (upstream chunk) → read by a follower on B",
    lines: [
      `${delays.length} progress events over 3 jobs (one every 20 ms), A and B on one redis-server`,
      `delay: p50 ${ms(p50)}, p99 ${ms(p99)}, max ${ms(Math.max(...delays))}`,
    ],
    targets: [
      { label: "p50 < 20 ms", ok: p50 < 20 },
      { label: "p99 < 100 ms", ok: p99 < 100 },
    ],
  };
}

/** N concurrent jobs, created alternately on A and B, each followed on the other instance. */
async function spreadLoad(tools: SharedBenchTools, jobs: number): Promise<SharedSection> {
  const engines = await startEngines();
  const sim = await startSim({ speed: 20 });
  const [a, b] = await pair(engines, sim.url);
  const outcomes: Record<string, number> = {};
  const peak = { a: tools.treeRssBytes(a.pid), b: tools.treeRssBytes(b.pid) };
  const start = { ...peak };
  const timer = setInterval(() => {
    peak.a = Math.max(peak.a, tools.treeRssBytes(a.pid));
    peak.b = Math.max(peak.b, tools.treeRssBytes(b.pid));
  }, 50);
  const began = performance.now();
  let stats;
  let listed: { a: string[]; b: string[] };
  try {
    await Promise.all(
      Array.from({ length: jobs }, async (_, i) => {
        const [creator, follower] = i % 2 ? [a, b] : [b, a];
        let terminal = "lost";
        try {
          const model = i % 4 < 2 ? "sora-2" : "sora_video2";
          const id = await createJson(creator.url, { prompt: `spread ${i}`, model });
          await follow(`${follower.url}/api/videos/${id}/events`, (type, data) => {
            if (type === "completed") terminal = type;
            if (type === "failed") {
              terminal = `failed: ${(data as { job?: { error?: { code?: string } } }).job?.error?.code}`;
            }
          });
        } catch (error) {
          terminal = `error: ${(error as Error).message}`;
        }
        outcomes[terminal] = (outcomes[terminal] ?? 0) + 1;
      }),
    );
    stats = await sim.stats();
    const ids = async (url: string) =>
      (
        (await (await fetch(`${url}/api/videos?limit=100`)).json()) as { jobs: { id: string }[] }
      ).jobs.map((j) => j.id);
    listed = { a: await ids(a.url), b: await ids(b.url) };
  } finally {
    clearInterval(timer);
    await stopAll([a, b]);
    await sim.close();
    await engines.stop();
  }
  const seconds = (performance.now() - began) / 1000;
  const completed = outcomes.completed ?? 0;
  return {
    title: `Shared mode: ${jobs} concurrent jobs created alternately on A and B, each followed on the other`,
    lines: [
      `outcomes: ${JSON.stringify(outcomes)} in ${seconds.toFixed(1)} s`,
      `upstream creates: ${stats.creates.total.attempts} attempts, ${stats.creates.total.accepted} accepted (jobs submitted: ${jobs})`,
      `history (first 100) identical on A and B: ${JSON.stringify(listed.a) === JSON.stringify(listed.b)}`,
      `RSS A: ${mb(start.a)} → ${mb(peak.a)} peak; B: ${mb(start.b)} → ${mb(peak.b)} peak`,
    ],
    targets: [
      { label: "all jobs complete", ok: completed === jobs },
      { label: "zero duplicate creates", ok: stats.creates.total.accepted === jobs },
      { label: "peak RSS < 400 MB per process", ok: Math.max(peak.a, peak.b) < 400 * 1024 ** 2 },
    ],
  };
}

/** A 200 MB video fetched through /content: the app redirects; the bucket serves the bytes. */
async function redirectContent(tools: SharedBenchTools): Promise<SharedSection> {
  const engines = await startEngines();
  const sim = await startSim({ speed: 50 });
  const [a, b] = await pair(engines, sim.url);
  const size = 200 * 1024 * 1024;
  let fetched = 0;
  let status = 0;
  let seconds = 0;
  const memory = { start: 0, peak: 0 };
  try {
    const id = await createJson(a.url, { prompt: "redirect bench", model: "sora-2" });
    for (;;) {
      const job = (await (await fetch(`${b.url}/api/videos/${id}`)).json()) as {
        state: string;
        video?: { archived: boolean };
      };
      if (job.state === "completed" && job.video?.archived) break;
      if (job.state === "failed") throw new Error("redirect bench job failed");
      await new Promise((r) => setTimeout(r, 100));
    }
    // Swap the archived object for 200 MB (and tell the job its new size): what is measured is
    // what serving a big video costs the app.
    const { s3, redis } = engines;
    // Written where s3rver keeps the object, so the bucket serves exactly these bytes.
    const file = `${s3.directory}/${s3.bucket}/videos/${id}.mp4._S3rver_object`;
    const fd = fs.openSync(file, "w");
    const block = Buffer.alloc(1024 * 1024, 7);
    for (let i = 0; i < size / block.length; i++) fs.writeSync(fd, block);
    fs.closeSync(fd);
    const db = new Redis(redis.url);
    const json = JSON.parse((await db.hget(`sora:job:${id}`, "json")) ?? "{}") as object;
    await db.hset(`sora:job:${id}`, "json", JSON.stringify({ ...json, videoBytes: size }));
    await db.quit();

    memory.start = memory.peak = tools.treeRssBytes(b.pid);
    const timer = setInterval(() => {
      memory.peak = Math.max(memory.peak, tools.treeRssBytes(b.pid));
    }, 50);
    const started = performance.now();
    const redirect = await new Promise<string>((resolve, reject) =>
      http
        .get(`${b.url}/api/videos/${id}/content`, (res) => {
          status = res.statusCode ?? 0;
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8").slice(0, 500)));
          res.on("end", () =>
            status === 302
              ? resolve(res.headers.location ?? "")
              : reject(new Error(`/content answered ${status}: ${text.slice(0, 300)}`)),
          );
        })
        .on("error", reject),
    );
    await new Promise<void>((resolve, reject) =>
      http
        .get(redirect, (res) => {
          res.on("data", (chunk: Buffer) => (fetched += chunk.length));
          res.on("end", resolve);
          res.on("error", reject);
        })
        .on("error", reject),
    );
    seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
  } finally {
    await stopAll([a, b]);
    await sim.close();
    await engines.stop();
  }
  const growth = memory.peak - memory.start;
  return {
    title: "Shared mode: a 200 MB video through /content (302 to a presigned bucket link)",
    lines: [
      `/content answered ${status}; ${mb(fetched)} fetched from the bucket in ${seconds.toFixed(1)} s`,
      `app RSS growth while the client downloads: ${mb(growth)} (${mb(memory.start)} → ${mb(memory.peak)})`,
    ],
    targets: [
      { label: "302 and all bytes from the bucket", ok: status === 302 && fetched === size },
      { label: "app RSS growth < 5 MB", ok: growth < 5 * 1024 * 1024 },
    ],
  };
}

export async function benchShared(tools: SharedBenchTools, jobs: number): Promise<SharedSection[]> {
  const only = process.env.BENCH_SHARED_ONLY;
  const sections: SharedSection[] = [];
  if (!only || only === "latency") sections.push(await crossInstanceLatency(tools));
  if (!only || only === "load") sections.push(await spreadLoad(tools, jobs));
  if (!only || only === "content") sections.push(await redirectContent(tools));
  return sections;
}
