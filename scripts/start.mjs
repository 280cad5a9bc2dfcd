// `npm start`: install when needed, build when the sources changed, start the simulator when no key is
// configured (demo mode), then run the production server and print where it listens.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { buildIfNeeded, ensureDependencies, exposureRefusal, nextBin, root } from "./lib.mjs";

ensureDependencies();

// @next/env is CommonJS: its named export sits on the default export when imported from ESM.
const nextEnv = await import("@next/env");
const { loadEnvConfig } = nextEnv.default ?? nextEnv;
loadEnvConfig(root, false, { info: () => {}, error: console.error });

const port = process.env.PORT || "3000";
// Private to this machine unless asked otherwise: anyone who reaches the server can spend the key.
const hostname = process.env.HOSTNAME || "127.0.0.1";
const refusal = exposureRefusal(process.env, hostname);
if (refusal) {
  console.error(`[start] ${refusal}`);
  process.exit(1);
}

await buildIfNeeded("start");
const env = { ...process.env, PORT: port, HOSTNAME: hostname, NEXT_TELEMETRY_DISABLED: "1" };
const children = [];

function startSimulator() {
  return new Promise((resolve, reject) => {
    const sim = spawn(
      process.execPath,
      ["--import", "tsx", path.join(root, "simulator", "cli.ts"), "--port", "0"],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, SIM_SPEED: process.env.SIM_SPEED || "1" },
      },
    );
    children.push(sim);
    sim.on("exit", (code) => reject(new Error(`simulator exited with code ${code}`)));
    const lines = createInterface({ input: sim.stdout });
    lines.on("line", (line) => {
      const match = /^ready (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]);
      else console.log(`[simulator] ${line}`);
    });
  });
}

if (!env.SORA_API_KEY?.trim()) {
  const simUrl = await startSimulator();
  env.SORA_BASE_URL = simUrl;
  env.SORA_API_KEY = `sk-demo-${randomBytes(12).toString("hex")}`;
  env.SORA_DEMO_MODE = "1";
  env.SORA_FALLBACK_BASE_URLS = "";
  console.log(
    `[start] no SORA_API_KEY configured: demo mode on the built-in simulator (${simUrl})`,
  );
}

const server = spawn(process.execPath, [nextBin(), "start", "-p", port, "-H", hostname], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
  env,
});
children.push(server);
createInterface({ input: server.stdout }).on("line", (line) => {
  console.log(line);
  if (/Ready in/.test(line)) {
    const shown = hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
    console.log(`\n  Sora Studio is running at http://${shown}:${port}\n`);
  }
});

function shutdown(signal) {
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
server.on("exit", (code) => {
  shutdown("SIGTERM");
  process.exit(code ?? 0);
});
