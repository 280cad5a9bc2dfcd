import * as z from "zod/mini";

import { PROMPT_MAX_CHARS } from "./limits";

export { PROMPT_MAX_CHARS };

/** JSON body of `POST /api/videos` (multipart carries the same fields plus an `image` file). */
export const createVideoRequestSchema = z.object({
  prompt: z.string().check(
    z.trim(),
    z.minLength(1, "prompt_empty"),
    z.maxLength(PROMPT_MAX_CHARS, "prompt_too_long"),
    // C0 controls other than tab/newline are never part of a real prompt.
    z.refine(
      (p) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(p),
      "prompt_control_chars",
    ),
  ),
  model: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  seconds: z.optional(
    z.pipe(
      z.union([z.string(), z.number()]),
      z.transform((v) => String(v)),
    ),
  ),
  size: z.optional(z.string().check(z.regex(/^\d{2,5}x\d{2,5}$/, "size_format"))),
  /** data URL of a PNG/JPEG/WebP reference image. */
  image: z.optional(z.string().check(z.startsWith("data:image/", "image_data_url"))),
  /** Id of a failed job this submit retries. */
  retryOf: z.optional(z.string().check(z.maxLength(64))),
  /**
   * Id of a completed job to remix with this prompt: model, duration and size come from it, and the
   * remix is sent to the relay (base URL) that made it. No image.
   */
  remixOf: z.optional(z.string().check(z.maxLength(64))),
  /**
   * Send this job to the configured fallback base URL with this host first (a diagnosis's
   * "use fallback"). Only hosts of SORA_FALLBACK_BASE_URLS are accepted; never a free URL.
   */
  fallbackHost: z.optional(z.string().check(z.maxLength(253))),
});
export type CreateVideoRequest = z.infer<typeof createVideoRequestSchema>;
