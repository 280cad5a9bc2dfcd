"use client";

import { Ban, CircleCheck, CircleX, Clock, LoaderCircle, Send } from "lucide-react";
import { useTranslations } from "next-intl";
import type { JobPhase } from "@/lib/client/job-phase";
import type { JobState } from "@/lib/contracts/job";
import { Badge, type BadgeTone } from "@/components/ui/badge";

const LOOK: Record<JobState, { tone: BadgeTone; Icon: typeof Clock; spin?: boolean }> = {
  queued: { tone: "neutral", Icon: Clock },
  submitting: { tone: "info", Icon: Send },
  running: { tone: "accent", Icon: LoaderCircle, spin: true },
  completed: { tone: "success", Icon: CircleCheck },
  failed: { tone: "danger", Icon: CircleX },
  canceled: { tone: "neutral", Icon: Ban },
};

/**
 * `live`: announce state changes to screen readers (role=status), for the cards being followed.
 * `phase`: the finer word the progress line uses too (queued at the relay, saving), so both agree.
 */
export function StateBadge({
  state,
  phase,
  className,
  live = false,
}: {
  state: JobState;
  phase?: JobPhase;
  className?: string;
  live?: boolean;
}) {
  const t = useTranslations("generator");
  const { tone, Icon, spin } = LOOK[phase === "queued" ? "queued" : state];
  return (
    <Badge tone={tone} className={className} role={live ? "status" : undefined}>
      <Icon aria-hidden className={spin ? "animate-spin" : undefined} />
      {phase ? t(`phase.${phase}`) : t(`state.${state}`)}
    </Badge>
  );
}
