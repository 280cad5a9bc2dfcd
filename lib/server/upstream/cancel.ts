import "server-only";
import type { UpstreamCancel } from "@/lib/contracts/job";
import { resolveDeps, type UpstreamDeps } from "./deps";
import { openUpstream } from "./request";
import { videoPath } from "./videos";

/**
 * Asks the relay once to cancel/delete an accepted `videos` job (`DELETE /v1/videos/{id}`) and
 * reports what it said. Never retried and never thrown: the local job is canceled whatever the
 * relay answers, and the answer only decides what the user is told about billing.
 */
export async function cancelVideoJob(
  baseUrl: string,
  upstreamId: string,
  signal: AbortSignal,
  deps?: Partial<UpstreamDeps>,
): Promise<UpstreamCancel> {
  const resolved = resolveDeps(deps);
  try {
    const call = await openUpstream({
      operation: "cancel",
      protocol: "videos",
      method: "DELETE",
      url: videoPath(baseUrl, upstreamId),
      baseUrl,
      apiKey: resolved.config.apiKey,
      headers: { accept: "application/json" },
      attempt: 1,
      signal,
      deps: resolved,
    });
    const status = call.response.status;
    await call.response.body?.cancel().catch(() => undefined);
    call.finish({ status });
    if (call.response.ok) return { outcome: "deleted", status };
    if (status === 404 || status === 405 || status === 501)
      return { outcome: "unsupported", status };
    return { outcome: "refused", status };
  } catch {
    return { outcome: "unreachable" };
  }
}
