"use client";

import { useQuery } from "@tanstack/react-query";
import { fetchModels } from "@/lib/client/api";
import { modelsKey } from "@/lib/client/query-cache";

/** `GET /api/models`: the catalogue merged with what the relay lists. */
export function useModels() {
  return useQuery({ queryKey: modelsKey, queryFn: fetchModels, staleTime: 5 * 60_000, retry: 1 });
}
