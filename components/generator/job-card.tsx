"use client";

import { CornerDownRight, ImageIcon, Shuffle, Timer, X } from "lucide-react";
import { useTranslations } from "next-intl";
import { useId } from "react";
import { isTerminalState } from "@/lib/contracts/job-state";
import type { Job } from "@/lib/contracts/job";
import { formatElapsed } from "@/lib/client/format";
import { jobPhase } from "@/lib/client/job-phase";
import { jobCardId, type TrackedJob } from "@/lib/client/tracked-job";
import { useJobStream } from "@/hooks/use-job-stream";
import { useNow } from "@/hooks/use-now";
import { Badge } from "@/components/ui/badge";
import { IconButton } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { CancelJobButton, JobCanceled } from "./job-cancel";
import { JobEta } from "./job-eta";
import { JobFailure } from "./job-failure";
import { JobNotes } from "./job-notes";
import { JobProgress } from "./job-progress";
import { RemixButton } from "./job-remix";
import { JobResult } from "./job-result";
import { ReuseSettingsButton } from "./reuse-settings";
import { StateBadge } from "./state-badge";

function ElapsedTime({ job }: { job: Job }) {
  const t = useTranslations("generator.job");
  const finished = isTerminalState(job.state);
  const now = useNow(!finished);
  const start = Date.parse(job.createdAt);
  const end = finished ? Date.parse(job.completedAt ?? job.updatedAt) : now;
  if (!end || Number.isNaN(start) || end < start) return null;
  const time = formatElapsed(end - start);
  return (
    <span className="inline-flex items-center gap-1 tabular-nums">
      <Timer aria-hidden className="size-3.5" />
      {finished ? t("took", { time }) : t("elapsed", { time })}
    </span>
  );
}

/** State, model, parameters, elapsed time and lineage of a job, on one wrapping line. */
export function JobMeta({ job, live = false }: { job: Job; live?: boolean }) {
  const t = useTranslations("generator");
  return (
    <div className="mt-1.5 flex flex-wrap items-center gap-x-2.5 gap-y-1 text-xs text-muted">
      <StateBadge state={job.state} phase={live ? jobPhase(job) : undefined} live={live} />
      <Badge className="font-mono">{job.model}</Badge>
      {job.seconds ? <span>{t("compose.durationValue", { seconds: job.seconds })}</span> : null}
      {job.size ? <span className="font-mono">{job.size.replace("x", "×")}</span> : null}
      {job.hasImage ? (
        <span className="inline-flex items-center gap-1">
          <ImageIcon aria-hidden className="size-3.5" />
          {t("compose.imageLabel")}
        </span>
      ) : null}
      <ElapsedTime job={job} />
      {job.attempts > 1 ? <span>{t("job.attempts", { count: job.attempts })}</span> : null}
      {job.retryOf ? (
        <span className="inline-flex items-center gap-1 font-mono">
          <CornerDownRight aria-hidden className="size-3.5" />
          {t("job.retryOf", { id: job.retryOf })}
        </span>
      ) : null}
      {job.remixOf ? (
        <span className="inline-flex items-center gap-1 font-mono" data-testid="remix-of">
          <Shuffle aria-hidden className="size-3.5" />
          {t("remix.remixOf", { id: job.remixOf })}
        </span>
      ) : null}
    </div>
  );
}

/** Progress while running, the retry/failover lines, then the video or the failure. */
export function JobBody({ tracked, autoLoad = true }: { tracked: TrackedJob; autoLoad?: boolean }) {
  const { job } = tracked;
  return (
    <div className="space-y-3">
      {isTerminalState(job.state) ? null : <JobProgress tracked={tracked} />}
      {isTerminalState(job.state) ? null : <JobEta job={job} />}
      {isTerminalState(job.state) ? null : <CancelJobButton job={job} />}
      <JobNotes
        notes={tracked.notes}
        pendingSeq={isTerminalState(job.state) ? undefined : tracked.lastSeq}
      />
      {job.state === "completed" ? <JobResult job={job} autoLoad={autoLoad} /> : null}
      {job.state === "completed" ? <RemixButton job={job} /> : null}
      {job.state === "failed" ? <JobFailure job={job} /> : null}
      {job.state === "canceled" ? <JobCanceled job={job} /> : null}
      <div className="-mb-1 flex justify-end">
        <ReuseSettingsButton job={job} />
      </div>
    </div>
  );
}

const ACCENT: Record<Job["state"], string> = {
  queued: "before:bg-zinc-300 dark:before:bg-zinc-700",
  submitting: "before:bg-sky-400",
  running: "before:bg-violet-500",
  completed: "before:bg-emerald-500",
  failed: "before:bg-red-500",
  canceled: "before:bg-zinc-300 dark:before:bg-zinc-700",
};

/** A job of the "current" panel. */
export function JobCard({ id, onDismiss }: { id: string; onDismiss: () => void }) {
  const t = useTranslations("generator.job");
  const promptId = useId();
  const { tracked, isLoading, gone } = useJobStream(id);

  if (!tracked) {
    return (
      <Card className="flex items-center gap-3 p-4">
        {isLoading ? (
          <div className="h-16 flex-1 animate-pulse rounded-md bg-subtle" />
        ) : (
          <p className="flex-1 text-sm text-muted">{gone ? t("gone") : t("loadFailed")}</p>
        )}
        <IconButton label={t("dismiss")} onClick={onDismiss}>
          <X aria-hidden />
        </IconButton>
      </Card>
    );
  }

  const { job } = tracked;
  return (
    <Card
      role="article"
      id={jobCardId(id)}
      tabIndex={-1}
      aria-labelledby={promptId}
      className={cn(
        // Scrolled to below the sticky header, never under it.
        "relative scroll-mt-20 overflow-hidden outline-none focus-visible:ring-2 focus-visible:ring-violet-500/60",
        "before:absolute before:inset-y-0 before:left-0 before:w-0.5",
        ACCENT[job.state],
      )}
    >
      <div className="flex items-start gap-3 px-4 pt-4 pb-3">
        <div className="min-w-0 flex-1">
          <p id={promptId} translate="no" className="line-clamp-3 text-sm font-medium break-words">
            {job.prompt}
          </p>
          <JobMeta job={job} live />
        </div>
        <IconButton label={t("dismiss")} onClick={onDismiss} className="-mt-1 -mr-1">
          <X aria-hidden />
        </IconButton>
      </div>
      <div className="px-4 pb-4">
        {gone ? <p className="mb-2 text-sm text-muted">{t("gone")}</p> : null}
        <JobBody tracked={tracked} />
      </div>
    </Card>
  );
}
