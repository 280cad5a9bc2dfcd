import "server-only";
import { getConfig } from "./config";

export type AppMode = "demo" | "no-key" | "live";

/** demo: `npm start` runs the built-in simulator; no-key: nothing configured; live: a real upstream. */
export function appMode(): AppMode {
  const config = getConfig();
  if (config.demoMode) return "demo";
  return config.apiKey ? "live" : "no-key";
}
