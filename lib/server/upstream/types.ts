import "server-only";
import type { Protocol } from "@/lib/contracts/job";
import type { AppError } from "../errors";

/**
 * The contract between the job runner (lib/server/jobs) and the upstream layer (lib/server/upstream).
 * The runner persists what the callbacks report; the upstream layer owns HTTP, dialects, error
 * classification, retries and failover.
 */

export type ImageMime = "image/png" | "image/jpeg" | "image/webp";

export interface GenerationRequest {
  prompt: string;
  model: string;
  protocol: Protocol;
  /** String seconds (videos: as a string; generations: as the number `duration`); chat: by name. */
  seconds?: string;
  size?: string;
  image?: { mime: ImageMime; bytes: Uint8Array };
  /** A configured base URL to try first for this job only (a diagnosis's "use fallback"). */
  preferBaseUrl?: string;
  /**
   * Remix of a finished video (`POST /v1/videos/{upstreamId}/remix` with `{prompt}`): sent only to
   * `baseUrl`, the configured base URL that made it (no failover: no other relay has the video).
   */
  remix?: { baseUrl: string; upstreamId: string };
}

export interface RetryInfo {
  /** 1-based number of this retry. */
  attempt: number;
  maxRetries: number;
  delayMs: number;
  error: AppError;
}

export interface GenerationCallbacks {
  /** Before each upstream create request (attempt 1 = first try). */
  onAttempt?(info: { attempt: number; host: string }): void;
  /** A retry is about to wait `delayMs`. */
  onRetry(info: RetryInfo): void;
  /** New creates go to another base URL from now on. */
  onFailover(info: { fromHost: string; toHost: string }): void;
  /** The upstream accepted the create (paid): persist this BEFORE anything else happens. */
  onAccepted(info: { baseUrl: string; upstreamId?: string }): void;
  /** Progress reported by the upstream (0..100) and its own text, scrubbed. */
  onProgress(info: { percent: number; message?: string }): void;
}

/** Where a finished video can be downloaded from. */
export interface VideoSource {
  baseUrl: string;
  /** videos protocol: the upstream job id (content from `/v1/videos/{id}/content`). */
  upstreamId?: string;
  /** A direct URL (chat protocol result, `metadata.url`, `/content` answering JSON). */
  url?: string;
  expiresAt?: string;
}

export type GenerationOutcome =
  | { protocol: "videos" | "generations"; baseUrl: string; upstreamId: string }
  | { protocol: "chat"; baseUrl: string; source: VideoSource };

/** A classified upstream failure is always thrown as an AppError with its code, status and ids. */
export type UpstreamFailure = AppError;

/** Upstream call kinds, as logged and shown on /diagnostics. */
export type UpstreamOperation = "create" | "poll" | "content" | "models" | "stream" | "cancel";

/** One finished upstream HTTP call (ring buffer of `recentUpstreamCalls()`). */
export interface UpstreamCallRecord {
  /** ISO time the call started. */
  at: string;
  operation: UpstreamOperation;
  host: string;
  status?: number;
  latencyMs: number;
  /** 1-based attempt of this operation (retries count up). */
  attempt: number;
  /** Model of the call, when it names one (creates). */
  model?: string;
  /** Our error code when the call failed (`aborted` when the caller gave up). */
  errorCode?: string;
  upstreamRequestId?: string;
}
