import { z } from "zod";

/** ISO 4217 code (`USD`, `CNY`); shown with its narrow symbol (`$`, `¥`). */
export const currencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, "expected a currency code such as USD or CNY");

const amount = z
  .number({ error: "expected a number ≥ 0" })
  .finite("expected a number ≥ 0")
  .min(0, "expected a number ≥ 0");

/** What one video of a model costs: per second of video, per video, or both (added). */
export const modelPriceSchema = z
  .object({
    perSecond: amount.optional(),
    perVideo: amount.optional(),
    currency: currencySchema,
  })
  .strict()
  .refine((p) => p.perSecond !== undefined || p.perVideo !== undefined, {
    message: "expected perSecond and/or perVideo",
  });
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** `SORA_PRICES`: model id or family name → price. */
export const priceTableSchema = z.record(z.string().trim().min(1).max(100), modelPriceSchema);
export type PriceTable = z.infer<typeof priceTableSchema>;

/** A job's cost: from the price table (`estimated`) or as the relay reported it. */
export const jobCostSchema = z.object({
  amount: z.number().min(0),
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

/** "$0.40", "¥1.20": the narrow symbol in every language (an estimate is prefixed by the caller). */
export function formatMoney(value: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      currencyDisplay: "narrowSymbol",
      minimumFractionDigits: 2,
      maximumFractionDigits: value !== 0 && Math.abs(value) < 0.1 ? 3 : 2,
    }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
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
    remaining: z.number().optional(),
    limit: z.number().optional(),
    unlimited: z.boolean(),
    checkedAt: z.string(),
  }),
]);
export type Balance = z.infer<typeof balanceSchema>;
