"use client";

import { Ban, CircleCheck, CircleX, Clock, LoaderCircle, Send } from "lucide-react";
import { useTranslations } from "next-intl";
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

/** `live`: announce state changes to screen readers (role=status), for the cards being followed. */
export function StateBadge({
  state,
  className,
  live = false,
}: {
  state: JobState;
  className?: string;
  live?: boolean;
}) {
  const t = useTranslations("generator.state");
  const { tone, Icon, spin } = LOOK[state];
  return (
    <Badge tone={tone} className={className} role={live ? "status" : undefined}>
      <Icon aria-hidden className={spin ? "animate-spin motion-reduce:animate-none" : undefined} />
      {t(state)}
    </Badge>
  );
}
