import "server-only";
import type { Diagnosis, DiagnosisAction, RelayWeather } from "@/lib/contracts/diagnosis";
import type { CheckId } from "@/lib/contracts/diagnostics";
import { ERROR_CODES, type ErrorCode } from "@/lib/contracts/errors";
import {
  describeModel,
  MODEL_CATALOGUE,
  protocolFor,
  type ModelInfo,
} from "@/lib/contracts/models";
import type { Locale } from "@/lib/i18n/config";
import { translator } from "@/lib/i18n/translate";
import { getConfig } from "../config";
import type { JobRecord } from "../jobs/types";
import { scrubDeep } from "../redact";
import { hostOf, normalizeBaseUrl } from "../upstream/base-url";
import { configuredBaseUrls, currentBaseUrl } from "../upstream/generation";
import { sharedUpstreamCalls } from "../shared/call-ring";
import { recentUpstreamCalls } from "../upstream/records";
import type { UpstreamCallRecord } from "../upstream/types";
import { checkApiCall, checkAuth, checkModels, checkQuota } from "./checks-api";
import { checkBaseUrlFormat } from "./checks-local";
import { RunContext, type Outcome } from "./context";
import { targetFromConfig } from "./target";

/** The whole diagnosis is bounded: each probe gets a third of it. */
export const DIAGNOSIS_TIMEOUT_MS = 6_000;
/** How long one job's diagnosis is reused (per language). */
const CACHE_TTL_MS = 60_000;
const MAX_CANDIDATES = 4;
export const WEATHER_WINDOW_MS = 15 * 60_000;
const WEATHER_MIN_CREATES = 3;

type Translate = (key: string, values?: Record<string, string | number>) => string;

interface Evidence {
  checkId: string;
  outcome: Outcome;
}

/** A model the job could switch to: same protocol, takes the job's image, offers its duration. */
export function hasSameCapabilities(job: Pick<JobRecord, "hasImage" | "seconds">, info: ModelInfo) {
  // Only catalogue facts count: a relay-only model's capabilities are unknown, so it is not offered.
  if (!info.known) return false;
  if (job.hasImage && !info.acceptsImage) return false;
  if (job.seconds && info.durations.length > 0 && !info.durations.includes(job.seconds))
    return false;
  if (info.shutdownDate && Date.parse(info.shutdownDate) <= Date.now()) return false;
  return true;
}

/** Candidates in the order they are offered: catalogue (stable first), then relay-only models. */
function switchCandidates(job: JobRecord, ctx: RunContext): string[] {
  const listed = ctx.modelList;
  const pool = listed
    ? listed.map((m) => ({ ...describeModel(m.id, true), shutdownDate: m.shutdownDate }))
    : MODEL_CATALOGUE.map((m) => describeModel(m.id));
  return pool
    .filter((info) => info.id !== job.model && hasSameCapabilities(job, info))
    .sort((a, b) => Number(b.stable) - Number(a.stable))
    .map((info) => info.id)
    .slice(0, MAX_CANDIDATES);
}

/** The same run (deadline, base URL) asking about another model, on the protocol its job would use. */
function forModel(ctx: RunContext, model: string): RunContext {
  const protocol = protocolFor(ctx.target.apiStyle ?? "auto", describeModel(model));
  const child = new RunContext({ ...ctx.target, models: [model], protocol }, ctx.options, ctx);
  child.probeBase = ctx.probeBase;
  child.probeUrl = ctx.probeUrl;
  return child;
}

/** Recorded upstream calls, oldest first: every instance's in shared mode, else this process's. */
async function recordedCalls(now: number): Promise<UpstreamCallRecord[]> {
  if (!getConfig().shared.redisUrl) return recentUpstreamCalls();
  const { calls } = await sharedUpstreamCalls(now - WEATHER_WINDOW_MS);
  return [...calls].reverse();
}

/** The relay weather from every recorded call (the route and the diagnosis use this). */
export async function currentRelayWeather(now = Date.now()): Promise<RelayWeather> {
  return relayWeather(now, await recordedCalls(now));
}

/** Recent creates in the last 15 minutes. */
function recentCreates(now: number, calls: UpstreamCallRecord[]) {
  return calls.filter(
    (call) =>
      call.operation === "create" &&
      call.errorCode !== "aborted" &&
      Date.parse(call.at) >= now - WEATHER_WINDOW_MS,
  );
}

/** From recorded calls: is the relay saturated (most creates 503/429) or failing right now? */
export function relayWeather(
  now = Date.now(),
  calls: UpstreamCallRecord[] = recentUpstreamCalls(),
): RelayWeather {
  const creates = recentCreates(now, calls);
  // Only the last 10 count: a relay that recovered shows it in its latest answers.
  const last = creates.slice(-10);
  const failed = last.filter((c) => c.errorCode !== undefined);
  const busy = failed.filter(
    (c) => (c.status === 503 || c.status === 429) && c.errorCode !== "no_available_channel",
  );
  const noChannel = new Map<string, boolean>();
  for (const call of creates) {
    if (call.model) noChannel.set(call.model, call.errorCode === "no_available_channel");
  }
  let status: RelayWeather["status"] = "ok";
  if (last.length >= WEATHER_MIN_CREATES) {
    if (busy.length * 2 > last.length) status = "saturated";
    else if (failed.length * 2 > last.length && last.at(-1)?.errorCode) status = "failing";
  }
  // A relay that answers again is not saturated, whatever came before.
  if (last.at(-1) && !last.at(-1)?.errorCode) status = "ok";
  return {
    status,
    windowMinutes: WEATHER_WINDOW_MS / 60_000,
    creates: last.length,
    failed: status === "saturated" ? busy.length : failed.length,
    status503or429: busy.length,
    noChannelModels: [...noChannel].filter(([, bad]) => bad).map(([model]) => model),
  };
}

const KEY_CODES = new Set(["invalid_api_key", "unauthorized", "key_missing"]);
const QUOTA_CODES = new Set(["insufficient_quota", "quota_low"]);
const CHANNEL_CODES = new Set(["no_available_channel", "model_not_found", "model_not_listed"]);
/** Failures a user's input or content caused: another relay would say the same. */
const INPUT_CODES = new Set(["bad_request", "content_policy", "destination_refused", "disk_full"]);

function fixConfig(code: string, keySource: string, t: Translate): DiagnosisAction | null {
  if (KEY_CODES.has(code) || code.startsWith("key_")) {
    return {
      kind: "fix_config",
      variable: keySource,
      step: t("steps.key", { variable: keySource }),
    };
  }
  if (QUOTA_CODES.has(code)) {
    return {
      kind: "fix_config",
      variable: keySource,
      step: t("steps.quota", { variable: keySource }),
    };
  }
  if (code === "forbidden") {
    return {
      kind: "fix_config",
      variable: keySource,
      step: t("steps.access", { variable: keySource }),
    };
  }
  if (
    code.startsWith("base_url_") ||
    code.startsWith("dns_") ||
    code.startsWith("tcp_") ||
    code === "http_not_api" ||
    code === "endpoint_not_found"
  ) {
    return {
      kind: "fix_config",
      variable: "SORA_BASE_URL",
      step: t("steps.baseUrl", { variable: "SORA_BASE_URL" }),
    };
  }
  return null;
}

/** Root cause: the first failing probe in dependency order, else what the job itself reported. */
function pickRootCause(evidence: Evidence[], job: JobRecord, locale: Locale, t: Translate) {
  const order: string[] = ["baseUrl.format", "auth", "quota", "api.call", "models"];
  const failing = order
    .map((id) => evidence.find((e) => e.checkId === id))
    .find((e) => e && e.outcome.status === "fail" && e.outcome.code);
  if (failing?.outcome.code) {
    return {
      checkId: failing.checkId as CheckId,
      code: failing.outcome.code,
      message: failing.outcome.cause ?? failing.outcome.observed,
      hint: failing.outcome.hint ?? "",
    };
  }
  const code: ErrorCode = job.error?.code ?? "internal_error";
  const root = translator(locale) as unknown as Translate;
  const values = { model: job.model, host: job.upstreamHost ?? "?" };
  const known = (ERROR_CODES as readonly string[]).includes(code);
  return {
    checkId: "history" as const,
    code,
    message: known ? root(`errors.codes.${code}.message`, values) : t("history.message", { code }),
    hint: known ? root(`errors.codes.${code}.hint`, values) : t("history.probesPass"),
  };
}

async function probe(ctx: RunContext, run: () => Promise<Outcome> | Outcome): Promise<Outcome> {
  try {
    return await run();
  } catch (error) {
    return ctx.problem("fail", "internal_error", error instanceof Error ? error.message : "?");
  }
}

/**
 * Diagnoses one failed (or stalled) job with unbilled probes against its own base URL, key and
 * model: the routed-or-not probe, the model list and quota, then alternatives (other models with
 * the same capabilities, configured fallbacks) that the same probe shows would route.
 */
export async function diagnoseJob(job: JobRecord, locale: Locale): Promise<Diagnosis> {
  const config = getConfig();
  const t = ((key, values) =>
    (translator(locale) as unknown as Translate)(`diagnosis.${key}`, values)) as Translate;
  const baseUrl = job.baseUrl ?? currentBaseUrl(config);
  const target = {
    ...targetFromConfig(config),
    baseUrl,
    models: [job.model],
    protocol: job.protocol,
    fallbackBaseUrls: [],
  };
  const ctx = new RunContext(target, { locale, timeoutMs: DIAGNOSIS_TIMEOUT_MS });
  const evidence: Evidence[] = [];
  const record = (checkId: string, outcome: Outcome) => {
    evidence.push({ checkId, outcome });
    return outcome;
  };

  const format = record("baseUrl.format", checkBaseUrlFormat(ctx));
  let routed = false;
  if (format.status !== "fail" && ctx.probeBase) {
    const auth = record("auth", await probe(ctx, () => checkAuth(ctx)));
    if (auth.status !== "fail") {
      const quotaWanted =
        auth.code === "insufficient_quota" || QUOTA_CODES.has(job.error?.code ?? "");
      const [call, quota] = await Promise.all([
        probe(ctx, () => checkApiCall(ctx)),
        quotaWanted ? probe(ctx, () => checkQuota(ctx)) : Promise.resolve(null),
      ]);
      record("api.call", call);
      routed = call.status === "pass";
      if (quota) record("quota", quota);
      record("models", await probe(ctx, () => checkModels(ctx)));
    }
  }

  const rootCause = pickRootCause(evidence, job, locale, t);
  const actions: DiagnosisAction[] = [];
  const fix = fixConfig(rootCause.code, ctx.keySource, t);
  if (fix) actions.push(fix);

  const alternatives: Promise<DiagnosisAction | null>[] = [];
  if (CHANNEL_CODES.has(rootCause.code) && ctx.probeBase) {
    alternatives.push(
      (async () => {
        const candidates = switchCandidates(job, ctx);
        const results = await Promise.all(
          candidates.map((model) => probe(ctx, () => checkApiCall(forModel(ctx, model)))),
        );
        const index = results.findIndex((outcome) => outcome.status === "pass");
        candidates.forEach((model, i) => {
          const outcome = results[i];
          if (outcome) record(`api.call:${model}`, outcome);
        });
        const model = index >= 0 ? candidates[index] : undefined;
        return model ? { kind: "switch_model", model } : null;
      })(),
    );
  }
  if (!routed && !INPUT_CODES.has(rootCause.code)) {
    const own = safeNormalize(baseUrl);
    for (const url of configuredBaseUrls(config).filter((u) => u !== own)) {
      alternatives.push(
        (async () => {
          const fctx = ctx.forBaseUrl(url);
          checkBaseUrlFormat(fctx);
          if (!fctx.probeBase) return null;
          const outcome = await probe(fctx, () => checkApiCall(fctx));
          record(`fallbacks:${hostOf(url)}`, outcome);
          return outcome.status === "pass" ? { kind: "use_fallback", host: hostOf(url) } : null;
        })(),
      );
    }
  }
  for (const action of await Promise.all(alternatives)) if (action) actions.push(action);

  const weather = await currentRelayWeather();
  if (weather.status === "saturated") {
    actions.push({
      kind: "wait",
      minutes: weather.failed * 10 >= weather.creates * 8 ? 10 : 5,
      reason: t("reasons.saturated", {
        failed: weather.failed,
        total: weather.creates,
        window: weather.windowMinutes,
      }),
    });
  }

  return scrubDeep({
    jobId: job.id,
    model: job.model,
    host: ctx.host || hostOf(baseUrl),
    rootCause,
    evidence: evidence.map(({ checkId, outcome }) => ({
      checkId,
      status: outcome.status,
      observed: outcome.observed,
    })),
    actions,
    generatedAt: new Date().toISOString(),
    cached: false,
  });
}

function safeNormalize(url: string): string {
  try {
    return normalizeBaseUrl(url);
  } catch {
    return url;
  }
}

const CACHE_KEY = Symbol.for("sora-studio.diagnosis.cache");
type CacheHolder = {
  [CACHE_KEY]?: Map<string, { at: number; value: Promise<Diagnosis> }>;
};

/** One diagnosis per job and language for a minute: a reloading card never floods the relay. */
export async function cachedDiagnosis(job: JobRecord, locale: Locale): Promise<Diagnosis> {
  const holder = globalThis as CacheHolder;
  const cache = (holder[CACHE_KEY] ??= new Map());
  const now = Date.now();
  for (const [key, entry] of cache) if (now - entry.at > CACHE_TTL_MS) cache.delete(key);
  const key = `${job.id}:${job.updatedAt}:${locale}`;
  const hit = cache.get(key);
  if (hit) return { ...(await hit.value), cached: true };
  const value = diagnoseJob(job, locale);
  cache.set(key, { at: now, value });
  value.catch(() => cache.delete(key));
  return value;
}
