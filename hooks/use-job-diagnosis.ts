"use client";

import useSWR from "swr";
import { fetchDiagnosis, fetchRelayWeather } from "@/lib/client/api";

/** A failed job's diagnosis, fetched once per job (the server caches it too). */
export function useJobDiagnosis(id: string | null) {
  return useSWR(id ? ["diagnosis", id] : null, ([, jobId]) => fetchDiagnosis(jobId), {
    revalidateOnFocus: false,
    revalidateIfStale: false,
    shouldRetryOnError: false,
  });
}

const WEATHER_REFRESH_MS = 5000;

/** The relay weather, refreshed every few seconds while the generator page is open. */
export function useRelayWeather() {
  return useSWR("relay-weather", fetchRelayWeather, {
    refreshInterval: WEATHER_REFRESH_MS,
    revalidateOnFocus: true,
    keepPreviousData: true,
  });
}
