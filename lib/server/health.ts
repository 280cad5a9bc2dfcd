import "server-only";
import type { Health, HealthStatusOnly } from "@/lib/contracts/health";
import { appMode } from "./app-mode";
import { getConfig } from "./config";
import { maskKey } from "./redact";

const startedAt = Date.now();

/** Cheap health report: configuration and process facts only, no upstream call. */
export function healthReport(): Health {
  const config = getConfig();
  const mode = appMode();
  const time = new Date().toISOString();
  const keyStatus = mode === "no-key" ? "warn" : "pass";
  return {
    status: keyStatus,
    version: config.version,
    serviceId: "sora-studio",
    description: "Sora Studio video generation server",
    output: mode === "no-key" ? "SORA_API_KEY is not set" : undefined,
    checks: {
      "config:apiKey": [
        {
          componentType: "component",
          observedValue: config.apiKey ? maskKey(config.apiKey) : "",
          status: keyStatus,
          time,
          output: mode === "no-key" ? "not configured" : undefined,
        },
      ],
      "config:mode": [{ componentType: "component", observedValue: mode, status: "pass", time }],
      "uptime:seconds": [
        {
          componentType: "system",
          observedValue: Math.round((Date.now() - startedAt) / 1000),
          observedUnit: "s",
          status: "pass",
          time,
        },
      ],
    },
  };
}

/** What a client without a session may see (when ACCESS_PASSWORD is set). */
export function healthStatusOnly(report: Health): HealthStatusOnly {
  return { status: report.status };
}
