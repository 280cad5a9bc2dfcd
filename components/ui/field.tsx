"use client";

import { useId, type ReactNode } from "react";
import { cn } from "./cn";

/**
 * One form control with its label, tied by a generated id that `children` receives. `hideLabel`
 * keeps the label for screen readers only, where the control's placeholder or place says it.
 */
export function Field({
  label,
  hideLabel = false,
  className,
  children,
}: {
  label: ReactNode;
  hideLabel?: boolean;
  className?: string;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className={cn(!hideLabel && "space-y-1.5", className)}>
      <label htmlFor={id} className={hideLabel ? "sr-only" : "block text-sm font-medium text-soft"}>
        {label}
      </label>
      {children(id)}
    </div>
  );
}
