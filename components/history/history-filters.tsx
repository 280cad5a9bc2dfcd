"use client";

import { Search } from "lucide-react";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import type { JobListFilter, JobState } from "@/lib/contracts/job";
import { MAX_HISTORY_SEARCH_CHARS } from "@/lib/contracts/job-state";
import { useModels } from "@/hooks/use-models";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { fieldClasses } from "@/components/ui/textarea";
import { cn } from "@/components/ui/cn";

/** The state choices the history offers; "active" is every state a job can still leave. */
export const STATE_CHOICES = {
  all: undefined,
  completed: ["completed"],
  failed: ["failed"],
  active: ["queued", "submitting", "running"],
  canceled: ["canceled"],
} as const satisfies Record<string, readonly JobState[] | undefined>;
export type StateChoice = keyof typeof STATE_CHOICES;

export interface HistoryFilterValue {
  state: StateChoice;
  model: string;
  q: string;
}

export const NO_FILTER: HistoryFilterValue = { state: "all", model: "", q: "" };

/** What the server is asked for. */
export function toListFilter(value: HistoryFilterValue): JobListFilter {
  const state = STATE_CHOICES[value.state];
  return {
    ...(state ? { state: [...state] } : {}),
    ...(value.model ? { model: value.model } : {}),
    ...(value.q.trim() ? { q: value.q.trim() } : {}),
  };
}

const SEARCH_DELAY_MS = 300;

/**
 * Search by prompt text, filter by state and by model. The search is sent once typing pauses;
 * the selects apply at once.
 */
export function HistoryFilters({
  value,
  onChange,
  seenModels,
}: {
  value: HistoryFilterValue;
  onChange: (value: HistoryFilterValue) => void;
  /** Models of the jobs listed so far (the catalogue may not know every one). */
  seenModels: readonly string[];
}) {
  const t = useTranslations("generator.history");
  const [text, setText] = useState(value.q);
  const models = useModels();

  useEffect(() => {
    if (text === value.q) return;
    const timer = setTimeout(() => onChange({ ...value, q: text }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);

  const modelIds = [
    ...new Set([
      ...(models.data?.models.map((m) => m.id) ?? []),
      ...seenModels,
      ...(value.model ? [value.model] : []),
    ]),
  ].sort();

  return (
    <div role="search" className="mb-4 flex flex-wrap items-end gap-2">
      <Field label={t("searchLabel")} hideLabel className="relative min-w-48 flex-[2_1_14rem]">
        {(id) => (
          <>
            <Search
              aria-hidden
              className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400"
            />
            <input
              id={id}
              type="search"
              value={text}
              maxLength={MAX_HISTORY_SEARCH_CHARS}
              placeholder={t("searchPlaceholder")}
              onChange={(event) => setText(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter") onChange({ ...value, q: text });
              }}
              className={cn(fieldClasses, "h-10 pr-3 pl-9")}
            />
          </>
        )}
      </Field>
      <FilterSelect
        label={t("stateFilter")}
        value={value.state}
        onChange={(state) => onChange({ ...value, state: state as StateChoice })}
        options={(Object.keys(STATE_CHOICES) as StateChoice[]).map((choice) => ({
          value: choice,
          label: t(`states.${choice}`),
        }))}
      />
      <FilterSelect
        label={t("modelFilter")}
        value={value.model}
        onChange={(model) => onChange({ ...value, model })}
        options={[
          { value: "", label: t("allModels") },
          ...modelIds.map((id) => ({ value: id, label: id })),
        ]}
      />
    </div>
  );
}

/** One of the narrowing selects; its label is for screen readers (the options say what it is). */
function FilterSelect({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
}) {
  return (
    <Field label={label} hideLabel className="flex-[1_1_9rem]">
      {(id) => (
        <Select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}
