"use client";

import { useQueryClient } from "@tanstack/react-query";
import { History, RefreshCw, SearchX } from "lucide-react";
import { useTranslations } from "next-intl";
import dynamic from "next/dynamic";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import type { Job } from "@/lib/contracts/job";
import { useApiErrorMessage } from "@/hooks/use-api-error-message";
import { forgetDeletedJob, useDeleteJob, useJobHistory } from "@/hooks/use-jobs";
import { Alert } from "@/components/ui/alert";
import { Button, IconButton } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { Spinner } from "@/components/ui/spinner";
import { DoneWhileAway } from "./done-while-away";
import { SpendByDay } from "./spend-by-day";
import {
  HistoryFilters,
  NO_FILTER,
  toListFilter,
  type HistoryFilterValue,
} from "./history-filters";
import { UndoDeletes, type PendingDelete } from "./undo-delete";

// The cards render once the first page of history has arrived; their code loads meanwhile.
const loadHistoryCard = () => import("./history-card").then((m) => m.HistoryCard);
const HistoryCard = dynamic(loadHistoryCard);

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

/**
 * Every job stored on the server, newest first, narrowed by state, model and prompt text (on the
 * server), loading more as the end scrolls into view. Delete hides a job at once with an undo.
 */
export function HistoryGallery() {
  const t = useTranslations("generator.history");
  const headingId = useId();
  useEffect(() => void loadHistoryCard(), []);
  const [filter, setFilter] = useState<HistoryFilterValue>(NO_FILTER);
  const [filterGeneration, setFilterGeneration] = useState(0);
  const listFilter = useMemo(() => toListFilter(filter), [filter]);
  const filtered = Object.keys(listFilter).length > 0;
  const history = useJobHistory(listFilter);
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;
  const messageOf = useApiErrorMessage();
  const queryClient = useQueryClient();
  const { remove, restore } = useDeleteJob();
  const [pending, setPending] = useState<PendingDelete[]>([]);
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set());
  const markDeleted = useCallback((id: string, gone: boolean) => {
    setDeleted((set) => {
      const next = new Set(set);
      if (gone) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  // A deleted job stays out of every list, also one that answers after the delete (a search or a
  // refresh asked before it) or one still shown while a new filter loads.
  const jobs = uniqueJobs(history.data?.pages).filter((job) => !deleted.has(job.id));
  const listedModels = [...new Set(jobs.map((job) => job.model))];
  const onDelete = useCallback(
    (job: Job) => {
      setPending((list) => [...list.filter((p) => p.job.id !== job.id), { job }]);
      markDeleted(job.id, true);
      remove.mutate(job, {
        onError: (error) => {
          markDeleted(job.id, false);
          setPending((list) =>
            list.map((p) => (p.job.id === job.id ? { job, failed: messageOf(error) } : p)),
          );
        },
      });
    },
    [remove, messageOf, markDeleted],
  );
  const onUndo = useCallback(
    (job: Job) => {
      setPending((list) => list.filter((p) => p.job.id !== job.id));
      markDeleted(job.id, false);
      restore.mutate(job, {
        onError: (error) => {
          markDeleted(job.id, true);
          setPending((list) => [...list, { job, failed: messageOf(error) }]);
        },
      });
    },
    [restore, messageOf, markDeleted],
  );
  const onDismiss = useCallback(
    (id: string) => {
      setPending((list) => {
        const item = list.find((p) => p.job.id === id);
        if (item && !item.failed) forgetDeletedJob(queryClient, id);
        return list.filter((p) => p.job.id !== id);
      });
    },
    [queryClient],
  );

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
          <p className="text-sm text-muted">{t("description")}</p>
        </div>
        <div className="flex items-center gap-1">
          <DoneWhileAway />
          <IconButton
            label={t("refresh")}
            onClick={() => void history.refetch()}
            disabled={history.isFetching}
          >
            <RefreshCw aria-hidden className={cn(history.isFetching && "animate-spin")} />
          </IconButton>
        </div>
      </div>
      <HistoryFilters
        key={filterGeneration}
        value={filter}
        onChange={setFilter}
        seenModels={listedModels}
      />

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
      ) : jobs.length === 0 && filtered ? (
        <EmptyState icon={SearchX} title={t("noMatchTitle")}>
          <p>{t("noMatchBody")}</p>
          <Button
            size="sm"
            variant="outline"
            className="mt-3"
            onClick={() => {
              setFilter(NO_FILTER);
              setFilterGeneration((n) => n + 1);
            }}
          >
            {t("clearFilters")}
          </Button>
        </EmptyState>
      ) : jobs.length === 0 ? (
        <EmptyState icon={History} title={t("emptyTitle")}>
          {t("emptyBody")}
        </EmptyState>
      ) : (
        <>
          <SpendByDay jobs={jobs} />
          <div className="grid items-start gap-4 sm:grid-cols-2 xl:grid-cols-3">
            {jobs.map((job) => (
              <HistoryCard key={job.id} job={job} onDelete={onDelete} />
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
              <p className="text-xs text-muted">{t("end")}</p>
            ) : null}
          </div>
        </>
      )}
      <UndoDeletes pending={pending} onUndo={onUndo} onDismiss={onDismiss} />
    </section>
  );
}
