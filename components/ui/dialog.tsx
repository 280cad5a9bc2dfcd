"use client";

import { useId, type ReactNode } from "react";
import { useModalDialog } from "@/hooks/use-modal-dialog";
import { cn } from "./cn";

/**
 * A small native modal dialog with a title and a description (focus moves in, Escape closes,
 * focus returns on close). Its `children` (the form or buttons) are mounted only while it is open.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  id,
  className,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description: ReactNode;
  /** Fixed ids `<id>-title` and `<id>-body` instead of generated ones. */
  id?: string;
  /** The width, e.g. `w-[min(30rem,calc(100vw-2rem))]`. */
  className?: string;
  children: ReactNode;
}) {
  const ref = useModalDialog(open);
  const generated = useId();
  const titleId = `${id ?? generated}-title`;
  const bodyId = `${id ?? generated}-body`;
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onClose={(event) => {
        // React passes `close` up its tree: a dialog around this one must not close too.
        event.stopPropagation();
        onClose();
      }}
      className={cn(
        "m-auto rounded-xl border border-line bg-surface p-0 text-fg shadow-xl backdrop:bg-zinc-950/50",
        className,
      )}
    >
      <div className="space-y-3 p-5">
        <h2 id={titleId} className="text-base font-semibold">
          {title}
        </h2>
        <p id={bodyId} className="text-sm text-soft">
          {description}
        </p>
        {open ? children : null}
      </div>
    </dialog>
  );
}
