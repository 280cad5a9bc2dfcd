"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";

let browserClient: QueryClient | undefined;

/**
 * One client per browser tab, kept across client-side navigation so the job cache and its stream
 * followers survive a visit to /diagnostics; a fresh one per server render, never shared between
 * requests. Only the generator's jobs panel uses Query, so only it loads it, after the page is up.
 */
function queryClient(): QueryClient {
  const make = () =>
    new QueryClient({
      defaultOptions: { queries: { staleTime: 30_000, refetchOnWindowFocus: false } },
    });
  if (typeof window === "undefined") return make();
  return (browserClient ??= make());
}

export function QueryProvider({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={queryClient()}>{children}</QueryClientProvider>;
}
