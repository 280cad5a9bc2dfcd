import "server-only";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { clientAddress, limiterKey } from "./client-address";
import { getConfig } from "./config";
import { AppError } from "./errors";
import { createLimiter } from "./shared/limiter";

const HOUR_S = 60 * 60;
const LIMITERS_KEY = Symbol.for("sora-studio.create-limiters");
type Limiters = { perIp?: RateLimiterAbstract; global?: RateLimiterAbstract };
type Holder = { [LIMITERS_KEY]?: Limiters };

function limiters(): Limiters {
  const holder = globalThis as Holder;
  if (!holder[LIMITERS_KEY]) {
    const { rateLimitPerIp, rateLimitGlobal } = getConfig();
    holder[LIMITERS_KEY] = {
      perIp: rateLimitPerIp
        ? createLimiter({ keyPrefix: "create-ip", points: rateLimitPerIp, duration: HOUR_S })
        : undefined,
      global: rateLimitGlobal
        ? createLimiter({ keyPrefix: "create-all", points: rateLimitGlobal, duration: HOUR_S })
        : undefined,
    };
  }
  return holder[LIMITERS_KEY];
}

function limited(rejection: unknown, limit: number): AppError {
  if (!(rejection instanceof RateLimiterRes)) throw rejection;
  const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
  return new AppError("rate_limited", {
    detail: { key: "localRateLimit", params: { limit, seconds } },
    httpStatus: 429,
    headers: { "Retry-After": String(seconds) },
  });
}

/**
 * Counts one job creation against the per-client-address and global hourly budgets (shared through
 * Redis in shared mode, else per instance);
 * throws a 429 AppError with Retry-After when either is spent. Call after validation, before any
 * upstream call, so rejected bad input does not use the budget.
 */
export async function consumeCreateBudget(request: Request): Promise<void> {
  const { perIp, global } = limiters();
  const { rateLimitPerIp, rateLimitGlobal } = getConfig();
  if (perIp) {
    try {
      await perIp.consume(limiterKey(clientAddress(request)));
    } catch (rejection) {
      throw limited(rejection, rateLimitPerIp);
    }
  }
  if (global) {
    try {
      await global.consume("global");
    } catch (rejection) {
      throw limited(rejection, rateLimitGlobal);
    }
  }
}
