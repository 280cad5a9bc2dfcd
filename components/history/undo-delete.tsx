"use client";

import { Undo2, X } from "lucide-react";
import { useTranslations } from "next-intl";
import { useEffect, useRef } from "react";
import type { Job } from "@/lib/contracts/job";
import { excerpt, stripDirectives } from "@/lib/client/format";
import { Button, IconButton } from "@/components/ui/button";

/** How long "Undo" is offered; the server keeps the job restorable for as long (DELETE ?undo=1). */
export const UNDO_WINDOW_MS = 10_000;

export interface PendingDelete {
  job: Job;
  /** The delete request failed: say so instead of offering undo. */
  failed?: string;
}

/**
 * "Deleted … Undo" notes, bottom of the screen, one per deleted job, each gone after the undo
 * window. The newest takes the focus its card's delete button had (that button no longer exists).
 */
export function UndoDeletes({
  pending,
  onUndo,
  onDismiss,
}: {
  pending: readonly PendingDelete[];
  onUndo: (job: Job) => void;
  onDismiss: (id: string) => void;
}) {
  return (
    <div className="pointer-events-none fixed inset-x-0 bottom-4 z-40 flex flex-col items-center gap-2 px-3">
      {pending.map((item, index) => (
        <UndoNote
          key={item.job.id}
          item={item}
          newest={index === pending.length - 1}
          onUndo={onUndo}
          onDismiss={onDismiss}
        />
      ))}
    </div>
  );
}

function UndoNote({
  item,
  newest,
  onUndo,
  onDismiss,
}: {
  item: PendingDelete;
  newest: boolean;
  onUndo: (job: Job) => void;
  onDismiss: (id: string) => void;
}) {
  const t = useTranslations("generator.history");
  const undoRef = useRef<HTMLButtonElement>(null);
  const { job, failed } = item;

  useEffect(() => {
    const timer = setTimeout(() => onDismiss(job.id), UNDO_WINDOW_MS);
    return () => clearTimeout(timer);
  }, [job.id, onDismiss]);

  useEffect(() => {
    if (newest && !failed && document.activeElement === document.body) undoRef.current?.focus();
  }, [newest, failed]);

  return (
    <div
      role="status"
      className="pointer-events-auto flex w-full max-w-md items-center gap-3 rounded-lg border border-line bg-surface py-2 pr-2 pl-4 text-sm shadow-lg"
    >
      <p className="min-w-0 flex-1">
        {failed ? (
          <span className="text-red-700 dark:text-red-400">
            {t("deleteFailed", { message: failed })}
          </span>
        ) : (
          <>
            <span className="block truncate">
              {t("deleted", { prompt: excerpt(stripDirectives(job.prompt), 40) })}
            </span>
            <span className="block text-xs text-muted">
              {t("undoHint", { seconds: UNDO_WINDOW_MS / 1000 })}
            </span>
          </>
        )}
      </p>
      {failed ? null : (
        <Button ref={undoRef} variant="outline" size="sm" onClick={() => onUndo(job)}>
          <Undo2 aria-hidden />
          {t("undo")}
        </Button>
      )}
      <IconButton label={t("dismiss")} onClick={() => onDismiss(job.id)}>
        <X aria-hidden />
      </IconButton>
    </div>
  );
}
