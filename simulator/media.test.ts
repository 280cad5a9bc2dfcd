import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeDataUrl, imageInfo, parseRange } from "./media";
import { api, makePng, useSimulator, waitFor } from "./test-support";

const SAMPLE = readFileSync(new URL("./assets/sample.mp4", import.meta.url));
const THUMBNAIL = readFileSync(new URL("./assets/thumbnail.jpg", import.meta.url));

describe("parseRange", () => {
  it.each([
    [undefined, null],
    ["bytes=0-99", { start: 0, end: 99 }],
    ["bytes=100-", { start: 100, end: 999 }],
    ["bytes=-10", { start: 990, end: 999 }],
    ["bytes=-5000", { start: 0, end: 999 }],
    ["bytes=990-5000", { start: 990, end: 999 }],
    ["bytes=1000-", "unsatisfiable"],
    ["bytes=5-4", "unsatisfiable"],
    ["bytes=-0", "unsatisfiable"],
    ["bytes=abc", "unsatisfiable"],
    ["bytes=0-1,5-6", null],
    ["items=0-1", null],
  ])("%s", (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });
});

describe("imageInfo", () => {
  it("reads PNG IHDR", () => {
    expect(imageInfo(makePng(720, 1280))).toMatchObject({
      mime: "image/png",
      width: 720,
      height: 1280,
    });
  });

  it("reads the JPEG SOF of the committed thumbnail", () => {
    expect(imageInfo(THUMBNAIL)).toEqual({
      mime: "image/jpeg",
      bytes: THUMBNAIL.length,
      width: 320,
      height: 568,
    });
  });

  it("reads a JPEG SOF that follows other segments", () => {
    const app0 = [0xff, 0xe0, 0x00, 0x06, 0x4a, 0x46, 0x49, 0x46];
    const sof2 = [0xff, 0xc2, 0x00, 0x0b, 0x08, 0x05, 0x00, 0x02, 0xd0, 0x01, 0x01, 0x11, 0x00];
    const jpeg = Buffer.from([0xff, 0xd8, ...app0, ...sof2, 0xff, 0xd9]);
    expect(imageInfo(jpeg)).toMatchObject({ mime: "image/jpeg", width: 720, height: 1280 });
  });

  const riff = (chunk: string, payload: number[]) => {
    const body = Buffer.from([...Buffer.from(chunk, "ascii"), 0, 0, 0, 0, ...payload]);
    return Buffer.concat([Buffer.from("RIFF\0\0\0\0WEBP", "latin1"), body, Buffer.alloc(16)]);
  };

  it.each([
    // VP8 (lossy): frame tag, start code 9d 01 2a, 14-bit width/height
    ["VP8 ", [0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0xd0, 0x02, 0x00, 0x05], 720, 1280],
    // VP8L (lossless): signature 0x2f, then (w-1) and (h-1) in 14 bits each
    ["VP8L", [0x2f, ...le32(((1280 - 1) << 14) | (720 - 1))], 720, 1280],
    // VP8X (extended): flags + 3 reserved, then 24-bit (w-1) and (h-1)
    ["VP8X", [0, 0, 0, 0, ...le24(1280 - 1), ...le24(720 - 1)], 1280, 720],
  ])("reads WebP %s", (chunk, payload, width, height) => {
    expect(imageInfo(riff(chunk, payload))).toMatchObject({ mime: "image/webp", width, height });
  });

  it("keeps the declared mime of an unknown format", () => {
    expect(imageInfo(Buffer.from("hello"), "image/heic")).toEqual({
      mime: "image/heic",
      bytes: 5,
      width: null,
      height: null,
    });
  });

  it("decodes data URLs and bare base64", () => {
    const png = makePng(4, 4);
    expect(decodeDataUrl(`data:image/png;base64,${png.toString("base64")}`)).toEqual({
      mime: "image/png",
      body: png,
    });
    expect(decodeDataUrl(png.toString("base64"))?.body.equals(png)).toBe(true);
    expect(decodeDataUrl("https://example.com/a.png")).toBeNull();
  });
});

function le32(n: number): number[] {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return [...b];
}

function le24(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
}

describe("Range requests over HTTP", () => {
  const sim = useSimulator();
  const size = SAMPLE.length;

  const completedVideo = async () => {
    const form = new FormData();
    form.set("prompt", "range");
    const { id } = (await (await api(sim.url, "/v1/videos", { body: form })).json()) as {
      id: string;
    };
    await waitFor(async () => {
      const v = (await (await api(sim.url, `/v1/videos/${id}`)).json()) as { status: string };
      return v.status === "completed" ? true : undefined;
    });
    return id;
  };

  it.each([
    ["bytes=0-99", 0, 99],
    ["bytes=-500", size - 500, size - 1],
    ["bytes=1000-", 1000, size - 1],
  ])("%s → 206 with the matching slice", async (range, start, end) => {
    const id = await completedVideo();
    const res = await api(sim.url, `/v1/videos/${id}/content`, { headers: { range } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
    expect(res.headers.get("content-length")).toBe(String(end - start + 1));
    expect(Buffer.from(await res.arrayBuffer()).equals(SAMPLE.subarray(start, end + 1))).toBe(true);
  });

  it("an unsatisfiable range → 416 with bytes */size", async () => {
    const id = await completedVideo();
    const res = await api(sim.url, `/v1/videos/${id}/content`, {
      headers: { range: `bytes=${size}-` },
    });
    expect(res.status).toBe(416);
    expect(res.headers.get("content-range")).toBe(`bytes */${size}`);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it("HEAD and ranges work on the direct file URL too", async () => {
    const res = await api(sim.url, "/v1/chat/completions", {
      json: { model: "sora_video2", messages: [{ role: "user", content: "file" }] },
    });
    const content = ((await res.json()) as { choices: Array<{ message: { content: string } }> })
      .choices[0]?.message.content;
    const url = /\((http[^)]+)\)/.exec(content ?? "")?.[1] ?? "";
    const head = await fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(size));
    expect(head.headers.get("accept-ranges")).toBe("bytes");
    const tail = await fetch(url, { headers: { range: "bytes=-4" } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(SAMPLE.subarray(size - 4))).toBe(true);
    const thumb = await fetch(url.replace(/\.mp4$/, ".jpg"));
    expect(thumb.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await thumb.arrayBuffer()).equals(THUMBNAIL)).toBe(true);
  });
});
