/** Shared by playwright.config.ts, the specs and the global teardown. */
export const APP_PORT = Number(process.env.APP_PORT ?? 3100);
export const SIM_PORT = Number(process.env.SIM_PORT ?? 4010);
export const APP_URL = `http://127.0.0.1:${APP_PORT}`;
export const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
export const E2E_DATA_DIR = `.e2e-data/${APP_PORT}`;
/** The app's stdout and stderr, scanned for the key after the suite (e2e/global-teardown.ts). */
export const E2E_SERVER_LOG = `${E2E_DATA_DIR}/server.log`;
// A distinctive fake key: the leak scan looks for it (and any 8-character piece of it) everywhere.
export const E2E_FAKE_KEY = ["sk", "e2e", "Lk9QwZx7", "Vb3Nm5Tr", "Hj2Pd8Yc"].join("-");
/** SORA_PRICES of the e2e app: the page shows estimates for these models (e2e/cost.spec.ts). */
export const E2E_PRICES = {
  "sora-2": { perSecond: 0.1, currency: "USD" },
  "sora-chat": { perVideo: 1.2, currency: "CNY" },
};
/** The desktop, short-desktop and phone sizes the layout specs check (compose, page-ux). */
export const LAYOUT_VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 1440, height: 760 },
  { width: 390, height: 844 },
] as const;
