"use client";

import { useTranslations } from "next-intl";
import { useFormatDuration } from "@/hooks/use-format-duration";
import type { EffectiveConfig } from "@/lib/contracts/diagnostics";

/** The configuration the server runs with, key masked (what a support person asks for first). */
export function ConfigSummary({ config }: { config: EffectiveConfig }) {
  const t = useTranslations("diagnostics.config");
  const ms = useFormatDuration();
  const rows: [string, string][] = [
    [t("key"), config.keyConfigured ? config.keyMasked : t("keyMissing")],
    [t("baseUrl"), config.baseUrl],
    [
      t("fallbacks"),
      config.fallbackBaseUrls.length ? config.fallbackBaseUrls.join(", ") : t("none"),
    ],
    [t("defaultModel"), config.defaultModel],
    [t("protocol"), config.protocol],
    [t("apiStyle"), config.apiStyle],
    [t("retries"), String(config.maxRetries)],
    [t("retryDelay"), ms(config.retryBaseDelayMs)],
    [t("requestTimeout"), ms(config.requestTimeoutMs)],
    [t("streamIdleTimeout"), ms(config.streamIdleTimeoutMs)],
    [t("jobDeadline"), ms(config.jobDeadlineMs)],
    [t("pollInterval"), ms(config.pollIntervalMs)],
    [t("demoMode"), config.demoMode ? t("yes") : t("no")],
    [t("accessPassword"), config.accessPassword ? t("set") : t("notSet")],
  ];
  if (config.runtime) rows.push([t("runtime"), config.runtime]);
  return (
    <dl className="grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted">{label}</dt>
          <dd className="font-mono text-xs leading-5 break-all text-fg">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
