"use client";

import { WifiOff } from "lucide-react";
import { useTranslations } from "next-intl";
import { announcedProgress, jobPhase, relayDetail } from "@/lib/client/job-phase";
import type { TrackedJob } from "@/lib/client/tracked-job";
import { Progress } from "@/components/ui/progress";
import { Spinner } from "@/components/ui/spinner";

/**
 * A running job: the phase in our own words (the same word as the badge), the percent once real
 * progress arrived (an indeterminate bar until then), the relay's own text only as a secondary
 * detail, and the connection status. Screen readers hear the phase from the card's badge and the
 * progress from a polite region in coarse steps only; the percent and the bar are not live.
 */
export function JobProgress({ tracked }: { tracked: TrackedJob }) {
  const t = useTranslations("generator");
  const { job } = tracked;
  const phase = jobPhase(job);
  const measured = job.progress > 0;
  const detail = relayDetail(job.progressMessage);
  const step = announcedProgress(job.progress);
  return (
    <div className="space-y-2">
      <div className="flex items-baseline justify-between gap-3 text-xs">
        <span className="min-w-0 truncate text-soft" data-testid="job-phase">
          {t(`phase.${phase}`)}
        </span>
        {measured ? (
          <span className="font-mono text-sm font-semibold tabular-nums">{job.progress}%</span>
        ) : null}
      </div>
      <Progress
        value={measured ? job.progress : null}
        label={t("job.progressLabel")}
        valueText={measured ? `${job.progress}%` : t(`phase.${phase}`)}
      />
      <p className="sr-only" role="status">
        {step > 0 ? t("job.progressStep", { percent: step }) : null}
      </p>
      {detail ? (
        <p className="truncate text-xs text-muted" title={detail} data-testid="relay-detail">
          {t.rich("job.relaySays", {
            text: () => <span translate="no">{detail}</span>,
          })}
        </p>
      ) : null}
      {tracked.follow === "polling" ? (
        <p className="text-xs text-muted">{t("job.polling")}</p>
      ) : null}
      {tracked.follow === "reconnecting" ? (
        <p
          className="flex items-center gap-1.5 text-xs text-amber-700 dark:text-amber-400"
          role="status"
        >
          <WifiOff aria-hidden className="size-3.5" />
          {t("job.reconnecting")}
          <Spinner className="size-3" />
        </p>
      ) : null}
    </div>
  );
}
