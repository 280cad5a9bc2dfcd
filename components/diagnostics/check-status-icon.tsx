import { CircleCheck, CircleMinus, CircleX, TriangleAlert } from "lucide-react";
import type { CheckStatus } from "@/lib/contracts/diagnostics";
import { Spinner } from "@/components/ui/spinner";
import { cn } from "@/components/ui/cn";

const ICONS = {
  pass: { Icon: CircleCheck, className: "text-emerald-600 dark:text-emerald-400" },
  warn: { Icon: TriangleAlert, className: "text-amber-500 dark:text-amber-400" },
  fail: { Icon: CircleX, className: "text-red-600 dark:text-red-400" },
  skip: { Icon: CircleMinus, className: "text-muted" },
} as const;

/** Decorative: the status is also given as text next to it. */
export function CheckStatusIcon({
  status,
  className,
}: {
  status: CheckStatus | "pending";
  className?: string;
}) {
  if (status === "pending") return <Spinner className={cn("text-zinc-400", className)} />;
  const { Icon, className: tone } = ICONS[status];
  return <Icon aria-hidden className={cn("size-5 shrink-0", tone, className)} />;
}
