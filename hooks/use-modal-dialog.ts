"use client";

import { useEffect, useRef } from "react";

/** Drives a native <dialog> as a modal from an `open` flag (Escape and backdrop close it natively). */
export function useModalDialog(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}
