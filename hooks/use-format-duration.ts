"use client";

import { useTranslations } from "next-intl";
import { formatDuration } from "@/lib/client/format";

/** Durations as people read them ("20 秒", "3 min 5 s"), in the page's language. */
export function useFormatDuration(): (ms: number) => string {
  const t = useTranslations();
  return (ms) => formatDuration(ms, (key, values) => t(key, values));
}
