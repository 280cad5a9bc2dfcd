import * as z from "zod/mini";

import { ERROR_CODES } from "./error-codes";

export * from "./error-codes";

export const errorCodeSchema = z.enum(ERROR_CODES);

/** The `error` object of the envelope `{"error": {...}}`, also carried by failed jobs. */
export const apiErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** What the person at the page can do, in plain words. */
  hint: z.string(),
  /** Operator steps (configuration names, server commands), shown folded "for the administrator". */
  admin: z.optional(z.string()),
  /** The relay console, for errors fixed there (credit, channels, key, model access). */
  consoleUrl: z.optional(z.string()),
  retryable: z.boolean(),
  status: z.optional(z.int()),
  upstreamMessage: z.optional(z.string()),
  requestId: z.string(),
  upstreamRequestId: z.optional(z.string()),
  attempts: z.optional(z.int()),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const errorEnvelopeSchema = z.object({ error: apiErrorSchema });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
