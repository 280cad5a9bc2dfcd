"use client";

import { CircleStop } from "lucide-react";
import { useTranslations } from "next-intl";
import type { Job } from "@/lib/contracts/job";
import { useApiErrorMessage } from "@/hooks/use-api-error-message";
import { useHydrated } from "@/hooks/use-hydrated";
import { useCancelJob } from "@/hooks/use-jobs";
import { Alert } from "@/components/ui/alert";
import { PendingButton } from "@/components/ui/button";

/** "Cancel" on a running job: the server stops following it and asks the relay to stop it. */
export function CancelJobButton({ job }: { job: Job }) {
  const t = useTranslations("generator.cancel");
  const hydrated = useHydrated();
  const cancel = useCancelJob();
  const describe = useApiErrorMessage();
  const message = cancel.error ? describe(cancel.error) : undefined;
  return (
    <div className="space-y-2">
      <PendingButton
        size="sm"
        variant="outline"
        onClick={() => cancel.mutate(job.id)}
        disabled={!hydrated}
        pending={cancel.isPending}
        icon={<CircleStop aria-hidden />}
        pendingLabel={t("pending")}
      >
        {t("action")}
      </PendingButton>
      {message ? <Alert tone="danger">{t("failed", { message })}</Alert> : null}
    </div>
  );
}

/** A canceled job: stopped here, what the relay said, and honestly whether it may still bill. */
export function JobCanceled({ job }: { job: Job }) {
  const t = useTranslations("generator");
  const cancellation = job.cancellation;
  if (!cancellation) return <p className="text-sm text-muted">{t("job.canceled")}</p>;
  const { upstream, mayStillBill } = cancellation;
  return (
    <Alert tone={mayStillBill ? "warning" : "neutral"} role="status" data-testid="job-canceled">
      <p className="font-medium">{t("cancel.stopped")}</p>
      {upstream.outcome === "not_sent" && !mayStillBill ? null : (
        <p className="mt-1">
          {t(`cancel.upstream.${upstream.outcome}`, { status: upstream.status ?? "—" })}
        </p>
      )}
      <p className="mt-1">{mayStillBill ? t("cancel.mayStillBill") : t("cancel.notBilled")}</p>
    </Alert>
  );
}
