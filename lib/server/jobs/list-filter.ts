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

/** The opaque `nextCursor` of a history page: the store's row number of the last job listed. */
export function encodeCursor(row: number): string {
  return Buffer.from(`r:${row}`).toString("base64url");
}

/** The row number of a cursor `encodeCursor` made; null for anything else. */
export function decodeCursor(cursor: string): number | null {
  const decoded = /^[A-Za-z0-9_-]{1,40}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const match = /^r:(\d{1,15})$/.exec(decoded);
  return match ? Number(match[1]) : null;
}
