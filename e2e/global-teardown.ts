import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { findKeyLeaks } from "../tests/helpers/client";
import { readLeakSurfaces } from "../tests/helpers/key-leak";
import { readTree } from "./key-leak";
import { APP_URL, E2E_FAKE_KEY, E2E_SERVER_LOG } from "./constants";

const TSX = pathToFileURL(path.resolve("node_modules/tsx/dist/loader.mjs")).href;

/** The simulator CLI on a free port with `echo_key`: a relay that repeats keys in full. */
async function startEchoRelay(): Promise<{ url: string; close: () => void }> {
  const child = spawn(
    process.execPath,
    ["--import", TSX, "simulator/cli.ts", "--port", "0", "--fault", "echo_key", "--quiet"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /ready (http:\/\/\S+)/.exec(out);
      if (ready?.[1]) resolve(ready[1]);
    });
    child.on("exit", (code) => reject(new Error(`echo relay exited (${code})`)));
  });
  return { url, close: () => child.kill("SIGTERM") };
}

/** `npm run test:api` (text and --json) with the e2e key against a relay that echoes keys in full. */
async function diagnosticsCliOutput(): Promise<{ name: string; text: string }[]> {
  const echoRelay = await startEchoRelay();
  // An empty working directory: no .env.local of the developer's is read.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "sora-e2e-cli-"));
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          "--conditions=react-server",
          "--import",
          TSX,
          path.resolve("scripts/test-api.ts"),
          ...args,
        ],
        {
          cwd,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            TSX_TSCONFIG_PATH: path.resolve("tsconfig.json"),
            SORA_API_KEY: E2E_FAKE_KEY,
            SORA_BASE_URL: echoRelay.url,
          } as unknown as NodeJS.ProcessEnv,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.on("error", reject);
      child.on("close", () => resolve(out));
    });
  try {
    const [json, text] = await Promise.all([run(["--json"]), run(["--lang", "en"])]);
    // The relay's echo must be in the report (masked), or the scan below would prove nothing.
    if (!json.includes("(token: ")) {
      throw new Error(`key-leak scan: the CLI report shows no echoed key:\n${json}`);
    }
    return [
      { name: "npm run test:api --json", text: json },
      { name: "npm run test:api", text },
    ];
  } finally {
    echoRelay.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * After the whole browser suite: the key the e2e server ran with must not appear (whole or as any
 * 8-character piece) in the build output, the server's log, its health and diagnostics answers
 * (JSON and SSE), or the diagnostics CLI's output against a relay that echoes the key.
 */
export default async function globalTeardown() {
  const distDir = process.env.NEXT_DIST_DIR ?? ".next";
  const surfaces = await readLeakSurfaces(APP_URL);
  const cli = await diagnosticsCliOutput();
  const log = fs.existsSync(E2E_SERVER_LOG) ? fs.readFileSync(E2E_SERVER_LOG, "utf8") : "";
  if (!log.includes("[Server]")) {
    throw new Error(`key-leak scan: no server log at ${E2E_SERVER_LOG}, nothing was scanned`);
  }
  const sources = [{ name: E2E_SERVER_LOG, text: log }, ...surfaces, ...cli, ...readTree(distDir)];
  const leaks = sources.filter(({ text }) => findKeyLeaks(E2E_FAKE_KEY, [text]).length > 0);
  if (leaks.length > 0) {
    throw new Error(`the API key leaked into: ${leaks.map((s) => s.name).join(", ")}`);
  }
  console.log(
    `key-leak scan: server log, health, diagnostics (JSON, SSE), CLI output and ${distDir}/ are clean`,
  );
}
