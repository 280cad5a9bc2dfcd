import "server-only";
import type { Diagnosis } from "@/lib/contracts/diagnosis";
import {
  MAX_HISTORY_PAGE_SIZE,
  isTerminalState,
  jobListQuerySchema,
  type Job,
  type JobList,
} from "@/lib/contracts/job";
import { cachedDiagnosis } from "../diagnostics/job-diagnosis";
import { AppError, badRequest } from "../errors";
import { cancelVideoJob } from "../upstream/cancel";
import type { ApiContext } from "../route-handler";
import { serverLog } from "../log";
import { consumeCreateBudget } from "../rate-limit";
import { continueAfterResponse } from "../shared/vercel";
import { removeJobForGood } from "./deletion";
import { parseCreateVideoRequest } from "./create-request";
import { jobEta } from "./eta";
import { assertJobId } from "./ids";
import { getJobRunner } from "./runner";
import { renderJob } from "./snapshot";
import { getJobStore } from "./store";
import { jobEventStream, parseResumePoint } from "./stream";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = MAX_HISTORY_PAGE_SIZE;
/** How long a job deleted with undo stays restorable before it is removed for good. */
export const DELETE_UNDO_WINDOW_MS = 10_000;

/** `Accept: application/json` (without event-stream) asks for `202 {job}` instead of the stream. */
function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept")?.toLowerCase() ?? "";
  return accept.includes("application/json") && !accept.includes("text/event-stream");
}

const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/** `Idempotency-Key`: 1–200 printable ASCII characters (not starting with a space), or absent. */
export function parseIdempotencyKey(request: Request): string | undefined {
  const raw = request.headers.get("idempotency-key");
  if (raw === null) return undefined;
  const key = raw.trim();
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw badRequest("invalidIdempotencyKey");
  return key;
}

/**
 * `POST /api/videos`: validate, persist, start in the background, then follow or answer 202.
 * A repeated `Idempotency-Key` (24 h) answers with the existing job — 200 JSON, or its stream from
 * the start — and creates nothing.
 */
export async function createVideo(request: Request, ctx: ApiContext): Promise<Response> {
  const idempotencyKey = parseIdempotencyKey(request);
  const input = await parseCreateVideoRequest(request);
  const runner = getJobRunner();
  const existing = idempotencyKey
    ? await getJobStore().findByIdempotencyKey(idempotencyKey)
    : undefined;
  let job = existing;
  let created = false;
  if (!job) {
    // After validation: bad input never spends the budget; before the job: a 429 leaves nothing.
    await consumeCreateBudget(request);
    ({ job, created } = await runner.submitJob(input, { ...ctx, idempotencyKey }));
  }
  if (!created) runner.nudge(job.id);
  const jobId = job.id;
  if (created) continueAfterResponse((budgetMs) => runner.settled(jobId, budgetMs));
  if (wantsJson(request)) {
    return Response.json(
      { job: renderJob(job, ctx.locale) },
      { status: created ? 202 : 200, headers: created ? {} : { "Idempotent-Replayed": "true" } },
    );
  }
  return jobEventStream(job, {
    locale: ctx.locale,
    after: 0,
    signal: request.signal,
    onOpen: created ? undefined : (id) => runner.nudge(id),
  });
}

/**
 * `POST /api/videos/:id/recheck`: ask the upstream again about a job with an upstream id; a video
 * that exists after all revives the job (followers re-follow with `?after=<lastSeq>`).
 */
export async function recheckVideo(id: string, ctx: ApiContext): Promise<Response> {
  const job = await findJob(id);
  if (!job.upstreamId) throw badRequest("recheckNoUpstream", undefined, 409);
  if (job.state === "canceled") throw badRequest("recheckCanceled", undefined, 409);
  const checked = (await getJobRunner().recheck(job.id)) ?? job;
  return Response.json({ job: renderJob(checked, ctx.locale) }, { status: 202 });
}

/** How long the relay gets to answer a cancel before we report it unreachable. */
const UPSTREAM_CANCEL_TIMEOUT_MS = 10_000;

/**
 * `POST /api/videos/:id/cancel`: stop following a running job for good (state `canceled`, which
 * the reconciler never picks up and no worker renews a lease for), then ask the relay to
 * cancel/delete it where the protocol has a route (`videos`: `DELETE /v1/videos/{id}`), and say
 * whether the relay may still bill it. 409 for a job that already ended.
 */
export async function cancelVideo(id: string, ctx: ApiContext): Promise<{ job: Job }> {
  const job = await findJob(id);
  if (isTerminalState(job.state)) throw badRequest("cancelFinished", undefined, 409);
  const store = getJobStore();
  const runner = getJobRunner();
  const wasRunning = runner.cancel(job.id);
  const stopped = await store.appendEvent(
    job.id,
    { type: "state", data: { state: "canceled" } },
    { state: "canceled" },
  );
  if (!stopped) {
    // It ended (or was deleted) between the read and the write: report what it is now.
    if (wasRunning) await runner.settled(job.id, 5_000);
    const now = await findJob(id);
    if (now.state !== "canceled") throw badRequest("cancelFinished", undefined, 409);
    return { job: renderJob(now, ctx.locale) };
  }
  if (wasRunning) await runner.settled(job.id, 5_000);
  // Read again: the stopped worker may have recorded an upstream id just before it stopped.
  const current = (await store.getJob(job.id)) ?? stopped.job;
  const accepted = Boolean(current.upstreamId) || current.mayBeBilled;
  // A create already sent (state past queued) may have been accepted even without an id.
  const mayStillBill = accepted || job.state !== "queued";
  const upstream =
    current.protocol === "videos" && current.baseUrl && current.upstreamId
      ? await cancelVideoJob(
          current.baseUrl,
          current.upstreamId,
          AbortSignal.timeout(UPSTREAM_CANCEL_TIMEOUT_MS),
        )
      : ({ outcome: "not_sent" } as const);
  const cancellation = { at: new Date().toISOString(), upstream, mayStillBill };
  const updated = (await store.updateJob(job.id, { cancellation })) ?? current;
  serverLog.info("job canceled", {
    job: job.id,
    state: job.state,
    stoppedFollowing: wasRunning,
    upstream: upstream.outcome,
    upstreamStatus: "status" in upstream ? upstream.status : undefined,
    mayStillBill,
  });
  return { job: renderJob(updated, ctx.locale) };
}

/** The job as the public routes see it: one deleted with undo is gone for them (404). */
async function findJob(id: string, options: { deleted?: boolean } = {}) {
  const job = await getJobStore().getJob(assertJobId(id));
  if (!job || (job.purgeAt !== undefined && !options.deleted)) throw new AppError("not_found");
  return job;
}

/** `GET /api/videos?limit=&cursor=&state=&model=&q=`: newest first, narrowed server-side. */
export async function listVideos(request: Request, ctx: ApiContext): Promise<JobList> {
  const params = new URL(request.url).searchParams;
  // An empty parameter counts as absent.
  const raw = Object.fromEntries(
    Object.keys(jobListQuerySchema.shape).map((name) => [name, params.get(name) || undefined]),
  );
  const parsed = jobListQuerySchema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest("invalidField", { field: String(parsed.error.issues[0]?.path[0] ?? "query") });
  }
  const { limit = DEFAULT_PAGE_SIZE, cursor, state, model, q } = parsed.data;
  const page = await getJobStore().listJobs({
    limit,
    cursor,
    states: state,
    model,
    search: q || undefined,
  });
  if (!page) throw badRequest("invalidCursor");
  return { jobs: page.jobs.map((job) => renderJob(job, ctx.locale)), nextCursor: page.nextCursor };
}

/** `GET /api/videos/:id`; a running job carries its `eta` (time left, stalled). */
export async function getVideo(id: string, ctx: ApiContext): Promise<Job> {
  const job = await findJob(id);
  const eta = await jobEta(job);
  return eta ? { ...renderJob(job, ctx.locale), eta } : renderJob(job, ctx.locale);
}

/** `GET /api/videos/:id/events`: replay after Last-Event-ID / `?after=`, then live. */
export async function streamVideoEvents(
  request: Request,
  id: string,
  ctx: ApiContext,
): Promise<Response> {
  const job = await findJob(id);
  const after = parseResumePoint(request);
  return jobEventStream(job, {
    locale: ctx.locale,
    after,
    signal: request.signal,
    // A job nobody is advancing (its process died) is taken over when someone watches it.
    onOpen: (jobId) => getJobRunner().nudge(jobId),
  });
}

/**
 * `DELETE /api/videos/:id`: stop following, tell live streams, forget the job and its file.
 * `?undo=1`: hidden at once, restorable (`POST …/restore`) for DELETE_UNDO_WINDOW_MS, removed for
 * good by the reconciler afterwards — durable from this answer on, whatever the page does next.
 */
export async function deleteVideo(
  request: Request,
  id: string,
): Promise<{ deleted: true; id: string; purgeAt?: string }> {
  const undo = new URL(request.url).searchParams.get("undo");
  if (undo !== null && undo !== "1") throw badRequest("invalidField", { field: "undo" });
  const job = await findJob(id, { deleted: true });
  if (undo === "1") {
    const purgeAt = Date.now() + DELETE_UNDO_WINDOW_MS;
    const hidden = await getJobStore().updateJob(job.id, { purgeAt });
    if (!hidden) throw new AppError("not_found");
    serverLog.info("job deleted (undo possible)", { job: job.id, purgeAt });
    return { deleted: true, id: job.id, purgeAt: new Date(purgeAt).toISOString() };
  }
  await removeJobForGood(job, getJobStore(), getJobRunner());
  return { deleted: true, id: job.id };
}

/** `POST /api/videos/:id/restore`: undoes a `DELETE ?undo=1` whose window has not run out. */
export async function restoreVideo(id: string, ctx: ApiContext): Promise<{ job: Job }> {
  const job = await findJob(id, { deleted: true });
  const restored =
    job.purgeAt === undefined ? job : await getJobStore().updateJob(job.id, { purgeAt: undefined });
  if (!restored) throw new AppError("not_found");
  if (job.purgeAt !== undefined) serverLog.info("job restored", { job: job.id });
  return { job: renderJob(restored, ctx.locale) };
}

/** A non-final job that has not changed for this long counts as stalled (diagnosable). */
const STALLED_AFTER_MS = 60_000;

/**
 * `GET /api/videos/:id/diagnosis`: why this failed (or stalled) job failed and the ways out, from
 * unbilled probes against its own base URL, key and model (cached per job for a minute).
 */
export async function diagnoseVideo(id: string, ctx: ApiContext): Promise<Diagnosis> {
  const job = await findJob(id);
  const stalled =
    !isTerminalState(job.state) && Date.now() - Date.parse(job.updatedAt) > STALLED_AFTER_MS;
  if (job.state !== "failed" && !stalled) throw badRequest("diagnosisNotFailed", undefined, 409);
  return cachedDiagnosis(job, ctx.locale);
}
