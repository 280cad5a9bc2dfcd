"use client";

import {
  AlertTriangle,
  Check,
  ClipboardCopy,
  RotateCcw,
  Stethoscope,
  Wallet,
  XCircle,
} from "lucide-react";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { ERROR_SPECS } from "@/lib/contracts/error-codes";
import type { Job } from "@/lib/contracts/job";
import { formatErrorDetails, type ErrorDetailLabels } from "@/lib/client/error-details";
import { sessionImage } from "@/lib/client/session-images";
import { useApiErrorMessage } from "@/hooks/use-api-error-message";
import { useCopy } from "@/hooks/use-copy";
import { useHydrated } from "@/hooks/use-hydrated";
import { useCreateJob, useRecheckJob } from "@/hooks/use-jobs";
import { Alert } from "@/components/ui/alert";
import { Button, ExternalLinkButton, PendingButton, buttonClasses } from "@/components/ui/button";
import { useGeneratorActions } from "./generator-actions";
import { JobDiagnosis } from "./job-diagnosis";
import { RecheckButton } from "./recheck-button";
import { RetryConfirmDialog } from "./retry-confirm-dialog";

const LABEL_KEYS = [
  "header",
  "time",
  "jobId",
  "model",
  "code",
  "message",
  "hint",
  "status",
  "requestId",
  "upstreamRequestId",
  "upstreamHost",
  "attempts",
  "upstreamMessage",
  "retryOf",
  "prompt",
  "page",
] as const satisfies readonly (keyof ErrorDetailLabels)[];

/** Whether a retry may pay twice: decided by what the job reached, not by its error code. */
export function mayHaveBeenBilled(job: Job): boolean {
  return job.mayBeBilled ?? Boolean(job.upstreamId);
}

/**
 * A failed job: what happened (server-localized title), the next step in plain words (with the
 * relay console when the fix is there), the operator's steps and ids folded "for the administrator",
 * and the ways out. When the upstream may already have the (paid) video,
 * "Check again" leads and "Retry" asks first; otherwise retry, copy details, diagnostics.
 */
export function JobFailure({ job }: { job: Job }) {
  const t = useTranslations("generator.failure");
  const tCauses = useTranslations("generator.causes");
  const hydrated = useHydrated();
  const { copy, status: copyStatus } = useCopy();
  const create = useCreateJob();
  const recheck = useRecheckJob();
  const describe = useApiErrorMessage();
  const [confirming, setConfirming] = useState(false);
  const actions = useGeneratorActions();
  const [needsImage, setNeedsImage] = useState(false);
  const headingId = useId();
  const error = job.error;
  const code = error?.code ?? "generation_failed";
  const billed = mayHaveBeenBilled(job);
  // Only a job the upstream knows by id can be asked about again.
  const checkable = billed && Boolean(job.upstreamId);
  // When trying again cannot help (key, quota, channel), fixing the setup is the main way out.
  const retryFirst = !checkable && (billed || (error?.retryable ?? ERROR_SPECS[code].retryable));
  const diagnosticsFirst = !checkable && !retryFirst;
  // Money: the relay's own words about the balance are shown, not folded away.
  const quota = code === "insufficient_quota";
  const relayVisible = quota && Boolean(error?.upstreamMessage);
  // Retrying before a top-up fails the same way: Retry appears once the user says they topped up.
  const [toppedUp, setToppedUp] = useState(false);
  const offerRetry = !quota || toppedUp;

  function copyDetails() {
    const labels = {} as ErrorDetailLabels;
    for (const key of LABEL_KEYS) labels[key] = t(`labels.${key}`);
    void copy(formatErrorDetails(job, labels, { pageUrl: window.location.origin }));
  }

  function retry() {
    const image = sessionImage(job.id);
    if (job.hasImage && !image) {
      setNeedsImage(true);
      actions?.loadDraft(job);
      return;
    }
    // A failed remix is retried as a remix of the same source.
    create.mutate(
      job.remixOf
        ? { prompt: job.prompt, remixOf: job.remixOf, retryOf: job.id, replaces: job.id }
        : {
            prompt: job.prompt,
            model: job.model,
            seconds: job.seconds,
            size: job.size,
            image,
            retryOf: job.id,
            replaces: job.id,
          },
    );
  }

  const retryError = create.error ? describe(create.error) : null;
  const recheckError = recheck.error ? describe(recheck.error) : null;
  // The answer is applied to the job: a revived job leaves this card, a still failed one stays.
  const stillFailed = recheck.isSuccess && recheck.data.state === "failed";

  const diagnosticsLink = (
    <Link
      href="/diagnostics"
      className={buttonClasses({ variant: diagnosticsFirst ? "primary" : "ghost", size: "sm" })}
    >
      <Stethoscope aria-hidden />
      {t("diagnostics")}
    </Link>
  );

  const details: [string, string | number | undefined][] = [
    [t("labels.code"), code],
    [t("labels.status"), error?.status],
    [t("labels.requestId"), error?.requestId || undefined],
    [t("labels.upstreamRequestId"), error?.upstreamRequestId],
    [t("labels.upstreamHost"), job.upstreamHost],
    [t("labels.attempts"), error?.attempts ?? job.attempts],
  ];

  return (
    <>
      <section
        role="alert"
        aria-labelledby={headingId}
        className="space-y-3 rounded-lg border border-red-200 bg-red-50/60 p-3.5 dark:border-red-900/60 dark:bg-red-950/25"
      >
        <div className="flex items-start gap-2.5">
          <XCircle aria-hidden className="mt-0.5 size-5 shrink-0 text-red-600 dark:text-red-400" />
          <div className="min-w-0">
            <p className="text-xs font-medium tracking-wide text-red-700 uppercase dark:text-red-400">
              {t("title")}
            </p>
            <h3 id={headingId} className="text-sm font-semibold text-red-950 dark:text-red-50">
              {error?.message ?? tCauses(code)}
            </h3>
          </div>
        </div>

        {billed ? (
          <Alert tone="warning" className="flex items-start gap-2">
            <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0" />
            <p>{checkable ? t("mayBeBilled") : t("mayBeBilledNoId")}</p>
          </Alert>
        ) : null}

        <div className="space-y-2 text-sm text-fg">
          <p data-testid="failure-hint">{error?.hint ?? tCauses(code)}</p>
          {error?.consoleUrl ? (
            <ExternalLinkButton href={error.consoleUrl} variant="outline">
              {t("openConsole")}
            </ExternalLinkButton>
          ) : null}
          {relayVisible ? (
            <p className="text-xs text-muted">
              {t("relaySaid")}:{" "}
              <span translate="no" className="font-mono break-all">
                {error?.upstreamMessage}
              </span>
            </p>
          ) : null}
        </div>

        <JobDiagnosis job={job} billed={billed} />

        <details
          data-testid="failure-admin"
          className="rounded-md bg-white/70 p-2.5 text-xs ring-1 ring-red-100 dark:bg-zinc-950/40 dark:ring-red-950"
        >
          <summary className="cursor-pointer font-medium text-muted hover:text-zinc-900 dark:hover:text-zinc-100">
            {t("forAdmin")}
          </summary>
          <div className="mt-2 space-y-2">
            {error?.admin ? <p className="text-sm text-fg">{error.admin}</p> : null}
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
              {details
                .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
                .map(([label, value]) => (
                  <div key={label} className="contents">
                    <dt className="text-muted">{label}</dt>
                    <dd className="min-w-0 font-mono break-all text-fg">{value}</dd>
                  </div>
                ))}
            </dl>
            {error?.upstreamMessage && !relayVisible ? (
              <div>
                <p className="text-muted">{t("labels.upstreamMessage")}</p>
                <pre
                  translate="no"
                  className="mt-1 max-h-40 overflow-auto rounded bg-zinc-100 p-2 font-mono text-[11px] whitespace-pre-wrap break-all dark:bg-zinc-900"
                >
                  {error.upstreamMessage}
                </pre>
              </div>
            ) : null}
          </div>
        </details>

        {needsImage ? <Alert tone="info">{t("editRetryHint")}</Alert> : null}
        {quota && toppedUp ? (
          <Alert tone="info" role="status">
            {t("toppedUpHint")}
          </Alert>
        ) : null}
        {retryError ? (
          <Alert tone="danger">{t("retryFailed", { message: retryError })}</Alert>
        ) : null}
        {recheckError ? (
          <Alert tone="danger">{t("recheckFailed", { message: recheckError })}</Alert>
        ) : null}
        {stillFailed ? (
          <Alert tone="info" role="status">
            {t("recheckStillFailed")}
          </Alert>
        ) : null}

        <div className="flex flex-wrap items-center gap-2">
          {diagnosticsFirst ? diagnosticsLink : null}
          {checkable ? (
            <RecheckButton jobId={job.id} recheck={recheck} texts="generator.failure" />
          ) : null}
          {offerRetry ? (
            <PendingButton
              size="sm"
              variant={retryFirst || toppedUp ? "primary" : "outline"}
              onClick={billed ? () => setConfirming(true) : retry}
              disabled={!hydrated}
              pending={create.isPending}
              icon={<RotateCcw aria-hidden />}
              pendingLabel={t("retrying")}
            >
              {job.hasImage && hydrated && !sessionImage(job.id) ? t("editRetry") : t("retry")}
            </PendingButton>
          ) : (
            <Button
              size="sm"
              variant="outline"
              onClick={() => setToppedUp(true)}
              disabled={!hydrated}
            >
              <Wallet aria-hidden />
              {t("toppedUp")}
            </Button>
          )}
          <Button size="sm" variant="outline" onClick={copyDetails} disabled={!hydrated}>
            {copyStatus === "copied" ? <Check aria-hidden /> : <ClipboardCopy aria-hidden />}
            {copyStatus === "copied"
              ? t("copied")
              : copyStatus === "failed"
                ? t("copyFailed")
                : t("copyDetails")}
          </Button>
          {diagnosticsFirst ? null : diagnosticsLink}
        </div>
      </section>
      {billed ? (
        <RetryConfirmDialog
          open={confirming}
          checkable={checkable}
          onConfirm={retry}
          onClose={() => setConfirming(false)}
        />
      ) : null}
    </>
  );
}
