import "server-only";

export { normalizeBaseUrl } from "./base-url";
export {
  classifyUpstreamError,
  createMayHaveBeenAccepted,
  isCreateRetryable,
  isIdempotentRetryable,
} from "./classify";
export { fetchVideoContent } from "./content";
export type { UpstreamConfig, UpstreamDeps } from "./deps";
export { createGeneration, currentBaseUrl } from "./generation";
export { listRelayModels } from "./models";
export { recentUpstreamCalls, upstreamErrorCounts } from "./records";
export type * from "./types";
export { followVideoJob, lookupVideoJob, type VideoLookup } from "./videos";
