import "server-only";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { getConfig } from "../config";
import { getRedis } from "./redis";

export interface LimiterOptions {
  /** Distinguishes limiters sharing one Redis (`create-ip`, `login` …). */
  keyPrefix: string;
  points: number;
  /** Window in seconds. */
  duration: number;
  blockDuration?: number;
}

/**
 * A rate limiter whose counts every instance shares when REDIS_URL is set (RateLimiterRedis),
 * else one in this process's memory. Callers treat both alike: `consume` rejects with a
 * RateLimiterRes when the budget is spent, with an Error when Redis cannot be reached.
 */
export function createLimiter(options: LimiterOptions): RateLimiterAbstract {
  const { redisUrl } = getConfig().shared;
  if (!redisUrl) return new RateLimiterMemory(options);
  return new RateLimiterRedis({
    ...options,
    keyPrefix: `sora:rl:${options.keyPrefix}`,
    storeClient: getRedis(),
    // Counting in memory while Redis is away would let each instance grant the full budget.
    rejectIfRedisNotReady: true,
  });
}
