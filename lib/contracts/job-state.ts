// zod-free: the browser's first load imports this (the schemas in ./job.ts load with the first answer).

export const JOB_STATES = [
  "queued",
  "submitting",
  "running",
  "completed",
  "failed",
  "canceled",
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_STATES: readonly JobState[] = ["completed", "failed", "canceled"];
export const isTerminalState = (state: JobState) => TERMINAL_STATES.includes(state);

export const MAX_HISTORY_PAGE_SIZE = 100;
export const MAX_HISTORY_SEARCH_CHARS = 200;
