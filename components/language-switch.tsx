"use client";

import { useLocale, useTranslations } from "next-intl";
import { useTransition } from "react";
import { setLocale } from "@/app/actions/locale";
import { useHydrated } from "@/hooks/use-hydrated";
import { LOCALES, type Locale } from "@/lib/i18n/config";

export function LanguageSwitch() {
  const t = useTranslations("language");
  const locale = useLocale();
  const hydrated = useHydrated();
  const [pending, startTransition] = useTransition();

  function choose(next: Locale) {
    startTransition(() => setLocale(next));
  }

  return (
    <div
      role="radiogroup"
      aria-label={t("label")}
      className="flex items-center rounded-lg border border-zinc-200 p-0.5 text-xs dark:border-zinc-800"
    >
      {LOCALES.map((value) => {
        const checked = locale === value;
        return (
          <button
            key={value}
            type="button"
            role="radio"
            aria-checked={checked}
            lang={value}
            disabled={!hydrated || pending}
            onClick={() => choose(value)}
            className={`rounded-md px-2 py-1 font-medium transition-colors ${
              checked
                ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
                : "text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
            }`}
          >
            {t(value)}
          </button>
        );
      })}
    </div>
  );
}
