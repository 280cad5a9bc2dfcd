"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useLocale } from "next-intl";
import { useEffect, useMemo, useRef, useState } from "react";
import type { Job } from "@/lib/contracts/job";
import { jobsKey, modelsKey } from "@/lib/client/query-cache";
import { HistoryGallery } from "@/components/history/history-gallery";
import { ComposeForm, EMPTY_DRAFT, type Draft } from "./compose-form";
import { CurrentJobs } from "./current-jobs";
import { GeneratorActionsContext, type GeneratorActions } from "./generator-actions";
import { RelayWeatherBanner } from "./relay-weather-banner";

/**
 * Texts inside job snapshots (error message and hint) are rendered by the server in the request's
 * language: after the language switch, fetch them again.
 */
function useRefetchOnLocaleChange() {
  const locale = useLocale();
  const queryClient = useQueryClient();
  const previous = useRef(locale);
  useEffect(() => {
    if (previous.current === locale) return;
    previous.current = locale;
    void queryClient.invalidateQueries({ queryKey: jobsKey });
    void queryClient.invalidateQueries({ queryKey: modelsKey });
    void queryClient.invalidateQueries({ queryKey: ["job"] });
  }, [locale, queryClient]);
}

/** The generator page: compose on the left (top on phones), this session's jobs and history. */
export function GeneratorWorkspace({ demo }: { demo: boolean }) {
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  useRefetchOnLocaleChange();

  const actions = useMemo<GeneratorActions>(
    () => ({
      loadDraft(job: Job) {
        setDraft({
          prompt: job.prompt,
          model: job.model,
          seconds: job.seconds,
          size: job.size,
          image: null,
        });
        promptRef.current?.scrollIntoView({ behavior: "smooth", block: "center" });
        promptRef.current?.focus({ preventScroll: true });
      },
    }),
    [],
  );

  return (
    <GeneratorActionsContext.Provider value={actions}>
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,24rem)_minmax(0,1fr)] lg:gap-8">
        {/* On desktop the form column stays in view and scrolls on its own when taller than the
            screen (its height leaves room for the page title above it on first view), so Generate, pinned
            to its bottom, is always visible. */}
        <div className="lg:sticky lg:top-20 lg:max-h-[calc(100dvh-11rem)] lg:overflow-y-auto lg:rounded-xl">
          <ComposeForm draft={draft} onDraft={setDraft} promptRef={promptRef} />
        </div>
        <div className="min-w-0 space-y-10">
          <RelayWeatherBanner />
          <CurrentJobs demo={demo} />
          <HistoryGallery />
        </div>
      </div>
    </GeneratorActionsContext.Provider>
  );
}
