"use client";

import { RotateCcw } from "lucide-react";
import { useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";

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
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("confirmRetryTitle")}
      description={
        <>
          {t("confirmRetryBody")}
          {checkable ? ` ${t("confirmRetryCheckFirst")}` : null}
        </>
      }
      className="w-[min(30rem,calc(100vw-2rem))]"
    >
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
    </Dialog>
  );
}
