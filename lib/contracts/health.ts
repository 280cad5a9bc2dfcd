import * as z from "zod/mini";

export const healthStatusSchema = z.enum(["pass", "warn", "fail"]);

/** `application/health+json` (draft-inadarei-api-health-check). */
export const healthSchema = z.object({
  status: healthStatusSchema,
  version: z.string(),
  serviceId: z.string(),
  description: z.string(),
  output: z.optional(z.string()),
  checks: z.record(
    z.string(),
    z.array(
      z.object({
        componentType: z.optional(z.string()),
        observedValue: z.optional(z.union([z.string(), z.number(), z.boolean()])),
        observedUnit: z.optional(z.string()),
        status: healthStatusSchema,
        time: z.string(),
        output: z.optional(z.string()),
      }),
    ),
  ),
});
export type Health = z.infer<typeof healthSchema>;

/** `/api/health` without a session on a password-protected server: up or not, nothing else. */
export const healthStatusOnlySchema = z.strictObject({ status: healthStatusSchema });
export type HealthStatusOnly = z.infer<typeof healthStatusOnlySchema>;
