import "server-only";
import {
  MODEL_CATALOGUE,
  describeModel,
  type ModelInfo,
  type ModelsResponse,
} from "@/lib/contracts/models";
import { getConfig } from "../config";
import { toAppError } from "../errors";
import { serverLog } from "../log";
import { listRelayModels } from "../upstream";

const RELAY_MODELS_TTL_MS = 60_000;
const RELAY_MODELS_TIMEOUT_MS = 5_000;
/** Relays list every chat model they route; only video-looking ones are offered here. */
const VIDEO_MODEL_PATTERN = /sora|video|veo|kling|hailuo|seedance|vidu|wan2|runway|luma|pika/i;

interface RelayModels {
  at: number;
  models?: { id: string; shutdownDate?: string }[];
  errorCode?: string;
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
  const relay = await relayModels();
  const listed = relay.models ? new Map(relay.models.map((m) => [m.id, m])) : undefined;
  const models: ModelInfo[] = MODEL_CATALOGUE.map((entry) => {
    const info = describeModel(entry.id, listed ? listed.has(entry.id) : undefined);
    const shutdownDate = listed?.get(entry.id)?.shutdownDate ?? info.shutdownDate;
    return shutdownDate ? { ...info, shutdownDate } : info;
  });
  for (const model of relay.models ?? []) {
    if (models.some((m) => m.id === model.id) || !VIDEO_MODEL_PATTERN.test(model.id)) continue;
    const info = describeModel(model.id, true);
    models.push(model.shutdownDate ? { ...info, shutdownDate: model.shutdownDate } : info);
  }
  const { defaultModel } = getConfig();
  if (!models.some((m) => m.id === defaultModel)) models.push(describeModel(defaultModel));
  return { defaultModel, models, relayError: relay.errorCode };
}

/**
 * What a submit may use: catalogue models, the configured default, and video models the relay
 * lists. Null for anything else.
 */
export async function findModel(id: string): Promise<ModelInfo | null> {
  if (MODEL_CATALOGUE.some((m) => m.id === id) || id === getConfig().defaultModel) {
    return describeModel(id);
  }
  if (!VIDEO_MODEL_PATTERN.test(id)) return null;
  const relay = await relayModels();
  return relay.models?.some((m) => m.id === id) ? describeModel(id, true) : null;
}
