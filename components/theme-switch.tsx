"use client";

import { Monitor, Moon, Sun } from "lucide-react";
import { useTranslations } from "next-intl";
import { useTheme } from "next-themes";
import { useHydrated } from "@/hooks/use-hydrated";
import { Segmented } from "./ui/segmented";

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
    <Segmented
      name="theme"
      legend={t("label")}
      hideLegend
      compact
      disabled={!hydrated}
      value={hydrated ? theme : undefined}
      onChange={setTheme}
      options={OPTIONS.map(({ value, Icon }) => ({
        value,
        ariaLabel: t(value),
        label: <Icon className="size-4" aria-hidden />,
      }))}
    />
  );
}
