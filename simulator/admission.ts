import { bodies, createFaultAnswer, type FaultContext } from "./fault-answers";
import {
  parseDirectives,
  selectFaults,
  type ActiveFaults,
  type ChatStyle,
  type FaultName,
  type Outages,
} from "./faults";
import { BadRequest, answer, headerFaults, type Ctx } from "./http";
import { randomId, type Job, type JobKind } from "./jobs";
import type { Counter } from "./state";

/*
 * What every create (video, remix, generation task, chat) goes through before a job exists: the
 * create is counted, the prompt's `[[sim:…]]` directives and the `x-sim-fault` header are read,
 * the key's own limits and the create-time faults answer in relay order; an admitted create then
 * becomes a job.
 */

export interface Admission {
  faults: ActiveFaults;
  outages: Outages;
  /** create_reply_lost: accept the job, then drop the connection instead of answering. */
  loseReply: boolean;
  speed: number;
  style: ChatStyle | undefined;
  mediaUrl: string | undefined;
  counter: Counter;
}

/**
 * Counts the create, then applies (in relay order) the key's own limits and the create-time
 * faults. Returns null when the request has been answered (or deliberately left hanging).
 */
export function admit(ctx: Ctx, prompt: string, model: string): Admission | null {
  const { sim } = ctx;
  const counter = sim.promptCounter(prompt);
  const priorCreates = counter.attempts;
  counter.attempts++;
  sim.total.attempts++;

  const directives = parseDirectives(prompt);
  const header = headerFaults(ctx.req);
  const problems = [...directives.problems, ...header.problems];
  if (problems.length > 0) {
    throw new BadRequest(
      bodies.invalidRequest(
        400,
        `Unknown simulator directive: ${problems.join(", ")}. See simulator/README.md.`,
        "prompt",
        "sim_unknown_directive",
      ),
    );
  }
  const c = { model, requestId: ctx.requestId, apiKey: ctx.apiKey };
  if (ctx.apiKey.includes("noaccess")) throw new BadRequest(bodies.noAccess(c));
  if (ctx.apiKey.includes("exhausted")) throw new BadRequest(bodies.relayQuota(c));
  if (sim.noChannel.has(model)) return refuse(ctx, "no_channel", c);

  const faults = selectFaults(
    [...header.faults, ...directives.faults, ...sim.settings.serverFaults],
    priorCreates,
  );
  if (faults.echo) ctx.echoKey = true;
  const loseReply = faults.create?.name === "create_reply_lost";
  if (loseReply) sim.countFault("create_reply_lost");
  if (faults.create && !loseReply) return refuse(ctx, faults.create.name, c);
  return {
    faults,
    outages: directives.outages,
    loseReply,
    speed: directives.speed ?? sim.settings.speed,
    style: directives.style,
    mediaUrl: directives.mediaUrl ?? sim.settings.mediaUrl,
    counter,
  };
}

/** A create-time fault answers (or leaves the request hanging); no job is made. */
function refuse(ctx: Ctx, name: FaultName, c: FaultContext): null {
  ctx.sim.countFault(name);
  const refused = createFaultAnswer(name, c, randomId(8));
  if (refused !== "hang" && refused !== null) answer(ctx, refused);
  return null;
}

/** The admitted create is accepted: counted, its job faults counted, its job stored. */
export function createJob(
  ctx: Ctx,
  admission: Admission,
  kind: JobKind,
  id: string,
  fields: Partial<Job> & Pick<Job, "model" | "prompt">,
): Job {
  const { sim } = ctx;
  admission.counter.accepted++;
  sim.total.accepted++;
  const { stream, job, dialect } = admission.faults;
  for (const directive of [stream, job, dialect]) if (directive) sim.countFault(directive.name);
  return sim.newJob(kind, id, { outages: admission.outages, ...fields }, admission.speed);
}

/** On the videos and generations protocols a stream-style content_policy means the job fails. */
export function videoJobFaults(faults: ActiveFaults): ActiveFaults {
  if (faults.stream?.name === "content_policy" && !faults.job) {
    return { ...faults, job: { name: "job_failed" } };
  }
  return faults;
}
