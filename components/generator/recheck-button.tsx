"use client";

import { RefreshCw } from "lucide-react";
import { useTranslations } from "next-intl";
import type { useRecheckJob } from "@/hooks/use-jobs";
import { useHydrated } from "@/hooks/use-hydrated";
import { PendingButton, type ButtonVariant } from "@/components/ui/button";

/**
 * "Check again": asks the relay about the job once more (`POST /api/videos/:id/recheck`). The card
 * owns `recheck`, so it can say what the answer was; `texts` is the card's own wording.
 */
export function RecheckButton({
  jobId,
  recheck,
  texts,
  variant,
}: {
  jobId: string;
  recheck: ReturnType<typeof useRecheckJob>;
  texts: "generator.eta" | "generator.failure";
  variant?: ButtonVariant;
}) {
  const t = useTranslations(texts);
  const hydrated = useHydrated();
  return (
    <PendingButton
      size="sm"
      variant={variant}
      onClick={() => recheck.mutate(jobId)}
      disabled={!hydrated}
      pending={recheck.isPending}
      icon={<RefreshCw aria-hidden />}
      pendingLabel={t("checking")}
    >
      {t("checkAgain")}
    </PendingButton>
  );
}
