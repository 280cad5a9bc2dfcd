/** What the simulated relay lists in `/v1/models` and accepts as parameters. */

const CREATED = 1_759_708_800;

const model = (id: string, ownedBy: string, extra: Record<string, unknown> = {}) => ({
  id,
  object: "model",
  created: CREATED,
  owned_by: ownedBy,
  ...extra,
});

export const MODELS: Array<Record<string, unknown>> = [
  model("sora_video2", "sora2api"),
  model("sora_video2-landscape", "sora2api"),
  model("sora_video2-15s", "sora2api"),
  model("sora_video2-landscape-15s", "sora2api"),
  model("sora-2", "openai"),
  model("sora-2-pro", "openai"),
  // The dated snapshot goes away with OpenAI's Sora API (reference §0).
  model("sora-2-2025-10-06", "openai", { shutdown_date: "2026-09-24" }),
  model("veo-3-fast", "vertex-ai"),
  // Models new-api gateways sell beside Sora (docs/models.md): served on /v1/video/generations.
  model("veo-3.1-fast-generate-preview", "vertex-ai"),
  model("kling-v2-6", "kling"),
  model("MiniMax-Hailuo-2.3", "minimax"),
  model("doubao-seedance-1-0-pro-250528", "volcengine"),
  // A video model no catalogue family knows: offered with the generic parameters.
  model("luma-ray-2", "luma"),
];

/** Official values plus "10"/"15", which several relays accept for sora-2. */
export const VIDEO_SECONDS = ["4", "8", "12", "10", "15"];

export const VIDEO_SIZES = [
  "720x1280",
  "1280x720",
  "1024x1792",
  "1792x1024",
  "1080x1920",
  "1920x1080",
];

export const DEFAULT_VIDEO_MODEL = "sora-2";
export const DEFAULT_CHAT_MODEL = "sora_video2";

export const BILLING = {
  normal: { hardLimitUsd: 100, usedUsd: 12.34 },
  exhausted: { hardLimitUsd: 25, usedUsd: 25 },
  /** What each completed video adds to `total_usage` (the balance drops by this per video). */
  perVideoUsd: 0.4,
};

/** `'4', '8', and '12'` — the enumeration style of OpenAI's invalid_value messages. */
export function quoteList(values: string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  if (quoted.length < 2) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")}, and ${quoted[quoted.length - 1]}`;
}
