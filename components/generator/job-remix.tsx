"use client";

import { Shuffle } from "lucide-react";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { PROMPT_MAX_CHARS } from "@/lib/contracts/limits";
import type { Job } from "@/lib/contracts/job";
import { canRemix } from "@/lib/client/remix";
import { useApiErrorMessage } from "@/hooks/use-api-error-message";
import { useHydrated } from "@/hooks/use-hydrated";
import { useCreateJob } from "@/hooks/use-jobs";
import { useModels } from "@/hooks/use-models";
import { Alert } from "@/components/ui/alert";
import { Button, PendingButton } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/textarea";

/**
 * "Remix" on a finished video whose model supports it: a small prompt editor prefilled with the
 * source prompt; the remix is a new job (linked to this one) shown under the current jobs. Absent,
 * not broken, for models that cannot remix.
 */
export function RemixButton({ job }: { job: Job }) {
  const t = useTranslations("generator.remix");
  const hydrated = useHydrated();
  const { data: models } = useModels();
  const [open, setOpen] = useState(false);
  const [started, setStarted] = useState(false);
  if (!canRemix(job, models?.models)) return null;
  return (
    <div className="space-y-2">
      <Button
        size="sm"
        variant="outline"
        disabled={!hydrated}
        onClick={() => {
          setStarted(false);
          setOpen(true);
        }}
      >
        <Shuffle aria-hidden />
        {t("action")}
      </Button>
      {started ? (
        <p role="status" className="text-xs text-soft">
          {t("started")}
        </p>
      ) : null}
      <RemixDialog
        job={job}
        open={open}
        onClose={() => setOpen(false)}
        onStarted={() => {
          setOpen(false);
          setStarted(true);
        }}
      />
    </div>
  );
}

function RemixDialog({
  job,
  open,
  onClose,
  onStarted,
}: {
  job: Job;
  open: boolean;
  onClose: () => void;
  onStarted: () => void;
}) {
  const t = useTranslations("generator.remix");
  const create = useCreateJob();
  const describe = useApiErrorMessage();
  const [prompt, setPrompt] = useState(job.prompt);
  const message = create.error ? describe(create.error) : undefined;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("title")}
      description={t("body", { model: job.model })}
      className="w-[min(34rem,calc(100vw-2rem))]"
    >
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate({ prompt, remixOf: job.id }, { onSuccess: onStarted });
        }}
      >
        <Field label={t("promptLabel")}>
          {(id) => (
            <Textarea
              id={id}
              value={prompt}
              maxLength={PROMPT_MAX_CHARS}
              onChange={(event) => setPrompt(event.target.value)}
              className="min-h-28"
              autoFocus
            />
          )}
        </Field>
        {message ? <Alert tone="danger">{t("failed", { message })}</Alert> : null}
        <div className="flex flex-wrap justify-end gap-2 pt-1">
          <Button type="button" variant="outline" onClick={onClose}>
            {t("cancel")}
          </Button>
          <PendingButton
            type="submit"
            disabled={prompt.trim() === ""}
            pending={create.isPending}
            icon={<Shuffle aria-hidden />}
            pendingLabel={t("pending")}
          >
            {t("submit")}
          </PendingButton>
        </div>
      </form>
    </Dialog>
  );
}
