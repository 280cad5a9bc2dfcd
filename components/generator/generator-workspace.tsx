"use client";

import { useTranslations } from "next-intl";
import dynamic from "next/dynamic";
import { useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { Job } from "@/lib/contracts/job";
import { composeMemory, EMPTY_DRAFT, type Draft } from "@/lib/client/compose-memory";
import { dataUrlToFile } from "@/lib/client/image";
import { scrollBehavior } from "@/lib/client/motion";
import { sessionImage } from "@/lib/client/session-images";
import { ComposeForm } from "./compose-form";
import {
  createJobChannel,
  GeneratorActionsContext,
  type GeneratorActions,
} from "./generator-actions";
import { pickImage } from "./image-field";
import { RelayWeatherBanner } from "./relay-weather-banner";

// The jobs panel (job cache, cards, history) is not needed to start writing a prompt: it loads
// once the page is interactive, and its place holds a placeholder until then.
const JobsPanel = dynamic(() => import("./jobs-panel"), {
  ssr: false,
  loading: () => (
    <div className="h-48 animate-pulse rounded-xl bg-zinc-100 dark:bg-zinc-900" aria-hidden />
  ),
});

/**
 * A job's settings as a draft: prompt, model, duration, frame, and its reference image while this
 * page still holds it (session-images). The number of variations stays as the user set it.
 */
function draftFromJob(job: Job, current: Draft): { draft: Draft; imageMissing: boolean } {
  const dataUrl = job.hasImage ? sessionImage(job.id) : undefined;
  const file = dataUrl
    ? dataUrlToFile(dataUrl, `reference-${job.id}.${dataUrl.includes("image/png") ? "png" : "jpg"}`)
    : null;
  return {
    draft: {
      prompt: job.prompt,
      model: job.model,
      seconds: job.seconds,
      size: job.size,
      image: file ? pickImage(file) : null,
      count: current.count,
    },
    imageMissing: job.hasImage && !file,
  };
}

/** The generator page: compose on the left (top on phones), this session's jobs and history. */
export function GeneratorWorkspace({
  demo,
  maxImageBytes,
}: {
  demo: boolean;
  /** The server's reference image limit (SORA_MAX_IMAGE_BYTES). */
  maxImageBytes: number;
}) {
  const t = useTranslations("generator.job");
  const memory = composeMemory();
  // Kept in localStorage: the server renders an empty form, the browser then shows the draft.
  const draft = useSyncExternalStore(memory.subscribe, memory.getDraft, () => EMPTY_DRAFT);
  const [notice, setNotice] = useState<string | null>(null);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const [channel] = useState(createJobChannel);

  const actions = useMemo<GeneratorActions>(
    () => ({
      ...channel,
      loadDraft(job: Job) {
        const memory = composeMemory();
        const { draft, imageMissing } = draftFromJob(job, memory.getDraft());
        memory.updateDraft(() => draft);
        setNotice(t(imageMissing ? "reusedNoImage" : "reused"));
        promptRef.current?.scrollIntoView({ behavior: scrollBehavior(), block: "center" });
        promptRef.current?.focus({ preventScroll: true });
      },
    }),
    [t, channel],
  );

  return (
    <GeneratorActionsContext.Provider value={actions}>
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,24rem)_minmax(0,1fr)] lg:gap-8">
        {/* On desktop the form column stays in view and scrolls on its own when taller than the
            screen (its height leaves room for the page title above it on first view), so Generate, pinned
            to its bottom, is always visible. */}
        <div className="lg:sticky lg:top-20 lg:max-h-[calc(100dvh-11rem)] lg:overflow-y-auto lg:rounded-xl">
          <ComposeForm
            draft={draft}
            onDraft={(update) => {
              setNotice(null);
              memory.updateDraft(update);
            }}
            promptRef={promptRef}
            maxImageBytes={maxImageBytes}
            notice={notice}
          />
        </div>
        <div className="min-w-0 space-y-10">
          <RelayWeatherBanner />
          <JobsPanel demo={demo} />
        </div>
      </div>
    </GeneratorActionsContext.Provider>
  );
}
