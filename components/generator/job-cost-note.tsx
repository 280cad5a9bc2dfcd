"use client";

import { useLocale, useTranslations } from "next-intl";
import type { JobCost } from "@/lib/contracts/cost";
import { formatMoney } from "@/lib/client/format";

/** "花费 ≈ $0.40" on a finished job: estimated from the price table, or as the relay charged. */
export function JobCostNote({ cost }: { cost: JobCost | undefined }) {
  const t = useTranslations("generator.cost");
  const locale = useLocale();
  if (!cost) return null;
  const amount = `${cost.estimated ? "≈ " : ""}${formatMoney(cost.amount, cost.currency, locale)}`;
  return (
    <span
      data-testid="job-cost"
      title={cost.estimated ? t("jobCostEstimated") : t("jobCostReported")}
      className="tabular-nums"
    >
      {t("jobCost", { amount })}
    </span>
  );
}
