import { defineConfig, devices } from "@playwright/test";
import { existsSync } from "node:fs";
import {
  APP_PORT as appPort,
  APP_URL,
  E2E_DATA_DIR as dataDir,
  E2E_FAKE_KEY,
  E2E_PRICES,
  E2E_SERVER_LOG,
  SIM_PORT as simPort,
  SIM_URL,
} from "./e2e/constants";

/**
 * E2E against the real built app (`next start`) and the real simulator, both on loopback.
 * Ports and build folder are overridable so several suites can run side by side.
 */
const distDir = process.env.NEXT_DIST_DIR ?? ".next";

export { E2E_FAKE_KEY };

function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((c): c is string => Boolean(c && existsSync(c)));
}

const executablePath = chromiumPath();

export default defineConfig({
  testDir: "./e2e",
  globalTeardown: "./e2e/global-teardown.ts",
  outputDir: process.env.PW_OUTPUT_DIR ?? "./test-results",
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
    baseURL: APP_URL,
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
      url: `${SIM_URL}/__sim/health`,
      reuseExistingServer: !process.env.CI,
      stdout: "ignore",
      timeout: 30_000,
    },
    {
      command: `mkdir -p ${dataDir} && node node_modules/next/dist/bin/next start -p ${appPort} -H 127.0.0.1 2>&1 | tee ${E2E_SERVER_LOG}`,
      url: `${APP_URL}/api/health`,
      reuseExistingServer: !process.env.CI,
      // The log goes to E2E_SERVER_LOG (tee) for the leak scan and for reading after a failure.
      stdout: "ignore",
      timeout: 60_000,
      env: {
        NEXT_DIST_DIR: distDir,
        SORA_API_KEY: E2E_FAKE_KEY,
        SORA_BASE_URL: SIM_URL,
        SORA_FALLBACK_BASE_URLS: "",
        SORA_RETRY_BASE_DELAY_MS: "300",
        SORA_RETRY_JITTER_MS: "100",
        SORA_POLL_INTERVAL_MS: "100",
        SORA_RATE_LIMIT_PER_IP: "1000",
        SORA_PRICES: JSON.stringify(E2E_PRICES),
        DATA_DIR: dataDir,
        HOSTNAME: "127.0.0.1",
        LOG_LEVEL: "info",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  ],
});
