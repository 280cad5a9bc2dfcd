import "server-only";
import type { Balance } from "@/lib/contracts/cost";
import { getConfig } from "./config";
import { readRelayBilling } from "./diagnostics/checks-api";
import { serverLog } from "./log";
import { normalizeBaseUrl } from "./upstream/base-url";

/** The header polls this; the relay is asked at most once per TTL (and after each finished job). */
const BALANCE_TTL_MS = 60_000;
const BILLING_TIMEOUT_MS = 5_000;

interface BalanceCache {
  value?: { at: number; balance: Balance };
  pending?: { generation: number; promise: Promise<Balance> };
  /** Bumped when a job finishes: the next read asks the relay again. */
  generation: number;
}

const CACHE_KEY = Symbol.for("sora-studio.relayBalance");
type CacheHolder = { [CACHE_KEY]?: BalanceCache };

function cache(): BalanceCache {
  const holder = globalThis as CacheHolder;
  holder[CACHE_KEY] ??= { generation: 0 };
  return holder[CACHE_KEY];
}

/** A job finished (and may have been billed): the cached balance is stale. */
export function forgetRelayBalance(): void {
  const c = cache();
  c.generation++;
  c.value = undefined;
}

async function askRelay(): Promise<Balance> {
  const config = getConfig();
  if (!config.apiKey) return { available: false };
  const reading = await readRelayBilling(normalizeBaseUrl(config.baseUrl), config.apiKey, {
    timeoutMs: BILLING_TIMEOUT_MS,
  });
  if (reading.kind !== "balance") {
    const status = reading.kind === "answer" ? reading.result.status : undefined;
    serverLog.debug("relay balance unavailable", { status });
    return { available: false };
  }
  const checkedAt = new Date().toISOString();
  if (reading.unlimited) return { available: true, currency: "USD", unlimited: true, checkedAt };
  const remaining =
    reading.usedUsd === undefined
      ? undefined
      : Math.round(Math.max(0, reading.limitUsd - reading.usedUsd) * 100) / 100;
  return {
    available: true,
    currency: "USD",
    unlimited: false,
    limit: reading.limitUsd,
    remaining,
    checkedAt,
  };
}

/**
 * The relay's balance from its billing endpoints (never a billable call), cached per process; the
 * key stays here. `{available: false}` when the relay has no billing endpoints (or no key is set).
 */
export async function relayBalance(): Promise<Balance> {
  const c = cache();
  if (c.value && Date.now() - c.value.at < BALANCE_TTL_MS) return c.value.balance;
  if (c.pending?.generation !== c.generation) {
    const generation = c.generation;
    const promise = askRelay()
      .catch((error: unknown): Balance => {
        serverLog.warn("relay balance failed", { reason: String(error) });
        return { available: false };
      })
      .then((balance) => {
        // A job that finished meanwhile makes this answer stale: not kept.
        if (generation === c.generation) c.value = { at: Date.now(), balance };
        if (c.pending?.promise === promise) c.pending = undefined;
        return balance;
      });
    c.pending = { generation, promise };
  }
  return c.pending.promise;
}
