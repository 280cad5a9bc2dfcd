"use client";

import { useLocale, useTranslations } from "next-intl";
import { useTransition } from "react";
import { setLocale } from "@/app/actions/locale";
import { useHydrated } from "@/hooks/use-hydrated";
import { LOCALES, type Locale } from "@/lib/i18n/config";
import { Segmented } from "./ui/segmented";

export function LanguageSwitch() {
  const t = useTranslations("language");
  const locale = useLocale();
  const hydrated = useHydrated();
  const [pending, startTransition] = useTransition();
  return (
    <Segmented
      name="language"
      legend={t("label")}
      hideLegend
      compact
      disabled={!hydrated || pending}
      value={locale}
      onChange={(next) => startTransition(() => setLocale(next as Locale))}
      options={LOCALES.map((value) => ({
        value,
        label: <span lang={value}>{t(value)}</span>,
      }))}
    />
  );
}
