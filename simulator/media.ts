import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The bytes the simulator hands out and takes in: the sample MP4 and thumbnail served with HTTP
 * ranges (and the content_reset cut), and the size/type of uploaded reference images.
 */

export interface MediaAsset {
  body: Buffer;
  contentType: string;
}

export interface MediaAssets {
  video: MediaAsset;
  thumbnail: MediaAsset;
}

export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL("./assets", import.meta.url));

export function loadAssets(dir: string = DEFAULT_ASSETS_DIR): MediaAssets {
  return {
    video: { body: readFileSync(join(dir, "sample.mp4")), contentType: "video/mp4" },
    thumbnail: { body: readFileSync(join(dir, "thumbnail.jpg")), contentType: "image/jpeg" },
  };
}

export type ByteRange = { start: number; end: number };

/**
 * Parses a single-range `Range` header against a body of `size` bytes.
 * Returns null when the header should be ignored (absent, not bytes, multi-range),
 * "unsatisfiable" for a 416, or the inclusive byte range.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | "unsatisfiable" | null {
  // multi-range requests may be answered with the whole body (RFC 9110 §14.2)
  if (!header || header.includes(",")) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return header.trim().toLowerCase().startsWith("bytes=") ? "unsatisfiable" : null;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return "unsatisfiable";
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

export interface ServeOptions {
  extraHeaders?: Record<string, string>;
  /** Destroy the socket after this many body bytes (fault: content_reset). */
  resetAfterBytes?: number;
  onBytes?: (n: number) => void;
}

export function serveMedia(
  req: IncomingMessage,
  res: ServerResponse,
  asset: MediaAsset,
  options: ServeOptions = {},
): void {
  const size = asset.body.length;
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string | number> = {
    "Content-Type": asset.contentType,
    "Accept-Ranges": "bytes",
    "Cache-Control": "public, max-age=86400",
    ...options.extraHeaders,
  };
  if (range === "unsatisfiable") {
    res.writeHead(416, { ...headers, "Content-Range": `bytes */${size}`, "Content-Length": 0 });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = end - start + 1;
  headers["Content-Length"] = length;
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const slice = asset.body.subarray(start, end + 1);
  if (options.resetAfterBytes !== undefined && options.resetAfterBytes < slice.length) {
    const partial = slice.subarray(0, options.resetAfterBytes);
    res.write(partial, () => {
      options.onBytes?.(partial.length);
      res.socket?.destroy();
    });
    return;
  }
  res.end(slice, () => options.onBytes?.(slice.length));
}

export interface ImageInfo {
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

/** Reads the pixel size from PNG, JPEG, WebP or GIF headers; mime falls back to the declared one. */
export function imageInfo(buf: Buffer, declaredMime?: string): ImageInfo {
  const sniffed = sniffImage(buf);
  return {
    mime: sniffed?.mime ?? declaredMime ?? "application/octet-stream",
    bytes: buf.length,
    width: sniffed?.width ?? null,
    height: sniffed?.height ?? null,
  };
}

function sniffImage(buf: Buffer): { mime: string; width: number; height: number } | null {
  if (
    buf.length >= 24 &&
    buf.readUInt32BE(0) === 0x89504e47 &&
    buf.toString("ascii", 12, 16) === "IHDR"
  ) {
    return { mime: "image/png", width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8) {
    return jpegSize(buf);
  }
  if (
    buf.length >= 30 &&
    buf.toString("ascii", 0, 4) === "RIFF" &&
    buf.toString("ascii", 8, 12) === "WEBP"
  ) {
    return webpSize(buf);
  }
  if (buf.length >= 10 && buf.toString("ascii", 0, 3) === "GIF") {
    return { mime: "image/gif", width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
  }
  return null;
}

const JPEG_SOF_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
]);

function jpegSize(buf: Buffer): { mime: string; width: number; height: number } | null {
  let offset = 2;
  while (offset + 4 <= buf.length) {
    if (buf[offset] !== 0xff) return null;
    const marker = buf[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const segmentLength = buf.readUInt16BE(offset + 2);
    if (JPEG_SOF_MARKERS.has(marker) && offset + 9 <= buf.length) {
      return {
        mime: "image/jpeg",
        height: buf.readUInt16BE(offset + 5),
        width: buf.readUInt16BE(offset + 7),
      };
    }
    offset += 2 + segmentLength;
  }
  return null;
}

function webpSize(buf: Buffer): { mime: string; width: number; height: number } | null {
  const chunk = buf.toString("ascii", 12, 16);
  if (chunk === "VP8 " && buf.readUIntBE(23, 3) === 0x9d012a) {
    return {
      mime: "image/webp",
      width: buf.readUInt16LE(26) & 0x3fff,
      height: buf.readUInt16LE(28) & 0x3fff,
    };
  }
  if (chunk === "VP8L" && buf[20] === 0x2f) {
    const bits = buf.readUInt32LE(21);
    return { mime: "image/webp", width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") {
    return {
      mime: "image/webp",
      width: buf.readUIntLE(24, 3) + 1,
      height: buf.readUIntLE(27, 3) + 1,
    };
  }
  return null;
}

/** `data:image/png;base64,…` → bytes; a bare base64 string (S2A strips the prefix) is accepted too. */
export function decodeDataUrl(value: string): { mime: string | undefined; body: Buffer } | null {
  const match = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s.exec(value);
  if (match) return { mime: match[1], body: Buffer.from(match[2] ?? "", "base64") };
  if (/^[A-Za-z0-9+/=\s]{16,}$/.test(value))
    return { mime: undefined, body: Buffer.from(value, "base64") };
  return null;
}
