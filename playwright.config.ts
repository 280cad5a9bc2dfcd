import { defineConfig, devices } from "@playwright/test";
import { existsSync } from "node:fs";

/**
 * E2E against the real built app (`next start`) and the real simulator, both on loopback.
 * Ports and build folder are overridable so several suites can run side by side.
 */
const appPort = Number(process.env.APP_PORT ?? 3100);
const simPort = Number(process.env.SIM_PORT ?? 4010);
const distDir = process.env.NEXT_DIST_DIR ?? ".next";

function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((c): c is string => Boolean(c && existsSync(c)));
}

// A distinctive fake key: the leak scan looks for it (and any 8-character piece of it) everywhere.
export const E2E_FAKE_KEY = ["sk", "e2e", "Lk9QwZx7", "Vb3Nm5Tr", "Hj2Pd8Yc"].join("-");

const executablePath = chromiumPath();

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results",
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    // The product's default audience; English is covered by tests that ask for it.
    locale: "zh-CN",
    baseURL: `http://127.0.0.1:${appPort}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: [
    {
      command: `node --import tsx simulator/cli.ts --port ${simPort} --speed 10`,
      url: `http://127.0.0.1:${simPort}/__sim/health`,
      reuseExistingServer: !process.env.CI,
      stdout: "ignore",
      timeout: 30_000,
    },
    {
      command: `node node_modules/next/dist/bin/next start -p ${appPort} -H 127.0.0.1`,
      url: `http://127.0.0.1:${appPort}/api/health`,
      reuseExistingServer: !process.env.CI,
      stdout: "pipe",
      timeout: 60_000,
      env: {
        NEXT_DIST_DIR: distDir,
        SORA_API_KEY: E2E_FAKE_KEY,
        SORA_BASE_URL: `http://127.0.0.1:${simPort}`,
        SORA_FALLBACK_BASE_URLS: "",
        SORA_RETRY_BASE_DELAY_MS: "300",
        SORA_RETRY_JITTER_MS: "100",
        SORA_POLL_INTERVAL_MS: "100",
        DATA_DIR: `.e2e-data/${appPort}`,
        LOG_LEVEL: "info",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  ],
});
