import { describeModel, MODEL_CATALOGUE, parseSize } from "@/lib/contracts/model-catalogue";
import type { ModelInfo, ModelsResponse } from "@/lib/contracts/models";

export type Orientation = "portrait" | "landscape" | "square";

export function orientationOf(size: string): Orientation {
  const parsed = parseSize(size);
  if (!parsed || parsed.width === parsed.height) return "square";
  return parsed.width > parsed.height ? "landscape" : "portrait";
}

/** What the form may send for a model: chat models imply duration and size by their name. */
export function selectableDurations(model: ModelInfo): string[] {
  return model.protocol === "chat" ? [] : model.durations;
}

export function selectableSizes(model: ModelInfo): string[] {
  return model.protocol === "chat" ? [] : model.sizes;
}

/** The frame a reference image is cropped to: the chosen size, else the model's default. */
export function frameSizeFor(
  model: ModelInfo,
  size?: string,
): { width: number; height: number } | null {
  const chosen = size && model.sizes.includes(size) ? size : model.sizes[0];
  return chosen ? parseSize(chosen) : null;
}

export interface Selection {
  model: string;
  seconds?: string;
  size?: string;
}

/**
 * Keeps a selection valid for its model: an unknown model falls back to the default, a duration or
 * size the model does not offer falls back to the model's first one.
 */
export function resolveSelection(
  models: readonly ModelInfo[],
  defaultModel: string,
  wanted: Partial<Selection>,
): { model: ModelInfo; seconds?: string; size?: string } | null {
  const model =
    models.find((m) => m.id === wanted.model) ??
    models.find((m) => m.id === defaultModel) ??
    models[0];
  if (!model) return null;
  const durations = selectableDurations(model);
  const sizes = selectableSizes(model);
  const seconds =
    durations.length === 0
      ? undefined
      : wanted.seconds && durations.includes(wanted.seconds)
        ? wanted.seconds
        : durations[0];
  let size: string | undefined;
  if (sizes.length > 0) {
    if (wanted.size && sizes.includes(wanted.size)) size = wanted.size;
    else {
      // Keep the orientation the user had picked when switching to a model with other sizes.
      const orientation = wanted.size ? orientationOf(wanted.size) : undefined;
      size = sizes.find((s) => orientationOf(s) === orientation) ?? sizes[0];
    }
  }
  return { model, seconds, size };
}

/** Stable recommendation first, then the catalogue in order, then what only the relay lists. */
export function groupModels(models: readonly ModelInfo[]): {
  recommended: ModelInfo[];
  catalogue: ModelInfo[];
  relay: ModelInfo[];
} {
  return {
    recommended: models.filter((m) => m.known && m.stable),
    catalogue: models.filter((m) => m.known && !m.stable),
    relay: models.filter((m) => !m.known),
  };
}

/** Used when `/api/models` cannot be read: the built-in catalogue still lets the user generate. */
export function fallbackModels(): ModelsResponse {
  return {
    defaultModel: "sora_video2",
    models: MODEL_CATALOGUE.map((m) => describeModel(m.id)),
  };
}

/** Ratios people know by name; a frame within 3 % of one is called by it (1792×1024 is "16:9"). */
const NAMED_RATIOS: readonly [number, number][] = [
  [1, 1],
  [16, 9],
  [9, 16],
  [4, 3],
  [3, 4],
  [3, 2],
  [2, 3],
  [21, 9],
  [9, 21],
];

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** "9:16" for 720x1280 and 704x1280, "1:1" for 1024x1024; an odd frame gets its reduced ratio. */
export function aspectRatioOf(size: string): string | null {
  const parsed = parseSize(size);
  if (!parsed || parsed.width === 0 || parsed.height === 0) return null;
  const ratio = parsed.width / parsed.height;
  const named = NAMED_RATIOS.find(([w, h]) => Math.abs(ratio / (w / h) - 1) <= 0.03);
  if (named) return `${named[0]}:${named[1]}`;
  const d = gcd(parsed.width, parsed.height);
  return `${parsed.width / d}:${parsed.height / d}`;
}

/** What a shape option shows and says: orientation, named ratio and the exact pixels. */
export interface ShapeOption {
  value: string;
  orientation: Orientation;
  ratio: string;
  /** "720×1280" */
  pixels: string;
  width: number;
  height: number;
}

export function shapeOption(size: string): ShapeOption | null {
  const parsed = parseSize(size);
  const ratio = aspectRatioOf(size);
  if (!parsed || !ratio) return null;
  return {
    value: size,
    orientation: orientationOf(size),
    ratio,
    pixels: `${parsed.width}×${parsed.height}`,
    ...parsed,
  };
}

/** Whether a model's shutdown date (e.g. "2026-09-24") has passed; unreadable dates count as future. */
export function shutdownPassed(date: string, now: number = Date.now()): boolean {
  const at = Date.parse(date);
  return !Number.isNaN(at) && at <= now;
}
