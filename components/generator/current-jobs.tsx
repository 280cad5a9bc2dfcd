"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Clapperboard, ImagePlus, Keyboard, ListChecks, Wand2 } from "lucide-react";
import { useTranslations } from "next-intl";
import dynamic from "next/dynamic";
import { useEffect, useId } from "react";
import { jobMemory } from "@/lib/client/job-memory";
import { jobKey } from "@/lib/client/query-cache";
import { isFinished, type TrackedJob } from "@/lib/client/tracked-job";
import { useHydrated } from "@/hooks/use-hydrated";
import { useWorkspaceIds } from "@/hooks/use-workspace";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { SHORTCUT_KEYS } from "./compose-form";

// Job cards (progress, result, failure and its diagnosis, remix …) appear only after a submit or
// with jobs remembered from earlier: their code loads after the page is interactive.
const loadJobCard = () => import("./job-card").then((m) => m.JobCard);
const JobCard = dynamic(loadJobCard);

/** The jobs submitted from this browser, newest first; kept across reloads until dismissed. */
export function CurrentJobs({ demo }: { demo: boolean }) {
  const t = useTranslations("generator.current");
  const hydrated = useHydrated();
  const ids = useWorkspaceIds();
  const queryClient = useQueryClient();
  const headingId = useId();
  useEffect(() => void loadJobCard(), []);

  function clearFinished() {
    for (const id of ids) {
      const tracked = queryClient.getQueryData<TrackedJob>(jobKey(id));
      if (!tracked || isFinished(tracked) || tracked.follow === "gone")
        jobMemory().removeFromWorkspace(id);
    }
  }

  return (
    <section id="current-jobs" aria-labelledby={headingId} className="min-w-0 scroll-mt-20">
      <div className="mb-3 flex min-h-8 items-center justify-between gap-3">
        <h2
          id={headingId}
          className="flex items-center gap-2 text-base font-semibold tracking-tight"
        >
          {t("title")}
          {hydrated && ids.length > 0 ? (
            <span className="rounded-full bg-zinc-200/70 px-2 py-0.5 text-xs font-medium text-soft dark:bg-zinc-800">
              {t("count", { count: ids.length })}
            </span>
          ) : null}
        </h2>
        {hydrated && ids.length > 0 ? (
          <Button variant="ghost" size="sm" onClick={clearFinished}>
            <ListChecks aria-hidden />
            {t("clearFinished")}
          </Button>
        ) : null}
      </div>
      {!hydrated ? (
        <div className="h-48 animate-pulse rounded-xl bg-zinc-100 dark:bg-zinc-900" />
      ) : ids.length === 0 ? (
        <EmptyState icon={Clapperboard} title={t("emptyTitle")}>
          <p>{t("emptyBody")}</p>
          <ul className="mt-4 flex flex-col items-center gap-1.5 text-xs text-muted">
            <li className="inline-flex items-center gap-1.5">
              <Keyboard aria-hidden className="size-3.5" />
              {t("emptyTipShortcut", { keys: SHORTCUT_KEYS })}
            </li>
            <li className="inline-flex items-center gap-1.5">
              <ImagePlus aria-hidden className="size-3.5" />
              {t("emptyTipImage")}
            </li>
            {demo ? (
              <li className="inline-flex items-center gap-1.5">
                <Wand2 aria-hidden className="size-3.5" />
                <span>{t("emptyTipDemo")}</span>
              </li>
            ) : null}
          </ul>
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {ids.map((id) => (
            <JobCard key={id} id={id} onDismiss={() => jobMemory().removeFromWorkspace(id)} />
          ))}
        </div>
      )}
    </section>
  );
}
