import { z } from "zod";

export const PROMPT_MAX_CHARS = 4000;

/** JSON body of `POST /api/videos` (multipart carries the same fields plus an `image` file). */
export const createVideoRequestSchema = z.object({
  prompt: z
    .string()
    .trim()
    .min(1, "prompt_empty")
    .max(PROMPT_MAX_CHARS, "prompt_too_long")
    // C0 controls other than tab/newline are never part of a real prompt.
    .refine(
      (p) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(p),
      "prompt_control_chars",
    ),
  model: z.string().trim().min(1).max(100).optional(),
  seconds: z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .optional(),
  size: z
    .string()
    .regex(/^\d{2,5}x\d{2,5}$/, "size_format")
    .optional(),
  /** data URL of a PNG/JPEG/WebP reference image. */
  image: z.string().startsWith("data:image/", "image_data_url").optional(),
  /** Id of a failed job this submit retries. */
  retryOf: z.string().max(64).optional(),
  /**
   * Id of a completed job to remix with this prompt: model, duration and size come from it, and the
   * remix is sent to the relay (base URL) that made it. No image.
   */
  remixOf: z.string().max(64).optional(),
  /**
   * Send this job to the configured fallback base URL with this host first (a diagnosis's
   * "use fallback"). Only hosts of SORA_FALLBACK_BASE_URLS are accepted; never a free URL.
   */
  fallbackHost: z.string().max(253).optional(),
});
export type CreateVideoRequest = z.infer<typeof createVideoRequestSchema>;
