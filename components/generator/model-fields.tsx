"use client";

import { AlertTriangle, Lock } from "lucide-react";
import { useTranslations } from "next-intl";
import type { ModelInfo } from "@/lib/contracts/models";
import {
  groupModels,
  selectableDurations,
  selectableSizes,
  shutdownPassed,
} from "@/lib/client/model-options";
import { Field } from "@/components/ui/field";
import { Segmented } from "@/components/ui/segmented";
import { Select } from "@/components/ui/select";
import { FixedShape, ShapePicker } from "./shape-picker";

/** The select's groups, in order, with their labels. */
const GROUPS = [
  ["recommended", "compose.groupRecommended"],
  ["catalogue", "compose.groupCatalogue"],
  ["relay", "compose.groupRelay"],
] as const;

function ModelOption({ model }: { model: ModelInfo }) {
  const t = useTranslations("generator.compose");
  const label = model.shutdownDate
    ? t(shutdownPassed(model.shutdownDate) ? "optionShutdownPast" : "optionShutdown", {
        model: model.id,
        date: model.shutdownDate,
      })
    : model.listed === false
      ? t("optionUnlisted", { model: model.id })
      : model.stable
        ? t("optionStable", { model: model.id })
        : model.id;
  return <option value={model.id}>{label}</option>;
}

export function ModelSelect({
  models,
  value,
  onChange,
  disabled,
}: {
  models: ModelInfo[] | undefined;
  value: ModelInfo | undefined;
  onChange: (id: string) => void;
  disabled: boolean;
}) {
  const t = useTranslations("generator");
  const groups = models ? groupModels(models) : null;
  const note = value?.note
    ? t.has(`models.notes.${value.note}`)
      ? t(`models.notes.${value.note}`)
      : null
    : null;
  return (
    <Field label={t("compose.modelLabel")}>
      {(id) => (
        <>
          <Select
            id={id}
            value={value?.id ?? ""}
            onChange={(e) => onChange(e.target.value)}
            disabled={disabled || !groups}
          >
            {!groups ? <option value="">{t("compose.modelLoading")}</option> : null}
            {GROUPS.map(([group, label]) =>
              groups && groups[group].length > 0 ? (
                <optgroup key={group} label={t(label)}>
                  {groups[group].map((m) => (
                    <ModelOption key={m.id} model={m} />
                  ))}
                </optgroup>
              ) : null,
            )}
          </Select>
          {value ? (
            <div className="space-y-1 text-xs text-muted">
              <p>
                {t(`compose.protocol.${value.protocol}`)}
                {note ? ` · ${note}` : null}
              </p>
              {!value.known ? <p>{t("compose.unknownModel")}</p> : null}
              {value.listed === false ? (
                <p className="flex items-start gap-1 text-amber-700 dark:text-amber-400">
                  <AlertTriangle aria-hidden className="mt-px size-3.5 shrink-0" />
                  {t("compose.unlistedModel")}
                </p>
              ) : null}
              {value.shutdownDate ? (
                <p className="flex items-start gap-1 text-amber-700 dark:text-amber-400">
                  <AlertTriangle aria-hidden className="mt-px size-3.5 shrink-0" />
                  {t(
                    shutdownPassed(value.shutdownDate)
                      ? "compose.shutdownModelPast"
                      : "compose.shutdownModel",
                    { date: value.shutdownDate },
                  )}
                </p>
              ) : null}
            </div>
          ) : null}
        </>
      )}
    </Field>
  );
}

function FixedValue({ label, value }: { label: string; value?: string }) {
  const t = useTranslations("generator.compose");
  return (
    <div className="min-w-0">
      <p className="mb-1.5 text-sm font-medium text-soft">{label}</p>
      <p
        className="flex h-9 items-center gap-1.5 rounded-lg bg-zinc-100 px-3 text-xs dark:bg-zinc-800/70"
        title={t("impliedByModel")}
      >
        <Lock aria-hidden className="size-3.5 shrink-0 text-zinc-400" />
        <span className="truncate font-medium">{value ?? t("impliedByModel")}</span>
      </p>
    </div>
  );
}

/** Duration and frame: only what the model allows; chat models imply both by their name. */
export function ModelParameters({
  model,
  seconds,
  size,
  onSeconds,
  onSize,
  disabled,
}: {
  model: ModelInfo;
  seconds: string | undefined;
  size: string | undefined;
  onSeconds: (value: string) => void;
  onSize: (value: string) => void;
  disabled: boolean;
}) {
  const t = useTranslations("generator.compose");
  const durations = selectableDurations(model);
  const sizes = selectableSizes(model);
  // Relay-only chat models get generic lists from the catalogue: their real values are unknown.
  const impliedSeconds = model.known ? model.durations[0] : undefined;
  const impliedSize = model.known ? model.sizes[0] : undefined;
  const fixed = durations.length === 0 || sizes.length === 0;
  return (
    <div className="space-y-4">
      {durations.length > 0 ? (
        <Segmented
          name="seconds"
          legend={t("durationLabel")}
          value={seconds}
          onChange={onSeconds}
          disabled={disabled}
          options={durations.map((d) => ({
            value: d,
            label: t("durationValue", { seconds: d }),
          }))}
        />
      ) : (
        <FixedValue
          label={t("durationLabel")}
          value={impliedSeconds ? t("durationValue", { seconds: impliedSeconds }) : undefined}
        />
      )}
      {sizes.length > 0 ? (
        <ShapePicker sizes={sizes} value={size} onChange={onSize} disabled={disabled} />
      ) : (
        <FixedShape size={impliedSize} />
      )}
      {fixed ? <p className="-mt-2 text-xs text-muted">{t("fixedByModel")}</p> : null}
    </div>
  );
}
