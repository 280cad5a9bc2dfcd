"use client";

import { Repeat2 } from "lucide-react";
import { useTranslations } from "next-intl";
import type { Job } from "@/lib/contracts/job";
import { useHydrated } from "@/hooks/use-hydrated";
import { Button } from "@/components/ui/button";
import { useGeneratorActions } from "./generator-actions";

/**
 * "Use these settings again": the job's prompt, model, duration, frame (and its image while this
 * page holds it) go into the form. Inside the history dialog, the dialog closes so the form is seen.
 */
export function ReuseSettingsButton({ job }: { job: Job }) {
  const t = useTranslations("generator.job");
  const actions = useGeneratorActions();
  const hydrated = useHydrated();
  if (!actions) return null;
  return (
    <Button
      variant="ghost"
      size="sm"
      disabled={!hydrated}
      onClick={(event) => {
        event.currentTarget.closest("dialog")?.close();
        actions.loadDraft(job);
      }}
    >
      <Repeat2 aria-hidden />
      {t("reuse")}
    </Button>
  );
}
