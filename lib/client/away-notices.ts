import { isTerminalState, type JobState } from "@/lib/contracts/job-state";

/** Jobs that ended while the tab was hidden, by outcome. */
export interface AwayCounts {
  completed: number;
  failed: number;
}

/**
 * The tab title while finished jobs wait to be seen: `(1) ✓ Sora Studio`, `(1) ✗ Sora Studio`,
 * `(3) ✓ ✗ Sora Studio` (some finished, some failed). The base title when there is nothing.
 */
export function titleWithNotices(base: string, counts: AwayCounts): string {
  const total = counts.completed + counts.failed;
  if (total === 0) return base;
  const marks = [counts.completed ? "✓" : "", counts.failed ? "✗" : ""].filter(Boolean).join(" ");
  return `(${total}) ${marks} ${base}`;
}

/**
 * Whether a job's move from `before` to `after` is news for someone away: it was still going and
 * now it has a video or a failure (a cancel is the user's own doing).
 */
export function endedNewsworthy(before: JobState | undefined, after: JobState): boolean {
  if (before === undefined || isTerminalState(before)) return false;
  return after === "completed" || after === "failed";
}
