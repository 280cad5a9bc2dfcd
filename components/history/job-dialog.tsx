"use client";

import { X } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import { useId } from "react";
import type { TrackedJob } from "@/lib/client/tracked-job";
import { IconButton } from "@/components/ui/button";
import { JobBody, JobMeta } from "@/components/generator/job-card";
import { useModalDialog } from "@/hooks/use-modal-dialog";

/** Full details of a history item in a native modal dialog (focus trap and Escape for free). */
export function JobDialog({
  tracked,
  open,
  onClose,
}: {
  tracked: TrackedJob;
  open: boolean;
  onClose: () => void;
}) {
  const t = useTranslations("generator.history");
  const format = useFormatter();
  const ref = useModalDialog(open);
  const titleId = useId();
  const { job } = tracked;

  return (
    <dialog
      ref={ref}
      onClose={(event) => {
        // Only its own `close`: React also delivers those of dialogs opened inside it.
        if (event.target === event.currentTarget) onClose();
      }}
      aria-labelledby={titleId}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[min(44rem,calc(100vw-1.5rem))] overflow-y-auto rounded-xl border border-line bg-surface p-0 text-fg shadow-2xl backdrop:bg-zinc-950/60 backdrop:backdrop-blur-sm"
    >
      {open ? (
        <div className="space-y-4 p-5">
          <div className="flex items-start gap-3">
            <div className="min-w-0 flex-1">
              <h2 id={titleId} className="text-base font-semibold tracking-tight">
                {t("dialogTitle")}
              </h2>
              <p translate="no" className="mt-1 text-sm break-words whitespace-pre-wrap text-soft">
                {job.prompt}
              </p>
              <JobMeta job={job} />
            </div>
            <IconButton label={t("close")} onClick={onClose}>
              <X aria-hidden />
            </IconButton>
          </div>
          <JobBody tracked={tracked} autoLoad={false} />
          <p className="flex flex-wrap gap-x-3 gap-y-1 border-t border-zinc-100 pt-3 text-xs text-muted dark:border-zinc-800">
            <span>
              {t("jobId")}: <span className="font-mono">{job.id}</span>
            </span>
            <span>
              {t("createdAt", {
                time: format.dateTime(new Date(job.createdAt), {
                  dateStyle: "medium",
                  timeStyle: "short",
                }),
              })}
            </span>
          </p>
        </div>
      ) : null}
    </dialog>
  );
}
