import { cn } from "./cn";

/** A determinate bar (value 0..100), or a sliding segment while the percent is unknown. */
export function Progress({
  value,
  label,
  valueText,
  tone = "accent",
  className,
}: {
  value: number | null;
  label: string;
  valueText?: string;
  tone?: "accent" | "success" | "danger" | "neutral";
  className?: string;
}) {
  const clamped = value === null ? null : Math.min(100, Math.max(0, value));
  const bar = {
    accent: "bg-violet-600 dark:bg-violet-400",
    success: "bg-emerald-500 dark:bg-emerald-400",
    danger: "bg-red-500 dark:bg-red-400",
    neutral: "bg-zinc-400 dark:bg-zinc-500",
  }[tone];
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={clamped ?? undefined}
      aria-valuetext={valueText}
      className={cn(
        "relative h-1.5 w-full overflow-hidden rounded-full bg-zinc-200/80 dark:bg-zinc-800",
        className,
      )}
    >
      {clamped === null ? (
        <div
          className={cn(
            // A short segment sliding across: clearly "working, amount unknown", never a full bar.
            "animate-indeterminate h-full w-1/3 rounded-full opacity-70 motion-reduce:translate-x-full",
            bar,
          )}
        />
      ) : (
        <div
          className={cn("h-full rounded-full transition-[width] duration-500 ease-out", bar)}
          style={{ width: `${clamped}%` }}
        />
      )}
    </div>
  );
}
