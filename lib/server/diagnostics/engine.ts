import "server-only";
import {
  CHECK_IDS,
  type CheckId,
  type DiagnosticCheck,
  type DiagnosticsReport,
  type EffectiveConfig,
  type Verdict,
} from "@/lib/contracts/diagnostics";
import { maskKey, registerSecret, scrubDeep, scrubSecrets } from "../redact";
import { checkApiCall, checkAuth, checkModels, checkQuota } from "./checks-api";
import { checkFallbacks, checkGenerate } from "./checks-extra";
import { checkBaseUrlFormat, checkKeyFormat, checkKeyPresent } from "./checks-local";
import { checkArchive, checkStore } from "./checks-shared";
import { checkDns, checkHttpReachable, checkTcp, checkTls } from "./checks-network";
import {
  RunContext,
  type DiagnosticsOptions,
  type DiagnosticsTarget,
  type Outcome,
} from "./context";

interface CheckSpec {
  id: CheckId;
  /** A fail (or a blocking skip) of one of these makes this check a skip: the root cause is there. */
  blockers: CheckId[];
  /** Only wait for these (they fill the shared context). */
  after?: CheckId[];
  /** Not bounded by the run's deadline (the opt-in real generation). */
  unbounded?: boolean;
  /** A reason to skip that goes before any blocker (the generation was not asked for). */
  precheck?(ctx: RunContext): Outcome | null;
  run(ctx: RunContext): Promise<Outcome> | Outcome;
}

const SPECS: CheckSpec[] = [
  { id: "key.present", blockers: [], run: checkKeyPresent },
  { id: "key.format", blockers: [], after: ["key.present"], run: checkKeyFormat },
  { id: "baseUrl.format", blockers: [], run: checkBaseUrlFormat },
  {
    id: "network.dns",
    blockers: [],
    after: ["baseUrl.format"],
    run: (ctx) => checkDns(ctx, ctx.probeUrl),
  },
  { id: "network.tcp", blockers: ["network.dns"], run: (ctx) => checkTcp(ctx, ctx.probeUrl) },
  { id: "network.tls", blockers: ["network.tcp"], run: (ctx) => checkTls(ctx, ctx.probeUrl) },
  {
    id: "http.reachable",
    blockers: ["network.tls"],
    run: (ctx) => checkHttpReachable(ctx, ctx.probeBase),
  },
  { id: "auth", blockers: ["key.present", "key.format", "http.reachable"], run: checkAuth },
  { id: "models", blockers: ["auth"], run: checkModels },
  { id: "quota", blockers: ["auth"], run: checkQuota },
  { id: "api.call", blockers: ["auth"], run: checkApiCall },
  { id: "fallbacks", blockers: [], after: ["key.format"], run: checkFallbacks },
  { id: "store", blockers: [], run: checkStore },
  { id: "archive", blockers: [], run: checkArchive },
  {
    id: "generate",
    blockers: ["api.call"],
    unbounded: true,
    precheck: (ctx) => (ctx.options.generate ? null : ctx.skip(ctx.t("skip.generateNotRequested"))),
    run: checkGenerate,
  },
];

function orderOf(id: CheckId): number {
  return CHECK_IDS.indexOf(id);
}

/**
 * Runs every check of DESIGN §6 against `target`: independent probes concurrently, dependent ones
 * as soon as what they need has finished, each with its own timeout inside the run's bound.
 */
export async function runDiagnostics(
  target: DiagnosticsTarget,
  options: DiagnosticsOptions & { config?: EffectiveConfig; version?: string },
): Promise<DiagnosticsReport> {
  // The target may carry a key the server never configured (the CLI's --key-env): every probe
  // answer that echoes it must be scrubbed like the configured one.
  registerSecret(target.apiKey);
  registerSecret(target.rawApiKey);
  const ctx = new RunContext(target, options);
  const results = new Map<CheckId, DiagnosticCheck>();
  const blockingSkips = new Set<CheckId>();
  /** The failed check behind each blocking skip, so a chain of skips still names the root cause. */
  const rootFailure = new Map<CheckId, string>();
  const running = new Map<CheckId, Promise<DiagnosticCheck>>();

  const execute = async (spec: CheckSpec): Promise<DiagnosticCheck> => {
    await Promise.all([...spec.blockers, ...(spec.after ?? [])].map((id) => running.get(id)));
    const started = performance.now();
    const blocker = spec.blockers
      .map((id) => results.get(id))
      .find((r) => r && (r.status === "fail" || blockingSkips.has(r.id)));
    let outcome: Outcome;
    const early = spec.precheck?.(ctx);
    if (early) {
      outcome = early;
    } else if (blocker) {
      const root = rootFailure.get(blocker.id) ?? blocker.title;
      rootFailure.set(spec.id, root);
      outcome = ctx.skip(ctx.t("skip.blocked", { check: root }), undefined, true);
    } else if (!spec.unbounded && ctx.remainingMs() <= 0) {
      outcome = ctx.skip(
        ctx.t("skip.deadline", { ms: options.timeoutMs ?? 15_000 }),
        undefined,
        true,
      );
    } else if (ctx.signal.aborted) {
      outcome = ctx.skip(ctx.t("skip.cancelled"), undefined, true);
    } else {
      try {
        outcome = await spec.run(ctx);
      } catch (error) {
        outcome = ctx.problem(
          "fail",
          "internal_error",
          error instanceof Error ? error.message : String(error),
        );
      }
    }
    if (outcome.status === "skip" && outcome.blocking) blockingSkips.add(spec.id);
    const check: DiagnosticCheck = {
      id: spec.id,
      title: ctx.title(spec.id),
      status: outcome.status,
      durationMs: Math.max(0, Math.round(performance.now() - started)),
      observed: scrubSecrets(outcome.observed),
      code: outcome.code,
      cause: outcome.cause === undefined ? undefined : scrubSecrets(outcome.cause),
      hint: outcome.hint === undefined ? undefined : scrubSecrets(outcome.hint),
    };
    results.set(spec.id, check);
    options.onCheck?.(check);
    return check;
  };

  for (const spec of SPECS) running.set(spec.id, execute(spec));
  const checks = (await Promise.all(running.values())).sort(
    (a, b) => orderOf(a.id) - orderOf(b.id),
  );

  return scrubDeep({
    version: options.version ?? "0.0.0",
    startedAt: new Date(ctx.startedAt).toISOString(),
    durationMs: Math.max(0, Date.now() - ctx.startedAt),
    locale: options.locale,
    target: {
      baseUrl: ctx.probeBase ?? target.baseUrl,
      keyMasked: maskKey(target.apiKey),
      fallbackBaseUrls: target.fallbackBaseUrls,
      model: ctx.model,
      protocol: target.protocol,
    },
    config: options.config,
    checks,
    verdict: buildVerdict(checks, ctx),
  });
}

const MAX_STEPS = 5;

/** The first root cause in check order, and what to do, most important first. */
export function buildVerdict(checks: DiagnosticCheck[], ctx: RunContext): Verdict {
  const failing = checks.filter((c) => c.status === "fail");
  const warning = checks.filter((c) => c.status === "warn");
  const status = failing.length > 0 ? "fail" : warning.length > 0 ? "warn" : "pass";
  const primary = failing[0] ?? warning[0];
  const steps: string[] = [];
  const addStep = (step: string | undefined) => {
    if (step && !steps.includes(step) && steps.length < MAX_STEPS) steps.push(step);
  };
  for (const check of [...failing, ...warning]) addStep(check.hint);
  if (status === "fail") {
    addStep(ctx.t("steps.rerun"));
  } else {
    addStep(ctx.t(status === "warn" ? "steps.worksWithWarnings" : "steps.ready"));
    if (!ctx.options.generate) addStep(ctx.t("steps.generate"));
  }
  return {
    status,
    primaryCause:
      primary && primary.code
        ? { checkId: primary.id, code: primary.code, message: primary.cause ?? primary.observed }
        : undefined,
    nextSteps: steps,
  };
}
