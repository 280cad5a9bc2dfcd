"use client";

import { useLocale, useTranslations } from "next-intl";
import { estimateCost } from "@/lib/contracts/pricing";
import { formatMoney } from "@/lib/client/format";
import type { ModelInfo } from "@/lib/contracts/models";

/**
 * "≈ ¥1.20" for the chosen model, duration and number of videos, from the price the server sent
 * with the model (SORA_PRICES). Nothing when no price is configured.
 */
export function CostEstimate({
  model,
  seconds,
  count = 1,
}: {
  model: ModelInfo | undefined;
  seconds: string | undefined;
  count?: number;
}) {
  const t = useTranslations("generator.cost");
  const locale = useLocale();
  // Chat models imply their duration by name: the catalogue's one value prices them.
  const duration = seconds ?? model?.durations[0];
  const total = estimateCost(model?.price, duration, count);
  if (!total) return null;
  const amount = formatMoney(total.amount, total.currency, locale);
  const each = estimateCost(model?.price, duration);
  return (
    <p
      data-testid="cost-estimate"
      aria-live="polite"
      title={t("hint")}
      className="text-center text-sm font-medium text-soft tabular-nums"
    >
      <span className="sr-only">{t("label")} </span>
      {count > 1 && each
        ? t("estimateTimes", {
            amount,
            count,
            each: formatMoney(each.amount, each.currency, locale),
          })
        : t("estimate", { amount })}
    </p>
  );
}
