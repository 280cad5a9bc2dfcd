"use client";

import { useTranslations } from "next-intl";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";

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
  return (
    <Dialog
      open={open}
      onClose={onClose}
      id="diagnostics-generate"
      title={t(demo ? "generateTitleDemo" : "generateTitle")}
      description={demo ? t("generateBodyDemo", { model }) : t("generateBody", { model, baseUrl })}
      className="w-[min(32rem,calc(100vw-2rem))]"
    >
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="outline" onClick={onClose}>
          {t("generateCancel")}
        </Button>
        <Button variant={demo ? "primary" : "danger"} onClick={onConfirm}>
          {t(demo ? "generateConfirmDemo" : "generateConfirm")}
        </Button>
      </div>
    </Dialog>
  );
}
