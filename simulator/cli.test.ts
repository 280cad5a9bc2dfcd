import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(TSX, ["simulator/cli.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, SIM_PORT: "", SIM_FAULT: "", SIM_SPEED: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const line = /^ready (\S+)\n/.exec(stdout);
      if (line) resolve(line[1] ?? "");
    });
    void exited.then(() => reject(new Error(`exited before ready: ${stderr}`)));
  });
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

describe("npm run sim", () => {
  it("prints exactly one ready line, serves, and exits 0 on SIGTERM", async () => {
    const cli = runCli(["--port", "0", "--speed", "20", "--fault", "no_channel"]);
    const url = await cli.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/v1/videos`, {
      method: "POST",
      headers: { authorization: "sk-sim-demo", "content-type": "application/json" },
      body: JSON.stringify({ prompt: "cli" }),
    });
    expect(res.status).toBe(503);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toBe(`ready ${url}\n`);
    expect(cli.output().stderr).toContain("[sim] POST /v1/videos → 503");
  });

  it("takes SIM_PORT and stops on SIGINT", async () => {
    const probe = runCli(["--port", "0", "--quiet"]);
    const port = new URL(await probe.ready).port;
    probe.child.kill("SIGINT");
    expect(await probe.exited).toBe(0);
    const cli = runCli(["--quiet"], { SIM_PORT: port });
    expect(await cli.ready).toBe(`http://127.0.0.1:${port}`);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
  });

  it("usage errors exit 2 with a message and nothing on stdout", async () => {
    const cases: Array<[string[], string]> = [
      [["--fault", "nope"], "unknown fault: nope"],
      [["--speed", "0"], "invalid --speed: 0"],
      [["--port", "http"], "invalid --port: http"],
      [["--bogus"], "Unknown option '--bogus'"],
    ];
    // spawned together: each tsx start costs a second or two
    const runs = cases.map(([args]) => runCli(args));
    for (const run of runs) run.ready.catch(() => undefined);
    const codes = await Promise.all(runs.map((run) => run.exited));
    expect(codes).toEqual([2, 2, 2, 2]);
    cases.forEach(([, message], i) => {
      expect(runs[i]?.output().stderr).toContain(message);
      expect(runs[i]?.output().stdout).toBe("");
    });
  });
});
