// The plain-text diagnostics report: the CLI prints it (with colours), the dashboard copies it.
import {
  STATUS_MARKS,
  type CheckStatus,
  type DiagnosticsReport,
  type IncidentsResponse,
} from "@/lib/contracts/diagnostics";

type Translate = (key: string, values?: Record<string, string | number>) => string;

export interface ReportTextOptions {
  /** Terminal colours (the CLI only, when stdout is a TTY and NO_COLOR is unset). */
  colour?: boolean;
  incidents?: IncidentsResponse;
}

const COLOURS: Record<CheckStatus | "bold" | "dim", [string, string]> = {
  pass: ["\u001b[32m", "\u001b[39m"],
  warn: ["\u001b[33m", "\u001b[39m"],
  fail: ["\u001b[31m", "\u001b[39m"],
  skip: ["\u001b[2m", "\u001b[22m"],
  bold: ["\u001b[1m", "\u001b[22m"],
  dim: ["\u001b[2m", "\u001b[22m"],
};

/** Terminal columns of a string: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    width +=
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6)
        ? 2
        : 1;
  }
  return width;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * The plain-text report: the CLI's human output and the dashboard's "copy report". `t` reads the
 * `diagnostics` namespace. Only masked keys ever reach it (the report holds no key).
 */
export function reportToText(
  report: DiagnosticsReport,
  t: Translate,
  options: ReportTextOptions = {},
): string {
  const paint = (style: keyof typeof COLOURS, text: string) =>
    options.colour ? `${COLOURS[style][0]}${text}${COLOURS[style][1]}` : text;
  const lines: string[] = [];
  lines.push(
    paint(
      "bold",
      t("text.heading", { version: report.version, time: report.startedAt, ms: report.durationMs }),
    ),
  );
  lines.push(
    t("text.target", {
      baseUrl: report.target.baseUrl,
      key: report.target.keyMasked || t("text.none"),
    }),
  );
  const config = report.config;
  if (config) {
    lines.push(
      t("text.model", {
        model: config.defaultModel,
        protocol: config.protocol,
        style: config.apiStyle,
      }),
    );
    lines.push(
      t("text.fallbacks", {
        urls: config.fallbackBaseUrls.length ? config.fallbackBaseUrls.join(", ") : t("text.none"),
      }),
    );
    lines.push(
      t("text.settings", {
        retries: config.maxRetries,
        request: config.requestTimeoutMs,
        idle: config.streamIdleTimeoutMs,
        deadline: config.jobDeadlineMs,
        demo: config.demoMode ? t("text.yes") : t("text.no"),
      }),
    );
    if (config.envFiles) {
      lines.push(
        t("text.envFiles", {
          files: config.envFiles.length ? config.envFiles.join(", ") : t("text.none"),
        }),
      );
    }
    if (config.runtime) lines.push(t("text.runtime", { runtime: config.runtime }));
  }
  lines.push("");

  const titleWidth = Math.min(
    28,
    Math.max(...report.checks.map((check) => displayWidth(check.title))),
  );
  for (const check of report.checks) {
    const mark = paint(check.status, STATUS_MARKS[check.status]);
    const ms = paint("dim", t("text.ms", { ms: check.durationMs }));
    lines.push(`${mark} ${pad(check.title, titleWidth)}  ${check.observed}  ${ms}`);
  }

  const problems = report.checks.filter((c) => c.status === "warn" || c.status === "fail");
  if (problems.length > 0) {
    lines.push("", paint("bold", t("text.problems")));
    for (const check of problems) {
      const code = check.code ? ` [${check.code}]` : "";
      lines.push(`${paint(check.status, STATUS_MARKS[check.status])} ${check.title}${code}`);
      if (check.cause) lines.push(`  ${t("text.cause")}: ${check.cause}`);
      if (check.hint) lines.push(`  ${t("text.fix")}: ${check.hint}`);
    }
  }

  lines.push("");
  const verdictText = t(`verdict.${report.verdict.status}`);
  const primary = report.verdict.primaryCause;
  const primaryCheck = primary ? report.checks.find((c) => c.id === primary.checkId) : undefined;
  lines.push(
    paint(
      "bold",
      primary
        ? t("text.verdictWithCause", {
            verdict: paint(report.verdict.status, verdictText),
            cause: primary.message,
            check: primaryCheck?.title ?? primary.checkId,
          })
        : t("text.verdict", { verdict: paint(report.verdict.status, verdictText) }),
    ),
  );
  if (report.verdict.nextSteps.length > 0) {
    lines.push(t("text.nextSteps"));
    report.verdict.nextSteps.forEach((step, index) => lines.push(`  ${index + 1}. ${step}`));
  }

  if (options.incidents) {
    const { calls, counts } = options.incidents;
    lines.push("", t("text.incidents", { count: calls.length }));
    const countText = Object.entries(counts)
      .map(([code, n]) => `${code}×${n}`)
      .join(", ");
    lines.push(`  ${t("text.incidentCounts", { counts: countText || t("text.none") })}`);
    for (const call of calls.slice(0, 20)) {
      lines.push(
        `  ${call.at} ${call.operation} ${call.host} ${call.status ?? "—"} ${Math.round(
          call.latencyMs,
        )}ms #${call.attempt ?? 1} ${call.code ?? "ok"}${
          call.upstreamRequestId ? ` ${call.upstreamRequestId}` : ""
        }`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
