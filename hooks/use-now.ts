"use client";

import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => listeners.forEach((l) => l()), 1000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const currentSecond = () => Math.floor(Date.now() / 1000) * 1000;

/** Wall clock that ticks once a second while something shows elapsed time (0 on the server). */
export function useNow(active = true): number {
  return useSyncExternalStore(active ? subscribe : noop, currentSecond, () => 0);
}

function noop() {
  return () => {};
}
