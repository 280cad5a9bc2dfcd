import "server-only";
import type { ErrorCode } from "@/lib/contracts/errors";
import { scrubUpstreamMessage } from "../redact";
import { classifyUpstreamError, type UpstreamError } from "../upstream/classify";
import { isObject, parseJsonOrUndefined as parseJson } from "../upstream/json";
import type { ModelEntry, Outcome, RunContext } from "./context";
import { bodyKind, describeError, probeHttp, ProbeTimeout, type HttpResult } from "./probes";

function authHeaders(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}`, accept: "application/json" };
}

/** `shutdown_date` as seen on model lists: ISO date, or Unix seconds. */
function shutdownDate(value: unknown): string | undefined {
  if (typeof value === "number" && value > 0)
    return new Date(value * 1000).toISOString().slice(0, 10);
  if (typeof value === "string" && value.trim()) return value.trim().slice(0, 10);
  return undefined;
}

export function parseModelList(body: string): ModelEntry[] | null {
  const json = parseJson(body);
  const data = Array.isArray(json) ? json : isObject(json) ? json.data : undefined;
  if (!Array.isArray(data)) return null;
  const out: ModelEntry[] = [];
  for (const item of data) {
    if (typeof item === "string") out.push({ id: item });
    else if (isObject(item) && typeof item.id === "string") {
      out.push({ id: item.id, shutdownDate: shutdownDate(item.shutdown_date) });
    }
  }
  return out;
}

function classify(
  ctx: RunContext,
  result: HttpResult,
  operation: "models" | "create",
): UpstreamError {
  return classifyUpstreamError({
    status: result.status,
    headers: result.headers,
    body: result.body,
    operation,
    model: ctx.model,
    host: ctx.host,
  });
}

function answerText(
  ctx: RunContext,
  method: string,
  url: string,
  result: HttpResult,
  error?: UpstreamError,
) {
  const message = error?.options.upstreamMessage ?? scrubUpstreamMessage(result.body, 160);
  const requestId = error?.options.upstreamRequestId ?? result.headers.get("x-request-id") ?? "";
  return ctx.t("observed.answer", {
    method,
    path: new URL(url).pathname,
    status: result.status,
    message: message ? scrubUpstreamMessage(message, 160) : "—",
    requestId: requestId ? ` · ${requestId}` : "",
    ms: result.ms,
  });
}

function thrownOutcome(ctx: RunContext, url: string, error: unknown): Outcome {
  if (error instanceof ProbeTimeout) {
    return ctx.problem(
      "fail",
      "timeout",
      ctx.t("observed.httpTimeout", { url, ms: error.ms }),
      {},
      {
        hint: ctx.t("causes.http_timeout.hint", ctx.values({ ms: error.ms })),
      },
    );
  }
  const { code, message } = describeError(error);
  return ctx.problem(
    "fail",
    "network_error",
    ctx.t("observed.networkError", { target: url, code: code ?? message }),
  );
}

export async function checkAuth(ctx: RunContext): Promise<Outcome> {
  const key = ctx.target.apiKey;
  if (!key || !ctx.probeBase) return ctx.skip(ctx.t("skip.noKey"), undefined, true);
  const url = `${ctx.probeBase}/models`;
  let result: HttpResult;
  try {
    result = await probeHttp(url, {
      headers: authHeaders(key),
      timeoutMs: ctx.probeTimeout(),
      signal: ctx.signal,
      maxBytes: 512 * 1024,
    });
  } catch (error) {
    return thrownOutcome(ctx, url, error);
  }
  if (result.status >= 200 && result.status < 300) {
    const list = bodyKind(result) === "json" ? parseModelList(result.body) : null;
    if (!list) {
      if (bodyKind(result) === "html") {
        return ctx.problem("fail", "http_not_api", answerText(ctx, "GET", url, result), {
          status: result.status,
        });
      }
      return ctx.problem("warn", "models_unexpected", answerText(ctx, "GET", url, result));
    }
    ctx.modelList = list;
    return ctx.pass(ctx.t("observed.authOk", { count: list.length, ms: result.ms }));
  }
  const error = classify(ctx, result, "models");
  const observed = answerText(ctx, "GET", url, result, error);
  switch (error.code) {
    case "insufficient_quota":
      // The relay recognised the key; the quota check names the real problem.
      ctx.quotaEvidence = error;
      return ctx.problem(
        "warn",
        "insufficient_quota",
        observed,
        {},
        {
          cause: ctx.t("causes.auth_quota.cause"),
          hint: ctx.t("causes.auth_quota.hint"),
        },
      );
    case "rate_limited":
      return ctx.problem("warn", "rate_limited", observed);
    case "protocol_error":
    case "bad_request":
      if (result.status === 404 || result.status === 405) {
        return ctx.problem("warn", "models_endpoint_missing", observed);
      }
      return ctx.problem("fail", error.code, observed);
    default:
      return ctx.problem("fail", error.code, observed);
  }
}

export async function checkModels(ctx: RunContext): Promise<Outcome> {
  const list = ctx.modelList;
  if (!list) return ctx.skip(ctx.t("skip.noModelList"));
  const model = ctx.model;
  const entry = list.find((m) => m.id === model);
  const related = list
    .map((m) => m.id)
    .filter((id) => /sora|video|veo|kling|wan|hailuo|seedance/i.test(id))
    .slice(0, 8);
  const sample = (related.length > 0 ? related : list.map((m) => m.id).slice(0, 8)).join(", ");
  if (!entry) {
    return ctx.problem(
      "fail",
      "model_not_listed",
      ctx.t("observed.modelMissing", { model, count: list.length, sample: sample || "—" }),
      { models: sample || "—" },
    );
  }
  const observed = ctx.t("observed.modelsOk", { model, count: list.length });
  if (entry.shutdownDate) {
    const passed = Date.parse(entry.shutdownDate) <= Date.now();
    const values = { date: entry.shutdownDate, models: sample || "—" };
    // After the date, the same facts in the past tense.
    const past = passed
      ? {
          cause: ctx.t("causes.model_shutdown.causePast", ctx.values(values)),
          hint: ctx.t("causes.model_shutdown.hintPast", ctx.values(values)),
        }
      : {};
    return ctx.problem(
      passed ? "fail" : "warn",
      "model_shutdown",
      `${observed} · shutdown_date ${entry.shutdownDate}`,
      values,
      past,
    );
  }
  return ctx.pass(observed);
}

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function money(value: number): string {
  return `$${value.toFixed(2)}`;
}

/** new-api reports "unlimited" tokens with an absurd limit. */
const UNLIMITED_USD = 1e7;

/** What the relay's billing endpoints answered (`/dashboard/billing/subscription` + `/usage`). */
export type BillingReading =
  | {
      kind: "balance";
      /** `hard_limit_usd`; absurdly high (new-api's "unlimited") counts as unlimited. */
      limitUsd: number;
      unlimited: boolean;
      /** From `/usage` (`total_usage` in cents); undefined when it did not answer. */
      usedUsd?: number;
      /** `access_until`, Unix seconds, when the relay sets one. */
      accessUntil?: number;
    }
  | { kind: "answer"; url: string; result: HttpResult }
  | { kind: "thrown"; url: string; reason: unknown };

/**
 * Reads the relay's balance from its billing endpoints: two GETs that cannot be billed. Shared by
 * the quota check and `GET /api/balance`.
 */
export async function readRelayBilling(
  probeBase: string,
  key: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<BillingReading> {
  const subscriptionUrl = `${probeBase}/dashboard/billing/subscription`;
  const usageUrl = `${probeBase}/dashboard/billing/usage?start_date=${isoDay(-99)}&end_date=${isoDay(1)}`;
  const init = { headers: authHeaders(key), timeoutMs: options.timeoutMs, signal: options.signal };
  const [subscription, usage] = await Promise.allSettled([
    probeHttp(subscriptionUrl, init),
    probeHttp(usageUrl, init),
  ]);
  if (subscription.status === "rejected") {
    return { kind: "thrown", url: subscriptionUrl, reason: subscription.reason };
  }
  const sub = subscription.value;
  const subJson = bodyKind(sub) === "json" ? parseJson(sub.body) : undefined;
  const limit = isObject(subJson) ? Number(subJson.hard_limit_usd) : Number.NaN;
  if (sub.status < 200 || sub.status >= 300 || !Number.isFinite(limit)) {
    return { kind: "answer", url: subscriptionUrl, result: sub };
  }
  const accessUntil = isObject(subJson) ? Number(subJson.access_until) : 0;
  let usedUsd: number | undefined;
  if (usage.status === "fulfilled" && usage.value.status >= 200 && usage.value.status < 300) {
    const usageJson = parseJson(usage.value.body);
    const cents = isObject(usageJson) ? Number(usageJson.total_usage) : Number.NaN;
    if (Number.isFinite(cents)) usedUsd = cents / 100;
  }
  return {
    kind: "balance",
    limitUsd: limit,
    unlimited: limit >= UNLIMITED_USD,
    usedUsd,
    accessUntil: Number.isFinite(accessUntil) && accessUntil > 0 ? accessUntil : undefined,
  };
}

export async function checkQuota(ctx: RunContext): Promise<Outcome> {
  const key = ctx.target.apiKey;
  if (!key || !ctx.probeBase) return ctx.skip(ctx.t("skip.noKey"), undefined, true);
  const reading = await readRelayBilling(ctx.probeBase, key, {
    timeoutMs: ctx.probeTimeout(),
    signal: ctx.signal,
  });

  const evidence = ctx.quotaEvidence;
  const notExposed = (observed: string): Outcome =>
    evidence
      ? ctx.problem(
          "fail",
          "insufficient_quota",
          `${observed} · ${evidence.options.upstreamMessage ?? ""}`,
        )
      : ctx.skip(ctx.t("skip.noBilling"), observed);

  if (reading.kind === "thrown") {
    const { code, message } = describeError(reading.reason);
    const observed =
      reading.reason instanceof ProbeTimeout
        ? ctx.t("observed.httpTimeout", { url: reading.url, ms: reading.reason.ms })
        : ctx.t("observed.networkError", { target: reading.url, code: code ?? message });
    return notExposed(observed);
  }
  if (reading.kind === "answer") {
    const { result, url } = reading;
    if (result.status < 200 || result.status >= 300) {
      const error = classify(ctx, result, "models");
      const observed = answerText(ctx, "GET", url, result, error);
      if (error.code === "insufficient_quota")
        return ctx.problem("fail", "insufficient_quota", observed);
      return notExposed(observed);
    }
    return notExposed(answerText(ctx, "GET", url, result));
  }
  const { limitUsd: limit, usedUsd: used, accessUntil } = reading;
  const expiry = accessUntil
    ? ` · ${ctx.t("observed.accessUntil", { date: new Date(accessUntil * 1000).toISOString().slice(0, 10) })}`
    : "";
  if (reading.unlimited) return ctx.pass(ctx.t("observed.quotaUnlimited") + expiry);

  if (used === undefined) {
    const observed = ctx.t("observed.quotaLimitOnly", { limit: money(limit) }) + expiry;
    if (evidence) return ctx.problem("fail", "insufficient_quota", observed);
    return limit <= 0 ? ctx.problem("fail", "insufficient_quota", observed) : ctx.pass(observed);
  }
  const remaining = limit - used;
  const observed =
    ctx.t("observed.quota", {
      remaining: money(Math.max(0, remaining)),
      limit: money(limit),
      used: money(used),
    }) + expiry;
  if (remaining <= 0.005 || evidence) return ctx.problem("fail", "insufficient_quota", observed);
  if (remaining < 1)
    return ctx.problem("warn", "quota_low", observed, { remaining: money(remaining) });
  return ctx.pass(observed);
}

/**
 * The unbillable call: the generation endpoint with a body every upstream rejects at validation
 * (videos: no prompt and an integer `seconds`; chat: no messages, not streamed). A 400 proves the
 * request was routed to a channel and the key may use the model.
 */
export function apiCallRequest(ctx: RunContext): { url: string; body: string } {
  if (ctx.target.protocol === "chat") {
    return {
      url: `${ctx.probeBase}/chat/completions`,
      body: JSON.stringify({ model: ctx.model, stream: false, messages: [] }),
    };
  }
  if (ctx.target.protocol === "generations") {
    return {
      url: `${ctx.probeBase}/video/generations`,
      body: JSON.stringify({ model: ctx.model, duration: -1 }),
    };
  }
  return {
    url: `${ctx.probeBase}/videos`,
    body: JSON.stringify({ model: ctx.model, seconds: 4 }),
  };
}

const WARN_CODES = new Set<ErrorCode>(["rate_limited"]);

export async function checkApiCall(ctx: RunContext): Promise<Outcome> {
  const key = ctx.target.apiKey;
  if (!key || !ctx.probeBase) return ctx.skip(ctx.t("skip.noKey"), undefined, true);
  const { url, body } = apiCallRequest(ctx);
  let result: HttpResult;
  try {
    result = await probeHttp(url, {
      method: "POST",
      headers: { ...authHeaders(key), "content-type": "application/json" },
      body,
      timeoutMs: ctx.probeTimeout(),
      signal: ctx.signal,
    });
  } catch (error) {
    return thrownOutcome(ctx, url, error);
  }
  if (result.status >= 200 && result.status < 300) {
    return ctx.problem("warn", "call_accepted", answerText(ctx, "POST", url, result));
  }
  const error = classify(ctx, result, "create");
  const observed = answerText(ctx, "POST", url, result, error);
  if ((result.status === 400 || result.status === 422) && error.code === "bad_request") {
    return ctx.pass(ctx.t("observed.apiCallOk", { status: result.status, detail: observed }));
  }
  if (error.code === "protocol_error" && (result.status === 404 || result.status === 405)) {
    const other = ctx.target.protocol === "chat" ? "videos" : "chat";
    return ctx.problem("fail", "endpoint_not_found", observed, { other });
  }
  return ctx.problem(WARN_CODES.has(error.code) ? "warn" : "fail", error.code, observed);
}
