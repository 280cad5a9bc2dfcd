"use client";

import { useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import useSWR from "swr";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/spinner";
import { useJobDiagnosis } from "@/hooks/use-job-diagnosis";
import { fetchJob, fetchJobs } from "@/lib/client/api";
import type { DiagnosisAction } from "@/lib/contracts/diagnosis";
import type { Job } from "@/lib/contracts/job";

const RECENT_FAILED = 5;
const REFRESH_MS = 15_000;

/**
 * The latest failed jobs, each with its own diagnosis one click away (`/diagnostics?job=<id>` opens
 * that job's at once: the failure card's "Full diagnostics" link lands here).
 */
export function FailedJobs() {
  const t = useTranslations("diagnostics.failedJobs");
  const focus = useSearchParams().get("job");
  const recent = useSWR(
    "diagnostics-failed-jobs",
    () => fetchJobs(null, RECENT_FAILED, { state: ["failed"] }),
    { refreshInterval: REFRESH_MS, keepPreviousData: true },
  );
  const listed = recent.data?.jobs ?? [];
  const extra = useSWR(
    focus && recent.data && !listed.some((job) => job.id === focus) ? ["job", focus] : null,
    ([, id]) => fetchJob(id),
    { shouldRetryOnError: false },
  );
  if (recent.error && !recent.data) return <Alert tone="warning">{t("error")}</Alert>;
  if (!recent.data) return <p className="text-sm text-muted">…</p>;
  const jobs = extra.data?.state === "failed" ? [extra.data, ...listed] : listed;
  if (jobs.length === 0) return <p className="text-sm text-muted">{t("none")}</p>;
  return (
    <ul className="divide-y divide-line" data-testid="failed-jobs">
      {jobs.map((job) => (
        <FailedJob key={job.id} job={job} open={job.id === focus} />
      ))}
    </ul>
  );
}

function FailedJob({ job, open }: { job: Job; open: boolean }) {
  const t = useTranslations("diagnostics.failedJobs");
  const tCard = useTranslations("diagnosis.card");
  const [expanded, setExpanded] = useState(open);
  const { data, error, isLoading } = useJobDiagnosis(expanded ? job.id : null);
  return (
    <li className="py-3 first:pt-0 last:pb-0" data-job-id={job.id}>
      <details open={open} onToggle={(event) => setExpanded(event.currentTarget.open)}>
        <summary className="cursor-pointer text-sm">
          <span className="font-medium">{job.error?.message ?? t("failed")}</span>
          <span className="ml-2 font-mono text-xs text-muted">{job.model}</span>
          <span className="block truncate pl-4 text-xs text-muted">{job.prompt}</span>
        </summary>
        <div className="mt-2 space-y-1.5 pl-4 text-sm" aria-live="polite">
          {isLoading ? (
            <p role="status" className="flex items-center gap-2 text-muted">
              <Spinner />
              {tCard("diagnosing")}
            </p>
          ) : error || !data ? (
            <p className="text-muted">{tCard("unavailable")}</p>
          ) : (
            <>
              <p>
                <span className="font-medium">{tCard("rootCause")}: </span>
                <code translate="no" className="font-mono text-xs">
                  {data.rootCause.code}
                </code>{" "}
                — {data.rootCause.message}
              </p>
              {data.rootCause.hint ? <p className="text-soft">{data.rootCause.hint}</p> : null}
              {data.actions.length > 0 ? (
                <p className="text-soft">
                  {t("actions", {
                    actions: data.actions.map((a) => describe(a, tCard)).join(" · "),
                  })}
                </p>
              ) : null}
            </>
          )}
        </div>
      </details>
    </li>
  );
}

function describe(
  action: DiagnosisAction,
  t: ReturnType<typeof useTranslations<"diagnosis.card">>,
): string {
  switch (action.kind) {
    case "switch_model":
      return t("switchModel", { model: action.model });
    case "use_fallback":
      return t("useFallback", { host: action.host });
    case "wait":
      return t("wait", { minutes: action.minutes });
    case "fix_config":
      return t("fixConfig", { variable: action.variable });
  }
}
