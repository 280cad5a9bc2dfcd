import { z } from "zod";
import { jobCostSchema } from "./cost";
import { apiErrorSchema, errorCodeSchema } from "./errors";
import { jobEtaSchema } from "./eta";

export const JOB_STATES = [
  "queued",
  "submitting",
  "running",
  "completed",
  "failed",
  "canceled",
] as const;
export const jobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof jobStateSchema>;

export const TERMINAL_STATES: readonly JobState[] = ["completed", "failed", "canceled"];
export const isTerminalState = (state: JobState) => TERMINAL_STATES.includes(state);

export const protocolSchema = z.enum(["videos", "chat", "generations"]);
export type Protocol = z.infer<typeof protocolSchema>;

/** What the relay answered when asked to cancel/delete a job (`not_sent`: nothing to ask it). */
export const upstreamCancelSchema = z.object({
  outcome: z.enum(["deleted", "refused", "unsupported", "unreachable", "not_sent"]),
  status: z.number().int().optional(),
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
  bytes: z.number().int().optional(),
  archived: z.boolean(),
  expiresAt: z.string().optional(),
  thumbnailUrl: z.string().optional(),
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
  seconds: z.string().optional(),
  size: z.string().optional(),
  hasImage: z.boolean(),
  progress: z.number().min(0).max(100),
  progressMessage: z.string().optional(),
  /** Host of the base URL that owns the job (no credentials, no path). */
  upstreamHost: z.string().optional(),
  upstreamId: z.string().optional(),
  /** The job this one retries (the "retry" button links them). */
  retryOf: z.string().optional(),
  /** The completed job this one remixes (`remixOf` on create). */
  remixOf: z.string().optional(),
  /** Upstream create attempts made for this job. */
  attempts: z.number().int(),
  /**
   * Whether the upstream may already have accepted (and billed) this job: it has an upstream id, or a
   * create was sent whose outcome is ambiguous. Decides whether "Retry" may pay twice — not the error
   * code. Optional only because snapshots in older event logs lack it.
   */
  mayBeBilled: z.boolean().optional(),
  lastSeq: z.number().int(),
  /** Set when the user canceled the job (`POST /api/videos/:id/cancel`). */
  cancellation: jobCancellationSchema.optional(),
  /** What the job costs: estimated from SORA_PRICES when it was created, or as the relay reported. */
  cost: jobCostSchema.optional(),
  video: jobVideoSchema.optional(),
  error: apiErrorSchema.optional(),
  completedAt: z.string().optional(),
  /**
   * A running job's outlook from this store's history (time left, stalled). Only on
   * `GET /api/videos/:id`, computed at read time; never in the event log.
   */
  eta: jobEtaSchema.optional(),
});
export type Job = z.infer<typeof jobSchema>;

export const jobListSchema = z.object({
  jobs: z.array(jobSchema),
  nextCursor: z.string().nullable(),
});
export type JobList = z.infer<typeof jobListSchema>;

export const MAX_HISTORY_PAGE_SIZE = 100;
export const MAX_HISTORY_SEARCH_CHARS = 200;

/** An empty query parameter counts as absent. */
const optionalParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());

/**
 * `GET /api/videos` query: `limit` (1–100), `cursor` (from the previous page), `state` (one or
 * more states, comma-separated), `model` (exact id), `q` (text the prompt contains, any case).
 */
export const jobListQuerySchema = z.object({
  limit: optionalParam(
    z
      .string()
      .regex(/^\d{1,3}$/)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_HISTORY_PAGE_SIZE)),
  ),
  cursor: optionalParam(z.string().max(100)),
  state: optionalParam(
    z
      .string()
      .transform((value) => [...new Set(value.split(",").map((s) => s.trim()))])
      .pipe(z.array(jobStateSchema).min(1)),
  ),
  model: optionalParam(z.string().trim().min(1).max(200)),
  q: optionalParam(
    z
      .string()
      .transform((value) => value.trim())
      .pipe(z.string().max(MAX_HISTORY_SEARCH_CHARS)),
  ),
});
export type JobListQuery = z.infer<typeof jobListQuerySchema>;

/** What the history list is narrowed to in the UI (the query without paging). */
export type JobListFilter = Pick<JobListQuery, "state" | "model" | "q">;

/** SSE event payloads (DESIGN §4). `id:` of each frame is the job's monotonic sequence number. */
export const jobEventDataSchemas = {
  job: jobSchema,
  state: z.object({ state: jobStateSchema }),
  progress: z.object({ percent: z.number().min(0).max(100), message: z.string().optional() }),
  retry: z.object({
    attempt: z.number().int(),
    maxRetries: z.number().int(),
    delayMs: z.number().int(),
    error: z.object({
      code: errorCodeSchema,
      status: z.number().int().optional(),
      message: z.string(),
    }),
  }),
  failover: z.object({ fromHost: z.string(), toHost: z.string() }),
  completed: z.object({ job: jobSchema }),
  failed: z.object({ job: jobSchema }),
  /** Sent shortly before a platform time limit: reconnect with Last-Event-ID. */
  reconnect: z.object({ afterMs: z.number().int() }),
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
