// zod-free: the browser's first load imports this (the schemas in ./cost.ts load with the first answer).
import type { JobCost, ModelPrice } from "./cost";

/**
 * Estimated cost of `count` videos of `seconds` each; undefined when the price is per second and
 * the duration is unknown. Rounded to 1/10000 of the unit so sums stay exact enough to show.
 */
export function estimateCost(
  price: ModelPrice | undefined,
  seconds: string | number | undefined,
  count = 1,
): JobCost | undefined {
  if (!price) return undefined;
  let each = price.perVideo ?? 0;
  if (price.perSecond !== undefined) {
    const s = Number(seconds);
    if (seconds === undefined || !Number.isFinite(s) || s <= 0) return undefined;
    each += price.perSecond * s;
  }
  const total = Math.round(each * count * 10_000) / 10_000;
  return { amount: total, currency: price.currency, estimated: true };
}

/** Completed jobs' costs added per local day and currency, newest day first. */
export function spendByDay(
  jobs: readonly { createdAt: string; state: string; cost?: JobCost }[],
  dayOf: (iso: string) => string,
): { day: string; totals: { currency: string; amount: number; estimated: boolean }[] }[] {
  const days = new Map<string, Map<string, { amount: number; estimated: boolean }>>();
  for (const job of jobs) {
    if (job.state !== "completed" || !job.cost) continue;
    const day = dayOf(job.createdAt);
    const totals = days.get(day) ?? new Map();
    const current = totals.get(job.cost.currency) ?? { amount: 0, estimated: false };
    totals.set(job.cost.currency, {
      amount: Math.round((current.amount + job.cost.amount) * 10_000) / 10_000,
      estimated: current.estimated || job.cost.estimated,
    });
    days.set(day, totals);
  }
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([day, totals]) => ({
      day,
      totals: [...totals.entries()].map(([currency, t]) => ({ currency, ...t })),
    }));
}
