import "server-only";
import { sora2Log } from "../log";
import { hostOf, normalizeBaseUrl } from "./base-url";
import { chatAttempt, type AttemptContext } from "./chat";
import { isCreateRetryable, UpstreamError } from "./classify";
import { resolveDeps, type UpstreamConfig, type UpstreamDeps } from "./deps";
import { upstreamState } from "./records";
import { isCallerAbort } from "./request";
import { retryDelayMs, sleep } from "./retry";
import { generationsAttempt } from "./generations";
import type { GenerationCallbacks, GenerationOutcome, GenerationRequest } from "./types";
import { videosAttempt, videosRemixAttempt } from "./videos";

/** Primary and fallback base URLs, normalised and de-duplicated, in configured order. */
export function configuredBaseUrls(
  config: Pick<UpstreamConfig, "baseUrl" | "fallbackBaseUrls">,
): string[] {
  const out: string[] = [];
  for (const raw of [config.baseUrl, ...config.fallbackBaseUrls]) {
    try {
      const url = normalizeBaseUrl(raw);
      if (!out.includes(url)) out.push(url);
    } catch {
      // config.ts already validates URLs; an unparsable one is simply skipped here.
    }
  }
  return out;
}

/** Base URLs in the order a new create tries them: the current one (last that worked) first. */
export function createOrder(
  config: Pick<UpstreamConfig, "baseUrl" | "fallbackBaseUrls">,
  prefer?: string,
): string[] {
  const all = configuredBaseUrls(config);
  // Only a configured base URL may be preferred: a request never chooses a free destination.
  if (prefer && all.includes(prefer)) return [prefer, ...all.filter((url) => url !== prefer)];
  const current = upstreamState().currentBaseUrl;
  const start = current ? all.indexOf(current) : -1;
  return start > 0 ? [...all.slice(start), ...all.slice(0, start)] : all;
}

/** The base URL new creates go to. */
export function currentBaseUrl(
  config?: Pick<UpstreamConfig, "baseUrl" | "fallbackBaseUrls">,
): string {
  const order = createOrder(config ?? resolveDeps().config);
  return order[0] ?? "";
}

async function attemptCreate(
  req: GenerationRequest,
  cb: GenerationCallbacks,
  ctx: AttemptContext,
): Promise<GenerationOutcome> {
  if (req.protocol === "chat") {
    const source = await chatAttempt(req, cb, ctx);
    return { protocol: "chat", baseUrl: ctx.baseUrl, source };
  }
  if (req.remix) {
    const upstreamId = await videosRemixAttempt(req, req.remix.upstreamId, cb, ctx);
    return { protocol: "videos", baseUrl: ctx.baseUrl, upstreamId };
  }
  if (req.protocol === "generations") {
    const upstreamId = await generationsAttempt(req, cb, ctx);
    return { protocol: "generations", baseUrl: ctx.baseUrl, upstreamId };
  }
  const upstreamId = await videosAttempt(req, cb, ctx);
  return { protocol: "videos", baseUrl: ctx.baseUrl, upstreamId };
}

/**
 * Submits one generation. A create is sent again only when the upstream provably did not accept
 * it (isCreateRetryable); after `maxRetries` such failures the next base URL is tried (failover).
 * Anything accepted or ambiguous ends the call: at most one accepted create, whatever fails.
 */
export async function createGeneration(
  req: GenerationRequest,
  cb: GenerationCallbacks,
  signal: AbortSignal,
  deps?: Partial<UpstreamDeps>,
): Promise<GenerationOutcome> {
  const resolved = resolveDeps(deps);
  const { config } = resolved;
  // A remix lives where its source video does; only a configured base URL ever gets the key.
  const order = req.remix
    ? configuredBaseUrls(config).filter((url) => url === req.remix?.baseUrl)
    : createOrder(config, req.preferBaseUrl);
  let attempts = 0;
  let lastError: UpstreamError | undefined;

  for (const [index, baseUrl] of order.entries()) {
    if (index > 0) {
      const fromHost = hostOf(order[index - 1] ?? "");
      const toHost = hostOf(baseUrl);
      sora2Log.warn("failover", { operation: "create", fromHost, toHost, code: lastError?.code });
      cb.onFailover({ fromHost, toHost });
    }
    for (let retry = 0; ; retry++) {
      if (signal.aborted) throw signal.reason;
      attempts++;
      cb.onAttempt?.({ attempt: attempts, host: hostOf(baseUrl) });
      const accepted = { value: false };
      try {
        const outcome = await attemptCreate(req, cb, {
          baseUrl,
          attempt: attempts,
          signal,
          deps: resolved,
          accepted,
        });
        upstreamState().currentBaseUrl = baseUrl;
        return outcome;
      } catch (error) {
        if (accepted.value) upstreamState().currentBaseUrl = baseUrl;
        if (isCallerAbort(signal, error)) throw signal.reason;
        if (!(error instanceof UpstreamError)) throw error;
        error.options.attempts = attempts;
        if (accepted.value || !isCreateRetryable(error)) throw error;
        lastError = error;
        if (retry >= config.maxRetries) break;
        const delayMs = retryDelayMs(retry + 1, config, resolved.random, error.retryAfterMs);
        cb.onRetry({ attempt: retry + 1, maxRetries: config.maxRetries, delayMs, error });
        sora2Log.warn("retry", {
          operation: "create",
          protocol: req.protocol,
          host: hostOf(baseUrl),
          attempt: retry + 1,
          maxRetries: config.maxRetries,
          status: error.options.status,
          upstreamRequestId: error.options.upstreamRequestId,
          delayMs,
          code: error.code,
        });
        await sleep(delayMs, signal);
      }
    }
  }
  throw (
    lastError ??
    new UpstreamError("internal_error", { upstreamMessage: "no upstream base URL is configured" })
  );
}
