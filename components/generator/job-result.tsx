"use client";

import { Archive, Check, Download, Link2 } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import type { Job } from "@/lib/contracts/job";
import { parseSize } from "@/lib/contracts/model-catalogue";
import { excerpt, formatBytes } from "@/lib/client/format";
import { videoFileName } from "@/lib/media/video-file-name";
import { useCopy } from "@/hooks/use-copy";
import { useLinksNeedLogin } from "@/components/link-access";
import { Button, ExternalLinkButton, buttonClasses } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { JobCostNote } from "./job-cost-note";

/** The finished video: player, download with a sensible name, copy link. */
export function JobResult({ job, autoLoad = true }: { job: Job; autoLoad?: boolean }) {
  const t = useTranslations("generator.result");
  const tCompose = useTranslations("generator.compose");
  const format = useFormatter();
  const { copy, status } = useCopy();
  const needsLogin = useLinksNeedLogin();
  const [loginNote, setLoginNote] = useState(false);
  const video = job.video;
  if (!video) return null;
  const frame = job.size ? parseSize(job.size) : null;
  const portrait = frame ? frame.height > frame.width : false;
  const fileName = videoFileName(job.prompt, job.createdAt);
  const meta = [
    job.model,
    job.size?.replace("x", "×"),
    job.seconds ? tCompose("durationValue", { seconds: job.seconds }) : null,
    video.bytes ? formatBytes(video.bytes) : null,
  ]
    .filter(Boolean)
    .join(" · ");
  return (
    <div className="space-y-3">
      <div className="flex justify-center rounded-lg bg-zinc-100 p-2 dark:bg-zinc-950/60">
        <video
          controls
          playsInline
          preload={autoLoad ? "auto" : "metadata"}
          poster={video.thumbnailUrl}
          src={video.url}
          aria-label={t("videoLabel", { prompt: excerpt(job.prompt, 60) })}
          className={cn(
            "block rounded-md bg-black shadow-sm",
            // Portrait clips get a fixed height instead of a full-width black box.
            portrait ? "h-[26rem] max-h-[70vh] w-auto max-w-full" : "h-auto w-full",
          )}
          style={frame ? { aspectRatio: `${frame.width} / ${frame.height}` } : undefined}
        />
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <a
          href={video.url}
          download={fileName}
          className={buttonClasses({ variant: "primary", size: "sm" })}
        >
          <Download aria-hidden />
          {t("download")}
        </a>
        <Button
          variant="outline"
          size="sm"
          title={needsLogin ? t("copyLinkLoginHint") : undefined}
          onClick={() =>
            void copy(new URL(video.url, window.location.href).toString()).then((ok) =>
              setLoginNote(ok && needsLogin),
            )
          }
        >
          {status === "copied" ? <Check aria-hidden /> : <Link2 aria-hidden />}
          {status === "copied" ? t("linkCopied") : t("copyLink")}
        </Button>
        <ExternalLinkButton href={video.url} variant="ghost" keepReferrer>
          {t("open")}
        </ExternalLinkButton>
      </div>
      {/* A copied link is only useful to others who can sign in: say so where the copy happened. */}
      <p role="status" className="text-xs text-soft empty:hidden">
        {loginNote ? t("linkCopiedLogin") : null}
      </p>
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted">
        <span className="font-mono">{meta}</span>
        <JobCostNote cost={job.cost} />
        {video.archived ? (
          <span className="inline-flex items-center gap-1">
            <Archive aria-hidden className="size-3.5" />
            {t("archived")}
          </span>
        ) : video.expiresAt ? (
          <span className="text-amber-700 dark:text-amber-400">
            {t("expires", {
              time: format.dateTime(new Date(video.expiresAt), {
                dateStyle: "medium",
                timeStyle: "short",
              }),
            })}
          </span>
        ) : null}
      </p>
    </div>
  );
}
