import { describe, expect, it } from "vitest";
import { describeModel, FAMILY_PARAMETERS } from "@/lib/contracts/models";
import {
  aspectRatioOf,
  fallbackModels,
  frameSizeFor,
  groupModels,
  orientationOf,
  resolveSelection,
  selectableDurations,
  selectableSizes,
  shapeOption,
  shutdownPassed,
} from "./model-options";

const models = [
  describeModel("sora_video2", true),
  describeModel("sora_video2-landscape", true),
  describeModel("sora-2", true),
  describeModel("sora-2-pro", false),
  describeModel("veo-3-relay", true),
  describeModel("acme-video-x", true),
];

describe("resolveSelection", () => {
  it("uses the default model when nothing is chosen", () => {
    const s = resolveSelection(models, "sora_video2", {});
    expect(s?.model.id).toBe("sora_video2");
    expect(s?.seconds).toBeUndefined();
    expect(s?.size).toBeUndefined();
  });

  it("chat models imply duration and size: nothing to send", () => {
    const s = resolveSelection(models, "sora_video2", {
      model: "sora_video2-landscape",
      seconds: "8",
      size: "720x1280",
    });
    expect(s).toMatchObject({ seconds: undefined, size: undefined });
    expect(s?.model.id).toBe("sora_video2-landscape");
  });

  it("videos models keep a valid choice and replace an invalid one", () => {
    expect(
      resolveSelection(models, "sora_video2", { model: "sora-2", seconds: "8", size: "1280x720" }),
    ).toMatchObject({
      seconds: "8",
      size: "1280x720",
    });
    expect(
      resolveSelection(models, "sora_video2", {
        model: "sora-2",
        seconds: "10",
        size: "1792x1024",
      }),
    ).toMatchObject({
      seconds: "4",
      size: "1280x720",
    });
  });

  it("an unknown model falls back to the default, then to the first", () => {
    expect(resolveSelection(models, "sora-2", { model: "gone" })?.model.id).toBe("sora-2");
    expect(resolveSelection(models, "missing", { model: "gone" })?.model.id).toBe("sora_video2");
    expect(resolveSelection([], "x", {})).toBeNull();
  });
});

describe("model helpers", () => {
  it.each([
    ["720x1280", "portrait"],
    ["1792x1024", "landscape"],
    ["1024x1024", "square"],
    ["bad", "square"],
  ])("orientation of %s is %s", (size, orientation) => {
    expect(orientationOf(size)).toBe(orientation);
  });

  it("frame size follows the choice, else the model's first size", () => {
    const pro = describeModel("sora-2-pro");
    expect(frameSizeFor(pro, "1792x1024")).toEqual({ width: 1792, height: 1024 });
    expect(frameSizeFor(pro, "999x999")).toEqual({ width: 720, height: 1280 });
    expect(frameSizeFor(describeModel("sora_video2"))).toEqual({ width: 704, height: 1280 });
  });

  it("videos and generations models offer their family's choices; chat models none", () => {
    expect(selectableDurations(describeModel("sora-2"))).toEqual(["4", "8", "12"]);
    expect(selectableSizes(describeModel("sora_video2-hd"))).toEqual([]);
    expect(selectableDurations(describeModel("veo-3.1-fast-generate-preview"))).toEqual([
      "4",
      "6",
      "8",
    ]);
    expect(selectableSizes(describeModel("kling-v2-6"))).toEqual([
      "1280x720",
      "720x1280",
      "1024x1024",
    ]);
  });

  it("switching to a Kling model keeps the orientation and drops what Kling lacks", () => {
    const kling = describeModel("kling-v2-6", true);
    expect(
      resolveSelection([...models, kling], "sora_video2", {
        model: "kling-v2-6",
        seconds: "8",
        size: "720x1280",
      }),
    ).toMatchObject({ seconds: "5", size: "720x1280" });
  });

  it("groups stable, catalogue and relay-only models", () => {
    const groups = groupModels(models);
    expect(groups.recommended.map((m) => m.id)).toEqual(["sora_video2"]);
    expect(groups.catalogue.map((m) => m.id)).toEqual([
      "sora_video2-landscape",
      "sora-2",
      "sora-2-pro",
      "veo-3-relay",
    ]);
    expect(groups.relay.map((m) => m.id)).toEqual(["acme-video-x"]);
  });

  it("falls back to the built-in catalogue", () => {
    const fallback = fallbackModels();
    expect(fallback.defaultModel).toBe("sora_video2");
    expect(fallback.models.every((m) => m.known)).toBe(true);
  });
});

describe("shape options", () => {
  it.each([
    ["720x1280", "9:16", "portrait"],
    ["704x1280", "9:16", "portrait"],
    ["1280x720", "16:9", "landscape"],
    ["1792x1024", "16:9", "landscape"],
    ["1024x1792", "9:16", "portrait"],
    ["1920x1080", "16:9", "landscape"],
    ["1024x1024", "1:1", "square"],
    ["1440x1080", "4:3", "landscape"],
    ["1000x300", "10:3", "landscape"],
  ])("%s → %s %s", (size, ratio, orientation) => {
    expect(aspectRatioOf(size)).toBe(ratio);
    expect(shapeOption(size)).toMatchObject({ value: size, ratio, orientation });
  });

  it("every size of every catalogue family has a shape with its exact pixels", () => {
    for (const family of Object.values(FAMILY_PARAMETERS)) {
      for (const size of family.sizes) {
        const shape = shapeOption(size);
        expect(shape?.pixels).toBe(size.replace("x", "×"));
      }
    }
  });

  it("refuses what is not a size", () => {
    expect(shapeOption("large")).toBeNull();
    expect(aspectRatioOf("0x0")).toBeNull();
  });
});

describe("shutdownPassed", () => {
  const now = Date.parse("2026-12-03T10:00:00Z");
  it.each([
    ["2026-09-24", true],
    ["2027-01-01", false],
    ["soon", false],
  ])("%s → %s", (date, passed) => {
    expect(shutdownPassed(date, now)).toBe(passed);
  });
});
