"use client";

import { useQuery } from "@tanstack/react-query";
import { fetchTiming } from "@/lib/client/api";
import { timingKey } from "@/lib/client/query-cache";

/** `GET /api/timing`, refreshed every minute while a running job shows its outlook. */
export function useTiming() {
  return useQuery({
    queryKey: timingKey,
    queryFn: fetchTiming,
    staleTime: 30_000,
    refetchInterval: 60_000,
    retry: 1,
  });
}
