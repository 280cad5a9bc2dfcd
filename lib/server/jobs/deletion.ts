import "server-only";
import { isTerminalState } from "@/lib/contracts/job";
import { serverLog } from "../log";
import { removeArchive } from "./archive";
import type { JobRunner } from "./runner";
import type { JobRecord, JobStore } from "./types";

/** Stops following the job, tells live streams, then forgets it and its archived video. */
export async function removeJobForGood(
  job: JobRecord,
  store: JobStore,
  runner: JobRunner,
): Promise<void> {
  const wasRunning = runner.cancel(job.id);
  if (!isTerminalState(job.state)) {
    await store.appendEvent(
      job.id,
      { type: "state", data: { state: "canceled" } },
      { state: "canceled" },
    );
  }
  if (wasRunning) await runner.settled(job.id, 5_000);
  await store.deleteJob(job.id);
  await removeArchive(job.id);
  serverLog.info("job deleted", { job: job.id, state: job.state, stoppedFollowing: wasRunning });
}

/**
 * Removes for good every job deleted with undo whose window has run out (each reconcile pass).
 * A job restored since it was listed is left alone.
 */
export async function purgeDueDeletions(store: JobStore, runner: JobRunner): Promise<number> {
  let purged = 0;
  for (const listed of await store.listDuePurges(Date.now())) {
    const job = await store.getJob(listed.id);
    if (job?.purgeAt === undefined || job.purgeAt > Date.now()) continue;
    await removeJobForGood(job, store, runner);
    purged += 1;
  }
  return purged;
}
