"use client";

import { Clock, Replace, Server, Stethoscope, Wrench } from "lucide-react";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { DiagnosisAction } from "@/lib/contracts/diagnosis";
import type { Job } from "@/lib/contracts/job";
import { describeModel } from "@/lib/contracts/model-catalogue";
import { sessionImage } from "@/lib/client/session-images";
import { useApiErrorMessage } from "@/hooks/use-api-error-message";
import { useHydrated } from "@/hooks/use-hydrated";
import { useJobDiagnosis } from "@/hooks/use-job-diagnosis";
import { useCreateJob } from "@/hooks/use-jobs";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { useGeneratorActions } from "./generator-actions";
import { RetryConfirmDialog } from "./retry-confirm-dialog";

type RetryAction = Extract<DiagnosisAction, { kind: "switch_model" | "use_fallback" }>;

/**
 * The failed job's own diagnosis (issue 14), inline on its failure card: the root cause in one
 * line, the probes' evidence behind a disclosure, and each way out a probe showed would work as a
 * button that names it. A new job is linked to this one (`retryOf`); for a job that may already
 * have been billed, it goes through the same confirmation as Retry.
 */
export function JobDiagnosis({ job, billed }: { job: Job; billed: boolean }) {
  const t = useTranslations("diagnosis.card");
  const tFailure = useTranslations("generator.failure");
  const hydrated = useHydrated();
  const { data, error, isLoading } = useJobDiagnosis(job.id);
  const create = useCreateJob();
  const describe = useApiErrorMessage();
  const actions = useGeneratorActions();
  const [pending, setPending] = useState<RetryAction | null>(null);
  const [needsImage, setNeedsImage] = useState(false);

  function run(action: RetryAction) {
    const image = sessionImage(job.id);
    if (job.hasImage && !image) {
      setNeedsImage(true);
      actions?.loadDraft(job);
      return;
    }
    const model = action.kind === "switch_model" ? action.model : job.model;
    const info = describeModel(model);
    create.mutate({
      prompt: job.prompt,
      model,
      seconds: job.seconds && info.durations.includes(job.seconds) ? job.seconds : undefined,
      size: job.size && info.sizes.includes(job.size) ? job.size : undefined,
      image,
      retryOf: job.id,
      replaces: job.id,
      fallbackHost: action.kind === "use_fallback" ? action.host : undefined,
    });
  }

  if (isLoading) {
    return (
      <p role="status" className="flex items-center gap-2 text-sm text-soft">
        <Spinner />
        {t("diagnosing")}
      </p>
    );
  }
  if (error || !data) {
    return (
      <p className="text-sm text-soft" data-testid="diagnosis-unavailable">
        {t("unavailable")}
      </p>
    );
  }

  const createError = create.error ? describe(create.error) : null;

  const confirmed = data.rootCause.code === job.error?.code;
  return (
    <div
      data-testid="job-diagnosis"
      className="space-y-2 rounded-md bg-white/70 p-2.5 text-sm ring-1 ring-red-100 dark:bg-zinc-950/40 dark:ring-red-950"
    >
      <p>
        <Stethoscope aria-hidden className="mr-1.5 inline size-4 align-[-2px]" />
        <span className="font-medium">{t("rootCause")}: </span>
        <code translate="no" className="font-mono text-xs" data-testid="diagnosis-code">
          {data.rootCause.code}
        </code>{" "}
        {/* The card above already says this cause in words: only a different cause is spelled out. */}
        — {confirmed ? t("confirmed") : data.rootCause.message}
      </p>
      {data.rootCause.hint && !confirmed ? (
        <p className="text-soft">{data.rootCause.hint}</p>
      ) : null}
      <details className="text-xs">
        <summary className="cursor-pointer text-muted hover:text-zinc-800 dark:hover:text-zinc-200">
          {t("evidence")} ({data.evidence.length})
        </summary>
        <ul className="mt-1 space-y-1">
          {data.evidence.map((item, index) => (
            <li key={`${item.checkId}-${index}`} className="break-all">
              <span className="font-mono">{item.checkId}</span> · {item.status} · {item.observed}
            </li>
          ))}
        </ul>
      </details>
      {needsImage ? <Alert tone="info">{tFailure("editRetryHint")}</Alert> : null}
      {createError ? (
        <Alert tone="danger">{t("actionFailed", { message: createError })}</Alert>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        {data.actions.map((action) => {
          switch (action.kind) {
            case "switch_model":
            case "use_fallback":
              return (
                <Button
                  key={`${action.kind}`}
                  size="sm"
                  disabled={!hydrated || create.isPending}
                  onClick={() => (billed ? setPending(action) : run(action))}
                >
                  {create.isPending ? (
                    <Spinner />
                  ) : action.kind === "switch_model" ? (
                    <Replace aria-hidden />
                  ) : (
                    <Server aria-hidden />
                  )}
                  {action.kind === "switch_model"
                    ? t("switchModel", { model: action.model })
                    : t("useFallback", { host: action.host })}
                </Button>
              );
            case "wait":
              return (
                <span
                  key="wait"
                  title={t("waitTitle", { reason: action.reason })}
                  className="inline-flex items-center gap-1.5 rounded-md bg-amber-100 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-100"
                >
                  <Clock aria-hidden className="size-3.5" />
                  {t("wait", { minutes: action.minutes })} — {action.reason}
                </span>
              );
            case "fix_config":
              // The server's settings are the administrator's business: folded like theirs above.
              return (
                <details key="fix" className="text-xs" data-testid="diagnosis-fix-config">
                  <summary className="cursor-pointer text-muted hover:text-zinc-800 dark:hover:text-zinc-200">
                    {tFailure("forAdmin")}
                  </summary>
                  <span className="mt-1 inline-flex items-start gap-1.5 rounded-md bg-zinc-100 px-2 py-1 text-fg dark:bg-zinc-900">
                    <Wrench aria-hidden className="mt-0.5 size-3.5 shrink-0" />
                    <span>
                      <strong translate="no">
                        {t("fixConfig", { variable: action.variable })}
                      </strong>
                      {" — "}
                      {action.step}
                    </span>
                  </span>
                </details>
              );
          }
        })}
        <Link
          href={`/diagnostics?job=${encodeURIComponent(job.id)}`}
          className="text-xs text-muted underline hover:text-zinc-900 dark:hover:text-zinc-100"
        >
          {t("dashboard")}
        </Link>
      </div>
      {billed ? (
        <RetryConfirmDialog
          open={pending !== null}
          checkable={Boolean(job.upstreamId)}
          onConfirm={() => {
            if (pending) run(pending);
          }}
          onClose={() => setPending(null)}
        />
      ) : null}
    </div>
  );
}
