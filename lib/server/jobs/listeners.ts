import "server-only";
import { serverLog } from "../log";
import type { JobEventListener, StoredJobEvent } from "./types";

/** Hands one event to each listener; one that throws is logged and does not stop the others. */
export function notifyListeners(
  jobId: string,
  listeners: Set<JobEventListener>,
  event: StoredJobEvent,
): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      serverLog.error("job event listener failed", {
        job: jobId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/**
 * Adds `listener` to the job's subscription `sub` (already in `subscriptions`) and returns its
 * removal; a subscription goes with its last listener, then `onRemoved` runs.
 */
export function addListener<S extends { listeners: Set<JobEventListener> }>(
  subscriptions: Map<string, S>,
  id: string,
  sub: S,
  listener: JobEventListener,
  onRemoved?: () => void,
): () => void {
  // Wrapped: the same function subscribed twice is two listeners, each removed by its own call.
  const wrapped: JobEventListener = (event) => listener(event);
  sub.listeners.add(wrapped);
  return () => {
    const current = subscriptions.get(id);
    if (!current) return;
    current.listeners.delete(wrapped);
    if (current.listeners.size === 0) subscriptions.delete(id);
    onRemoved?.();
  };
}
