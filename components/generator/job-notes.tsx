"use client";

import { ArrowRightLeft, RotateCw } from "lucide-react";
import { useTranslations } from "next-intl";
import { formatDelaySeconds } from "@/lib/client/format";
import type { JobNote } from "@/lib/client/tracked-job";
import { cn } from "@/components/ui/cn";

const PENDING =
  "bg-amber-50 text-amber-900 ring-amber-200/70 dark:bg-amber-950/40 dark:text-amber-200 dark:ring-amber-900/60";
const PAST = "bg-zinc-50 text-muted ring-zinc-200/70 dark:bg-zinc-900/60 dark:ring-zinc-800";

/**
 * Retries and failovers, kept on the card after they happened. A retry is amber with its countdown
 * only while it is the job's latest news (`pendingSeq`); once the job moved on it turns neutral.
 */
export function JobNotes({ notes, pendingSeq }: { notes: JobNote[]; pendingSeq?: number }) {
  const t = useTranslations("generator.job");
  if (notes.length === 0) return null;
  return (
    <ul className="space-y-1.5 text-xs" aria-live="polite">
      {notes.map((note) =>
        note.kind === "retry" ? (
          <li
            key={`r${note.seq}`}
            data-pending={note.seq === pendingSeq ? "" : undefined}
            className={cn(
              "flex flex-wrap items-center gap-x-2 gap-y-0.5 rounded-md px-2.5 py-1.5 ring-1 ring-inset",
              note.seq === pendingSeq ? PENDING : PAST,
            )}
          >
            <RotateCw aria-hidden className="size-3.5 shrink-0" />
            <span className="font-medium">
              {note.seq === pendingSeq
                ? t("retryLine", {
                    attempt: note.attempt,
                    max: note.maxRetries,
                    seconds: formatDelaySeconds(note.delayMs),
                  })
                : t("retryDone", { attempt: note.attempt, max: note.maxRetries })}
            </span>
            <span className="font-mono text-[11px]">
              {note.code}
              {note.status ? ` · HTTP ${note.status}` : ""}
            </span>
            {note.message ? <span className="w-full truncate pl-5.5">{note.message}</span> : null}
          </li>
        ) : (
          <li
            key={`f${note.seq}`}
            className="flex flex-wrap items-center gap-2 rounded-md bg-sky-50 px-2.5 py-1.5 text-sky-900 ring-1 ring-sky-200/70 ring-inset dark:bg-sky-950/40 dark:text-sky-200 dark:ring-sky-900/60"
          >
            <ArrowRightLeft aria-hidden className="size-3.5 shrink-0" />
            <span className="font-medium">
              {t("failoverLine", { from: note.fromHost, to: note.toHost })}
            </span>
          </li>
        ),
      )}
    </ul>
  );
}
