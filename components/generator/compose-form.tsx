"use client";

import { Sparkles } from "lucide-react";
import { useTranslations } from "next-intl";
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { PROMPT_MAX_CHARS } from "@/lib/contracts/limits";
import { ApiRequestError } from "@/lib/client/api";
import { composeMemory, MAX_VARIATIONS, type Draft } from "@/lib/client/compose-memory";
import { fallbackModels, frameSizeFor, resolveSelection } from "@/lib/client/model-options";
import { scrollBehavior } from "@/lib/client/motion";
import { jobCardId } from "@/lib/client/tracked-job";
import { useApiErrorMessage } from "@/hooks/use-api-error-message";
import { useHydrated } from "@/hooks/use-hydrated";
import { useModels } from "@/hooks/use-models";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { cn } from "@/components/ui/cn";
import { Spinner } from "@/components/ui/spinner";
import { Segmented } from "@/components/ui/segmented";
import { Textarea } from "@/components/ui/textarea";
import { CostEstimate } from "./cost-estimate";
import { useGeneratorActions } from "./generator-actions";
import { ImageField, usePreparedImage } from "./image-field";
import { ModelParameters, ModelSelect } from "./model-fields";
import { RecentPrompts } from "./recent-prompts";
import { NoChannelWarning } from "./relay-weather-banner";

export { EMPTY_DRAFT, type Draft } from "@/lib/client/compose-memory";

const VARIATION_COUNTS = Array.from({ length: MAX_VARIATIONS }, (_, i) => String(i + 1));

export const SHORTCUT_KEYS = "Ctrl/⌘ + Enter";

/**
 * After a submit, the new job's card takes the focus (screen readers read its prompt and live
 * state; keyboard users continue from there) and comes into view below the sticky header (its
 * scroll margin). The card appears on the next renders: wait for it briefly.
 */
function revealNewJob(jobId: string) {
  let tries = 0;
  const attempt = () => {
    const card = document.getElementById(jobCardId(jobId));
    if (!card) {
      if (++tries < 40) window.setTimeout(attempt, 50);
      return;
    }
    card.focus({ preventScroll: true });
    card.scrollIntoView({ behavior: scrollBehavior(), block: "nearest" });
  };
  attempt();
}

/**
 * Prompt, model, duration, frame, reference image, variations and the Generate button. The draft
 * lives in the workspace (kept across reloads); `draft.count` is how many jobs one click creates.
 */
export function ComposeForm({
  draft,
  onDraft,
  promptRef,
  maxImageBytes,
  notice,
}: {
  draft: Draft;
  onDraft: (update: (draft: Draft) => Draft) => void;
  promptRef: React.RefObject<HTMLTextAreaElement | null>;
  /** The server's limit for a reference image (SORA_MAX_IMAGE_BYTES). */
  maxImageBytes: number;
  /** A line about the draft (e.g. settings taken from a job), shown under the prompt. */
  notice?: string | null;
}) {
  const t = useTranslations("generator.compose");
  const hydrated = useHydrated();
  const models = useModels();
  const actions = useGeneratorActions();
  const [createError, setCreateError] = useState<unknown>(null);
  const describe = useApiErrorMessage();
  const formRef = useRef<HTMLFormElement>(null);
  const countId = useId();
  const titleId = useId();
  const [announcement, setAnnouncement] = useState("");
  const [batch, setBatch] = useState<{ done: number; count: number } | null>(null);

  const catalogue = models.data ?? (models.error ? fallbackModels() : undefined);
  const selection = catalogue
    ? resolveSelection(catalogue.models, catalogue.defaultModel, draft)
    : null;
  const model = selection?.model;
  const frame = model ? frameSizeFor(model, selection?.size) : null;
  const acceptsImage = model?.acceptsImage ?? true;
  const pickedImage = acceptsImage ? draft.image : null;
  const prepared = usePreparedImage(pickedImage, frame, maxImageBytes);

  const length = draft.prompt.length;
  const trimmed = draft.prompt.trim();
  const over = trimmed.length - PROMPT_MAX_CHARS;
  const imageBusy = Boolean(pickedImage) && prepared.isLoading;
  const imageFailed = Boolean(pickedImage) && prepared.error !== undefined;
  const canSubmit =
    hydrated &&
    Boolean(selection) &&
    trimmed.length > 0 &&
    over <= 0 &&
    !imageBusy &&
    !imageFailed &&
    actions !== null &&
    batch === null;
  const count = draft.count;

  /** One job per variation, one after the other, each with its own idempotency key. */
  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSubmit || !selection || !actions) return;
    const image = pickedImage ? prepared.data : undefined;
    const request = {
      prompt: trimmed,
      model: selection.model.id,
      seconds: selection.seconds,
      size: selection.size,
      image: image?.dataUrl,
      imageInfo: image
        ? { width: image.width, height: image.height, bytes: image.bytes, mime: image.mime }
        : undefined,
    };
    let done = 0;
    setBatch({ done, count });
    setCreateError(null);
    try {
      for (let variation = 0; variation < count; variation++) {
        const job = await actions.createJob({ ...request, variation });
        done += 1;
        setBatch({ done, count });
        if (done === 1) {
          composeMemory().rememberPrompt(trimmed);
          revealNewJob(job.id);
        }
      }
      setAnnouncement(count > 1 ? t("submittedMany", { count }) : t("submitted"));
    } catch (error) {
      // Shown below the button; the jobs already created stay.
      setCreateError(error);
      if (done > 0) setAnnouncement(t("submitPartly", { done, count }));
    } finally {
      setBatch(null);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      formRef.current?.requestSubmit();
    }
  }

  const busy = batch !== null;
  const envelope = createError instanceof ApiRequestError ? createError.error : null;

  return (
    <Card aria-labelledby={titleId} role="region">
      {/* The page's own title and subtitle introduce the form: no second description here. */}
      <CardHeader>
        <CardTitle id={titleId}>{t("title")}</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          ref={formRef}
          onSubmit={(event) => void submit(event)}
          className="space-y-5"
          noValidate
        >
          <Field label={t("promptLabel")}>
            {(promptId) => (
              <>
                <Textarea
                  id={promptId}
                  ref={promptRef}
                  value={draft.prompt}
                  onChange={(e) => {
                    const prompt = e.target.value;
                    onDraft((d) => ({ ...d, prompt }));
                  }}
                  onKeyDown={onKeyDown}
                  placeholder={t("promptPlaceholder")}
                  aria-describedby={countId}
                  aria-invalid={over > 0 || undefined}
                  rows={4}
                  // Grows with its text (up to about half the screen), then scrolls.
                  className="field-sizing-content max-h-[45vh] min-h-24"
                />
                {notice ? (
                  <p role="status" className="text-xs text-violet-700 dark:text-violet-300">
                    {notice}
                  </p>
                ) : null}
                <div id={countId} className="flex items-start justify-between gap-3 text-xs">
                  {over > 0 ? (
                    <span role="alert" className="font-medium text-red-600 dark:text-red-400">
                      {t("promptTooLong", { max: PROMPT_MAX_CHARS, over })}
                    </span>
                  ) : (
                    <span className="text-muted">
                      <kbd className="font-sans">{t("shortcut", { keys: SHORTCUT_KEYS })}</kbd>
                    </span>
                  )}
                  <span
                    className={cn(
                      "shrink-0 font-mono tabular-nums",
                      over > 0 ? "text-red-600 dark:text-red-400" : "text-muted",
                    )}
                  >
                    {t("promptCount", { count: length, max: PROMPT_MAX_CHARS })}
                  </span>
                </div>
                <RecentPrompts
                  disabled={!hydrated}
                  onPick={(prompt) => {
                    onDraft((d) => ({ ...d, prompt }));
                    promptRef.current?.focus();
                  }}
                />
              </>
            )}
          </Field>

          <ModelSelect
            models={catalogue?.models}
            value={model}
            disabled={!hydrated}
            onChange={(id) => onDraft((d) => ({ ...d, model: id }))}
          />
          {models.error ? (
            <Alert tone="warning" className="text-xs">
              {t("modelsUnavailable")}
            </Alert>
          ) : catalogue?.relayError ? (
            <Alert tone="warning" className="text-xs">
              {t("relayListError", { code: catalogue.relayError })}
            </Alert>
          ) : null}

          {model ? (
            <ModelParameters
              model={model}
              seconds={selection?.seconds}
              size={selection?.size}
              disabled={!hydrated}
              onSeconds={(seconds) => onDraft((d) => ({ ...d, model: model.id, seconds }))}
              onSize={(size) => onDraft((d) => ({ ...d, model: model.id, size }))}
            />
          ) : null}

          <ImageField
            picked={pickedImage}
            onPick={(image) => onDraft((d) => ({ ...d, image }))}
            prepared={prepared.data}
            preparing={imageBusy}
            problem={imageFailed ? (prepared.error?.problem ?? "decode") : null}
            frameLabel={frame ? `${frame.width}×${frame.height}` : null}
            accepted={acceptsImage}
            disabled={!hydrated}
            maxBytes={maxImageBytes}
          />

          <div className="space-y-1.5">
            <Segmented
              name="variations"
              legend={t("variationsLabel")}
              value={String(count)}
              onChange={(value) => onDraft((d) => ({ ...d, count: Number(value) }))}
              disabled={!hydrated}
              options={VARIATION_COUNTS.map((n) => ({
                value: n,
                label: t("variationsOption", { count: Number(n) }),
              }))}
            />
            {count > 1 ? <p className="text-xs text-muted">{t("variationsHint")}</p> : null}
          </div>

          {createError ? (
            <Alert tone="danger" role="alert" className="space-y-1">
              <p className="font-semibold">
                {t("submitFailed")}: {describe(createError)}
              </p>
              {envelope ? (
                <>
                  <p>{envelope.hint}</p>
                  <p className="font-mono text-xs opacity-80">
                    {envelope.code}
                    {envelope.requestId ? ` · ${envelope.requestId}` : ""}
                  </p>
                </>
              ) : null}
            </Alert>
          ) : null}

          <NoChannelWarning model={model?.id} />

          {/* Always in reach: pinned to the bottom of the screen (or of the form column) while the
              form scrolls under it. */}
          <div
            data-testid="generate-bar"
            className="sticky bottom-0 z-10 -mx-5 space-y-2 border-t border-zinc-200/70 bg-white/95 px-5 pt-3 pb-3 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/95"
          >
            <p className="sr-only" role="status">
              {announcement}
            </p>
            <CostEstimate model={model} seconds={selection?.seconds} count={count} />
            <Button type="submit" size="lg" className="w-full" disabled={!canSubmit}>
              {busy ? <Spinner /> : <Sparkles aria-hidden />}
              {busy ? t("submitting") : count > 1 ? t("submitMany", { count }) : t("submit")}
            </Button>
            <p className="text-center text-xs text-muted">{t("concurrentHint")}</p>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
