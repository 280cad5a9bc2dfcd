"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** True once the component runs in the browser after hydration (controls stay disabled until then). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
