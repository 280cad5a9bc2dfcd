export const ACCEPTED_IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
/**
 * The server's limit (SORA_MAX_IMAGE_BYTES) when the page was not told another: the box states it,
 * and the picked file and the re-encoded upload are both held to it.
 */
export const DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Above this a PNG result is re-encoded as JPEG so uploads stay small. */
const MAX_PNG_UPLOAD_BYTES = 4 * 1024 * 1024;
const JPEG_QUALITY = 0.9;

export type ImageProblem = "type" | "tooLarge" | "decode";

export function checkImageFile(
  file: { type: string; size: number },
  maxBytes: number = DEFAULT_MAX_IMAGE_BYTES,
): ImageProblem | null {
  if (!(ACCEPTED_IMAGE_TYPES as readonly string[]).includes(file.type)) return "type";
  if (file.size > maxBytes) return "tooLarge";
  return null;
}

export interface Rect {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
}

/** The centred source rectangle that fills the target frame without distortion ("cover"). */
export function coverCrop(
  source: { width: number; height: number },
  target: { width: number; height: number },
): Rect {
  const sourceRatio = source.width / source.height;
  const targetRatio = target.width / target.height;
  if (sourceRatio > targetRatio) {
    const sw = Math.round(source.height * targetRatio);
    return { sx: Math.floor((source.width - sw) / 2), sy: 0, sw, sh: source.height };
  }
  const sh = Math.round(source.width / targetRatio);
  return { sx: 0, sy: Math.floor((source.height - sh) / 2), sw: source.width, sh };
}

/** Bytes encoded in a base64 data URL. */
export function dataUrlBytes(dataUrl: string): number {
  const base64 = dataUrl.slice(dataUrl.indexOf(",") + 1);
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

export interface PreparedImage {
  dataUrl: string;
  mime: "image/png" | "image/jpeg";
  width: number;
  height: number;
  bytes: number;
  sourceWidth: number;
  sourceHeight: number;
}

export class ImagePreparationError extends Error {
  constructor(readonly problem: ImageProblem) {
    super(`reference image: ${problem}`);
  }
}

/**
 * Decodes the file, cover-crops it to the model's frame and re-encodes it (PNG stays PNG unless it
 * gets big, everything else becomes JPEG). Browser only: uses createImageBitmap and a canvas.
 */
export async function prepareReferenceImage(
  file: Blob,
  target: { width: number; height: number },
  maxBytes: number = DEFAULT_MAX_IMAGE_BYTES,
): Promise<PreparedImage> {
  const problem = checkImageFile(file, maxBytes);
  if (problem) throw new ImagePreparationError(problem);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ImagePreparationError("decode");
  }
  try {
    const canvas = document.createElement("canvas");
    canvas.width = target.width;
    canvas.height = target.height;
    const context = canvas.getContext("2d");
    if (!context) throw new ImagePreparationError("decode");
    const { sx, sy, sw, sh } = coverCrop(bitmap, target);
    const keepPng = file.type === "image/png";
    if (!keepPng) {
      // JPEG has no alpha: transparent areas would otherwise turn black.
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, target.width, target.height);
    }
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, sx, sy, sw, sh, 0, 0, target.width, target.height);
    let mime: PreparedImage["mime"] = keepPng ? "image/png" : "image/jpeg";
    let dataUrl = canvas.toDataURL(mime, JPEG_QUALITY);
    if (mime === "image/png" && dataUrlBytes(dataUrl) > MAX_PNG_UPLOAD_BYTES) {
      context.globalCompositeOperation = "destination-over";
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, target.width, target.height);
      mime = "image/jpeg";
      dataUrl = canvas.toDataURL(mime, JPEG_QUALITY);
    }
    if (dataUrlBytes(dataUrl) > maxBytes) throw new ImagePreparationError("tooLarge");
    return {
      dataUrl,
      mime,
      width: target.width,
      height: target.height,
      bytes: dataUrlBytes(dataUrl),
      sourceWidth: bitmap.width,
      sourceHeight: bitmap.height,
    };
  } finally {
    bitmap.close();
  }
}

/** The first image among pasted or dropped items, if any. */
export function firstImageFile(files: FileList | readonly File[] | null | undefined): File | null {
  if (!files) return null;
  for (const file of Array.from(files)) {
    if (file.type.startsWith("image/")) return file;
  }
  return Array.from(files)[0] ?? null;
}

/** A reference image kept as a data URL (this session's jobs) as a file the form can prepare again. */
export function dataUrlToFile(dataUrl: string, name: string): File | null {
  const m = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s.exec(dataUrl);
  if (!m) return null;
  try {
    const binary = atob(m[2] ?? "");
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new File([bytes], name, { type: m[1] });
  } catch {
    return null;
  }
}
