import "server-only";
import { badRequest } from "../errors";
import type { ImageMime } from "../upstream/types";

export interface ImageInfo {
  mime: ImageMime;
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

/** The type the bytes really are; the declared MIME type or file name is never trusted. */
export function sniffImageType(bytes: Uint8Array): ImageMime | null {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "image/png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= 16 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") {
    return "image/webp";
  }
  return null;
}

function pngSize(b: Uint8Array) {
  if (b.length < 24 || ascii(b, 12, 4) !== "IHDR") return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Walks the marker segments up to the first start-of-frame. */
function jpegSize(b: Uint8Array) {
  let offset = 2;
  while (offset + 4 <= b.length) {
    if (b[offset] !== 0xff) return null;
    let marker = b[offset + 1] ?? 0;
    while (marker === 0xff && offset + 2 < b.length) {
      offset++;
      marker = b[offset + 1] ?? 0;
    }
    offset += 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = ((b[offset] ?? 0) << 8) | (b[offset + 1] ?? 0);
    if (length < 2) return null;
    const isStartOfFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      if (offset + 7 > b.length) return null;
      const height = ((b[offset + 3] ?? 0) << 8) | (b[offset + 4] ?? 0);
      const width = ((b[offset + 5] ?? 0) << 8) | (b[offset + 6] ?? 0);
      return { width, height };
    }
    offset += length;
  }
  return null;
}

function webpSize(b: Uint8Array) {
  if (b.length < 30) return null;
  const chunk = ascii(b, 12, 4);
  const at = (i: number) => b[i] ?? 0;
  if (chunk === "VP8 ") {
    if (at(23) !== 0x9d || at(24) !== 0x01 || at(25) !== 0x2a) return null;
    return {
      width: (at(26) | (at(27) << 8)) & 0x3fff,
      height: (at(28) | (at(29) << 8)) & 0x3fff,
    };
  }
  if (chunk === "VP8L") {
    if (at(20) !== 0x2f) return null;
    const [b0, b1, b2, b3] = [at(21), at(22), at(23), at(24)];
    return {
      width: 1 + (((b1 & 0x3f) << 8) | b0),
      height: 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
    };
  }
  if (chunk === "VP8X") {
    return {
      width: 1 + (at(24) | (at(25) << 8) | (at(26) << 16)),
      height: 1 + (at(27) | (at(28) << 8) | (at(29) << 16)),
    };
  }
  return null;
}

/** Type by magic bytes plus dimensions from the headers; throws bad_request otherwise. */
export function inspectImage(bytes: Uint8Array): ImageInfo {
  const mime = sniffImageType(bytes);
  if (!mime) throw badRequest("imageType");
  const size =
    mime === "image/png"
      ? pngSize(bytes)
      : mime === "image/jpeg"
        ? jpegSize(bytes)
        : webpSize(bytes);
  if (!size || size.width < 1 || size.height < 1) throw badRequest("imageUndecodable");
  return { mime, ...size };
}

export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} KB`;
}

export function imageTooLarge(maxBytes: number) {
  return badRequest("imageTooLarge", { max: formatBytes(maxBytes) }, 413);
}

const DATA_URL_PATTERN = /^data:([^,;]*)((?:;[^,;]*)*),([\s\S]*)$/;

/** Decodes a base64 `data:` URL, checking the decoded size before allocating it. */
export function decodeImageDataUrl(dataUrl: string, maxBytes: number): Uint8Array {
  const match = DATA_URL_PATTERN.exec(dataUrl);
  if (!match || !/(^|;)base64$/i.test(match[2] ?? "")) throw badRequest("imageType");
  const payload = (match[3] ?? "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 === 1) {
    throw badRequest("imageUndecodable");
  }
  const padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
  if (Math.floor((payload.length * 3) / 4) - padding > maxBytes) throw imageTooLarge(maxBytes);
  const bytes = Buffer.from(payload, "base64");
  if (bytes.length === 0) throw badRequest("imageUndecodable");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
