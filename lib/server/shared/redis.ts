import "server-only";
import { createHash } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { getConfig, sharedModeSecrets } from "../config";
import { serverLog } from "../log";
import { registerSecret } from "../redact";

const CLIENT_KEY = Symbol.for("sora-studio.redis");

function options(name: string): RedisOptions {
  return {
    connectionName: `sora-studio:${name}`,
    // A command waits through a short outage instead of failing at once; then rejects.
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    // Hosted Redis (Upstash, Redis Cloud) closes idle connections; keep them alive.
    keepAlive: 30_000,
  };
}

/** Connects to REDIS_URL (redis:// or rediss:// — ioredis enables TLS for the latter). */
export function connectRedis(url: string, name = "main"): Redis {
  const client = new Redis(url, options(name));
  let reported = false;
  client.on("error", (error: Error) => {
    // ioredis reconnects by itself; one line per outage is enough.
    if (reported) return;
    reported = true;
    serverLog.error("redis connection error", { connection: name, error: error.message });
  });
  client.on("ready", () => {
    reported = false;
  });
  return client;
}

/** The process-wide command connection (shared by the job store, limiters and diagnostics). */
export function getRedis(): Redis {
  const holder = globalThis as { [CLIENT_KEY]?: Redis };
  if (!holder[CLIENT_KEY]) {
    const config = getConfig();
    const url = config.shared.redisUrl;
    if (!url) throw new Error("REDIS_URL is not set");
    for (const secret of sharedModeSecrets(config.shared)) registerSecret(secret);
    holder[CLIENT_KEY] = connectRedis(url);
  }
  return holder[CLIENT_KEY];
}

/** A Lua script run by its SHA, loaded on first use (or after a server restart flushed it). */
export class RedisScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  async run(client: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }

  /**
   * Sent whole (EVAL): one write, no NOSCRIPT round trip — for what must reach Redis even when
   * the process exits right after sending it (leases released on SIGTERM).
   */
  runWhole(client: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    return client.eval(this.lua, keys.length, ...keys, ...args);
  }
}
