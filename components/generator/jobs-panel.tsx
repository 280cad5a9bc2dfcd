"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useLocale } from "next-intl";
import { useEffect, useRef } from "react";
import { jobsKey } from "@/lib/client/query-cache";
import { useCreateJob } from "@/hooks/use-jobs";
import { HistoryGallery } from "@/components/history/history-gallery";
import { QueryProvider } from "@/components/query-provider";
import { CurrentJobs } from "./current-jobs";
import { useGeneratorActions } from "./generator-actions";

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
    void queryClient.invalidateQueries({ queryKey: ["job"] });
  }, [locale, queryClient]);
}

/** Hands this panel's create mutation to the compose form (see GeneratorActions). */
function useProvideCreate() {
  const actions = useGeneratorActions();
  const { mutateAsync } = useCreateJob();
  useEffect(() => actions?.attachCreate(mutateAsync), [actions, mutateAsync]);
}

function Panel({ demo }: { demo: boolean }) {
  useRefetchOnLocaleChange();
  useProvideCreate();
  return (
    <>
      <CurrentJobs demo={demo} />
      <HistoryGallery />
    </>
  );
}

/**
 * This session's jobs and the history, with the job cache (TanStack Query) they share. The page
 * loads it once it is interactive (generator-workspace.tsx), so none of it weighs on first load.
 */
export default function JobsPanel({ demo }: { demo: boolean }) {
  return (
    <QueryProvider>
      <Panel demo={demo} />
    </QueryProvider>
  );
}
