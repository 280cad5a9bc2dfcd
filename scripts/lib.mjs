// Helpers shared by the start and test scripts (plain Node, no dependencies: they run before `npm ci`).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
export const distDir = process.env.NEXT_DIST_DIR || ".next";

/** Installs dependencies when node_modules is missing or older than the lock file. */
export function ensureDependencies() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  const stale =
    !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (!stale) return;
  console.log("[setup] installing dependencies (npm ci) …");
  const started = Date.now();
  const result = spawnSync(
    "npm",
    [existsSync(lock) ? "ci" : "install", "--no-audit", "--no-fund"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  if (result.status !== 0) {
    console.error("[setup] npm install failed; see the output above.");
    process.exit(result.status ?? 1);
  }
  console.log(`[setup] dependencies installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const SOURCE_ENTRIES = [
  "app",
  "components",
  "hooks",
  "lib",
  "public",
  "instrumentation.ts",
  "proxy.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];

function hashTree(hash, target) {
  if (!existsSync(target)) return;
  const stat = statSync(target);
  if (stat.isDirectory()) {
    for (const name of readdirSync(target).sort()) {
      if (name === "node_modules" || name.startsWith(".next")) continue;
      if (/\.test\.tsx?$/.test(name)) continue;
      hashTree(hash, path.join(target, name));
    }
  } else {
    hash.update(path.relative(root, target));
    hash.update(readFileSync(target));
  }
}

/** Fingerprint of everything that goes into `next build`. */
export function sourceHash() {
  const hash = createHash("sha256");
  for (const entry of SOURCE_ENTRIES) hashTree(hash, path.join(root, entry));
  return hash.digest("hex");
}

export const buildStampPath = () => path.join(root, distDir, ".source-hash");

export function buildIsCurrent() {
  const stamp = buildStampPath();
  return (
    existsSync(path.join(root, distDir, "BUILD_ID")) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8").trim() === sourceHash()
  );
}

export const nextBin = () => path.join(root, "node_modules", "next", "dist", "bin", "next");

/** `next build` and a fresh source stamp; returns the exit code. */
export async function build(env = process.env) {
  const code = await run(process.execPath, [nextBin(), "build"], {
    env: { ...env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (code === 0) writeFileSync(buildStampPath(), sourceHash());
  return code;
}

/** Builds only when there is no build or the sources changed since the last one. */
export async function buildIfNeeded(label) {
  if (buildIsCurrent()) return;
  console.log(`[${label}] building the app (next build → ${distDir}) …`);
  const started = Date.now();
  const code = await build();
  if (code !== 0) {
    console.error(`[${label}] the build failed; see the output above.`);
    process.exit(code);
  }
  console.log(`[${label}] built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Chromium for Playwright: CHROMIUM_PATH, Debian's package, or Playwright's own download. */
export async function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  try {
    const { chromium } = await import("@playwright/test");
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright not installed or no browser downloaded.
  }
  return null;
}

export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", ...options });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Why the server must not start, or undefined: a real key served beyond loopback with no
 * ACCESS_PASSWORD is a key anyone on the network can spend. Mirrors lib/server/boot.ts, which
 * enforces the same for a bare `next start`; this one refuses before anything listens.
 */
export function exposureRefusal(env, hostname) {
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i.test(hostname ?? "");
  const realKey = Boolean(env.SORA_API_KEY?.trim());
  const password = Boolean(env.ACCESS_PASSWORD?.trim());
  const optedOut = /^(1|true|yes)$/i.test(env.ALLOW_UNPROTECTED_PUBLIC_BIND?.trim() ?? "");
  if (loopback || !realKey || password || optedOut) return undefined;
  return (
    `refusing to listen on ${hostname || "all interfaces"} with SORA_API_KEY set and no ACCESS_PASSWORD: ` +
    "anyone who can reach this server could spend the key. Set ACCESS_PASSWORD (recommended), " +
    "listen on loopback only (HOSTNAME=127.0.0.1), or, on a network you trust, set " +
    "ALLOW_UNPROTECTED_PUBLIC_BIND=1."
  );
}
