import "server-only";
import { describeModel } from "@/lib/contracts/models";
import { AppError } from "../errors";
import { checkDestination, systemLookup } from "../upstream/destination";
import { createGeneration } from "../upstream/generation";
import { followVideoJob, videoPath } from "../upstream/videos";
import { checkApiCall, checkAuth } from "./checks-api";
import { checkBaseUrlFormat } from "./checks-local";
import { checkDns, checkTcp, checkTls } from "./checks-network";
import { DEFAULT_GENERATE_TIMEOUT_MS, type Outcome, type RunContext } from "./context";
import { bodyKind, describeError, probeHttp } from "./probes";

interface FallbackStep {
  title: string;
  outcome: Outcome;
}

async function fallbackEssentials(ctx: RunContext): Promise<FallbackStep[]> {
  const steps: FallbackStep[] = [];
  const run = async (
    id: Parameters<RunContext["title"]>[0],
    fn: () => Promise<Outcome> | Outcome,
  ) => {
    const outcome = await fn();
    steps.push({ title: ctx.title(id), outcome });
    return outcome.status !== "fail" && !(outcome.status === "skip" && outcome.blocking);
  };
  if (!(await run("baseUrl.format", () => checkBaseUrlFormat(ctx))) && !ctx.probeUrl) return steps;
  if (!(await run("network.dns", () => checkDns(ctx, ctx.probeUrl)))) return steps;
  if (!(await run("network.tcp", () => checkTcp(ctx, ctx.probeUrl)))) return steps;
  if (!(await run("network.tls", () => checkTls(ctx, ctx.probeUrl)))) return steps;
  if (!ctx.target.apiKey) return steps;
  if (!(await run("auth", () => checkAuth(ctx)))) return steps;
  await run("api.call", () => checkApiCall(ctx));
  return steps;
}

/** DESIGN §6 #12: the essentials (URL, DNS, TCP, TLS, key, routed call) for every fallback. */
export async function checkFallbacks(ctx: RunContext): Promise<Outcome> {
  const urls = ctx.target.fallbackBaseUrls;
  if (urls.length === 0) return ctx.skip(ctx.t("skip.noFallbacks"));
  const results = await Promise.all(
    urls.map(async (url) => ({ url, steps: await fallbackEssentials(ctx.forBaseUrl(url)) })),
  );
  const lines: string[] = [];
  const problems: { url: string; step: FallbackStep }[] = [];
  let worst: "pass" | "warn" | "fail" = "pass";
  for (const { url, steps } of results) {
    const bad =
      steps.find((s) => s.outcome.status === "fail") ??
      steps.find((s) => s.outcome.status === "warn");
    if (!bad) {
      lines.push(ctx.t("observed.fallbackOk", { url }));
      continue;
    }
    problems.push({ url, step: bad });
    if (bad.outcome.status === "fail") worst = "fail";
    else if (worst === "pass") worst = "warn";
    lines.push(
      ctx.t("observed.fallbackProblem", { url, check: bad.title, code: bad.outcome.code ?? "?" }),
    );
  }
  const observed = lines.join(" · ");
  if (worst === "pass") return ctx.pass(observed);
  const broken = problems.map((p) => p.url).join(ctx.t("list"));
  const cause = problems
    .map(
      ({ url, step }) => `${url} — ${step.title}: ${step.outcome.cause ?? step.outcome.code ?? ""}`,
    )
    .join(" · ");
  return ctx.problem(worst, "fallback_failed", observed, { urls: broken }, { cause });
}

const GENERATE_PROMPT = "A calm ocean wave rolling onto a beach at sunset, static camera";

/** DESIGN §6 #13: one short real generation through the app's own adapters (costs money). */
export async function checkGenerate(ctx: RunContext): Promise<Outcome> {
  const key = ctx.target.apiKey;
  const base = ctx.probeBase;
  if (!key || !base) return ctx.skip(ctx.t("skip.noKey"), undefined, true);
  const model = ctx.model;
  const info = describeModel(model);
  const protocol = ctx.target.protocol;
  const timeoutMs = ctx.options.generateTimeoutMs ?? DEFAULT_GENERATE_TIMEOUT_MS;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  const deps = {
    config: {
      apiKey: key,
      baseUrl: base,
      fallbackBaseUrls: [],
      apiStyle: protocol,
      maxRetries: 0,
      retryBaseDelayMs: 0,
      retryJitterMs: 0,
      retryMaxDelayMs: 1000,
      requestTimeoutMs: ctx.target.requestTimeoutMs ?? 60_000,
      streamIdleTimeoutMs: ctx.target.streamIdleTimeoutMs ?? 180_000,
      pollIntervalMs: ctx.target.pollIntervalMs ?? 2_000,
      allowedMediaHosts: ctx.target.allowedMediaHosts ?? [],
      maxVideoBytes: Number.MAX_SAFE_INTEGER,
    },
  };
  // Relay-provided links get the app's destination check before this probe fetches them.
  const checkLink = (url: string) =>
    checkDestination(url, { config: deps.config, baseUrl: base, lookup: systemLookup });
  let lastProgress = 0;
  let upstreamId: string | undefined;
  const callbacks = {
    onRetry: () => undefined,
    onFailover: () => undefined,
    onAccepted: (accepted: { upstreamId?: string }) => {
      upstreamId = accepted.upstreamId ?? upstreamId;
    },
    onProgress: (progress: { percent: number }) => {
      lastProgress = progress.percent;
    },
  };
  const started = Date.now();
  try {
    const outcome = await createGeneration(
      {
        prompt: GENERATE_PROMPT,
        model,
        protocol,
        seconds: protocol !== "chat" ? info.durations[0] : undefined,
        size: protocol !== "chat" ? info.sizes[0] : undefined,
      },
      callbacks,
      signal,
      deps,
    );
    const source =
      outcome.protocol === "chat"
        ? outcome.source
        : await followVideoJob(outcome.baseUrl, outcome.upstreamId, callbacks, signal, deps, {
            protocol: outcome.protocol,
          });
    const contentUrl = source.upstreamId
      ? videoPath(source.baseUrl, source.upstreamId, "/content")
      : source.url;
    if (!contentUrl) {
      return ctx.problem("fail", "protocol_error", ctx.t("observed.generateNoUrl"));
    }
    if (!source.upstreamId) await checkLink(contentUrl);
    // The key goes only to the upstream's own content endpoint, never to a third-party CDN link.
    let content = await probeHttp(contentUrl, {
      headers: {
        range: "bytes=0-1023",
        ...(source.upstreamId ? { authorization: `Bearer ${key}` } : {}),
      },
      timeoutMs: 30_000,
      signal,
      maxBytes: 2048,
    });
    if (bodyKind(content) === "json") {
      const json = JSON.parse(content.body) as { url?: unknown; video_url?: unknown };
      const link =
        typeof json.url === "string"
          ? json.url
          : typeof json.video_url === "string"
            ? json.video_url
            : undefined;
      if (link) {
        await checkLink(link);
        content = await probeHttp(link, {
          headers: { range: "bytes=0-1023" },
          timeoutMs: 30_000,
          signal,
          maxBytes: 2048,
        });
      }
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    const type = content.headers.get("content-type") ?? "?";
    const observed = ctx.t("observed.generate", {
      model,
      seconds,
      status: content.status,
      type,
      job: upstreamId ? ctx.t("observed.generateJob", { id: upstreamId }) : "",
    });
    if (content.status !== 200 && content.status !== 206) {
      return ctx.problem("fail", "generation_failed", observed);
    }
    return ctx.pass(observed);
  } catch (error) {
    const seconds = Math.round((Date.now() - started) / 1000);
    const observed = ctx.t("observed.generateFailed", {
      seconds,
      progress: lastProgress,
      detail: describeError(error).message.slice(0, 200),
    });
    if (signal.aborted && !ctx.signal.aborted) {
      return ctx.problem("fail", "timeout", observed);
    }
    return ctx.problem(
      "fail",
      AppError.isInstance(error) ? error.code : "generation_failed",
      observed,
    );
  }
}
