"use client";

import { Wallet } from "lucide-react";
import { useLocale, useTranslations } from "next-intl";
import { formatMoney } from "@/lib/client/format";
import { useBalance } from "@/hooks/use-balance";

/** The relay's balance in the site header; absent when the relay has no billing endpoints. */
export function BalanceBadge() {
  const t = useTranslations("balance");
  const locale = useLocale();
  const { data } = useBalance();
  if (!data?.available) return null;
  const text = data.unlimited
    ? t("unlimited")
    : data.remaining !== undefined
      ? t("remaining", { amount: formatMoney(data.remaining, data.currency, locale) })
      : data.limit !== undefined
        ? t("limit", { amount: formatMoney(data.limit, data.currency, locale) })
        : null;
  if (!text) return null;
  const time = new Date(data.checkedAt).toLocaleTimeString(locale, {
    hour: "2-digit",
    minute: "2-digit",
  });
  return (
    <span
      data-testid="relay-balance"
      title={t("title", { time })}
      className="inline-flex items-center gap-1.5 rounded-md border border-line px-2 py-1 text-xs font-medium text-soft tabular-nums"
    >
      <Wallet className="size-3.5" aria-hidden />
      {text}
    </span>
  );
}
