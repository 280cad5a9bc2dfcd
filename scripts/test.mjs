// `npm test`: every check, in the order a failure is cheapest to find, then one summary.
// Steps: format, lint, typecheck, unit, build, integration (SQLite), integration-shared (Redis + S3),
// e2e. `npm test -- unit e2e` runs a subset.
// Not in the default run (minutes long, run by CI after it): soak — `npm test -- soak`.
import { rmSync } from "node:fs";
import path from "node:path";
import { build, distDir, ensureDependencies, findChromium, root, run } from "./lib.mjs";

ensureDependencies();

const bin = (name) => path.join(root, "node_modules", ".bin", name);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

/** One project of vitest.config.ts: unit, sqlite, shared (integration) or soak. */
const vitest = (project) => run(bin("vitest"), ["run", "--project", project], { env });

const STEPS = [
  { name: "format", run: () => run(bin("prettier"), ["--check", "--log-level", "warn", "."]) },
  { name: "lint", run: () => run(bin("eslint"), [".", "--max-warnings", "0"]) },
  { name: "typecheck", run: () => run(bin("tsc"), ["--noEmit", "-p", "."]) },
  { name: "unit", run: () => vitest("unit") },
  {
    name: "build",
    run: () => build(env),
  },
  // The integration suite is a matrix over the job store (vitest.config.ts projects sqlite, shared):
  // SQLite + DATA_DIR, then Redis + S3 on a redis-server and an S3 bucket started per file.
  {
    name: "integration",
    needsBuild: true,
    run: () => vitest("sqlite"),
  },
  {
    name: "integration-shared",
    needsBuild: true,
    run: () => vitest("shared"),
  },
  {
    name: "e2e",
    needsBuild: true,
    run: async () => {
      const chromium = await findChromium();
      if (!chromium) {
        console.error(
          "No Chromium found: install one with `sudo apt-get install chromium` (Debian/Ubuntu) or `npx playwright install chromium`, or set CHROMIUM_PATH.",
        );
        return 1;
      }
      rmSync(path.join(root, ".e2e-data"), { recursive: true, force: true });
      return run(bin("playwright"), ["test"], { env: { ...env, CHROMIUM_PATH: chromium } });
    },
  },
  {
    name: "soak",
    needsBuild: true,
    onlyWhenAsked: true,
    run: () => vitest("soak"),
  },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !STEPS.some((step) => step.name === name));
if (unknown.length) {
  console.error(
    `Unknown step(s): ${unknown.join(", ")}. Steps: ${STEPS.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}
const selected = wanted.length
  ? STEPS.filter((s) => wanted.includes(s.name))
  : STEPS.filter((s) => !s.onlyWhenAsked);

const results = [];
let buildFailed = false;
for (const step of selected) {
  if (step.needsBuild && buildFailed) {
    results.push({ name: step.name, status: "skipped", seconds: 0 });
    continue;
  }
  console.log(`\n━━ ${step.name} ${"━".repeat(Math.max(0, 60 - step.name.length))}`);
  const started = Date.now();
  const code = await step.run();
  const seconds = (Date.now() - started) / 1000;
  results.push({ name: step.name, status: code === 0 ? "passed" : "failed", seconds });
  if (step.name === "build" && code !== 0) buildFailed = true;
}

const passed = results.filter((r) => r.status === "passed").length;
const failed = results.filter((r) => r.status === "failed").length;
const skipped = results.filter((r) => r.status === "skipped").length;
console.log(`\n━━ summary (${distDir}) ${"━".repeat(40)}`);
for (const r of results) {
  const mark = r.status === "passed" ? "✓" : r.status === "failed" ? "✗" : "–";
  console.log(`  ${mark} ${r.name.padEnd(12)} ${r.status.padEnd(8)} ${r.seconds.toFixed(1)} s`);
}
console.log(`\nsteps: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
