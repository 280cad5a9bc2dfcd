/**
 * The simulator's fault catalogue: every fault's name and where it applies, how a prompt's
 * `[[sim:…]]` directives, `--fault` and the `x-sim-fault` header name them, and which of them a
 * create turns on. The answers they produce are in fault-answers.ts.
 */

export type FaultCategory =
  | "create"
  | "stream"
  | "job"
  | "poll"
  | "content"
  | "cancel"
  | "remix"
  | "dialect"
  | "echo"
  | "billing";

export const FAULTS = {
  no_channel: "create",
  no_channel_zh: "create",
  upstream_503: "create",
  overloaded: "create",
  saturated: "create",
  saturated_ms: "create",
  chat_saturated: "create",
  invalid_key: "create",
  invalid_key_relay: "create",
  relay_quota: "create",
  quota: "create",
  credit_exhausted: "create",
  payment_required: "create",
  no_access: "create",
  gateway_504: "create",
  gateway_524: "create",
  bad_seconds: "create",
  content_policy_400: "create",
  hang: "create",
  create_reply_lost: "create",
  stall: "stream",
  stall_ping: "stream",
  reset: "stream",
  malformed_json: "stream",
  malformed_done: "stream",
  stream_error: "stream",
  content_policy: "stream",
  job_failed: "job",
  job_stuck: "job",
  poll_503: "poll",
  content_reset: "content",
  content_json: "content",
  delete_unsupported: "cancel",
  remix_unsupported: "remix",
  quirks: "dialect",
  nonsora: "dialect",
  task_flat: "dialect",
  task_wrapped: "dialect",
  echo_key: "echo",
  billing_unavailable: "billing",
} as const satisfies Record<string, FaultCategory>;

export type FaultName = keyof typeof FAULTS;
export type StreamFault = {
  [K in FaultName]: (typeof FAULTS)[K] extends "stream" ? K : never;
}[FaultName];

export const CHAT_STYLES = ["markdown", "reasoning", "blockquote", "output", "html"] as const;
export type ChatStyle = (typeof CHAT_STYLES)[number];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

export interface FaultDirective {
  name: FaultName;
  /** `[[sim:NAME*N]]`: only the first N occurrences (creates of the prompt, or polls/downloads of the job). */
  count?: number;
}

/** Outages of a job's own endpoints, in real milliseconds (not scaled by speed). */
export interface Outages {
  /** `poll_outage=MS`: every poll answers 503 from the job's first poll for MS ms. */
  poll?: number;
  /** `content_outage=MS`: every download answers 503 from the job's completion for MS ms. */
  content?: number;
}

export interface Directives {
  faults: FaultDirective[];
  style?: ChatStyle;
  speed?: number;
  /** `[[sim:media_url=URL]]`: the job's result link (and /content) points at URL instead. */
  mediaUrl?: string;
  outages: Outages;
  problems: string[];
}

/** An absolute http(s) URL, or undefined. */
export function parseMediaUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

const DIRECTIVE_PATTERN = /\[\[sim:([^\]]*)\]\]/g;

/** Reads every `[[sim:…]]` directive of a prompt; unknown names end up in `problems`. */
export function parseDirectives(prompt: string): Directives {
  const out: Directives = { faults: [], outages: {}, problems: [] };
  for (const match of prompt.matchAll(DIRECTIVE_PATTERN)) {
    const raw = (match[1] ?? "").trim();
    const option = /^(\w+)\s*=\s*(.+)$/.exec(raw);
    if (option) {
      const [, key = "", value = ""] = option;
      if (key === "style" && (CHAT_STYLES as readonly string[]).includes(value)) {
        out.style = value as ChatStyle;
      } else if (key === "speed" && Number(value) > 0 && Number.isFinite(Number(value))) {
        out.speed = Number(value);
      } else if (key === "media_url" && parseMediaUrl(value)) {
        out.mediaUrl = parseMediaUrl(value);
      } else if ((key === "poll_outage" || key === "content_outage") && /^\d{1,9}$/.test(value)) {
        out.outages[key === "poll_outage" ? "poll" : "content"] = Number(value);
      } else {
        out.problems.push(match[0]);
      }
      continue;
    }
    const parsed = parseFaultSpec(raw);
    if (parsed) out.faults.push(parsed);
    else out.problems.push(match[0]);
  }
  return out;
}

/** `NAME` or `NAME*N`; also used for `--fault` and the `x-sim-fault` header (comma-separated). */
export function parseFaultSpec(spec: string): FaultDirective | null {
  const match = /^([a-z0-9_]+)(?:\s*\*\s*(\d+))?$/.exec(spec.trim());
  if (!match || !isFaultName(match[1] ?? "")) return null;
  const name = match[1] as FaultName;
  return match[2] === undefined ? { name } : { name, count: Number(match[2]) };
}

export function parseFaultList(list: string | undefined): {
  faults: FaultDirective[];
  problems: string[];
} {
  const faults: FaultDirective[] = [];
  const problems: string[] = [];
  for (const part of (list ?? "").split(",")) {
    if (!part.trim()) continue;
    const parsed = parseFaultSpec(part);
    if (parsed) faults.push(parsed);
    else problems.push(part.trim());
  }
  return { faults, problems };
}

export type ActiveFaults = Partial<Record<FaultCategory, FaultDirective>>;

/**
 * Picks, per category, the first directive that is still active. `priorCreates` is how many
 * creates this exact prompt had before this one; poll/content counts are checked per job later.
 */
export function selectFaults(directives: FaultDirective[], priorCreates: number): ActiveFaults {
  const active: ActiveFaults = {};
  for (const directive of directives) {
    const category = FAULTS[directive.name];
    if (active[category]) continue;
    const countsCreates = category !== "poll" && category !== "content";
    if (countsCreates && directive.count !== undefined && priorCreates >= directive.count) continue;
    active[category] = directive;
  }
  return active;
}
