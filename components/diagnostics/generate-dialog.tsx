"use client";

import { useTranslations } from "next-intl";

import { Button } from "@/components/ui/button";
import { useModalDialog } from "@/hooks/use-modal-dialog";

/** Confirms the one diagnostic that costs money (in demo mode the simulator answers: nothing to pay). */
export function GenerateDialog({
  open,
  model,
  baseUrl,
  demo,
  onConfirm,
  onClose,
}: {
  open: boolean;
  model: string;
  baseUrl: string;
  demo: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const t = useTranslations("diagnostics.page");
  const ref = useModalDialog(open);
  return (
    <dialog
      ref={ref}
      aria-labelledby="diagnostics-generate-title"
      aria-describedby="diagnostics-generate-body"
      onClose={onClose}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl border border-line bg-surface p-0 text-fg shadow-xl backdrop:bg-zinc-950/50"
    >
      <div className="space-y-3 p-5">
        <h2 id="diagnostics-generate-title" className="text-base font-semibold">
          {t(demo ? "generateTitleDemo" : "generateTitle")}
        </h2>
        <p id="diagnostics-generate-body" className="text-sm text-soft">
          {demo ? t("generateBodyDemo", { model }) : t("generateBody", { model, baseUrl })}
        </p>
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="outline" onClick={onClose}>
            {t("generateCancel")}
          </Button>
          <Button variant={demo ? "primary" : "danger"} onClick={onConfirm}>
            {t(demo ? "generateConfirmDemo" : "generateConfirm")}
          </Button>
        </div>
      </div>
    </dialog>
  );
}
