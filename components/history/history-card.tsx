"use client";

import { AlertTriangle, Ban, Download, Eye, Trash2 } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import { useId, useState } from "react";
import type { Job } from "@/lib/contracts/job";
import { ApiRequestError } from "@/lib/client/api";
import { videoFileName } from "@/lib/contracts/video-file-name";
import { trackJob } from "@/lib/client/tracked-job";
import { useHydrated } from "@/hooks/use-hydrated";
import { useJobStream } from "@/hooks/use-job-stream";
import { useDeleteJob } from "@/hooks/use-jobs";
import { Badge } from "@/components/ui/badge";
import { Button, IconButton, buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { Spinner } from "@/components/ui/spinner";
import { StateBadge } from "@/components/generator/state-badge";
import { JobDialog } from "./job-dialog";

function Preview({ job }: { job: Job }) {
  const t = useTranslations("generator");
  if (job.state === "completed" && job.video) {
    return job.video.thumbnailUrl ? (
      // eslint-disable-next-line @next/next/no-img-element
      <img src={job.video.thumbnailUrl} alt="" loading="lazy" className="size-full object-cover" />
    ) : (
      <video
        src={`${job.video.url}#t=0.1`}
        preload="metadata"
        muted
        playsInline
        aria-hidden
        tabIndex={-1}
        className="pointer-events-none size-full object-cover"
      />
    );
  }
  if (job.state === "failed") {
    return (
      <div className="flex size-full flex-col items-center justify-center gap-1.5 bg-red-50 text-red-600 dark:bg-red-950/30 dark:text-red-400">
        <AlertTriangle aria-hidden className="size-6" />
        <span className="font-mono text-xs">{job.error?.code ?? "failed"}</span>
      </div>
    );
  }
  if (job.state === "canceled") {
    return (
      <div className="flex size-full items-center justify-center text-zinc-400">
        <Ban aria-hidden className="size-6" />
      </div>
    );
  }
  return (
    <div className="flex size-full flex-col items-center justify-center gap-2 bg-gradient-to-br from-violet-50 to-zinc-50 px-6 dark:from-violet-950/40 dark:to-zinc-900">
      <Spinner className="size-5 text-violet-600 dark:text-violet-400" />
      <span className="font-mono text-sm font-semibold tabular-nums">{job.progress}%</span>
      <Progress
        value={job.progress}
        label={t("job.progressLabel")}
        valueText={`${job.progress}%`}
        className="max-w-40"
      />
    </div>
  );
}

/** One item of the history gallery; a running one stays live through the shared stream. */
export function HistoryCard({ job: listed }: { job: Job }) {
  const t = useTranslations("generator.history");
  const format = useFormatter();
  const hydrated = useHydrated();
  const promptId = useId();
  const { tracked } = useJobStream(listed.id, listed);
  const current = tracked ?? trackJob(listed);
  const job = current.job;
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteJob();
  const deleteError =
    remove.error instanceof ApiRequestError && remove.error.error
      ? remove.error.error.message
      : remove.error?.message;

  return (
    <Card role="article" aria-labelledby={promptId} className="group flex flex-col overflow-hidden">
      <button
        type="button"
        onClick={() => setOpen(true)}
        disabled={!hydrated}
        tabIndex={-1}
        aria-hidden
        className="relative aspect-video w-full overflow-hidden bg-zinc-100 dark:bg-zinc-800/70"
      >
        <Preview job={job} />
        <StateBadge state={job.state} className="absolute top-2 left-2 shadow-sm" />
        {job.state === "completed" && job.seconds ? (
          <Badge tone="overlay" className="absolute right-2 bottom-2">
            {t("seconds", { seconds: job.seconds })}
          </Badge>
        ) : null}
      </button>
      <div className="flex flex-1 flex-col gap-2 p-3">
        <p
          id={promptId}
          translate="no"
          className="line-clamp-2 text-sm font-medium break-words"
          title={job.prompt}
        >
          {job.prompt}
        </p>
        <p className="flex flex-wrap gap-x-2 text-xs text-zinc-500 dark:text-zinc-400">
          <span className="font-mono">{job.model}</span>
          <span>
            {format.dateTime(new Date(job.createdAt), {
              month: "short",
              day: "numeric",
              hour: "2-digit",
              minute: "2-digit",
            })}
          </span>
        </p>
        {deleteError ? (
          <p role="alert" className="text-xs text-red-600 dark:text-red-400">
            {t("deleteFailed", { message: deleteError })}
          </p>
        ) : null}
        <div className="mt-auto flex items-center gap-1 pt-1">
          <Button variant="outline" size="sm" onClick={() => setOpen(true)} disabled={!hydrated}>
            <Eye aria-hidden />
            {t("open")}
          </Button>
          {job.state === "completed" && job.video ? (
            <a
              href={job.video.url}
              download={videoFileName(job.prompt, job.createdAt)}
              aria-label={t("download")}
              title={t("download")}
              className={buttonClasses({ variant: "ghost", size: "icon-sm" })}
            >
              <Download aria-hidden />
            </a>
          ) : null}
          <div className="ml-auto flex items-center gap-1">
            {confirming ? (
              <>
                <Button
                  variant="danger"
                  size="sm"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(job.id, { onSettled: () => setConfirming(false) })}
                >
                  {remove.isPending ? <Spinner /> : <Trash2 aria-hidden />}
                  {remove.isPending ? t("deleting") : t("confirmDelete")}
                </Button>
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => setConfirming(false)}
                  disabled={remove.isPending}
                >
                  {t("cancelDelete")}
                </Button>
              </>
            ) : (
              <IconButton
                label={t("delete")}
                disabled={!hydrated}
                onClick={() => setConfirming(true)}
                className="hover:text-red-600 dark:hover:text-red-400"
              >
                <Trash2 aria-hidden />
              </IconButton>
            )}
          </div>
        </div>
      </div>
      {open ? <JobDialog tracked={current} open={open} onClose={() => setOpen(false)} /> : null}
    </Card>
  );
}
