import type { Job } from "@/lib/contracts/job";
import { describeModel } from "@/lib/contracts/model-catalogue";

/**
 * Whether the page offers "Remix" for a job: a finished Videos API job the relay knows by id, of a
 * model whose catalogue entry (as the server lists it, else the built-in family) can remix.
 */
export function canRemix(
  job: Pick<Job, "state" | "protocol" | "upstreamId" | "model">,
  models: readonly { id: string; remix: boolean }[] | undefined,
): boolean {
  if (job.state !== "completed" || job.protocol !== "videos" || !job.upstreamId) return false;
  const info = models?.find((m) => m.id === job.model) ?? describeModel(job.model);
  return info.remix;
}
