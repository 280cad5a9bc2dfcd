"use client";

import { ImagePlus, X } from "lucide-react";
import { useTranslations } from "next-intl";
import { useEffect, useEffectEvent, useId, useRef, useState, type DragEvent } from "react";
import useSWRImmutable from "swr/immutable";
import { formatBytes } from "@/lib/client/format";
import {
  ACCEPTED_IMAGE_TYPES,
  checkImageFile,
  firstImageFile,
  ImagePreparationError,
  prepareReferenceImage,
  type ImageProblem,
  type PreparedImage,
} from "@/lib/client/image";
import type { PickedImage } from "@/lib/client/compose-memory";
import { IconButton } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Spinner } from "@/components/ui/spinner";

export type { PickedImage };

let pickCounter = 0;

/** A picked image with a fresh key (so the same file picked twice is prepared again). */
export function pickImage(file: File): PickedImage {
  pickCounter += 1;
  return { key: pickCounter, file };
}

/** Resized/cropped upload for the current frame size, prepared once per (file, frame). */
export function usePreparedImage(
  picked: PickedImage | null,
  frame: { width: number; height: number } | null,
  maxBytes: number,
) {
  return useSWRImmutable<PreparedImage, ImagePreparationError>(
    picked && frame ? ["reference-image", picked.key, frame.width, frame.height, maxBytes] : null,
    () => prepareReferenceImage(picked!.file, frame!, maxBytes),
    { shouldRetryOnError: false },
  );
}

/** Reference image: click, drag-and-drop or paste; preview; inline errors; cropped in the browser. */
export function ImageField({
  picked,
  onPick,
  prepared,
  preparing,
  problem,
  frameLabel,
  accepted,
  disabled,
  maxBytes,
}: {
  picked: PickedImage | null;
  onPick: (image: PickedImage | null) => void;
  prepared: PreparedImage | undefined;
  preparing: boolean;
  problem: ImageProblem | null;
  frameLabel: string | null;
  accepted: boolean;
  disabled: boolean;
  /** The server's limit (SORA_MAX_IMAGE_BYTES): stated in the box, and the file is held to it. */
  maxBytes: number;
}) {
  const t = useTranslations("generator.compose");
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [rejected, setRejected] = useState<ImageProblem | null>(null);
  const hintId = useId();
  const errorId = useId();
  const shownProblem = rejected ?? problem;
  const maxLabel = formatBytes(maxBytes);

  function take(file: File | null) {
    if (!file) return;
    const issue = checkImageFile(file, maxBytes);
    if (issue) {
      setRejected(issue);
      return;
    }
    setRejected(null);
    onPick(pickImage(file));
  }

  // Paste anywhere on the page: an image on the clipboard becomes the reference image.
  const onPaste = useEffectEvent((event: ClipboardEvent) => {
    const file = firstImageFile(event.clipboardData?.files);
    if (!file || !file.type.startsWith("image/")) return;
    event.preventDefault();
    take(file);
  });
  useEffect(() => {
    if (!accepted || disabled) return;
    window.addEventListener("paste", onPaste);
    return () => window.removeEventListener("paste", onPaste);
  }, [accepted, disabled]);

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    if (!accepted || disabled) return;
    take(firstImageFile(event.dataTransfer.files));
  }

  return (
    <div className="space-y-1.5">
      <div className="flex items-baseline justify-between">
        <span className="text-sm font-medium text-soft">{t("imageLabel")}</span>
        <span className="text-xs text-muted">{t("imageOptional")}</span>
      </div>
      <input
        ref={inputRef}
        type="file"
        accept={ACCEPTED_IMAGE_TYPES.join(",")}
        aria-label={t("imageLabel")}
        tabIndex={-1}
        className="sr-only"
        disabled={!accepted || disabled}
        onChange={(event) => {
          take(event.target.files?.[0] ?? null);
          event.target.value = "";
        }}
      />
      {!accepted ? (
        <p className="rounded-lg border border-dashed border-line px-3 py-3 text-xs text-muted">
          {t("imageNotAccepted")}
        </p>
      ) : picked ? (
        <div className="flex items-center gap-3 rounded-lg border border-line bg-subtle p-2">
          <div className="flex size-16 shrink-0 items-center justify-center overflow-hidden rounded-md bg-zinc-200 dark:bg-zinc-800">
            {prepared ? (
              // A data URL preview of exactly what will be uploaded; next/image adds nothing here.
              // eslint-disable-next-line @next/next/no-img-element
              <img
                src={prepared.dataUrl}
                alt={t("imagePreviewAlt", { size: `${prepared.width}×${prepared.height}` })}
                className="size-full object-contain"
              />
            ) : preparing ? (
              <Spinner />
            ) : null}
          </div>
          <div className="min-w-0 flex-1 text-xs">
            <p className="truncate font-medium text-fg">{picked.file.name}</p>
            <p className="text-muted">
              {preparing
                ? t("imagePreparing")
                : prepared
                  ? t("imageCropped", {
                      size: `${prepared.width}×${prepared.height}`,
                      bytes: formatBytes(prepared.bytes),
                    })
                  : null}
            </p>
          </div>
          <IconButton
            label={t("imageRemove")}
            onClick={() => {
              setRejected(null);
              onPick(null);
            }}
            disabled={disabled}
          >
            <X aria-hidden />
          </IconButton>
        </div>
      ) : (
        <button
          type="button"
          disabled={disabled}
          onClick={() => inputRef.current?.click()}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          aria-describedby={shownProblem ? errorId : hintId}
          className={cn(
            "flex w-full flex-col items-center gap-1 rounded-lg border border-dashed px-3 py-4 text-center transition-colors",
            "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-violet-500 disabled:opacity-60",
            dragging
              ? "border-violet-500 bg-violet-50 dark:bg-violet-950/30"
              : "border-line-strong hover:border-zinc-400 hover:bg-zinc-50 dark:hover:border-zinc-600 dark:hover:bg-zinc-900",
          )}
        >
          <ImagePlus aria-hidden className="size-5 text-zinc-400" />
          <span className="text-sm font-medium text-soft">{t("imageDrop")}</span>
          <span id={hintId} className="text-xs text-muted">
            {t("imageFormats", { max: maxLabel })}
            {frameLabel ? ` · ${t("imageWillCrop", { size: frameLabel })}` : ""}
          </span>
        </button>
      )}
      {shownProblem ? (
        <p id={errorId} role="alert" className="text-xs font-medium text-red-600 dark:text-red-400">
          {t(`imageErrors.${shownProblem}`, { max: maxLabel })}
        </p>
      ) : null}
    </div>
  );
}
