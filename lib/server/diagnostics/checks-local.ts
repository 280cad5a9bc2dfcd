import "server-only";
import { maskKey } from "../redact";
import { analyzeBaseUrl } from "./base-url-format";
import type { Outcome, RunContext } from "./context";
import { analyzeKey } from "./key-format";

export function checkKeyPresent(ctx: RunContext): Outcome {
  const { apiKey } = ctx.target;
  if (!apiKey) {
    return ctx.problem("fail", "key_missing", ctx.t("observed.keyMissing", ctx.values()));
  }
  return ctx.pass(ctx.t("observed.keyPresent", ctx.values({ masked: maskKey(apiKey) })));
}

export function checkKeyFormat(ctx: RunContext): Outcome {
  const raw = ctx.target.rawApiKey ?? ctx.target.apiKey;
  if (!raw || !ctx.target.apiKey) return ctx.skip(ctx.t("skip.noKey"), undefined, true);
  const analysis = analyzeKey(raw);
  const length = analysis.cleanedLength;
  const first = analysis.findings[0];
  if (!first) return ctx.pass(ctx.t("observed.keyFormatOk", { length }));
  const issues = analysis.findings.map((f) => ctx.t(`keyIssues.${f.code}`)).join(ctx.t("list"));
  const observed = ctx.t("observed.keyFormatIssues", { length, issues });
  const outcome = ctx.problem(first.severity, first.code, observed, { length });
  const others = analysis.findings.slice(1);
  if (others.length > 0) {
    const extra = others.map((f) => ctx.t(`causes.${f.code}.cause`, ctx.values({ length })));
    outcome.cause = [outcome.cause, ...extra].join(" ");
  }
  return outcome;
}

export function checkBaseUrlFormat(ctx: RunContext): Outcome {
  const raw = ctx.target.baseUrl;
  const analysis = analyzeBaseUrl(raw);
  if (analysis.probeBase) {
    ctx.probeBase = analysis.probeBase;
    ctx.probeUrl = new URL(analysis.probeBase);
  }
  const first = analysis.findings[0];
  if (!first) {
    return ctx.pass(ctx.t("observed.baseUrlOk", { url: analysis.appBase ?? raw }));
  }
  const observed = analysis.probeBase
    ? ctx.t("observed.baseUrlProbing", { raw, url: analysis.probeBase })
    : ctx.t("observed.baseUrlRaw", { raw });
  const suggestion = analysis.suggestion ?? "https://api.example.com";
  const outcome = ctx.problem(first.severity, first.code, observed, { suggestion, raw });
  const others = analysis.findings.slice(1);
  if (others.length > 0) {
    const extra = others.map((f) =>
      ctx.t(`causes.${f.code}.cause`, ctx.values({ suggestion, raw })),
    );
    outcome.cause = [outcome.cause, ...extra].join(" ");
  }
  return outcome;
}
