import * as z from "zod/mini";

export * from "./pricing";

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
