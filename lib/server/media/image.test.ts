import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { decodeImageDataUrl, inspectImage, sniffImageType } from "./image";

function png(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  bytes.set(new TextEncoder().encode("IHDR"), 12);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

function webp(chunk: "VP8 " | "VP8L" | "VP8X", width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(40);
  const enc = new TextEncoder();
  bytes.set(enc.encode("RIFF"), 0);
  bytes.set(enc.encode("WEBP"), 8);
  bytes.set(enc.encode(chunk), 12);
  if (chunk === "VP8 ") {
    bytes.set([0x9d, 0x01, 0x2a, width & 0xff, width >> 8, height & 0xff, height >> 8], 23);
  } else if (chunk === "VP8L") {
    const w = width - 1;
    const h = height - 1;
    bytes.set(
      [0x2f, w & 0xff, ((w >> 8) & 0x3f) | ((h & 0x3) << 6), (h >> 2) & 0xff, (h >> 10) & 0xf],
      20,
    );
  } else {
    const w = width - 1;
    const h = height - 1;
    bytes.set([w & 0xff, (w >> 8) & 0xff, w >> 16, h & 0xff, (h >> 8) & 0xff, h >> 16], 24);
  }
  return bytes;
}

const jpeg = new Uint8Array(
  fs.readFileSync(path.join(process.cwd(), "simulator/assets/thumbnail.jpg")),
);

function detailOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (AppError.isInstance(error)) return error.options.detail?.key;
    throw error;
  }
  return undefined;
}

describe("inspectImage", () => {
  it.each([
    ["png", png(720, 1280), "image/png", 720, 1280],
    ["webp VP8", webp("VP8 ", 1280, 720), "image/webp", 1280, 720],
    ["webp VP8L", webp("VP8L", 720, 1280), "image/webp", 720, 1280],
    ["webp VP8X", webp("VP8X", 1792, 1024), "image/webp", 1792, 1024],
  ])("reads %s headers", (_name, bytes, mime, width, height) => {
    expect(inspectImage(bytes)).toEqual({ mime, width, height });
  });

  it("reads a real JPEG's start-of-frame", () => {
    const info = inspectImage(jpeg);
    expect(info.mime).toBe("image/jpeg");
    expect(info.width).toBeGreaterThan(0);
    expect(info.height).toBeGreaterThan(0);
  });

  it.each([
    ["GIF", new TextEncoder().encode("GIF89a\x01\x00\x01\x00"), "imageType"],
    ["text", new TextEncoder().encode("hello, I am a PNG"), "imageType"],
    ["empty", new Uint8Array(), "imageType"],
    ["PNG without IHDR", png(1, 1).slice(0, 12), "imageUndecodable"],
    ["PNG of size 0", png(0, 10), "imageUndecodable"],
    ["truncated JPEG", jpeg.slice(0, 40), "imageUndecodable"],
    [
      "WebP with an unknown chunk",
      new TextEncoder().encode("RIFF\0\0\0\0WEBPABCD".padEnd(40, "\0")),
      "imageUndecodable",
    ],
  ])("rejects %s", (_name, bytes, key) => {
    expect(detailOf(() => inspectImage(bytes))).toBe(key);
  });

  it("decides the type by magic bytes only", () => {
    expect(sniffImageType(jpeg)).toBe("image/jpeg");
    expect(sniffImageType(png(2, 2))).toBe("image/png");
  });
});

describe("decodeImageDataUrl", () => {
  const toDataUrl = (bytes: Uint8Array, mime = "image/png") =>
    `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`;

  it("decodes base64 data URLs whatever MIME type they claim", () => {
    const bytes = png(4, 4);
    expect(decodeImageDataUrl(toDataUrl(bytes, "image/gif"), 1024)).toEqual(bytes);
  });

  it("rejects oversized payloads before decoding them", () => {
    const error = (() => {
      try {
        decodeImageDataUrl(toDataUrl(new Uint8Array(2048)), 1024);
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(error?.options.detail?.key).toBe("imageTooLarge");
    expect(error?.httpStatus).toBe(413);
  });

  it.each([
    ["not base64", "data:image/png,%89PNG", "imageType"],
    ["not a data URL", "https://example.com/a.png", "imageType"],
    ["broken base64", "data:image/png;base64,@@@@", "imageUndecodable"],
    ["empty payload", "data:image/png;base64,", "imageUndecodable"],
  ])("rejects %s", (_name, url, key) => {
    expect(detailOf(() => decodeImageDataUrl(url, 1024))).toBe(key);
  });
});
