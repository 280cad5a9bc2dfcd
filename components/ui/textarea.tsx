import type { ComponentProps } from "react";
import { cn } from "./cn";

export const fieldClasses =
  "w-full rounded-lg border border-line bg-field text-sm text-fg shadow-xs transition-colors placeholder:text-zinc-400 hover:border-zinc-300 focus-visible:border-violet-500 focus-visible:outline-none focus-visible:ring-3 focus-visible:ring-violet-500/20 disabled:cursor-not-allowed disabled:opacity-60 aria-invalid:border-red-500 aria-invalid:focus-visible:ring-red-500/20 dark:placeholder:text-zinc-500 dark:hover:border-zinc-600";

export function Textarea({ className, ...props }: ComponentProps<"textarea">) {
  return (
    <textarea
      className={cn(fieldClasses, "min-h-32 resize-y px-3 py-2.5 leading-relaxed", className)}
      {...props}
    />
  );
}
