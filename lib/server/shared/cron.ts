import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { getConfig } from "../config";
import { AppError } from "../errors";
import { continueAfterResponse, untilIdle } from "./vercel";

/**
 * Vercel Cron calls with `Authorization: Bearer <CRON_SECRET>`. Without a configured secret the
 * route refuses everyone: it would otherwise be a public trigger of upstream calls.
 */
export function assertCronAuthorized(request: Request): void {
  const secret = getConfig().shared.cronSecret;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  const digest = (value: string) => createHash("sha256").update(value).digest();
  if (!secret || !given || !timingSafeEqual(digest(given), digest(secret))) {
    throw new AppError("unauthorized", { detail: { key: "cronSecret" } });
  }
}

/**
 * One reconcile pass on behalf of the cron: every stale job (its instance gone, its lease expired)
 * is taken over here, and this invocation stays alive for them after the answer.
 */
export async function runCronReconcile(request: Request): Promise<{ working: number }> {
  assertCronAuthorized(request);
  const { getJobRunner } = await import("../jobs/runner");
  const runner = getJobRunner();
  await runner.reconcile();
  continueAfterResponse((budgetMs) => untilIdle(runner, budgetMs));
  return { working: runner.activeCount() };
}
