import { describe, expect, it } from "vitest";
import {
  checkImageFile,
  coverCrop,
  dataUrlBytes,
  dataUrlToFile,
  DEFAULT_MAX_IMAGE_BYTES,
} from "./image";

describe("coverCrop", () => {
  it.each([
    // wide source into a portrait frame: full height, centred slice of the width
    [
      { width: 1920, height: 1080 },
      { width: 704, height: 1280 },
      { sx: 663, sy: 0, sw: 594, sh: 1080 },
    ],
    // tall source into a landscape frame: full width, centred slice of the height
    [
      { width: 1000, height: 2000 },
      { width: 1280, height: 720 },
      { sx: 0, sy: 718, sw: 1000, sh: 563 },
    ],
    // same ratio: whole image
    [
      { width: 360, height: 640 },
      { width: 720, height: 1280 },
      { sx: 0, sy: 0, sw: 360, sh: 640 },
    ],
  ])("%o → %o", (source, target, rect) => {
    const crop = coverCrop(source, target);
    expect(crop).toEqual(rect);
    expect(crop.sw / crop.sh).toBeCloseTo(target.width / target.height, 2);
    expect(crop.sx + crop.sw).toBeLessThanOrEqual(source.width);
    expect(crop.sy + crop.sh).toBeLessThanOrEqual(source.height);
  });
});

describe("checkImageFile", () => {
  it.each([
    [{ type: "image/png", size: 1000 }, null],
    [{ type: "image/jpeg", size: 1000 }, null],
    [{ type: "image/webp", size: DEFAULT_MAX_IMAGE_BYTES }, null],
    [{ type: "image/gif", size: 1000 }, "type"],
    [{ type: "application/pdf", size: 1000 }, "type"],
    [{ type: "image/png", size: DEFAULT_MAX_IMAGE_BYTES + 1 }, "tooLarge"],
  ])("%o → %s", (file, problem) => {
    expect(checkImageFile(file)).toBe(problem);
  });

  it("holds the file to the limit the server was configured with", () => {
    expect(checkImageFile({ type: "image/png", size: 3_000_000 }, 2_000_000)).toBe("tooLarge");
    expect(checkImageFile({ type: "image/png", size: 2_000_000 }, 2_000_000)).toBeNull();
  });
});

describe("dataUrlToFile", () => {
  it("turns a session image back into a file of the same type and bytes", async () => {
    const file = dataUrlToFile("data:image/png;base64,AAECAw==", "reference.png");
    expect(file?.type).toBe("image/png");
    expect(file?.name).toBe("reference.png");
    expect([...new Uint8Array(await file!.arrayBuffer())]).toEqual([0, 1, 2, 3]);
  });

  it("refuses what is not a base64 data URL", () => {
    expect(dataUrlToFile("https://example.com/a.png", "a.png")).toBeNull();
    expect(dataUrlToFile("data:image/png;base64,%%%", "a.png")).toBeNull();
  });
});

describe("dataUrlBytes", () => {
  it.each([
    ["data:image/png;base64,AAAA", 3],
    ["data:image/png;base64,AAA=", 2],
    ["data:image/png;base64,AA==", 1],
  ])("%s → %d", (url, bytes) => {
    expect(dataUrlBytes(url)).toBe(bytes);
  });
});
