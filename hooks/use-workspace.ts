"use client";

import { useSyncExternalStore } from "react";
import { jobMemory } from "@/lib/client/job-memory";

const NO_JOBS: string[] = [];

/** Ids of the jobs in the "current" panel (localStorage, so they survive a reload). */
export function useWorkspaceIds(): string[] {
  const memory = jobMemory();
  return useSyncExternalStore(memory.subscribe, memory.workspaceIds, () => NO_JOBS);
}
