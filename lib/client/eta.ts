/** A span of milliseconds as whole minutes for "about N–M min": at least 1, `N` alone when equal. */
export function minutesRange(minMs: number, maxMs: number): string {
  const low = Math.max(1, Math.round(minMs / 60_000));
  const high = Math.max(low, Math.ceil(maxMs / 60_000));
  return low === high ? String(low) : `${low}–${high}`;
}
