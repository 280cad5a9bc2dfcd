import { ExternalLink } from "lucide-react";
import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";
import { Spinner } from "./spinner";

export type ButtonVariant = "primary" | "secondary" | "ghost" | "danger" | "outline";
export type ButtonSize = "sm" | "md" | "lg" | "icon" | "icon-sm";

const VARIANTS: Record<ButtonVariant, string> = {
  primary:
    "bg-zinc-900 text-white shadow-sm hover:bg-zinc-700 dark:bg-zinc-50 dark:text-zinc-900 dark:hover:bg-zinc-200",
  secondary: "bg-subtle text-fg hover:bg-zinc-200 dark:hover:bg-zinc-700",
  outline:
    "border border-line bg-surface text-fg shadow-xs hover:bg-zinc-50 dark:hover:bg-zinc-800",
  ghost:
    "text-muted hover:bg-zinc-100 hover:text-zinc-900 dark:hover:bg-zinc-800 dark:hover:text-zinc-100",
  danger:
    "bg-red-600 text-white shadow-sm hover:bg-red-500 dark:bg-red-500 dark:hover:bg-red-400 dark:text-white",
};

const SIZES: Record<ButtonSize, string> = {
  sm: "h-8 gap-1.5 rounded-md px-2.5 text-xs",
  md: "h-9 gap-2 rounded-lg px-3.5 text-sm",
  lg: "h-11 gap-2 rounded-lg px-5 text-sm",
  icon: "size-9 rounded-lg",
  "icon-sm": "size-8 rounded-md",
};

/** Shared by buttons and links that look like buttons. */
export function buttonClasses({
  variant = "primary",
  size = "md",
  className,
}: { variant?: ButtonVariant; size?: ButtonSize; className?: string } = {}): string {
  return cn(
    "inline-flex shrink-0 items-center justify-center font-medium whitespace-nowrap transition-colors select-none",
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-violet-500",
    "disabled:pointer-events-none disabled:opacity-50 aria-disabled:pointer-events-none aria-disabled:opacity-50",
    "[&_svg]:size-4 [&_svg]:shrink-0",
    VARIANTS[variant],
    SIZES[size],
    className,
  );
}

export function Button({
  variant,
  size,
  className,
  type = "button",
  ...props
}: ComponentProps<"button"> & { variant?: ButtonVariant; size?: ButtonSize }) {
  return <button type={type} className={buttonClasses({ variant, size, className })} {...props} />;
}

/** An icon-only ghost button: its label is both the accessible name and the tooltip. */
export function IconButton({ label, ...props }: ComponentProps<"button"> & { label: string }) {
  return <Button variant="ghost" size="icon-sm" aria-label={label} title={label} {...props} />;
}

/**
 * A button whose action is in flight while `pending`: disabled, a spinner in place of its `icon`
 * and, when given, `pendingLabel` in place of its label.
 */
export function PendingButton({
  pending,
  icon,
  pendingLabel,
  disabled,
  children,
  ...props
}: ComponentProps<typeof Button> & {
  pending: boolean;
  icon: ReactNode;
  pendingLabel?: ReactNode;
}) {
  return (
    <Button disabled={disabled || pending} {...props}>
      {pending ? <Spinner /> : icon}
      {pending && pendingLabel !== undefined ? pendingLabel : children}
    </Button>
  );
}

/**
 * A link that opens in a new tab, drawn as a small button with the external-link icon. Links to
 * other sites send no referrer; `keepReferrer` is for our own pages (e.g. the archived video).
 */
export function ExternalLinkButton({
  variant,
  keepReferrer = false,
  children,
  ...props
}: Omit<ComponentProps<"a">, "target" | "rel" | "className"> & {
  variant: ButtonVariant;
  keepReferrer?: boolean;
}) {
  return (
    <a
      target="_blank"
      rel={keepReferrer ? "noopener" : "noreferrer noopener"}
      className={buttonClasses({ variant, size: "sm" })}
      {...props}
    >
      <ExternalLink aria-hidden />
      {children}
    </a>
  );
}
