"use client";

import useSWR from "swr";
import { getResource } from "@/lib/client/api";

const REFRESH_MS = 4000;

/** The server's recent upstream calls and error counts, refreshed every few seconds. */
export function useDiagnosticsIncidents() {
  return useSWR(
    "/api/incidents",
    (path: string) => getResource(path, (s) => s.incidentsResponseSchema),
    {
      refreshInterval: REFRESH_MS,
      revalidateOnFocus: true,
      keepPreviousData: true,
    },
  );
}
