"use client";

import { WifiOff } from "lucide-react";
import { useTranslations } from "next-intl";
import type { TrackedJob } from "@/lib/client/tracked-job";
import { Progress } from "@/components/ui/progress";
import { Spinner } from "@/components/ui/spinner";

/** State, percent, the upstream's own progress text and the connection status of a running job. */
export function JobProgress({ tracked }: { tracked: TrackedJob }) {
  const t = useTranslations("generator");
  const { job } = tracked;
  const started = job.progress > 0 || job.state === "running";
  const upstreamText = job.progressMessage?.trim();
  const message = upstreamText || (started ? t("state.running") : t("job.waiting"));
  return (
    <div className="space-y-2">
      <div className="flex items-baseline justify-between gap-3 text-xs">
        <span
          className="min-w-0 truncate text-zinc-600 dark:text-zinc-400"
          title={message}
          // The upstream's own words (e.g. "进度 45%") are shown as they came.
          translate={upstreamText ? "no" : undefined}
        >
          {message}
        </span>
        <span className="font-mono text-sm font-semibold tabular-nums">{job.progress}%</span>
      </div>
      <Progress
        value={started ? job.progress : null}
        label={t("job.progressLabel")}
        valueText={`${job.progress}%`}
      />
      {tracked.follow === "polling" ? (
        <p className="text-xs text-zinc-500 dark:text-zinc-400">{t("job.polling")}</p>
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
