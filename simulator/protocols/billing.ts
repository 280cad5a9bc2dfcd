import { BILLING } from "../catalog";
import { json, type Ctx } from "../http";
import { jobState } from "../jobs";

/*
 * The one-api billing endpoints relays serve for a balance (`/dashboard/billing/subscription`
 * and `/dashboard/billing/usage`, with or without `/v1`); `billing_unavailable` removes them.
 */

export function subscription(ctx: Ctx): void {
  const plan = ctx.apiKey.includes("exhausted") ? BILLING.exhausted : BILLING.normal;
  json(ctx, 200, {
    object: "billing_subscription",
    has_payment_method: true,
    soft_limit_usd: plan.hardLimitUsd,
    hard_limit_usd: plan.hardLimitUsd,
    system_hard_limit_usd: plan.hardLimitUsd,
    access_until: 0,
  });
}

/** Usage grows by BILLING.perVideoUsd per completed video, so a client can see its balance drop. */
export function usage(ctx: Ctx): void {
  if (ctx.apiKey.includes("exhausted")) {
    return json(ctx, 200, { object: "list", total_usage: BILLING.exhausted.usedUsd * 100 });
  }
  const now = Date.now();
  let videos = 0;
  for (const job of ctx.sim.jobs.values()) {
    if (jobState(job, now).status === "completed") videos++;
  }
  const usedUsd = BILLING.normal.usedUsd + videos * BILLING.perVideoUsd;
  json(ctx, 200, { object: "list", total_usage: Math.round(usedUsd * 100 * 100) / 100 });
}
