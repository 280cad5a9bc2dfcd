import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  diagnosticsReportSchema,
  type CheckId,
  type DiagnosticsReport,
} from "@/lib/contracts/diagnostics";
import { startSimulator, type Simulator } from "@/simulator/server";
import { fakeApiKey } from "../helpers/app";
import { findKeyLeaks } from "../helpers/client";
import { HEALTHY_SIMULATOR_CHECKS } from "../helpers/diagnostics";

/**
 * The real `npm run test:api` (node + tsx + scripts/test-api.ts) in a clean environment and an
 * empty working directory, against the real simulator and deliberately broken setups.
 */

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = path.join(REPO, "scripts/test-api.ts");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** This suite's ports (the diagnostics engineer's range). */
const PORTS: [number, number] = [4600, 4649];
const RUN_BOUND_MS = 15_000;

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

const claimed = new Set<number>();
async function freePort(): Promise<number> {
  const [low, high] = PORTS;
  const offset = Math.floor(Math.random() * (high - low + 1));
  for (let i = 0; i <= high - low; i++) {
    const port = low + ((offset + i) % (high - low + 1));
    if (!claimed.has(port) && (await portIsFree(port))) {
      claimed.add(port);
      return port;
    }
  }
  throw new Error("no free port in 4600-4649");
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report?: DiagnosticsReport;
  byId: Partial<Record<CheckId, DiagnosticsReport["checks"][number]>>;
}

let workDir = "";
const keysUsed = new Set<string>();
const outputs: string[] = [];

/** Runs the CLI with exactly `env` (plus PATH/HOME) in `cwd`, like a user's shell would. */
function runCli(args: string[], env: Record<string, string>, cwd = workDir): Promise<CliRun> {
  for (const [name, value] of Object.entries(env))
    if (/KEY/.test(name) && value) keysUsed.add(value);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", TSX, SCRIPT, ...args],
      {
        cwd,
        // No NODE_ENV: with NODE_ENV=test, @next/env would read .env.test* instead of .env.local.
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: process.env.HOME ?? os.tmpdir(),
          TSX_TSCONFIG_PATH: path.join(REPO, "tsconfig.json"),
          LANG: "en_US.UTF-8",
          ...env,
        } as unknown as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      outputs.push(stdout, stderr);
      let report: DiagnosticsReport | undefined;
      if (args.includes("--json") && stdout.trim().startsWith("{")) {
        report = diagnosticsReportSchema.parse(JSON.parse(stdout));
      }
      const byId = Object.fromEntries((report?.checks ?? []).map((c) => [c.id, c]));
      resolve({ code, stdout, stderr, report, byId });
    });
  });
}

function expectPrimaryCause(run: CliRun, checkId: CheckId, code: string) {
  expect(run.report?.verdict.primaryCause, run.stderr).toMatchObject({ checkId, code });
  expect(run.byId[checkId]?.status).toBe("fail");
  expect(run.code).toBe(1);
  expect(run.report?.durationMs).toBeLessThan(RUN_BOUND_MS);
}

let sim: Simulator;
let noChannelSim: Simulator;
/** A careless relay: every error body repeats the presented key in full. */
let echoSim: Simulator;
let tlsServer: HttpsServer;
let tlsUrl = "";
let caFile = "";
let closedPortUrl = "";
let hangServer: net.Server;
let hangUrl = "";
const hangSockets = new Set<net.Socket>();
const key = fakeApiKey();

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-diag-cli-"));
  sim = await startSimulator({ port: await freePort(), speed: 50, quiet: true });
  noChannelSim = await startSimulator({
    port: await freePort(),
    speed: 50,
    fault: "no_channel",
    quiet: true,
  });
  echoSim = await startSimulator({
    port: await freePort(),
    speed: 50,
    fault: "echo_key",
    quiet: true,
  });

  // A self-signed certificate made for this run; the HTTPS server relays to the simulator.
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-diag-cert-"));
  caFile = path.join(certDir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "90",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      path.join(certDir, "key.pem"),
      "-out",
      caFile,
    ],
    { stdio: "ignore" },
  );
  tlsServer = createHttpsServer(
    { key: fs.readFileSync(path.join(certDir, "key.pem")), cert: fs.readFileSync(caFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const headers: Record<string, string> = {};
        for (const name of ["authorization", "content-type", "accept"]) {
          const value = req.headers[name];
          if (typeof value === "string") headers[name] = value;
        }
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        fetch(`${sim.url}${req.url ?? "/"}`, { method: req.method, headers, body })
          .then(async (answer) => {
            res.writeHead(answer.status, {
              "content-type": answer.headers.get("content-type") ?? "text/plain",
            });
            res.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => res.destroy());
      });
    },
  );
  const tlsPort = await freePort();
  await new Promise<void>((resolve) => tlsServer.listen(tlsPort, "127.0.0.1", resolve));
  tlsUrl = `https://127.0.0.1:${tlsPort}`;

  // Accepts connections and never answers: a hung gateway.
  hangServer = net.createServer((socket) => {
    hangSockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => hangSockets.delete(socket));
  });
  const hangPort = await freePort();
  await new Promise<void>((resolve) => hangServer.listen(hangPort, "127.0.0.1", resolve));
  hangUrl = `http://127.0.0.1:${hangPort}`;

  closedPortUrl = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  for (const socket of hangSockets) socket.destroy();
  await new Promise<void>((resolve) => hangServer?.close(() => resolve()));
  tlsServer?.closeAllConnections();
  await new Promise<void>((resolve) => tlsServer?.close(() => resolve()));
  await sim?.close();
  await noChannelSim?.close();
  await echoSim?.close();
  // Nothing printed by any run may contain a key that was configured for it, nor any
  // 8-character piece of one.
  for (const used of keysUsed) expect(findKeyLeaks(used, outputs)).toEqual([]);
});

describe("npm run test:api", () => {
  it("passes a healthy simulator setup: exit 0, report in the shared schema", async () => {
    const run = await runCli(["--json"], { SORA_API_KEY: key, SORA_BASE_URL: sim.url });
    expect(run.code, run.stderr).toBe(0);
    expect(run.report?.verdict.status).toBe("pass");
    const statuses = Object.fromEntries(run.report?.checks.map((c) => [c.id, c.status]) ?? []);
    expect(statuses).toEqual(HEALTHY_SIMULATOR_CHECKS);
    expect(run.report?.target.keyMasked).toBe(`${key.slice(0, 6)}…${key.slice(-3)}`);
    expect(run.report?.durationMs).toBeLessThan(RUN_BOUND_MS);
  });

  it("DNS: a .invalid host fails network.dns and nothing after it is blamed", async () => {
    const run = await runCli(["--json"], {
      SORA_API_KEY: key,
      SORA_BASE_URL: "https://relay.sora-studio.invalid",
    });
    expectPrimaryCause(run, "network.dns", "dns_not_found");
    expect(run.byId.auth?.status).toBe("skip");
  });

  it("TCP: a closed loopback port is reported as refused", async () => {
    const run = await runCli(["--json"], { SORA_API_KEY: key, SORA_BASE_URL: closedPortUrl });
    expectPrimaryCause(run, "network.tcp", "tcp_refused");
  });

  it("TLS: a self-signed certificate fails network.tls", async () => {
    const run = await runCli(["--json"], { SORA_API_KEY: key, SORA_BASE_URL: tlsUrl });
    expectPrimaryCause(run, "network.tls", "tls_self_signed");
    expect(run.byId["network.tls"]?.hint).toContain("NODE_EXTRA_CA_CERTS");
  });

  it("TLS: with the CA trusted, the same relay passes, and proxy variables in use are a warning", async () => {
    const run = await runCli(["--json"], {
      SORA_API_KEY: key,
      SORA_BASE_URL: tlsUrl,
      NODE_EXTRA_CA_CERTS: caFile,
      HTTPS_PROXY: "http://user:secret@127.0.0.1:7890",
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.report?.verdict.status).toBe("warn");
    expect(run.byId["network.tls"], JSON.stringify(run.byId["network.tls"])).toMatchObject({
      status: "warn",
      code: "proxy_env",
    });
    expect(run.byId["network.tls"]?.observed).toContain("HTTPS_PROXY=http://127.0.0.1:7890");
    expect(run.stdout).not.toContain("secret");
    expect(run.byId["api.call"]?.status).toBe("pass");
  });

  it("a server that accepts and never answers fails http.reachable within the bound", async () => {
    const run = await runCli(["--json"], { SORA_API_KEY: key, SORA_BASE_URL: hangUrl });
    expectPrimaryCause(run, "http.reachable", "http_timeout");
  });

  it("an invalid key fails auth", async () => {
    const run = await runCli(["--json"], {
      SORA_API_KEY: fakeApiKey("sk-invalid-"),
      SORA_BASE_URL: sim.url,
    });
    expectPrimaryCause(run, "auth", "invalid_api_key");
  });

  it("an exhausted balance fails quota (the API call's refusal is its consequence)", async () => {
    const run = await runCli(["--json"], {
      SORA_API_KEY: fakeApiKey("sk-exhausted-"),
      SORA_BASE_URL: sim.url,
    });
    expectPrimaryCause(run, "quota", "insufficient_quota");
    expect(run.byId.auth?.status).toBe("pass");
  });

  it("a token without access to the model fails the API call as forbidden", async () => {
    const run = await runCli(["--json"], {
      SORA_API_KEY: fakeApiKey("sk-noaccess-"),
      SORA_BASE_URL: sim.url,
    });
    expectPrimaryCause(run, "api.call", "forbidden");
  });

  it("a relay with no channel for the model fails api.call with no_available_channel", async () => {
    const run = await runCli(["--json"], { SORA_API_KEY: key, SORA_BASE_URL: noChannelSim.url });
    expectPrimaryCause(run, "api.call", "no_available_channel");
    expect(run.byId.models?.status).toBe("pass");
  });

  it("a broken fallback fails the fallbacks check", async () => {
    const run = await runCli(["--json"], {
      SORA_API_KEY: key,
      SORA_BASE_URL: sim.url,
      SORA_FALLBACK_BASE_URLS: `${noChannelSim.url},${closedPortUrl}`,
    });
    expectPrimaryCause(run, "fallbacks", "fallback_failed");
    expect(run.byId.fallbacks?.observed).toContain("no_available_channel");
    expect(run.byId.fallbacks?.observed).toContain("tcp_refused");
  });

  it("a base URL without scheme is diagnosed (not refused) and the fix names the right value", async () => {
    const bare = sim.url.replace("http://", "");
    const run = await runCli(["--json"], { SORA_API_KEY: key, SORA_BASE_URL: bare });
    expectPrimaryCause(run, "baseUrl.format", "base_url_no_scheme");
    expect(run.byId["baseUrl.format"]?.hint).toContain(`SORA_BASE_URL=${sim.url}`);
    expect(run.byId["api.call"]?.status).toBe("pass");
  });

  it("a key pasted with quotes and a trailing newline still works, with a warning", async () => {
    const run = await runCli(["--json"], { SORA_API_KEY: `"${key}"\n`, SORA_BASE_URL: sim.url });
    expect(run.code).toBe(0);
    expect(run.byId["key.format"]).toMatchObject({ status: "warn" });
    expect(run.byId.auth?.status).toBe("pass");
  });

  it("no key: key.present fails first", async () => {
    const run = await runCli(["--json"], { SORA_BASE_URL: sim.url });
    expectPrimaryCause(run, "key.present", "key_missing");
  });

  it("reads .env.local and .env from the working directory; the environment wins", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-diag-env-"));
    fs.writeFileSync(
      path.join(dir, ".env.local"),
      `SORA_API_KEY=${key}\nSORA_BASE_URL=${closedPortUrl}\n`,
    );
    fs.writeFileSync(
      path.join(dir, ".env"),
      `SORA_BASE_URL=${hangUrl}\nSORA_DEFAULT_MODEL=sora-2\n`,
    );
    const fromFiles = await runCli(["--json"], {}, dir);
    expect(fromFiles.report?.config?.envFiles).toEqual([".env.local", ".env"]);
    expect(fromFiles.report?.target.model).toBe("sora-2");
    expectPrimaryCause(fromFiles, "network.tcp", "tcp_refused");
    const overridden = await runCli(["--json"], { SORA_BASE_URL: sim.url }, dir);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.report?.target.protocol).toBe("videos");
  });

  it("--base-url and --key-env test another target", async () => {
    const run = await runCli(["--json", "--base-url", sim.url, "--key-env", "BACKUP_RELAY_KEY"], {
      SORA_API_KEY: fakeApiKey("sk-invalid-"),
      SORA_BASE_URL: closedPortUrl,
      BACKUP_RELAY_KEY: key,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.report?.config?.keySource).toBe("BACKUP_RELAY_KEY");
  });

  it("piped human output: one line per check with marks, no escape codes, English with --lang en", async () => {
    const run = await runCli(["--lang", "en"], {
      SORA_API_KEY: key,
      SORA_BASE_URL: noChannelSim.url,
      FORCE_COLOR: "1",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("\u001b");
    expect(run.stdout).toMatch(/^✓ Authentication +key accepted/m);
    expect(run.stdout).toMatch(
      /^✗ API call \(not billed\) +POST \/v1\/chat\/completions → HTTP 503/m,
    );
    expect(run.stdout).toMatch(/^– Real generation \(billed\) +not requested/m);
    expect(run.stdout).toContain("Cause: The relay cannot serve sora_video2 at the moment");
    expect(run.stdout).toContain("Verdict: Problem found");
    expect(run.stdout).toContain("Next steps:");
  });

  it("speaks Chinese by default (LANG=zh_CN) and when LANG says nothing", async () => {
    const zh = await runCli([], { SORA_API_KEY: key, SORA_BASE_URL: sim.url, LANG: "zh_CN.UTF-8" });
    expect(zh.code).toBe(0);
    expect(zh.stdout).toContain("结论：全部检查通过");
    const plain = await runCli(["--json"], {
      SORA_API_KEY: key,
      SORA_BASE_URL: sim.url,
      LANG: "C",
    });
    expect(plain.report?.locale).toBe("zh-CN");
  });

  it("a relay echoing a non-sk key in its 401: neither the JSON nor the text report leaks it", async () => {
    const relayKey = fakeApiKey("relay_");
    const json = await runCli(["--json", "--lang", "en"], {
      SORA_API_KEY: relayKey,
      SORA_BASE_URL: echoSim.url,
    });
    expectPrimaryCause(json, "auth", "invalid_api_key");
    // The relay's words come through (masked), so the scan had something to catch.
    expect(json.stdout).toContain("token: relay_");
    const text = await runCli(["--lang", "en"], {
      SORA_API_KEY: relayKey,
      SORA_BASE_URL: echoSim.url,
    });
    expect(text.code).toBe(1);
    expect(findKeyLeaks(relayKey, [json.stdout, json.stderr, text.stdout, text.stderr])).toEqual(
      [],
    );
  });

  it("a key given with --key-env is scrubbed like the configured one (an echoed 400)", async () => {
    const backup = fakeApiKey();
    const run = await runCli(["--json", "--key-env", "BACKUP_RELAY_KEY"], {
      SORA_API_KEY: key,
      SORA_BASE_URL: echoSim.url,
      BACKUP_RELAY_KEY: backup,
    });
    expect(run.byId.auth?.status).toBe("pass");
    expect(JSON.stringify(run.report)).toContain("token: sk-");
    expect(findKeyLeaks(backup, [run.stdout, run.stderr])).toEqual([]);
  });

  it("usage errors exit 2 without running anything", async () => {
    const bad = await runCli(["--frobnicate"], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option: --frobnicate");
    expect(bad.stdout).toBe("");
    const lang = await runCli(["--lang", "fr"], {});
    expect(lang.code).toBe(2);
    const help = await runCli(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--key-env");
  });
});
