"use client";

import { useTranslations } from "next-intl";
import { useFormatDuration } from "@/hooks/use-format-duration";
import {
  CHECK_IDS,
  checkMessageKey,
  type CheckId,
  type CheckStatus,
} from "@/lib/contracts/check-ids";
import type { DiagnosticCheck } from "@/lib/contracts/diagnostics";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { CheckStatusIcon } from "./check-status-icon";

const TONES: Record<CheckStatus, BadgeTone> = {
  pass: "success",
  warn: "warning",
  fail: "danger",
  skip: "neutral",
};

/** Every check in report order; the ones still running show as waiting. */
/** A hint with its web addresses (e.g. the relay's console) as real links, not bare text. */
function TextWithLinks({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s，。；、）)]+)/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <a
            key={i}
            href={part}
            target="_blank"
            rel="noreferrer noopener"
            className="font-medium break-all text-violet-700 underline underline-offset-2 dark:text-violet-300"
          >
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </>
  );
}

export function CheckList({
  checks,
  running,
  labelledBy,
}: {
  checks: Partial<Record<CheckId, DiagnosticCheck>>;
  running: boolean;
  labelledBy: string;
}) {
  const t = useTranslations("diagnostics");
  const duration = useFormatDuration();
  return (
    <ol aria-labelledby={labelledBy} className="divide-y divide-zinc-100 dark:divide-zinc-800">
      {CHECK_IDS.map((id) => {
        const check = checks[id];
        const status = check?.status ?? "pending";
        const title = check?.title ?? t(`checks.${checkMessageKey(id)}`);
        const problem = check && (check.status === "warn" || check.status === "fail");
        return (
          <li
            key={id}
            data-check-id={id}
            data-status={status}
            className="flex items-start gap-3 px-5 py-3"
          >
            <CheckStatusIcon status={status} className="mt-0.5" />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                <span className="font-medium">{title}</span>
                <Badge tone={check ? TONES[check.status] : "neutral"}>
                  {check
                    ? t(`status.${check.status}`)
                    : t(running ? "status.running" : "status.pending")}
                </Badge>
                {check?.code && check.status !== "pass" && check.status !== "skip" ? (
                  <code className="font-mono text-xs text-muted">{check.code}</code>
                ) : null}
              </div>
              <p className="mt-0.5 text-sm break-words text-muted">
                {check ? check.observed : t("page.waiting")}
              </p>
              {problem ? (
                <dl className="mt-2 grid gap-1 text-sm sm:grid-cols-[auto_1fr] sm:gap-x-3">
                  {check.cause ? (
                    <>
                      <dt className="font-medium text-soft">{t("page.cause")}</dt>
                      <dd className="text-soft">{check.cause}</dd>
                    </>
                  ) : null}
                  {check.hint ? (
                    <>
                      <dt className="font-medium text-soft">{t("page.fix")}</dt>
                      <dd className="text-fg">
                        <TextWithLinks text={check.hint} />
                      </dd>
                    </>
                  ) : null}
                </dl>
              ) : null}
            </div>
            {check ? (
              <span className="shrink-0 pt-0.5 text-xs text-muted tabular-nums">
                {duration(check.durationMs)}
              </span>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
