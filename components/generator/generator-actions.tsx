"use client";

import { createContext, useContext } from "react";
import type { Job } from "@/lib/contracts/job";
import type { CreateJobVariables } from "@/hooks/use-jobs";

type CreateJob = (variables: CreateJobVariables) => Promise<Job>;

/**
 * What the two halves of the generator page ask of each other. The jobs panel (job cache, cards,
 * history) loads after the page is interactive, so the compose form creates jobs through it: a
 * submit sent before the panel is there waits for it.
 */
export interface GeneratorActions {
  /** Job cards → compose form, e.g. "use these settings again". */
  loadDraft(job: Job): void;
  /** Compose form → jobs panel: create one job (idempotent per submission, see useCreateJob). */
  createJob: CreateJob;
  /** The jobs panel hands over its create mutation; returns the detach for its unmount. */
  attachCreate(create: CreateJob): () => void;
}

/** The `createJob` / `attachCreate` pair, for the page that provides the actions. */
export function createJobChannel(): Pick<GeneratorActions, "createJob" | "attachCreate"> {
  let attached: CreateJob | undefined;
  let waiting: ((create: CreateJob) => void)[] = [];
  return {
    createJob(variables) {
      if (attached) return attached(variables);
      return new Promise<CreateJob>((resolve) => waiting.push(resolve)).then((create) =>
        create(variables),
      );
    },
    attachCreate(create) {
      attached = create;
      const ready = waiting;
      waiting = [];
      for (const resolve of ready) resolve(create);
      return () => {
        if (attached === create) attached = undefined;
      };
    },
  };
}

export const GeneratorActionsContext = createContext<GeneratorActions | null>(null);

export function useGeneratorActions(): GeneratorActions | null {
  return useContext(GeneratorActionsContext);
}
