import { headerFaults, answer, upstream503, type Ctx } from "./http";
import { jobState, type Job, type RenderContext } from "./jobs";
import { serveMedia } from "./media";

/*
 * What happens when a client reads a job back, on any protocol: poll pacing and poll faults
 * (`poll_503`, poll outages), and media downloads with their faults (`content_reset`, content
 * outages), including the `/files/…` links the jobs hand out.
 */

export function renderCtx(ctx: Ctx): RenderContext {
  return { now: Date.now(), baseUrl: ctx.sim.baseUrl };
}

/** The `openai-poll-after-ms` hint: a second of job time. */
export function pollAfter(job: Job): Record<string, string> {
  return { "openai-poll-after-ms": String(Math.max(50, Math.round(1000 / job.speed))) };
}

/** Counts a poll of `job`; when the poll fails, answers the relay's 503 and returns true. */
export function pollFailed(ctx: Ctx, job: Job): boolean {
  const failed = pollFails(ctx, job);
  if (failed) upstream503(ctx, job.model);
  return failed;
}

/** poll_503: uncounted = every other poll (1st, 3rd, …) fails; `*N` = the first N polls fail. */
function pollFails(ctx: Ctx, job: Job): boolean {
  const index = job.polls++;
  const now = Date.now();
  job.firstPollAtMs ??= now;
  if (job.lastPollAtMs !== undefined) {
    job.minPollGapMs = Math.min(job.minPollGapMs ?? Infinity, now - job.lastPollAtMs);
  }
  job.lastPollAtMs = now;
  if (job.outages.poll !== undefined && now < job.firstPollAtMs + job.outages.poll) {
    ctx.sim.countFault("poll_outage");
    return true;
  }
  const header = headerFaults(ctx.req).faults;
  const directive = job.faults.poll ?? header.find((f) => f.name === "poll_503");
  if (!directive) return false;
  const fails = directive.count === undefined ? index % 2 === 0 : index < directive.count;
  if (fails) ctx.sim.countFault("poll_503");
  return fails;
}

/** `GET /files/<fileKey>.mp4|jpg`: the links jobs hand out, once the job has completed. */
export function serveFile(ctx: Ctx, name: string): void {
  const match = /^([0-9a-f]+)\.(mp4|jpg)$/.exec(name);
  const job = match ? ctx.sim.files.get(match[1] ?? "") : undefined;
  if (!match || !job || job.deleted || jobState(job, Date.now()).status !== "completed") {
    return answer(ctx, {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: "404 page not found",
    });
  }
  ctx.res.setHeader("access-control-allow-origin", "*");
  sendMedia(ctx, job, match[2] === "mp4" ? "video" : "thumbnail");
}

/** content_reset: uncounted = every download is cut; `*N` = the first N downloads are cut. */
export function sendMedia(ctx: Ctx, job: Job, kind: "video" | "thumbnail"): void {
  const { sim } = ctx;
  const asset = sim.settings.assets[kind];
  const completedAt = jobState(job, Date.now()).completedAtMs ?? 0;
  if (job.outages.content !== undefined && Date.now() < completedAt + job.outages.content) {
    sim.countFault("content_outage");
    return upstream503(ctx, job.model);
  }
  let resetAfterBytes: number | undefined;
  if (ctx.req.method !== "HEAD") {
    const index = job.downloads++;
    const directive = job.faults.content;
    if (
      directive?.name === "content_reset" &&
      (directive.count === undefined || index < directive.count)
    ) {
      resetAfterBytes = Math.floor(asset.body.length / 3);
      sim.countFault("content_reset");
    }
  }
  serveMedia(ctx.req, ctx.res, asset, {
    resetAfterBytes,
    onBytes: (n) => {
      sim.bytesServed += n;
    },
  });
}
