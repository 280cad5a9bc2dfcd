// zod-free: the browser's first load imports this (the schemas in ./models.ts load with the first answer).
import type { Protocol } from "./job";
import type { ModelInfo, OperatorModelEntry } from "./models";

/** Model families of docs/models.md; `generic` = a name no family pattern matches. */
export const MODEL_FAMILIES = [
  "sora-chat",
  "sora-2",
  "sora-2-pro",
  "veo-3",
  "veo-3.1",
  "kling",
  "hailuo",
  "seedance",
  "vidu",
  "wan",
  "generic",
] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

type CatalogueEntry = Omit<ModelInfo, "known" | "listed">;
type FamilyParameters = Omit<CatalogueEntry, "id" | "stable" | "note" | "shutdownDate" | "price">;

const LANDSCAPE_PORTRAIT_720 = ["1280x720", "720x1280"];
const HD_BOTH_WAYS = ["1280x720", "720x1280", "1920x1080", "1080x1920"];

/** What the public docs say per family (docs/models.md cites each value). */
export const FAMILY_PARAMETERS: Record<ModelFamily, FamilyParameters> = {
  "sora-chat": {
    family: "sora-chat",
    protocol: "chat",
    durations: [],
    sizes: LANDSCAPE_PORTRAIT_720,
    acceptsImage: true,
    imageInputs: { firstFrame: true, maxReferences: 1 },
    remix: false,
  },
  "sora-2": {
    family: "sora-2",
    protocol: "videos",
    durations: ["4", "8", "12"],
    sizes: ["720x1280", "1280x720"],
    acceptsImage: true,
    imageInputs: { firstFrame: true, lastFrame: false, maxReferences: 1 },
    audio: true,
    remix: true,
  },
  "sora-2-pro": {
    family: "sora-2-pro",
    protocol: "videos",
    durations: ["4", "8", "12"],
    sizes: ["720x1280", "1280x720", "1024x1792", "1792x1024"],
    acceptsImage: true,
    imageInputs: { firstFrame: true, lastFrame: false, maxReferences: 1 },
    audio: true,
    remix: true,
  },
  "veo-3": {
    family: "veo-3",
    protocol: "generations",
    durations: ["4", "6", "8"],
    sizes: HD_BOTH_WAYS,
    acceptsImage: true,
    imageInputs: { firstFrame: true, lastFrame: false },
    audio: true,
    remix: false,
  },
  "veo-3.1": {
    family: "veo-3.1",
    protocol: "generations",
    durations: ["4", "6", "8"],
    sizes: HD_BOTH_WAYS,
    acceptsImage: true,
    imageInputs: { firstFrame: true, lastFrame: true, maxReferences: 3 },
    audio: true,
    remix: false,
  },
  kling: {
    family: "kling",
    protocol: "generations",
    durations: ["5", "10"],
    sizes: ["1280x720", "720x1280", "1024x1024"],
    acceptsImage: true,
    imageInputs: { firstFrame: true, lastFrame: true },
    remix: false,
  },
  hailuo: {
    family: "hailuo",
    protocol: "generations",
    durations: ["6", "10"],
    sizes: LANDSCAPE_PORTRAIT_720,
    acceptsImage: true,
    imageInputs: { firstFrame: true, lastFrame: true, maxReferences: 1 },
    remix: false,
  },
  seedance: {
    family: "seedance",
    protocol: "generations",
    durations: ["5", "10"],
    sizes: HD_BOTH_WAYS,
    acceptsImage: true,
    imageInputs: { firstFrame: true, lastFrame: true },
    remix: false,
  },
  vidu: {
    family: "vidu",
    protocol: "generations",
    durations: ["5"],
    sizes: HD_BOTH_WAYS,
    acceptsImage: true,
    imageInputs: { firstFrame: true, lastFrame: true },
    remix: false,
  },
  wan: {
    family: "wan",
    protocol: "generations",
    durations: ["5"],
    sizes: HD_BOTH_WAYS,
    acceptsImage: true,
    imageInputs: { firstFrame: true },
    remix: false,
  },
  generic: {
    family: "generic",
    protocol: "videos",
    durations: ["4", "8", "12"],
    sizes: LANDSCAPE_PORTRAIT_720,
    acceptsImage: true,
    remix: false,
  },
};

/** Relay-specific names → family, first match wins (order matters: `-all` relays are chat). */
export const FAMILY_PATTERNS: readonly { family: ModelFamily; pattern: RegExp }[] = [
  { family: "sora-chat", pattern: /^(sora_video|sora2[-_]|sora2pro|sora2_video)|-all$/i },
  { family: "sora-2-pro", pattern: /^sora-2-pro/i },
  { family: "sora-2", pattern: /^sora-2\b/i },
  { family: "veo-3.1", pattern: /veo[-_ ]?3[._-]1/i },
  { family: "veo-3", pattern: /veo[-_ ]?3/i },
  { family: "kling", pattern: /kling/i },
  { family: "hailuo", pattern: /hailuo|minimax|^[its]2v-01/i },
  { family: "seedance", pattern: /seedance/i },
  { family: "vidu", pattern: /vidu/i },
  { family: "wan", pattern: /(^|[/_-])wanx?[-_]?2(\.\d)?/i },
];

export function familyOf(model: string): ModelFamily {
  return FAMILY_PATTERNS.find((rule) => rule.pattern.test(model))?.family ?? "generic";
}

const chat = (id: string, seconds: string, size: string, note?: string): CatalogueEntry => ({
  ...FAMILY_PARAMETERS["sora-chat"],
  id,
  durations: [seconds],
  sizes: [size],
  stable: id === "sora_video2",
  note,
});

/** Models always offered (reference/upstream-protocols.md §1, §4); others come from the relay's list. */
export const MODEL_CATALOGUE: readonly CatalogueEntry[] = [
  chat("sora_video2", "10", "704x1280", "stable"),
  chat("sora_video2-landscape", "10", "1280x704"),
  chat("sora_video2-15s", "15", "704x1280"),
  chat("sora_video2-landscape-15s", "15", "1280x704"),
  chat("sora_video2-hd", "10", "1024x1792"),
  chat("sora_video2-landscape-hd", "10", "1792x1024"),
  { ...FAMILY_PARAMETERS["sora-2"], id: "sora-2", stable: false, note: "official" },
  { ...FAMILY_PARAMETERS["sora-2-pro"], id: "sora-2-pro", stable: false, note: "pro" },
];

/** Operator entries (SORA_MODELS_FILE) on top of the built-in catalogue; ids override, patterns add. */
export interface ModelCatalogue {
  entries: readonly CatalogueEntry[];
  patterns: readonly { pattern: RegExp; entry: OperatorModelEntry }[];
}

export const BUILT_IN_CATALOGUE: ModelCatalogue = { entries: MODEL_CATALOGUE, patterns: [] };

function fromOperator(
  id: string,
  entry: OperatorModelEntry,
  base?: CatalogueEntry,
): CatalogueEntry {
  const family = entry.family ?? base?.family ?? familyOf(id);
  const defaults: CatalogueEntry =
    base && base.family === family ? base : { ...FAMILY_PARAMETERS[family], id, stable: false };
  const out: CatalogueEntry = { ...defaults, id, family };
  for (const key of [
    "protocol",
    "durations",
    "sizes",
    "acceptsImage",
    "imageInputs",
    "audio",
    "remix",
    "stable",
    "note",
    "shutdownDate",
    "price",
  ] as const) {
    if (entry[key] !== undefined) Object.assign(out, { [key]: entry[key] });
  }
  if (entry.acceptsImage === false && entry.imageInputs === undefined) delete out.imageInputs;
  return out;
}

/** The built-in catalogue merged with an operator's entries (validated by operatorModelsFileSchema). */
export function buildCatalogue(operator: readonly OperatorModelEntry[]): ModelCatalogue {
  const entries = [...MODEL_CATALOGUE];
  const patterns: ModelCatalogue["patterns"][number][] = [];
  for (const entry of operator) {
    if (entry.pattern !== undefined) {
      patterns.push({ pattern: new RegExp(entry.pattern, "i"), entry });
      continue;
    }
    const id = entry.id ?? "";
    const index = entries.findIndex((e) => e.id === id);
    const merged = fromOperator(id, entry, index >= 0 ? entries[index] : undefined);
    if (index >= 0) entries[index] = merged;
    else entries.push(merged);
  }
  return { entries, patterns };
}

/** The one rule: a configured `SORA_API_STYLE` wins; in `auto` the model's catalogue entry decides. */
export function protocolFor(
  apiStyle: Protocol | "auto",
  info: Pick<ModelInfo, "protocol">,
): Protocol {
  return apiStyle === "auto" ? info.protocol : apiStyle;
}

/** Protocol by model name (DESIGN §2): the family's default protocol. */
export function protocolForModel(model: string, catalogue = BUILT_IN_CATALOGUE): Protocol {
  return describeModel(model, undefined, catalogue).protocol;
}

/**
 * Catalogue entry for a model: an exact entry, else an operator pattern, else the family its name
 * matches; a name no family matches gets the generic parameters (`known: false`).
 */
export function describeModel(
  id: string,
  listed?: boolean,
  catalogue: ModelCatalogue = BUILT_IN_CATALOGUE,
): ModelInfo {
  const exact = catalogue.entries.find((m) => m.id === id);
  if (exact) return { ...exact, known: true, listed };
  const rule = catalogue.patterns.find((p) => p.pattern.test(id));
  if (rule) return { ...fromOperator(id, rule.entry), known: true, listed };
  const family = familyOf(id);
  // Chat relay names imply duration and size; their real values are unknown to us.
  const known = family !== "generic" && family !== "sora-chat";
  return { ...FAMILY_PARAMETERS[family], id, stable: false, known, listed };
}

export function parseSize(size: string): { width: number; height: number } | null {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) return null;
  return { width: Number(m[1]), height: Number(m[2]) };
}
