import "server-only";
import type { AppConfig } from "../config";

export interface SharedModeCheck {
  /** Start-up must stop: the deployment would lose jobs between instances. */
  errors: string[];
  warnings: string[];
}

/**
 * A Vercel deployment has no disk that outlives one instance: without Redis a reload onto another
 * instance loses its job, so it is refused; without a bucket videos live only as long as their
 * upstream link, so that is a warning.
 */
export function checkSharedMode(config: Pick<AppConfig, "shared">): SharedModeCheck {
  const { vercel, redisUrl, s3 } = config.shared;
  const errors: string[] = [];
  const warnings: string[] = [];
  if (vercel && !redisUrl) {
    errors.push(
      "running on Vercel without REDIS_URL: jobs, event logs and limits would stay on one instance's temporary disk. Set REDIS_URL (e.g. a Vercel Marketplace Redis) — see README “Shared mode”.",
    );
  }
  if (vercel && !s3) {
    warnings.push(
      "running on Vercel without S3_BUCKET (+ S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY): finished videos are not archived beyond one instance and are served from the upstream link while it lives.",
    );
  }
  if (!vercel && s3 && !redisUrl) {
    warnings.push(
      "S3_BUCKET is set without REDIS_URL: videos go to the bucket, but jobs stay in this server's SQLite file.",
    );
  }
  return { errors, warnings };
}
