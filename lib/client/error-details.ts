import type { Job } from "@/lib/contracts/job";

/** Labels of the support text, in the user's language (from generator.json). */
export interface ErrorDetailLabels {
  header: string;
  time: string;
  jobId: string;
  model: string;
  code: string;
  message: string;
  hint: string;
  status: string;
  requestId: string;
  upstreamRequestId: string;
  upstreamHost: string;
  attempts: string;
  upstreamMessage: string;
  retryOf: string;
  prompt: string;
  page: string;
}

// Anything shaped like an API key or a bearer token is dropped even though the server already
// scrubs upstream messages: this text is meant to be pasted into public support threads.
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{6,}/g, "sk-***"],
  [/\b(Bearer)\s+[A-Za-z0-9._~+/-]{8,}=*/gi, "$1 ***"],
  [
    /\b(api[_-]?key|token|authorization)(["']?\s*[:=]\s*["']?)(?!Bearer\b)[^\s"',}]{6,}/gi,
    "$1$2***",
  ],
];

export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (out, [pattern, replacement]) => out.replace(pattern, replacement),
    text,
  );
}

/**
 * The plain text behind "copy details": everything support needs to find the request in the
 * relay's logs (codes, statuses, request ids, host, time), nothing secret.
 */
export function formatErrorDetails(
  job: Job,
  labels: ErrorDetailLabels,
  options: { now?: Date; pageUrl?: string } = {},
): string {
  const error = job.error;
  const lines: [string, string | number | undefined][] = [
    [labels.time, (options.now ?? new Date()).toISOString()],
    [labels.jobId, job.id],
    [labels.model, `${job.model} (${job.protocol})`],
    [labels.code, error?.code ?? job.state],
    [labels.message, error?.message],
    [labels.hint, error?.hint],
    [labels.status, error?.status],
    [labels.requestId, error?.requestId || undefined],
    [labels.upstreamRequestId, error?.upstreamRequestId],
    [labels.upstreamHost, job.upstreamHost],
    [labels.attempts, error?.attempts ?? job.attempts],
    [labels.retryOf, job.retryOf],
    [labels.upstreamMessage, error?.upstreamMessage],
    [labels.prompt, Array.from(job.prompt).slice(0, 120).join("")],
    [labels.page, options.pageUrl],
  ];
  const body = lines
    .filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== "",
    )
    .map(([label, value]) => `${label}: ${String(value).replace(/\s*\n\s*/g, " ")}`);
  return scrubSecrets([labels.header, ...body].join("\n"));
}
