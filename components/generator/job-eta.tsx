"use client";

import { Hourglass, TriangleAlert } from "lucide-react";
import { useTranslations } from "next-intl";
import { estimateJob } from "@/lib/contracts/eta-estimate";
import type { Job } from "@/lib/contracts/job";
import { minutesRange } from "@/lib/client/eta";
import { formatElapsed } from "@/lib/client/format";
import { useApiErrorMessage } from "@/hooks/use-api-error-message";
import { useRecheckJob } from "@/hooks/use-jobs";
import { useNow } from "@/hooks/use-now";
import { useTiming } from "@/hooks/use-timing";
import { Alert } from "@/components/ui/alert";
import { RecheckButton } from "./recheck-button";

/**
 * A running job's honest outlook, from how long this model's finished jobs took on this server:
 * "about N–M min left" (only with enough of them), "longer than usual" past the usual time, and —
 * after no progress for well past it — stalled, with "Check again" instead of a spinner forever.
 */
export function JobEta({ job }: { job: Job }) {
  const t = useTranslations("generator.eta");
  const now = useNow();
  const { data: timing } = useTiming();
  if (!timing || now === 0) return null;
  const eta = estimateJob(job, timing.models[job.model], now, {
    stallFloorMs: timing.stallFloorMs,
    minSamples: timing.minSamples,
  });
  if (!eta) return null;
  if (eta.stalled) return <JobStalled job={job} quietMs={now - Date.parse(job.updatedAt)} />;
  if (!eta.timing || !eta.remainingMs) return null;
  const title = t("basis", {
    samples: eta.timing.samples,
    p50: minutesRange(eta.timing.p50Ms, eta.timing.p50Ms),
    p90: minutesRange(eta.timing.p90Ms, eta.timing.p90Ms),
  });
  return (
    <p className="flex items-center gap-1.5 text-xs text-soft" title={title} data-testid="job-eta">
      <Hourglass aria-hidden className="size-3.5" />
      {eta.overdue
        ? t("overdue", { range: minutesRange(eta.timing.p50Ms, eta.timing.p90Ms) })
        : t("left", { range: minutesRange(eta.remainingMs.min, eta.remainingMs.max) })}
      <span className="sr-only">{title}</span>
    </p>
  );
}

function JobStalled({ job, quietMs }: { job: Job; quietMs: number }) {
  const t = useTranslations("generator.eta");
  const recheck = useRecheckJob();
  const describe = useApiErrorMessage();
  const message = recheck.error ? describe(recheck.error) : undefined;
  // Live cards learn the upstream id only from snapshots: a running task job has one.
  const checkable = Boolean(job.upstreamId) || (job.state === "running" && job.protocol !== "chat");
  const unchanged =
    recheck.isSuccess && recheck.data.state === job.state && recheck.data.progress === job.progress;
  return (
    <Alert tone="warning" data-testid="job-stalled" className="space-y-2">
      {/* The title's clock ticks every second: only the words below are a live region. */}
      <p className="flex items-center gap-1.5 font-medium">
        <TriangleAlert aria-hidden className="size-4 shrink-0" />
        {t("stalledTitle", { time: formatElapsed(quietMs) })}
      </p>
      <p role="status">{checkable ? t("stalledBody") : t("stalledBodyNoCheck")}</p>
      {checkable ? (
        <RecheckButton jobId={job.id} recheck={recheck} texts="generator.eta" variant="outline" />
      ) : null}
      <div role="status" className="space-y-2 empty:hidden">
        {unchanged && !recheck.isPending ? <p>{t("unchanged")}</p> : null}
        {message ? <p>{t("checkFailed", { message })}</p> : null}
      </div>
    </Alert>
  );
}
