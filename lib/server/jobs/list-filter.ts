import "server-only";
import type { JobListFilter, JobRecord } from "./types";

/** How prompts and search text are compared: Unicode lower case, compatibility forms folded. */
export function foldText(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/** Whether a job belongs in a list narrowed by `filter` (the stores' shared definition). */
export function matchesFilter(job: JobRecord, filter: JobListFilter): boolean {
  if (filter.states && !filter.states.includes(job.state)) return false;
  if (filter.model !== undefined && job.model !== filter.model) return false;
  if (filter.search && !foldText(job.prompt).includes(foldText(filter.search))) return false;
  return true;
}

/** Whether the filter narrows anything at all. */
export function isFiltered(filter: JobListFilter): boolean {
  return Boolean(filter.states || filter.model !== undefined || filter.search);
}
