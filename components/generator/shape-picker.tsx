"use client";

import { Lock } from "lucide-react";
import { useTranslations } from "next-intl";
import { shapeOption, type ShapeOption } from "@/lib/client/model-options";
import { cn } from "@/components/ui/cn";

/** The frame drawn to scale inside a fixed square, so shapes compare at a glance. */
function ShapeThumbnail({ shape, active }: { shape: ShapeOption; active: boolean }) {
  const landscape = shape.width >= shape.height;
  return (
    <span aria-hidden className="flex size-8 shrink-0 items-center justify-center">
      <span
        className={cn(
          "block rounded-[3px] border-2",
          landscape ? "w-full" : "h-full",
          active
            ? "border-violet-600 bg-violet-100 dark:border-violet-400 dark:bg-violet-950"
            : "border-zinc-400 bg-surface dark:border-zinc-500",
        )}
        style={{ aspectRatio: `${shape.width} / ${shape.height}` }}
      />
    </span>
  );
}

/** "竖屏 9:16 · 720×1280": the words a shape option is known by (its radio's accessible name). */
export function useShapeName() {
  const t = useTranslations("generator.compose");
  return (shape: ShapeOption) =>
    t("sizeOption", {
      orientation: t(`orientation.${shape.orientation}`),
      ratio: shape.ratio,
      size: shape.pixels,
    });
}

function ShapeText({ shape }: { shape: ShapeOption }) {
  const t = useTranslations("generator.compose");
  return (
    <span className="min-w-0 text-left leading-tight">
      <span className="block truncate text-xs font-medium">
        {t(`orientation.${shape.orientation}`)} {shape.ratio}
      </span>
      <span className="block truncate font-mono text-[11px] text-muted">{shape.pixels}</span>
    </span>
  );
}

/**
 * The frame picker: one tile per size the model offers (thumbnail to scale, orientation and ratio,
 * exact pixels), as native radios (arrow keys and the radio role from the browser). Tiles wrap into
 * as many columns as fit, so four sizes never squeeze into one row on a narrow column or a phone.
 */
export function ShapePicker({
  sizes,
  value,
  onChange,
  disabled,
}: {
  sizes: readonly string[];
  value: string | undefined;
  onChange: (value: string) => void;
  disabled?: boolean;
}) {
  const t = useTranslations("generator.compose");
  const shapeName = useShapeName();
  const shapes = sizes.map(shapeOption).filter((s): s is ShapeOption => s !== null);
  return (
    <fieldset className="min-w-0" disabled={disabled}>
      <legend className="mb-1.5 text-sm font-medium text-soft">{t("sizeLabel")}</legend>
      <div
        data-testid="shape-options"
        className="grid grid-cols-[repeat(auto-fill,minmax(8.5rem,1fr))] gap-1.5"
      >
        {shapes.map((shape) => {
          const active = shape.value === value;
          return (
            <label
              key={shape.value}
              data-testid="shape-option"
              className={cn(
                "relative flex min-w-0 cursor-pointer items-center gap-2 rounded-lg border px-2 py-1.5 transition-colors",
                "has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-1 has-[:focus-visible]:outline-violet-500",
                "has-[:disabled]:cursor-not-allowed has-[:disabled]:opacity-60",
                active
                  ? "border-violet-500 bg-violet-50 text-fg dark:border-violet-500 dark:bg-violet-950/40"
                  : "border-line text-soft hover:border-zinc-300 hover:bg-zinc-50 dark:hover:border-zinc-700 dark:hover:bg-zinc-800/60",
              )}
            >
              <input
                type="radio"
                name="size"
                value={shape.value}
                checked={active}
                onChange={() => onChange(shape.value)}
                aria-label={shapeName(shape)}
                // Covers the whole tile, invisible: the click lands on the radio itself.
                className="absolute inset-0 m-0 cursor-pointer appearance-none rounded-lg opacity-0 disabled:cursor-not-allowed"
              />
              <ShapeThumbnail shape={shape} active={active} />
              <ShapeText shape={shape} />
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

/** A shape the model's name implies (chat relays): shown the same way, not choosable. */
export function FixedShape({ size }: { size: string | undefined }) {
  const t = useTranslations("generator.compose");
  const shapeName = useShapeName();
  const shape = size ? shapeOption(size) : null;
  return (
    <div className="min-w-0">
      <p className="mb-1.5 text-sm font-medium text-soft">{t("sizeLabel")}</p>
      <p
        className="flex min-h-11 items-center gap-2 rounded-lg bg-zinc-100 px-2 py-1.5 dark:bg-zinc-800/70"
        title={t("impliedByModel")}
      >
        {shape ? (
          <>
            <ShapeThumbnail shape={shape} active={false} />
            <span className="sr-only">{shapeName(shape)}</span>
            <span aria-hidden className="min-w-0 flex-1">
              <ShapeText shape={shape} />
            </span>
          </>
        ) : (
          <span className="flex-1 text-xs font-medium">{t("impliedByModel")}</span>
        )}
        <Lock aria-hidden className="size-3.5 shrink-0 text-zinc-400" />
      </p>
    </div>
  );
}
