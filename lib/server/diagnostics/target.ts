import "server-only";
import type { EffectiveConfig } from "@/lib/contracts/diagnostics";
import type { Protocol } from "@/lib/contracts/job";
import { buildCatalogue, describeModel, protocolFor } from "@/lib/contracts/models";
import type { AppConfig } from "../config";
import { maskKey } from "../redact";
import type { DiagnosticsTarget } from "./context";

/**
 * The protocol the app's own jobs for the default model use (operator catalogue entries included).
 * Built from the given configuration, not the process's: the CLI diagnoses settings the app refuses.
 */
export function protocolOf(
  config: Pick<AppConfig, "apiStyle" | "defaultModel" | "operatorModels">,
): Protocol {
  const catalogue = buildCatalogue(config.operatorModels);
  return protocolFor(config.apiStyle, describeModel(config.defaultModel, undefined, catalogue));
}

/** What the app itself would use: the configured key, base URL, fallbacks and default model. */
export function targetFromConfig(config: AppConfig, keySource = "SORA_API_KEY"): DiagnosticsTarget {
  return {
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    rawApiKey: config.rawApiKey,
    fallbackBaseUrls: config.fallbackBaseUrls,
    consoleUrl: config.consoleUrl,
    models: [config.defaultModel],
    protocol: protocolOf(config),
    keySource,
    apiStyle: config.apiStyle,
    requestTimeoutMs: config.requestTimeoutMs,
    streamIdleTimeoutMs: config.streamIdleTimeoutMs,
    pollIntervalMs: config.pollIntervalMs,
    allowedMediaHosts: config.allowedMediaHosts,
    storage: { dataDir: config.dataDir, shared: config.shared },
  };
}

/** The configuration as shown on the dashboard and in a support report (key masked). */
export function effectiveConfig(
  config: AppConfig,
  extra: { keySource?: string; envFiles?: string[]; baseUrl?: string } = {},
): EffectiveConfig {
  return {
    keyMasked: maskKey(config.apiKey),
    keyConfigured: Boolean(config.apiKey),
    keySource: extra.keySource ?? "SORA_API_KEY",
    baseUrl: extra.baseUrl ?? config.baseUrl,
    fallbackBaseUrls: config.fallbackBaseUrls,
    defaultModel: config.defaultModel,
    apiStyle: config.apiStyle,
    protocol: protocolOf(config),
    maxRetries: config.maxRetries,
    retryBaseDelayMs: config.retryBaseDelayMs,
    requestTimeoutMs: config.requestTimeoutMs,
    streamIdleTimeoutMs: config.streamIdleTimeoutMs,
    jobDeadlineMs: config.jobDeadlineMs,
    pollIntervalMs: config.pollIntervalMs,
    demoMode: config.demoMode,
    accessPassword: Boolean(config.accessPassword),
    envFiles: extra.envFiles,
    runtime: `Node ${process.versions.node} · ${process.platform}-${process.arch}`,
  };
}
