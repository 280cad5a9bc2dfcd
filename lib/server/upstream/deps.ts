import "server-only";
import { getConfig, type AppConfig } from "../config";
import { registerSecret } from "../redact";
import { systemLookup, upstreamFetch, type Lookup } from "./destination";

/** The settings the upstream layer reads; tests inject their own via `deps.config`. */
export type UpstreamConfig = Pick<
  AppConfig,
  | "apiKey"
  | "baseUrl"
  | "fallbackBaseUrls"
  | "apiStyle"
  | "maxRetries"
  | "retryBaseDelayMs"
  | "retryJitterMs"
  | "retryMaxDelayMs"
  | "requestTimeoutMs"
  | "streamIdleTimeoutMs"
  | "pollIntervalMs"
  | "allowedMediaHosts"
  | "maxVideoBytes"
>;

export interface UpstreamDeps {
  config: UpstreamConfig;
  fetch: typeof fetch;
  /** DNS for the destination check of relay-provided URLs (tests answer with fixed addresses). */
  lookup: Lookup;
  /** 0 ≤ x < 1, for retry jitter. */
  random: () => number;
}

/** Fills what a caller (usually a test) did not inject with the process defaults. */
export function resolveDeps(partial?: Partial<UpstreamDeps>): UpstreamDeps {
  const config = partial?.config ?? getConfig();
  registerSecret(config.apiKey);
  return {
    config,
    fetch: partial?.fetch ?? upstreamFetch,
    lookup: partial?.lookup ?? systemLookup,
    random: partial?.random ?? Math.random,
  };
}
