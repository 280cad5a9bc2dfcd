"use client";

import { useLocale } from "next-intl";
import useSWR from "swr";
import { fetchModels } from "@/lib/client/api";

/**
 * `GET /api/models`: the catalogue merged with what the relay lists. Keyed by language, since the
 * server words the model notes in the request's language: switching language fetches them again.
 */
export function useModels() {
  const locale = useLocale();
  return useSWR(["/api/models", locale], fetchModels, {
    dedupingInterval: 5 * 60_000,
    revalidateOnFocus: false,
    errorRetryCount: 1,
  });
}
