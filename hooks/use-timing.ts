"use client";

import useSWR from "swr";
import { fetchTiming } from "@/lib/client/api";

/** `GET /api/timing`, refreshed every minute while a running job shows its outlook. */
export function useTiming() {
  return useSWR("/api/timing", fetchTiming, {
    dedupingInterval: 30_000,
    refreshInterval: 60_000,
    revalidateOnFocus: false,
    errorRetryCount: 1,
  });
}
