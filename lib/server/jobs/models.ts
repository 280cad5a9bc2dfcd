import "server-only";
import {
  buildCatalogue,
  describeModel,
  type ModelCatalogue,
  type ModelInfo,
  type ModelsResponse,
} from "@/lib/contracts/models";
import { getConfig } from "../config";
import { toAppError } from "../errors";
import { serverLog } from "../log";
import { listRelayModels } from "../upstream/models";

const RELAY_MODELS_TTL_MS = 60_000;
const RELAY_MODELS_TIMEOUT_MS = 5_000;
/** Relays list every chat model they route; only video-looking ones are offered here. */
const VIDEO_MODEL_PATTERN =
  /sora|video|veo|kling|hailuo|minimax|seedance|vidu|wanx?[-_]?2|runway|luma|pika|[its]2v/i;

interface RelayModels {
  at: number;
  models?: { id: string; shutdownDate?: string }[];
  errorCode?: string;
}

const catalogues = new WeakMap<object, ModelCatalogue>();

/** The built-in catalogue with SORA_MODELS_FILE's entries on top (built once per configuration). */
export function modelCatalogue(): ModelCatalogue {
  const config = getConfig();
  let catalogue = catalogues.get(config);
  if (!catalogue) {
    catalogue = buildCatalogue(config.operatorModels);
    catalogues.set(config, catalogue);
  }
  return catalogue;
}

/**
 * A model's price: SORA_PRICES by exact id wins, then the model's SORA_MODELS_FILE entry, then
 * SORA_PRICES by family.
 */
export function withPrice(info: ModelInfo): ModelInfo {
  const { prices } = getConfig();
  const price = prices[info.id] ?? info.price ?? prices[info.family];
  return price ? { ...info, price } : info;
}

function looksLikeVideoModel(id: string, catalogue: ModelCatalogue): boolean {
  return VIDEO_MODEL_PATTERN.test(id) || catalogue.patterns.some((p) => p.pattern.test(id));
}

const CACHE_KEY = Symbol.for("sora-studio.relayModels");
type CacheHolder = { [CACHE_KEY]?: { value?: RelayModels; pending?: Promise<RelayModels> } };

function cache() {
  const holder = globalThis as CacheHolder;
  holder[CACHE_KEY] ??= {};
  return holder[CACHE_KEY];
}

/** The relay's `/v1/models`, cached for a minute; failures are cached too (as an error code). */
export async function relayModels(): Promise<RelayModels> {
  const c = cache();
  if (c.value && Date.now() - c.value.at < RELAY_MODELS_TTL_MS) return c.value;
  c.pending ??= listRelayModels(AbortSignal.timeout(RELAY_MODELS_TIMEOUT_MS))
    .then((models): RelayModels => ({ at: Date.now(), models }))
    .catch((error: unknown): RelayModels => {
      const appError = toAppError(error);
      serverLog.warn("relay model list unavailable", { code: appError.code });
      return { at: Date.now(), errorCode: appError.code };
    })
    .then((value) => {
      c.value = value;
      c.pending = undefined;
      return value;
    });
  return c.pending;
}

/** Catalogue merged with what the relay lists (`GET /api/models`). */
export async function listModels(): Promise<ModelsResponse> {
  const catalogue = modelCatalogue();
  const relay = await relayModels();
  const listed = relay.models ? new Map(relay.models.map((m) => [m.id, m])) : undefined;
  const models: ModelInfo[] = catalogue.entries.map((entry) => {
    const info = describeModel(entry.id, listed ? listed.has(entry.id) : undefined, catalogue);
    const shutdownDate = listed?.get(entry.id)?.shutdownDate ?? info.shutdownDate;
    return withPrice(shutdownDate ? { ...info, shutdownDate } : info);
  });
  for (const model of relay.models ?? []) {
    if (models.some((m) => m.id === model.id) || !looksLikeVideoModel(model.id, catalogue))
      continue;
    const info = describeModel(model.id, true, catalogue);
    models.push(
      withPrice(model.shutdownDate ? { ...info, shutdownDate: model.shutdownDate } : info),
    );
  }
  const { defaultModel } = getConfig();
  if (!models.some((m) => m.id === defaultModel)) {
    models.push(withPrice(describeModel(defaultModel, undefined, catalogue)));
  }
  return { defaultModel, models, relayError: relay.errorCode };
}

/**
 * What a submit may use: catalogue models (built-in and SORA_MODELS_FILE, ids and patterns), the
 * configured default, and video models the relay lists. Null for anything else.
 */
export async function findModel(id: string): Promise<ModelInfo | null> {
  const catalogue = modelCatalogue();
  if (
    catalogue.entries.some((m) => m.id === id) ||
    catalogue.patterns.some((p) => p.pattern.test(id)) ||
    id === getConfig().defaultModel
  ) {
    return withPrice(describeModel(id, undefined, catalogue));
  }
  if (!VIDEO_MODEL_PATTERN.test(id)) return null;
  const relay = await relayModels();
  return relay.models?.some((m) => m.id === id)
    ? withPrice(describeModel(id, true, catalogue))
    : null;
}
