"use client";

import { ThemeProvider } from "next-themes";
import type { ReactNode } from "react";

/** What every page needs; the job cache (TanStack Query) lives with the generator (query-provider). */
export function Providers({ children, nonce }: { children: ReactNode; nonce?: string }) {
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem nonce={nonce}>
      {children}
    </ThemeProvider>
  );
}
