import "server-only";
import { listensOnLoopbackOnly } from "./access";
import { ConfigError, getConfig, sharedModeSecrets } from "./config";
import { serverLog } from "./log";
import { maskKey, registerSecret } from "./redact";
import { shareUpstreamCall } from "./shared/call-ring";
import { checkSharedMode } from "./shared/startup";
import { onUpstreamCall } from "./upstream/records";

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
