import type { ReactNode } from "react";
import { cn } from "./cn";

export interface SegmentedOption {
  value: string;
  label: ReactNode;
  /** Accessible name when the label is not plain text. */
  ariaLabel?: string;
}

/**
 * A group of native radio buttons that looks like a segmented control: arrow keys, form semantics
 * and the `radio` role come from the browser.
 */
export function Segmented({
  name,
  legend,
  options,
  value,
  onChange,
  disabled,
  hideLegend,
  compact,
  className,
}: {
  name: string;
  legend: string;
  options: SegmentedOption[];
  value: string | undefined;
  onChange: (value: string) => void;
  disabled?: boolean;
  /** The legend is for screen readers only (e.g. the header's theme and language switches). */
  hideLegend?: boolean;
  /** Tighter padding, no stretching: for toolbars. */
  compact?: boolean;
  className?: string;
}) {
  return (
    <fieldset className={cn("min-w-0", className)} disabled={disabled}>
      <legend className={cn("mb-1.5 text-sm font-medium text-soft", hideLegend && "sr-only")}>
        {legend}
      </legend>
      <div
        className={cn(
          "flex flex-wrap gap-1 rounded-lg bg-zinc-100 dark:bg-zinc-800/70",
          compact ? "p-0.5" : "p-1",
        )}
      >
        {options.map((option) => (
          <label
            key={option.value}
            className={cn(
              "relative flex min-w-0 cursor-pointer items-center justify-center gap-1.5 rounded-md text-center text-xs font-medium whitespace-nowrap transition-colors",
              compact ? "px-2 py-1" : "flex-1 px-2.5 py-1.5",
              "has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-violet-500",
              "has-[:disabled]:cursor-not-allowed has-[:disabled]:opacity-60",
              option.value === value
                ? "bg-field text-fg shadow-sm"
                : "text-muted hover:text-zinc-900 dark:hover:text-zinc-100",
            )}
          >
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={option.value === value}
              onChange={() => onChange(option.value)}
              aria-label={option.ariaLabel}
              title={option.ariaLabel}
              // Covers the whole segment, invisible: the click lands on the radio itself.
              className="absolute inset-0 m-0 cursor-pointer appearance-none rounded-md opacity-0 disabled:cursor-not-allowed"
            />
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
