import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator, type SimStats, type Simulator } from "@/simulator/server";

/*
 * Integration harness: the simulator in-process and the built app as a child `next start`.
 *   NEXT_DIST_DIR=.next-jobs flock /tmp/next-build.lock npx next build
 *   NEXT_DIST_DIR=.next-jobs npx vitest run --project sqlite
 * NEXT_DIST_DIR picks the build to start (default `.next`).
 */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Ports assigned to this suite (the "jobs" engineer's range): apps 3500-3549, simulators 4500-4549. */
const APP_PORTS: [number, number] = [3500, 3549];
const SIM_PORTS: [number, number] = [4500, 4549];

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A distinctive fake key, made at run time so no key-shaped string sits in the repository.
 * Only letters and digits: the simulator treats keys containing "invalid", "expired",
 * "exhausted" or "noaccess" specially, which random text of this length will not spell.
 */
export function fakeApiKey(prefix = "sk-"): string {
  const bytes = randomBytes(48);
  return `${prefix}${Array.from(bytes, (b) => ALNUM[b % ALNUM.length]).join("")}`;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const taken = new Set<number>();

/** A free port from the range, starting at a random offset so parallel runs rarely collide. */
export async function freePort([low, high]: [number, number]): Promise<number> {
  const size = high - low + 1;
  const offset = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = low + ((offset + i) % size);
    if (taken.has(port)) continue;
    if (await portIsFree(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${low}-${high}`);
}

export interface SimHandle extends Simulator {
  stats(): Promise<SimStats>;
  reset(): Promise<void>;
}

export type { SimStats };

export async function startSim(
  options: { speed?: number; fault?: string } = {},
): Promise<SimHandle> {
  const sim = await startSimulator({
    port: await freePort(SIM_PORTS),
    speed: options.speed ?? 50,
    fault: options.fault,
    quiet: true,
  });
  return {
    ...sim,
    async stats() {
      return (await (await fetch(`${sim.url}/__sim/stats`)).json()) as SimStats;
    },
    async reset() {
      await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    },
  };
}

export interface AppOptions {
  simUrl: string;
  apiKey: string;
  /** Reused on restart; a fresh temp dir by default. */
  dataDir?: string;
  env?: Record<string, string>;
  /** `next start -H`: 127.0.0.1 unless a test is about binding wider. */
  bindHost?: string;
}

/** Variables the app reads that must come from the test, never from the developer's shell. */
const APP_ENV_PREFIXES = [
  "SORA_",
  "DATA_DIR",
  "ACCESS_PASSWORD",
  "LOG_LEVEL",
  "PORT",
  "HOSTNAME",
  "VERCEL",
  "TRUST_PROXY",
  "PUBLIC_URL",
  "ALLOWED_HOSTS",
  "SESSION_SECRET",
  "ALLOW_UNPROTECTED_PUBLIC_BIND",
];

/** `next start` of a built dist dir, on loopback, with its output captured. */
export class AppServer {
  readonly dataDir: string;
  url = "";
  private child: ChildProcess | undefined;
  private output: string[] = [];
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: AppOptions) {
    this.dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "sora-jobs-it-"));
  }

  /** Process id of `next start` (benchmarks sample its memory). */
  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get log(): string {
    return this.output.join("");
  }

  async start(): Promise<this> {
    const port = await freePort(APP_PORTS);
    const env: NodeJS.ProcessEnv = { NODE_ENV: "production" };
    for (const [name, value] of Object.entries(process.env)) {
      if (value !== undefined && !APP_ENV_PREFIXES.some((p) => name.startsWith(p)))
        env[name] = value;
    }
    Object.assign(env, {
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: process.env.NEXT_DIST_DIR || ".next",
      SORA_API_KEY: this.options.apiKey,
      SORA_BASE_URL: this.options.simUrl,
      DATA_DIR: this.dataDir,
      SORA_RETRY_BASE_DELAY_MS: "100",
      SORA_RETRY_JITTER_MS: "50",
      SORA_POLL_INTERVAL_MS: "50",
      // A killed process's jobs are taken over within ~2 s instead of ~20 s.
      SORA_LEASE_TTL_MS: "1500",
      SORA_RECONCILE_INTERVAL_MS: "250",
      // Suites create far more jobs than a person would; tests of the limits set their own.
      SORA_RATE_LIMIT_PER_IP: "0",
      SORA_RATE_LIMIT_GLOBAL: "0",
      ...this.options.env,
    });
    const nextBin = path.join(REPO_ROOT, "node_modules/next/dist/bin/next");
    const child = spawn(
      process.execPath,
      [nextBin, "start", "-p", String(port), "-H", this.options.bindHost ?? "127.0.0.1"],
      {
        cwd: REPO_ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.child = child;
    child.stdout?.on("data", (chunk: Buffer) => this.output.push(chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => this.output.push(chunk.toString("utf8")));
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.url = `http://127.0.0.1:${port}`;
    await this.waitUntilReady(port);
    return this;
  }

  private async waitUntilReady(port: number) {
    const deadline = Date.now() + 60_000;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (Date.now() < deadline) {
      if (exited) throw new Error(`next start exited on port ${port}:\n${this.log}`);
      try {
        const response = await fetch(`${this.url}/api/health`, {
          signal: AbortSignal.timeout(2_000),
        });
        await response.body?.cancel();
        // Any answer means the server is up; a "fail" health report is still an answer.
        if (response.status > 0) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`next start did not answer /api/health within 60 s:\n${this.log}`);
  }

  /** Sends a signal to the server process and waits for it to exit. */
  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** Same DATA_DIR and settings, new process (and port). */
  async restart(): Promise<this> {
    await this.kill("SIGTERM");
    return this.start();
  }

  async stop(): Promise<void> {
    await this.kill("SIGTERM");
  }

  removeData(): void {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
