import type { ComponentProps } from "react";
import { cn } from "./cn";

const TONES = {
  danger:
    "border-red-200 bg-red-50 text-red-900 dark:border-red-900/70 dark:bg-red-950/40 dark:text-red-100",
  warning:
    "border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900/70 dark:bg-amber-950/40 dark:text-amber-100",
  info: "border-sky-200 bg-sky-50 text-sky-900 dark:border-sky-900/70 dark:bg-sky-950/40 dark:text-sky-100",
  neutral: "border-line bg-subtle text-fg",
} as const;

export function Alert({
  tone = "neutral",
  className,
  ...props
}: ComponentProps<"div"> & { tone?: keyof typeof TONES }) {
  return (
    <div
      className={cn("rounded-lg border px-3 py-2.5 text-sm", TONES[tone], className)}
      {...props}
    />
  );
}
