"use client";

import { RotateCcw } from "lucide-react";
import { useTranslations } from "next-intl";
import { useId } from "react";
import { Button } from "@/components/ui/button";
import { useModalDialog } from "@/hooks/use-modal-dialog";

/**
 * Asks before a retry that may pay twice. A native modal dialog: focus moves in (to Cancel, the
 * safe choice, first in order), Escape cancels, and focus returns to the Retry button on close.
 */
export function RetryConfirmDialog({
  open,
  checkable,
  onConfirm,
  onClose,
}: {
  open: boolean;
  /** The job can be asked about again ("Check again" is on the card). */
  checkable: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const t = useTranslations("generator.failure");
  const ref = useModalDialog(open);
  const titleId = useId();
  const bodyId = useId();
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onClose={(event) => {
        // React passes `close` up its tree: a details dialog around this one must not close too.
        event.stopPropagation();
        onClose();
      }}
      className="m-auto w-[min(30rem,calc(100vw-2rem))] rounded-xl border border-line bg-surface p-0 text-fg shadow-xl backdrop:bg-zinc-950/50"
    >
      {open ? (
        <div className="space-y-3 p-5">
          <h2 id={titleId} className="text-base font-semibold">
            {t("confirmRetryTitle")}
          </h2>
          <p id={bodyId} className="text-sm text-soft">
            {t("confirmRetryBody")}
            {checkable ? ` ${t("confirmRetryCheckFirst")}` : null}
          </p>
          <div className="flex flex-wrap justify-end gap-2 pt-2">
            <Button variant="outline" onClick={onClose}>
              {t("confirmCancel")}
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                onClose();
                onConfirm();
              }}
            >
              <RotateCcw aria-hidden />
              {t("confirmRetry")}
            </Button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
