import { z } from "zod";
import { protocolSchema, type Protocol } from "./job";

export const modelInfoSchema = z.object({
  id: z.string(),
  protocol: protocolSchema,
  /** Durations in seconds, as the strings the upstream expects. Chat models imply theirs by name. */
  durations: z.array(z.string()),
  /** Frame sizes `WxH`; the first one is the default. */
  sizes: z.array(z.string()),
  acceptsImage: z.boolean(),
  /** Stable recommendation shown next to the model. */
  stable: z.boolean(),
  /** Known to our catalogue (false: listed by the relay only, generic parameters). */
  known: z.boolean(),
  /** Listed by the relay's `/v1/models` (undefined when the relay was not asked or did not answer). */
  listed: z.boolean().optional(),
  shutdownDate: z.string().optional(),
  /** Message key under `models.notes` in the i18n files. */
  note: z.string().optional(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const modelsResponseSchema = z.object({
  defaultModel: z.string(),
  models: z.array(modelInfoSchema),
  /** Why the relay's list could not be merged (code of the error), if it could not. */
  relayError: z.string().optional(),
});
export type ModelsResponse = z.infer<typeof modelsResponseSchema>;

type CatalogueEntry = Omit<ModelInfo, "known" | "listed">;

const chat = (id: string, seconds: string, size: string, note?: string): CatalogueEntry => ({
  id,
  protocol: "chat",
  durations: [seconds],
  sizes: [size],
  acceptsImage: true,
  stable: id === "sora_video2",
  note,
});

/** What we know about models seen on relays (reference/upstream-protocols.md §1, §4). */
export const MODEL_CATALOGUE: readonly CatalogueEntry[] = [
  chat("sora_video2", "10", "704x1280", "stable"),
  chat("sora_video2-landscape", "10", "1280x704"),
  chat("sora_video2-15s", "15", "704x1280"),
  chat("sora_video2-landscape-15s", "15", "1280x704"),
  chat("sora_video2-hd", "10", "1024x1792"),
  chat("sora_video2-landscape-hd", "10", "1792x1024"),
  {
    id: "sora-2",
    protocol: "videos",
    durations: ["4", "8", "12"],
    sizes: ["720x1280", "1280x720"],
    acceptsImage: true,
    stable: false,
    note: "official",
  },
  {
    id: "sora-2-pro",
    protocol: "videos",
    durations: ["4", "8", "12"],
    sizes: ["720x1280", "1280x720", "1024x1792", "1792x1024"],
    acceptsImage: true,
    stable: false,
    note: "pro",
  },
];

/** Protocol by model name (DESIGN §2): `sora_video2*`, `sora2-*`, `*-all` → chat; `sora-2*` → videos. */
export function protocolForModel(model: string): Protocol {
  if (/^(sora_video|sora2[-_]|sora2pro|sora2_video)/i.test(model) || /-all$/i.test(model)) {
    return "chat";
  }
  return "videos";
}

const GENERIC_DURATIONS: Record<Protocol, string[]> = { videos: ["4", "8", "12"], chat: [] };
const GENERIC_SIZES = ["720x1280", "1280x720"];

/** Catalogue entry for a model, or the generic parameters for a model only the relay knows. */
export function describeModel(id: string, listed?: boolean): ModelInfo {
  const known = MODEL_CATALOGUE.find((m) => m.id === id);
  if (known) return { ...known, known: true, listed };
  const protocol = protocolForModel(id);
  return {
    id,
    protocol,
    durations: GENERIC_DURATIONS[protocol],
    sizes: GENERIC_SIZES,
    acceptsImage: true,
    stable: false,
    known: false,
    listed,
  };
}

export function parseSize(size: string): { width: number; height: number } | null {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) return null;
  return { width: Number(m[1]), height: Number(m[2]) };
}
