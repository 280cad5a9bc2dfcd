"use client";

import useSWR from "swr";
import { incidentsResponseSchema, type IncidentsResponse } from "@/lib/contracts/diagnostics";

const REFRESH_MS = 4000;

async function fetchIncidents(url: string): Promise<IncidentsResponse> {
  const response = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return incidentsResponseSchema.parse(await response.json());
}

/** The server's recent upstream calls and error counts, refreshed every few seconds. */
export function useDiagnosticsIncidents() {
  return useSWR("/api/incidents", fetchIncidents, {
    refreshInterval: REFRESH_MS,
    revalidateOnFocus: true,
    keepPreviousData: true,
  });
}
