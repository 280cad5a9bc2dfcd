"use client";

import { useTranslations } from "next-intl";
import { useApiErrorMessage } from "@/hooks/use-api-error-message";
import { useFormatDuration } from "@/hooks/use-format-duration";
import type { CheckId, DiagnosticCheck, DiagnosticsReport } from "@/lib/contracts/diagnostics";
import { cn } from "@/components/ui/cn";
import { Spinner } from "@/components/ui/spinner";
import { CheckStatusIcon } from "./check-status-icon";

const TONES = {
  pass: "border-emerald-200 bg-emerald-50 text-emerald-950 dark:border-emerald-900/70 dark:bg-emerald-950/40 dark:text-emerald-50",
  warn: "border-amber-200 bg-amber-50 text-amber-950 dark:border-amber-900/70 dark:bg-amber-950/40 dark:text-amber-50",
  fail: "border-red-200 bg-red-50 text-red-950 dark:border-red-900/70 dark:bg-red-950/40 dark:text-red-50",
  neutral: "border-line bg-white text-fg dark:bg-zinc-900/60",
} as const;

/** The verdict: the first problem to fix and the next steps, or progress while the run goes on. */
export function VerdictBanner({
  report,
  checks,
  running,
  error,
}: {
  report?: DiagnosticsReport;
  checks: Partial<Record<CheckId, DiagnosticCheck>>;
  running: boolean;
  /** Why the run stopped, if it did. */
  error?: unknown;
}) {
  const t = useTranslations("diagnostics");
  const describe = useApiErrorMessage();
  const failed = error !== undefined;
  const duration = useFormatDuration();
  const finished = Object.values(checks);
  const count = (status: DiagnosticCheck["status"]) =>
    finished.filter((c) => c.status === status).length;
  const verdict = report?.verdict;
  const tone = failed ? "fail" : verdict ? verdict.status : "neutral";
  const primary = verdict?.primaryCause;
  const primaryTitle = primary ? (checks[primary.checkId]?.title ?? primary.checkId) : undefined;

  return (
    <section
      aria-labelledby="diagnostics-verdict-heading"
      data-verdict={verdict?.status ?? (failed ? "error" : "running")}
      className={cn("rounded-xl border px-5 py-4", TONES[tone])}
    >
      <div aria-live="polite" className="flex items-start gap-3">
        {verdict ? (
          <CheckStatusIcon status={verdict.status} className="mt-0.5" />
        ) : running ? (
          <Spinner className="mt-1" />
        ) : null}
        <div className="min-w-0 flex-1">
          <h2 id="diagnostics-verdict-heading" className="text-sm font-medium opacity-80">
            {t("page.verdictHeading")}
          </h2>
          <p className="mt-0.5 text-lg font-semibold tracking-tight">
            {failed
              ? t("page.runError", { message: describe(error) })
              : verdict
                ? t(`verdict.${verdict.status}`)
                : t("page.running")}
          </p>
          {primary ? (
            <p className="mt-1 text-sm">
              <span className="font-medium">
                {t("page.primaryCause", { check: primaryTitle ?? "" })}
              </span>{" "}
              {primary.message}
            </p>
          ) : null}
          <p className="mt-1 text-xs opacity-75">
            {t("page.summary", {
              pass: count("pass"),
              warn: count("warn"),
              fail: count("fail"),
              skip: count("skip"),
            })}
            {report ? ` · ${t("page.finished", { time: duration(report.durationMs) })}` : null}
          </p>
        </div>
      </div>
      {verdict && verdict.nextSteps.length > 0 ? (
        <div className="mt-3 border-t border-current/10 pt-3">
          <h3 className="text-sm font-semibold">{t("page.nextSteps")}</h3>
          <ol className="mt-1 list-decimal space-y-1 pl-5 text-sm">
            {verdict.nextSteps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  );
}
