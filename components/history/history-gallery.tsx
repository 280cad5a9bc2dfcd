"use client";

import { History, RefreshCw } from "lucide-react";
import { useTranslations } from "next-intl";
import { useEffect, useId, useRef } from "react";
import type { Job } from "@/lib/contracts/job";
import { useJobHistory } from "@/hooks/use-jobs";
import { Alert } from "@/components/ui/alert";
import { Button, IconButton } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { Spinner } from "@/components/ui/spinner";
import { HistoryCard } from "./history-card";
import { SpendByDay } from "./spend-by-day";

function uniqueJobs(pages: { jobs: Job[] }[] | undefined): Job[] {
  const seen = new Set<string>();
  const out: Job[] = [];
  for (const page of pages ?? []) {
    for (const job of page.jobs) {
      if (seen.has(job.id)) continue;
      seen.add(job.id);
      out.push(job);
    }
  }
  return out;
}

/** Every job stored on the server, newest first, loading more as the end scrolls into view. */
export function HistoryGallery() {
  const t = useTranslations("generator.history");
  const headingId = useId();
  const history = useJobHistory();
  const sentinel = useRef<HTMLDivElement>(null);
  const jobs = uniqueJobs(history.data?.pages);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: "400px 0px" },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  return (
    <section id="history" aria-labelledby={headingId} className="min-w-0 scroll-mt-24">
      <div className="mb-3 flex items-start justify-between gap-3">
        <div>
          <h2 id={headingId} className="text-base font-semibold tracking-tight">
            {t("title")}
          </h2>
          <p className="text-sm text-zinc-500 dark:text-zinc-400">{t("description")}</p>
        </div>
        <IconButton
          label={t("refresh")}
          onClick={() => void history.refetch()}
          disabled={history.isFetching}
        >
          <RefreshCw
            aria-hidden
            className={cn(history.isFetching && "animate-spin motion-reduce:animate-none")}
          />
        </IconButton>
      </div>

      {history.isPending ? (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {[0, 1, 2].map((i) => (
            <div key={i} className="h-64 animate-pulse rounded-xl bg-zinc-100 dark:bg-zinc-900" />
          ))}
        </div>
      ) : history.isError && jobs.length === 0 ? (
        <Alert tone="danger" className="flex flex-wrap items-center justify-between gap-2">
          <span>{t("loadFailed")}</span>
          <Button size="sm" variant="outline" onClick={() => void history.refetch()}>
            {t("tryAgain")}
          </Button>
        </Alert>
      ) : jobs.length === 0 ? (
        <EmptyState icon={History} title={t("emptyTitle")}>
          {t("emptyBody")}
        </EmptyState>
      ) : (
        <>
          <SpendByDay jobs={jobs} />
          <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
            {jobs.map((job) => (
              <HistoryCard key={job.id} job={job} />
            ))}
          </div>
          <div ref={sentinel} className="mt-4 flex justify-center">
            {hasNextPage ? (
              <Button
                variant="outline"
                size="sm"
                onClick={() => void fetchNextPage()}
                disabled={isFetchingNextPage}
              >
                {isFetchingNextPage ? <Spinner /> : null}
                {isFetchingNextPage ? t("loadingMore") : t("loadMore")}
              </Button>
            ) : jobs.length > 6 ? (
              <p className="text-xs text-zinc-400">{t("end")}</p>
            ) : null}
          </div>
        </>
      )}
    </section>
  );
}
