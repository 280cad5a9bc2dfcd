import * as z from "zod/mini";
import { jobCostSchema } from "./cost";
import { apiErrorSchema, errorCodeSchema } from "./errors";
import { jobEtaSchema } from "./eta";

import { JOB_STATES, MAX_HISTORY_PAGE_SIZE, MAX_HISTORY_SEARCH_CHARS } from "./job-state";

export * from "./job-state";

export const jobStateSchema = z.enum(JOB_STATES);

export const protocolSchema = z.enum(["videos", "chat", "generations"]);
export type Protocol = z.infer<typeof protocolSchema>;

/** What the relay answered when asked to cancel/delete a job (`not_sent`: nothing to ask it). */
export const upstreamCancelSchema = z.object({
  outcome: z.enum(["deleted", "refused", "unsupported", "unreachable", "not_sent"]),
  status: z.optional(z.int()),
});
export type UpstreamCancel = z.infer<typeof upstreamCancelSchema>;

export const jobCancellationSchema = z.object({
  at: z.string(),
  upstream: upstreamCancelSchema,
  /**
   * Whether the relay may still bill the job: it accepted (or may have accepted) the create, and
   * no relay promises a refund for a deleted task.
   */
  mayStillBill: z.boolean(),
});
export type JobCancellation = z.infer<typeof jobCancellationSchema>;

export const jobVideoSchema = z.object({
  /** Always ours (`/api/videos/:id/content`), never the upstream link. */
  url: z.string(),
  contentType: z.string(),
  bytes: z.optional(z.int()),
  archived: z.boolean(),
  expiresAt: z.optional(z.string()),
  thumbnailUrl: z.optional(z.string()),
});
export type JobVideo = z.infer<typeof jobVideoSchema>;

export const jobSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  state: jobStateSchema,
  prompt: z.string(),
  model: z.string(),
  protocol: protocolSchema,
  seconds: z.optional(z.string()),
  size: z.optional(z.string()),
  hasImage: z.boolean(),
  progress: z.number().check(z.minimum(0), z.maximum(100)),
  progressMessage: z.optional(z.string()),
  /** Host of the base URL that owns the job (no credentials, no path). */
  upstreamHost: z.optional(z.string()),
  upstreamId: z.optional(z.string()),
  /** The job this one retries (the "retry" button links them). */
  retryOf: z.optional(z.string()),
  /** The completed job this one remixes (`remixOf` on create). */
  remixOf: z.optional(z.string()),
  /** Upstream create attempts made for this job. */
  attempts: z.int(),
  /**
   * Whether the upstream may already have accepted (and billed) this job: it has an upstream id, or a
   * create was sent whose outcome is ambiguous. Decides whether "Retry" may pay twice — not the error
   * code. Optional only because snapshots in older event logs lack it.
   */
  mayBeBilled: z.optional(z.boolean()),
  lastSeq: z.int(),
  /** Set when the user canceled the job (`POST /api/videos/:id/cancel`). */
  cancellation: z.optional(jobCancellationSchema),
  /** What the job costs: estimated from SORA_PRICES when it was created, or as the relay reported. */
  cost: z.optional(jobCostSchema),
  video: z.optional(jobVideoSchema),
  error: z.optional(apiErrorSchema),
  completedAt: z.optional(z.string()),
  /**
   * A running job's outlook from this store's history (time left, stalled). Only on
   * `GET /api/videos/:id`, computed at read time; never in the event log.
   */
  eta: z.optional(jobEtaSchema),
});
export type Job = z.infer<typeof jobSchema>;

export const jobListSchema = z.object({
  jobs: z.array(jobSchema),
  nextCursor: z.nullable(z.string()),
});
export type JobList = z.infer<typeof jobListSchema>;

/** `202 {job}` of `POST /api/videos` and of the job actions (recheck, cancel, restore). */
export const jobAnswerSchema = z.object({ job: jobSchema });

/**
 * `GET /api/videos` query: `limit` (1–100), `cursor` (from the previous page), `state` (one or
 * more states, comma-separated), `model` (exact id), `q` (text the prompt contains, any case).
 * The server passes an empty parameter as absent.
 */
export const jobListQuerySchema = z.object({
  limit: z.optional(
    z.pipe(
      z.pipe(z.string().check(z.regex(/^\d{1,3}$/)), z.transform(Number)),
      z.int().check(z.minimum(1), z.maximum(MAX_HISTORY_PAGE_SIZE)),
    ),
  ),
  cursor: z.optional(z.string().check(z.maxLength(100))),
  state: z.optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((value) => [...new Set(value.split(",").map((s) => s.trim()))]),
      ),
      z.array(jobStateSchema).check(z.minLength(1)),
    ),
  ),
  model: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  q: z.optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((value) => value.trim()),
      ),
      z.string().check(z.maxLength(MAX_HISTORY_SEARCH_CHARS)),
    ),
  ),
});
export type JobListQuery = z.infer<typeof jobListQuerySchema>;

/** What the history list is narrowed to in the UI (the query without paging). */
export type JobListFilter = Pick<JobListQuery, "state" | "model" | "q">;

/** SSE event payloads (DESIGN §4). `id:` of each frame is the job's monotonic sequence number. */
export const jobEventDataSchemas = {
  job: jobSchema,
  state: z.object({ state: jobStateSchema }),
  progress: z.object({
    percent: z.number().check(z.minimum(0), z.maximum(100)),
    message: z.optional(z.string()),
  }),
  retry: z.object({
    attempt: z.int(),
    maxRetries: z.int(),
    delayMs: z.int(),
    error: z.object({
      code: errorCodeSchema,
      status: z.optional(z.int()),
      message: z.string(),
    }),
  }),
  failover: z.object({ fromHost: z.string(), toHost: z.string() }),
  completed: z.object({ job: jobSchema }),
  failed: z.object({ job: jobSchema }),
  /** Sent shortly before a platform time limit: reconnect with Last-Event-ID. */
  reconnect: z.object({ afterMs: z.int() }),
} as const;

export type JobEventType = keyof typeof jobEventDataSchemas;
export const JOB_EVENT_TYPES = Object.keys(jobEventDataSchemas) as JobEventType[];

export type JobEventData = { [K in JobEventType]: z.infer<(typeof jobEventDataSchemas)[K]> };

export type JobEvent = {
  [K in JobEventType]: { seq: number; type: K; data: JobEventData[K] };
}[JobEventType];

export const TERMINAL_EVENT_TYPES: readonly JobEventType[] = ["completed", "failed"];

/** Validates one SSE frame as read by a client; returns null for unknown or malformed frames. */
export function parseJobEvent(type: string, seq: number, raw: unknown): JobEvent | null {
  if (!(type in jobEventDataSchemas)) return null;
  const schema = jobEventDataSchemas[type as JobEventType];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return null;
  return { seq, type, data: parsed.data } as JobEvent;
}
