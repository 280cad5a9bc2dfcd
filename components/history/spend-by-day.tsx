"use client";

import { useLocale, useTranslations } from "next-intl";
import { spendByDay } from "@/lib/contracts/pricing";
import { formatMoney } from "@/lib/client/format";
import type { Job } from "@/lib/contracts/job";

function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** One compact line: what the finished videos shown below cost, per day (newest first). */
export function SpendByDay({ jobs }: { jobs: readonly Job[] }) {
  const t = useTranslations("generator.cost");
  const locale = useLocale();
  const days = spendByDay(jobs, localDay).slice(0, 7);
  if (days.length === 0) return null;
  const today = localDay(new Date().toISOString());
  const dayLabel = (day: string) =>
    day === today
      ? t("today")
      : new Date(`${day}T12:00:00`).toLocaleDateString(locale, { month: "short", day: "numeric" });
  return (
    <p
      data-testid="spend-by-day"
      className="mb-3 flex flex-wrap gap-x-3 gap-y-1 text-xs text-muted tabular-nums"
    >
      <span className="font-medium">{t("spendLabel")}</span>
      {days.map(({ day, totals }) => (
        <span key={day} data-day={day}>
          {t("spendDay", {
            day: dayLabel(day),
            amount: totals
              .map((x) => `${x.estimated ? "≈ " : ""}${formatMoney(x.amount, x.currency, locale)}`)
              .join(" + "),
          })}
        </span>
      ))}
    </p>
  );
}
