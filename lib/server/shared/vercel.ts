import "server-only";
import { after } from "next/server";
import { getConfig } from "../config";

/** Route handlers declare maxDuration = 300 s; work after the answer stops a little before that. */
const AFTER_RESPONSE_BUDGET_MS = 280_000;

/**
 * On Vercel an instance may be frozen as soon as its answer is sent; `after()` keeps it running for
 * `work` (within maxDuration). Elsewhere the process lives on anyway and this does nothing. What
 * is not finished by then is picked up by the cron route or the next follower, via the lease.
 */
export function continueAfterResponse(work: (budgetMs: number) => Promise<unknown>): void {
  if (!getConfig().shared.vercel) return;
  after(() => work(AFTER_RESPONSE_BUDGET_MS));
}

/** Resolves once `activeCount()` reaches 0, or after `budgetMs`. */
export async function untilIdle(runner: { activeCount(): number }, budgetMs: number) {
  const deadline = Date.now() + budgetMs;
  while (runner.activeCount() > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
