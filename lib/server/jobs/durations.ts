import "server-only";

/** How many of the newest jobs the completion-time sample looks at. */
export const COMPLETION_WINDOW = 1000;

/** `[model, createdAt, completedAt]` rows (newest first) → durations in ms per model, in order. */
export function groupDurations(
  rows: readonly (readonly [string, string, string])[],
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [model, createdAt, completedAt] of rows) {
    const ms = Date.parse(completedAt) - Date.parse(createdAt);
    if (!Number.isFinite(ms) || ms < 0) continue;
    (out[model] ??= []).push(ms);
  }
  return out;
}
