import { z } from "zod";

export const healthStatusSchema = z.enum(["pass", "warn", "fail"]);

/** `application/health+json` (draft-inadarei-api-health-check). */
export const healthSchema = z.object({
  status: healthStatusSchema,
  version: z.string(),
  serviceId: z.string(),
  description: z.string(),
  output: z.string().optional(),
  checks: z.record(
    z.string(),
    z.array(
      z.object({
        componentType: z.string().optional(),
        observedValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
        observedUnit: z.string().optional(),
        status: healthStatusSchema,
        time: z.string(),
        output: z.string().optional(),
      }),
    ),
  ),
});
export type Health = z.infer<typeof healthSchema>;

/** `/api/health` without a session on a password-protected server: up or not, nothing else. */
export const healthStatusOnlySchema = z.object({ status: healthStatusSchema }).strict();
export type HealthStatusOnly = z.infer<typeof healthStatusOnlySchema>;
