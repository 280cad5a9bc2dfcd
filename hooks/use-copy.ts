"use client";

import { useCallback, useRef, useState } from "react";
import { copyText } from "@/lib/client/clipboard";

/** Copies text and says so for two seconds ("copied" / "failed"). */
export function useCopy() {
  const [status, setStatus] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const copy = useCallback(async (text: string) => {
    const ok = await copyText(text);
    setStatus(ok ? "copied" : "failed");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus("idle"), 2000);
    return ok;
  }, []);
  return { copy, status };
}
