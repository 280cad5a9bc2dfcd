import * as z from "zod/mini";

/** ISO 4217 code (`USD`, `CNY`); shown with its narrow symbol (`$`, `¥`). */
export const currencySchema = z
  .string()
  .check(
    z.trim(),
    z.toUpperCase(),
    z.regex(/^[A-Z]{3}$/, "expected a currency code such as USD or CNY"),
  );

const amount = z
  .number({ error: "expected a number ≥ 0" })
  .check(z.minimum(0, "expected a number ≥ 0"));

/** What one video of a model costs: per second of video, per video, or both (added). */
export const modelPriceSchema = z
  .strictObject({
    perSecond: z.optional(amount),
    perVideo: z.optional(amount),
    currency: currencySchema,
  })
  .check(
    z.refine((p) => p.perSecond !== undefined || p.perVideo !== undefined, {
      message: "expected perSecond and/or perVideo",
    }),
  );
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** `SORA_PRICES`: model id or family name → price. */
export const priceTableSchema = z.record(
  z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  modelPriceSchema,
);
export type PriceTable = z.infer<typeof priceTableSchema>;

/** A job's cost: from the price table (`estimated`) or as the relay reported it. */
export const jobCostSchema = z.object({
  amount: z.number().check(z.minimum(0)),
  currency: currencySchema,
  estimated: z.boolean(),
});
export type JobCost = z.infer<typeof jobCostSchema>;

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

/** `GET /api/balance`: what the relay's billing endpoints say (amounts in USD, as they report). */
export const balanceSchema = z.discriminatedUnion("available", [
  z.object({ available: z.literal(false) }),
  z.object({
    available: z.literal(true),
    currency: z.literal("USD"),
    /** Left to spend; undefined when the relay reports only a limit. */
    remaining: z.optional(z.number()),
    limit: z.optional(z.number()),
    unlimited: z.boolean(),
    checkedAt: z.string(),
  }),
]);
export type Balance = z.infer<typeof balanceSchema>;
