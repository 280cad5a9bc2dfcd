import "server-only";
import { accessGateEnabled, listensOnLoopbackOnly, sessionSecret } from "./access";
import { appMode } from "./app-mode";
import { installClientAddressHook } from "./client-address";
import { ConfigError, getConfig, sharedModeSecrets } from "./config";
import { serverLog } from "./log";
import { maskKey, registerSecret } from "./redact";
import { shareUpstreamCall } from "./shared/call-ring";
import { checkSharedMode } from "./shared/startup";
import { onUpstreamCall } from "./upstream/records";

/**
 * Why this server must not serve, or undefined: a real key reachable beyond loopback (or on
 * Vercel) without ACCESS_PASSWORD is a key anyone can spend. scripts/start.mjs refuses the same
 * before listening; this covers a bare `next start -H 0.0.0.0` (and `next start`, which binds
 * every interface).
 */
export function exposureRefusal(): string | undefined {
  const config = getConfig();
  if (appMode() !== "live" || accessGateEnabled() || listensOnLoopbackOnly()) return undefined;
  if (config.allowUnprotectedPublicBind) return undefined;
  const where = config.onVercel ? "on Vercel" : `on ${config.hostname ?? "all interfaces"}`;
  return (
    `refusing to serve ${where} with SORA_API_KEY set and no ACCESS_PASSWORD: anyone who can ` +
    "reach this server could spend the key. Set ACCESS_PASSWORD (recommended), listen on " +
    "loopback only (next start -H 127.0.0.1), or, on a network you trust, set " +
    "ALLOW_UNPROTECTED_PUBLIC_BIND=1."
  );
}

/** Runs once per server process: validates configuration (stops start-up when invalid) and says how it runs. */
export async function startServer() {
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(
        `[Server] ${error.message}\nFix the variables above in .env.local (see .env.local.example).`,
      );
      process.exit(1);
    }
    throw error;
  }
  installClientAddressHook(config.trustProxy);
  registerSecret(config.apiKey);
  registerSecret(config.rawApiKey);
  for (const secret of sharedModeSecrets(config.shared)) registerSecret(secret);
  const shared = checkSharedMode(config);
  for (const warning of shared.warnings) serverLog.warn(warning);
  if (shared.errors.length > 0) {
    console.error(`[Server] ${shared.errors.join("\n")}`);
    process.exit(1);
  }
  if (config.shared.redisUrl) onUpstreamCall(shareUpstreamCall);
  if (config.accessPassword) registerSecret(sessionSecret());
  const refusal = exposureRefusal();
  if (refusal) {
    console.error(`[Server] ${refusal}`);
    process.exit(1);
  }
  if (config.accessPassword && config.onVercel && !config.sessionSecret) {
    serverLog.warn(
      "SESSION_SECRET is not set: each Vercel instance signs sessions with its own secret, so users are signed out whenever another instance answers",
    );
  }
  if (!config.accessPassword && !listensOnLoopbackOnly()) {
    serverLog.warn(
      "listening beyond loopback without ACCESS_PASSWORD: anyone who can reach this server can spend the key",
      { hostname: config.hostname ?? "all interfaces" },
    );
  }
  if (config.demoMode) {
    serverLog.info("demo mode: generations are answered by the built-in simulator", {
      baseUrl: config.baseUrl,
    });
  } else if (!config.apiKey) {
    serverLog.warn("no API key configured (SORA_API_KEY): generation is disabled until one is set");
  } else {
    serverLog.info("upstream configured", { baseUrl: config.baseUrl, key: maskKey(config.apiKey) });
  }
}
