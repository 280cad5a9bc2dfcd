"use client";

import { createContext, useContext } from "react";
import type { Job } from "@/lib/contracts/job";

/** What job cards may ask of the compose form (e.g. "edit and retry" when the image is gone). */
export interface GeneratorActions {
  loadDraft(job: Job): void;
}

export const GeneratorActionsContext = createContext<GeneratorActions | null>(null);

export function useGeneratorActions(): GeneratorActions | null {
  return useContext(GeneratorActionsContext);
}
