import {
  describeModel,
  MODEL_CATALOGUE,
  parseSize,
  type ModelInfo,
  type ModelsResponse,
} from "@/lib/contracts/models";

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
