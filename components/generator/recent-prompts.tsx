"use client";

import { History } from "lucide-react";
import { useTranslations } from "next-intl";
import { useSyncExternalStore } from "react";
import { composeMemory } from "@/lib/client/compose-memory";
import { excerpt, stripDirectives } from "@/lib/client/format";

const NONE: string[] = [];

/** The last prompts submitted from this browser, folded; picking one fills the prompt box. */
export function RecentPrompts({
  onPick,
  disabled,
}: {
  onPick: (prompt: string) => void;
  disabled: boolean;
}) {
  const t = useTranslations("generator.compose");
  const memory = composeMemory();
  const prompts = useSyncExternalStore(memory.subscribe, memory.recentPrompts, () => NONE);
  if (prompts.length === 0) return null;
  return (
    <details data-testid="recent-prompts" className="group text-xs">
      <summary className="inline-flex cursor-pointer items-center gap-1 rounded text-muted hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-violet-500 dark:hover:text-zinc-100">
        <History aria-hidden className="size-3.5" />
        {t("recentLabel")} ({prompts.length})
      </summary>
      <ul className="mt-1.5 space-y-1" aria-label={t("recentLabel")}>
        {prompts.map((prompt) => {
          const shown = excerpt(stripDirectives(prompt) || prompt, 90);
          return (
            <li key={prompt}>
              <button
                type="button"
                disabled={disabled}
                onClick={() => onPick(prompt)}
                aria-label={t("recentUse", { prompt: shown })}
                title={prompt}
                className="block w-full truncate rounded-md px-2 py-1 text-left text-soft hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-violet-500 disabled:opacity-60 dark:hover:bg-zinc-800"
              >
                {shown}
              </button>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
