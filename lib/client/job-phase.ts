import type { Job } from "@/lib/contracts/job";

/**
 * Where a job is, in our own words: the badge and the progress line both show this, so they never
 * disagree. "saving" covers the download to the server's archive after the relay reached 100 %.
 */
export type JobPhase =
  "queued" | "submitting" | "generating" | "saving" | "completed" | "failed" | "canceled";

// What relays send as their "message" when it is only a status word (OpenAI-style and relay-style).
const QUEUED_WORDS = /^(queued|pending|waiting|submitted|not_start|notstart|排队中?|等待中?)$/i;
const STATUS_WORDS =
  /^(queued|pending|waiting|submitted|not_?start|in_?progress|processing|running|generating|started|completed|succeeded|success|done|排队中?|等待中?|生成中|处理中|进行中|已完成)$/i;
const PROGRESS_WORDS = /(进度|progress|状态|status)/gi;
const PERCENT = /[（(]?\s*\d{1,3}(?:[.,]\d+)?\s*%\s*[)）]?/g;

/** The relay's words with the percentage and decoration taken out, to compare with our own. */
function core(message: string): string {
  return message
    .replace(PERCENT, "")
    .replace(PROGRESS_WORDS, "")
    .replace(/[\p{Extended_Pictographic}\p{P}\p{S}\s]/gu, "")
    .trim();
}

export function jobPhase(job: Pick<Job, "state" | "progress" | "progressMessage">): JobPhase {
  switch (job.state) {
    case "running":
      if (job.progress >= 100) return "saving";
      if (job.progress <= 0 && QUEUED_WORDS.test((job.progressMessage ?? "").trim())) {
        return "queued";
      }
      return "generating";
    default:
      return job.state;
  }
}

/**
 * The relay's own progress text as a secondary detail, or nothing when it only repeats what we
 * already show (a status word such as `in_progress`, "🏃 进度：18%", a bare percentage).
 */
export function relayDetail(message: string | undefined): string | undefined {
  if (!message || STATUS_WORDS.test(message.trim())) return undefined;
  const rest = core(message);
  if (rest.length < 2 || STATUS_WORDS.test(rest)) return undefined;
  const text = message
    .replace(PERCENT, " ")
    .replace(/\s+/g, " ")
    .replace(/^[\s:：,，;；·-]+|[\s:：,，;；·-]+$/g, "")
    .trim();
  return text || undefined;
}

/** Screen readers hear the progress in steps of this many percent, not every poll's number. */
export const ANNOUNCED_PROGRESS_STEP = 25;

/** The last step a job's progress passed (0 before the first one): what the live region says. */
export function announcedProgress(progress: number): number {
  const step = Math.floor(progress / ANNOUNCED_PROGRESS_STEP) * ANNOUNCED_PROGRESS_STEP;
  return Math.min(100 - ANNOUNCED_PROGRESS_STEP, Math.max(0, step));
}
