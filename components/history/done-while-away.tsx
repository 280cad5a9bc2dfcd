"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Bell, BellOff } from "lucide-react";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import type { Job, JobState } from "@/lib/contracts/job";
import { endedNewsworthy, titleWithNotices, type AwayCounts } from "@/lib/client/away-notices";
import { excerpt, stripDirectives } from "@/lib/client/format";
import { jobMemory } from "@/lib/client/job-memory";
import type { TrackedJob } from "@/lib/client/tracked-job";
import { useHydrated } from "@/hooks/use-hydrated";
import { IconButton } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

const OPT_IN_KEY = "sora-studio.notify-when-done";

const notificationsSupported = () => typeof window !== "undefined" && "Notification" in window;

function readOptIn(): boolean {
  try {
    return notificationsSupported() && window.localStorage.getItem(OPT_IN_KEY) === "1";
  } catch {
    return false;
  }
}

function writeOptIn(on: boolean) {
  try {
    if (on) window.localStorage.setItem(OPT_IN_KEY, "1");
    else window.localStorage.removeItem(OPT_IN_KEY);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
}

/**
 * This browser's own jobs (the "current" panel) that finish while the tab is hidden show in the
 * tab title (`(1) ✓ Sora Studio`) and, when the user opted in here, as a browser notification;
 * both clear when the tab is seen again. The permission prompt only ever follows a click on this
 * control.
 */
export function DoneWhileAway() {
  const t = useTranslations("generator.history.away");
  const hydrated = useHydrated();
  const queryClient = useQueryClient();
  const [optedIn, setOptedIn] = useState(readOptIn);
  const [blocked, setBlocked] = useState(false);
  const optInRef = useRef(optedIn);
  const textRef = useRef(t);
  useEffect(() => {
    optInRef.current = optedIn;
    textRef.current = t;
  }, [optedIn, t]);

  useEffect(() => {
    const cache = queryClient.getQueryCache();
    const seen = new Map<string, JobState>();
    const counts: AwayCounts = { completed: 0, failed: 0 };
    const shown: Notification[] = [];
    let baseTitle: string | undefined;

    const stateOf = (data: unknown) => (data as TrackedJob | undefined)?.job.state;
    for (const query of cache.findAll({ queryKey: ["job"] })) {
      const state = stateOf(query.state.data);
      if (state) seen.set(String(query.queryKey[1]), state);
    }

    const notify = (job: Job) => {
      if (!optInRef.current || Notification.permission !== "granted") return;
      const say = textRef.current;
      try {
        const note = new Notification(
          job.state === "completed" ? say("completedTitle") : say("failedTitle"),
          { body: excerpt(stripDirectives(job.prompt), 90), tag: job.id },
        );
        note.onclick = () => window.focus();
        shown.push(note);
      } catch {
        // Some browsers only allow notifications from a service worker; the title still says it.
      }
    };

    const unsubscribe = cache.subscribe((event) => {
      if (event.type !== "updated" && event.type !== "added") return;
      if (event.query.queryKey[0] !== "job") return;
      const tracked = event.query.state.data as TrackedJob | undefined;
      if (!tracked) return;
      const id = String(event.query.queryKey[1]);
      const before = seen.get(id);
      seen.set(id, tracked.job.state);
      if (document.visibilityState !== "hidden") return;
      if (!endedNewsworthy(before, tracked.job.state)) return;
      // Only this browser's own jobs: history cards also follow other people's running jobs.
      if (!jobMemory().workspaceIds().includes(id)) return;
      baseTitle ??= document.title;
      counts[tracked.job.state === "completed" ? "completed" : "failed"] += 1;
      document.title = titleWithNotices(baseTitle, counts);
      notify(tracked.job);
    });

    const onVisibility = () => {
      if (document.visibilityState !== "visible") return;
      if (baseTitle !== undefined) document.title = baseTitle;
      baseTitle = undefined;
      counts.completed = 0;
      counts.failed = 0;
      for (const note of shown.splice(0)) note.close();
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      unsubscribe();
      document.removeEventListener("visibilitychange", onVisibility);
      onVisibility();
    };
  }, [queryClient]);

  if (!hydrated || !notificationsSupported()) return null;

  const toggle = async () => {
    if (optedIn) {
      writeOptIn(false);
      setOptedIn(false);
      return;
    }
    const permission =
      Notification.permission === "default"
        ? await Notification.requestPermission()
        : Notification.permission;
    const granted = permission === "granted";
    setBlocked(!granted);
    writeOptIn(granted);
    setOptedIn(granted);
  };

  return (
    <>
      {blocked ? (
        <span role="status" className="max-w-48 text-right text-xs text-muted">
          {t("blocked")}
        </span>
      ) : null}
      <IconButton
        label={t("notify")}
        aria-pressed={optedIn}
        onClick={() => void toggle()}
        className={cn(optedIn && "text-violet-600 dark:text-violet-400")}
      >
        {optedIn ? <Bell aria-hidden /> : <BellOff aria-hidden />}
      </IconButton>
    </>
  );
}
