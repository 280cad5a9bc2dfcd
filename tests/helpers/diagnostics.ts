import type { CheckId } from "@/lib/contracts/diagnostics";

/**
 * What every check reports against a healthy simulator on loopback (http, an IP host, no
 * fallbacks, no paid generation asked for). Shared by the CLI tests and the dashboard e2e.
 */
export const HEALTHY_SIMULATOR_CHECKS: Record<CheckId, "pass" | "skip"> = {
  "key.present": "pass",
  "key.format": "pass",
  "baseUrl.format": "pass",
  "network.dns": "skip",
  "network.tcp": "pass",
  "network.tls": "skip",
  "http.reachable": "pass",
  auth: "pass",
  models: "pass",
  quota: "pass",
  "api.call": "pass",
  fallbacks: "skip",
  store: "pass",
  archive: "pass",
  generate: "skip",
};
