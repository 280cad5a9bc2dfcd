import type { Locale } from "./config";
import { MESSAGES, type Messages } from "./messages";

/**
 * The namespaces one page's browser code needs; everything else in `MESSAGES` (the layout's texts:
 * header, switches, fallbacks, durations, API errors) goes to every page. `errors` is never sent:
 * the server words errors itself (lib/server/errors.ts).
 */
export const PAGE_NAMESPACES = ["generator", "diagnostics", "diagnosis"] as const;
const SERVER_ONLY = ["errors"] as const;
export type PageNamespace = (typeof PAGE_NAMESPACES)[number];

/** What each page sends beside the shared texts (app/page.tsx, app/diagnostics/page.tsx). */
export const PAGE_MESSAGES = {
  generator: ["generator", "diagnosis"],
  diagnostics: ["diagnostics", "diagnosis"],
} as const satisfies Record<string, readonly PageNamespace[]>;

/** The messages a page hands to its client components: the shared texts plus `namespaces`. */
export function clientMessages(
  locale: Locale,
  namespaces: readonly PageNamespace[] = [],
): Partial<Messages> {
  const omitted = new Set<string>([...PAGE_NAMESPACES, ...SERVER_ONLY]);
  for (const namespace of namespaces) omitted.delete(namespace);
  return Object.fromEntries(
    Object.entries(MESSAGES[locale]).filter(([namespace]) => !omitted.has(namespace)),
  ) as Partial<Messages>;
}
