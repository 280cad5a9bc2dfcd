"use client";

import { AlertTriangle, Ban, Download, Eye, Trash2 } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import dynamic from "next/dynamic";
import { useId, useState } from "react";
import type { Job } from "@/lib/contracts/job";
import { parseSize } from "@/lib/contracts/model-catalogue";
import { videoFileName } from "@/lib/media/video-file-name";
import { trackJob } from "@/lib/client/tracked-job";
import { useHydrated } from "@/hooks/use-hydrated";
import { useJobStream } from "@/hooks/use-job-stream";
import { Button, IconButton, buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Progress } from "@/components/ui/progress";
import { Spinner } from "@/components/ui/spinner";
import { StateBadge } from "@/components/generator/state-badge";

/** Loaded when first opened. */
const JobDialog = dynamic(() => import("./job-dialog").then((m) => m.JobDialog));

/**
 * The finished frame, whole: the element takes the video's own shape inside the box (full height
 * for portrait, full width for landscape), so nothing is cropped and nothing lies on top of it.
 */
function Thumbnail({ job }: { job: Job }) {
  const video = job.video;
  if (!video) return null;
  const frame = job.size ? parseSize(job.size) : null;
  const portrait = frame ? frame.height >= frame.width : false;
  const shape = cn(
    "block max-h-full max-w-full object-contain",
    portrait ? "h-full w-auto" : "h-auto w-full",
  );
  const style = frame ? { aspectRatio: `${frame.width} / ${frame.height}` } : undefined;
  return video.thumbnailUrl ? (
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={video.thumbnailUrl}
      alt=""
      loading="lazy"
      data-testid="history-thumbnail"
      className={shape}
      style={style}
    />
  ) : (
    <video
      src={`${video.url}#t=0.1`}
      preload="metadata"
      muted
      playsInline
      aria-hidden
      tabIndex={-1}
      data-testid="history-thumbnail"
      className={cn("pointer-events-none", shape)}
      style={style}
    />
  );
}

function LiveProgress({ job }: { job: Job }) {
  const t = useTranslations("generator");
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

/** The prompt as the card's title, cut to `lines` (the whole of it on hover). */
function PromptLine({ id, prompt, lines }: { id: string; prompt: string; lines: 1 | 2 }) {
  return (
    <p
      id={id}
      translate="no"
      className={cn(
        "text-sm font-medium break-words",
        lines === 1 ? "line-clamp-1" : "line-clamp-2",
      )}
      title={prompt}
    >
      {prompt}
    </p>
  );
}

/** Why a job ended without a video, in the reader's language, said quietly. */
function EndReason({ job }: { job: Job }) {
  const t = useTranslations("generator");
  const reason =
    job.state === "failed" ? (job.error?.message ?? t("state.failed")) : t("state.canceled");
  return (
    <p className="line-clamp-2 text-xs text-muted" data-testid="end-reason">
      {reason}
    </p>
  );
}

/**
 * One item of the history gallery; a running one stays live through the shared stream. Jobs that
 * ended without a video are compact rows with their reason; the rest show the frame whole.
 */
export function HistoryCard({ job: listed, onDelete }: { job: Job; onDelete: (job: Job) => void }) {
  const t = useTranslations("generator.history");
  const format = useFormatter();
  const hydrated = useHydrated();
  const promptId = useId();
  const { tracked } = useJobStream(listed.id, listed);
  const current = tracked ?? trackJob(listed);
  const job = current.job;
  const [open, setOpen] = useState(false);
  const ended = job.state === "failed" || job.state === "canceled";
  const time = format.dateTime(new Date(job.createdAt), {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });

  const actions = (
    <div className="flex items-center gap-1">
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
      <IconButton
        label={t("delete")}
        disabled={!hydrated}
        onClick={() => onDelete(job)}
        className="ml-auto hover:text-red-600 dark:hover:text-red-400"
      >
        <Trash2 aria-hidden />
      </IconButton>
    </div>
  );

  const meta = (
    <p
      data-testid="history-meta"
      className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted"
    >
      <StateBadge state={job.state} />
      <span className="font-mono">{job.model}</span>
      {job.seconds ? <span>{t("seconds", { seconds: job.seconds })}</span> : null}
      <span>{time}</span>
    </p>
  );

  return (
    <Card
      role="article"
      aria-labelledby={promptId}
      data-state={job.state}
      className="group flex flex-col overflow-hidden"
    >
      {ended ? (
        <div className="flex items-start gap-3 p-3">
          <span
            aria-hidden
            className="mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-md bg-subtle text-muted"
          >
            {job.state === "failed" ? (
              <AlertTriangle className="size-4" />
            ) : (
              <Ban className="size-4" />
            )}
          </span>
          <div className="min-w-0 flex-1 space-y-1">
            <PromptLine id={promptId} prompt={job.prompt} lines={1} />
            <EndReason job={job} />
            {meta}
            <div className="pt-1">{actions}</div>
          </div>
        </div>
      ) : (
        <>
          <button
            type="button"
            onClick={() => setOpen(true)}
            disabled={!hydrated}
            tabIndex={-1}
            aria-hidden
            data-testid="history-preview"
            className="relative flex aspect-video w-full items-center justify-center overflow-hidden bg-zinc-100 dark:bg-zinc-800/70"
          >
            {job.state === "completed" ? <Thumbnail job={job} /> : <LiveProgress job={job} />}
          </button>
          <div className="flex flex-1 flex-col gap-2 p-3">
            <PromptLine id={promptId} prompt={job.prompt} lines={2} />
            {meta}
            <div className="mt-auto pt-1">{actions}</div>
          </div>
        </>
      )}
      {open ? <JobDialog tracked={current} open={open} onClose={() => setOpen(false)} /> : null}
    </Card>
  );
}
