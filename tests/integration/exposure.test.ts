import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, fakeApiKey, freePort } from "../helpers/app";
import { setupStack } from "../helpers/stack";

/** An address of this machine other than loopback, if it has one. */
function externalAddress(): string | undefined {
  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (!entry.internal && entry.family === "IPv4") return entry.address;
    }
  }
  return undefined;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The environment of a child server: ours minus every app variable, plus `extra`. */
function childEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      !/^(SORA_|ACCESS_PASSWORD|ALLOW_UNPROTECTED|HOSTNAME|PORT|DATA_DIR|VERCEL)/.test(name) &&
      value !== undefined
    ) {
      env[name] = value;
    }
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

interface Run {
  code: number | null;
  output: string;
  /** Set once the output matched `until` (the process is then stopped). */
  matched: boolean;
}

/** Runs a command until it exits or prints `until`, then stops it (and its process group). */
function runUntil(
  args: string[],
  env: Record<string, string | undefined>,
  until: RegExp,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let matched = false;
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
      reject(new Error(`no exit and no match within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (!matched && until.test(output)) {
        matched = true;
        clearTimeout(timer);
        resolve({ code: null, output, matched });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!matched) resolve({ code, output, matched });
    });
    // The caller stops a matched server through the returned promise's owner: see stopAfter.
    processes.push(child.pid ?? 0);
  });
}

const processes: number[] = [];
const dataDirs: string[] = [];
afterAll(() => {
  for (const pid of processes) {
    try {
      if (pid) process.kill(-pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-exposure-"));
  dataDirs.push(dir);
  return dir;
}

/** `npm start` (scripts/start.mjs) with a real-looking key on a free port, until `ready` or its exit. */
async function npmStart(env: Record<string, string>, ready: RegExp) {
  const port = await freePort([3550, 3599]);
  const run = await runUntil(
    [path.join(REPO_ROOT, "scripts/start.mjs")],
    childEnv({
      SORA_API_KEY: fakeApiKey(),
      PORT: String(port),
      DATA_DIR: tempDataDir(),
      ...env,
    }),
    ready,
  );
  return { port, run };
}

const REFUSAL = /ACCESS_PASSWORD[\s\S]*ALLOW_UNPROTECTED_PUBLIC_BIND=1/;

describe("a real key, no ACCESS_PASSWORD, and a server reachable beyond loopback", () => {
  it("`npm start` with HOSTNAME=0.0.0.0 refuses before listening, naming both ways out", async () => {
    const { port, run } = await npmStart({ HOSTNAME: "0.0.0.0" }, /Ready in|running at/);
    expect(run.matched).toBe(false);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(REFUSAL);
    expect(await accepts("127.0.0.1", port)).toBe(false);
  });

  it("`npm start` without HOSTNAME listens on loopback only", async () => {
    const { port, run } = await npmStart(
      { SORA_BASE_URL: "http://127.0.0.1:9" },
      /Sora Studio is running at \S+/,
    );
    expect(run.matched, run.output).toBe(true);
    expect(run.output).toContain(`Sora Studio is running at http://127.0.0.1:${port}`);
    expect(await accepts("127.0.0.1", port)).toBe(true);
    const external = externalAddress();
    if (external) expect(await accepts(external, port)).toBe(false);
  });

  it("a bare `next start -H 0.0.0.0` refuses at boot", async () => {
    const port = await freePort([3550, 3599]);
    const run = await runUntil(
      [
        path.join(REPO_ROOT, "node_modules/next/dist/bin/next"),
        "start",
        "-p",
        String(port),
        "-H",
        "0.0.0.0",
      ],
      childEnv({
        NODE_ENV: "production",
        NEXT_DIST_DIR: process.env.NEXT_DIST_DIR || ".next",
        SORA_API_KEY: fakeApiKey(),
        DATA_DIR: tempDataDir(),
      }),
      /upstream configured/,
    );
    expect(run.matched).toBe(false);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(REFUSAL);
  });
});

describe("the explicit opt-out: ALLOW_UNPROTECTED_PUBLIC_BIND=1 on 0.0.0.0", () => {
  const stack = setupStack({ bindHost: "0.0.0.0", env: { ALLOW_UNPROTECTED_PUBLIC_BIND: "1" } });

  it("starts, and warns in the server log and on /diagnostics", async () => {
    expect(stack.app.log).toMatch(
      /\[Server\] WARN listening beyond loopback without ACCESS_PASSWORD/,
    );
    const page = await stack.client.request("/diagnostics", {
      headers: { "accept-language": "en" },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain("anyone who can reach it can spend your key");
    stack.expectNoKeyLeak();
  });
});
