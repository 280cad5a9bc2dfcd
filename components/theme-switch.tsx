"use client";

import { Monitor, Moon, Sun } from "lucide-react";
import { useTranslations } from "next-intl";
import { useTheme } from "next-themes";
import { useHydrated } from "@/hooks/use-hydrated";

const OPTIONS = [
  { value: "light", Icon: Sun },
  { value: "dark", Icon: Moon },
  { value: "system", Icon: Monitor },
] as const;

export function ThemeSwitch() {
  const t = useTranslations("theme");
  const { theme, setTheme } = useTheme();
  const hydrated = useHydrated();
  return (
    <div
      role="radiogroup"
      aria-label={t("label")}
      className="flex items-center rounded-lg border border-zinc-200 p-0.5 dark:border-zinc-800"
    >
      {OPTIONS.map(({ value, Icon }) => {
        const checked = hydrated && theme === value;
        return (
          <button
            key={value}
            type="button"
            role="radio"
            aria-checked={checked}
            aria-label={t(value)}
            title={t(value)}
            disabled={!hydrated}
            onClick={() => setTheme(value)}
            className={`rounded-md p-1.5 transition-colors ${
              checked
                ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
                : "text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
            }`}
          >
            <Icon className="size-4" aria-hidden />
          </button>
        );
      })}
    </div>
  );
}
