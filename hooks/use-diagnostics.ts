"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import { DiagnosticsRunStore } from "@/lib/client/diagnostics-run";

/** Runs diagnostics once when the page opens; `run()` starts another (with the generation if asked). */
export function useDiagnosticsRun() {
  const [store] = useState(() => new DiagnosticsRunStore());
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
  useEffect(() => {
    store.start(false);
    return () => store.stop();
  }, [store]);
  return { state, run: (generate = false) => store.start(generate) };
}
