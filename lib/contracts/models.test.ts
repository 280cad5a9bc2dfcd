import { describe, expect, it } from "vitest";
import {
  buildCatalogue,
  describeModel,
  familyOf,
  operatorModelsFileSchema,
  protocolFor,
  protocolForModel,
} from "./models";

describe("familyOf: relay-specific names map onto a family by pattern", () => {
  it.each([
    ["sora_video2-landscape-hd-15s", "sora-chat"],
    ["sora2-landscape-10s", "sora-chat"],
    ["sora-2-all", "sora-chat"],
    ["sora-2-pro-all", "sora-chat"],
    ["sora-2", "sora-2"],
    ["sora-2-2025-12-08", "sora-2"],
    ["sora-2-pro", "sora-2-pro"],
    ["sora-2-pro-2025-10-06", "sora-2-pro"],
    ["veo-3.0-generate-001", "veo-3"],
    ["veo3-fast", "veo-3"],
    ["veo-3.1-generate-preview", "veo-3.1"],
    ["veo3.1-fast", "veo-3.1"],
    ["google/veo-3.1-fast-generate-001", "veo-3.1"],
    ["kling-v2-6", "kling"],
    ["kling-v2-1-master", "kling"],
    ["MiniMax-Hailuo-2.3", "hailuo"],
    ["hailuo-02", "hailuo"],
    ["I2V-01-Director", "hailuo"],
    ["doubao-seedance-1-0-pro-250528", "seedance"],
    ["seedance-2.0-fast", "seedance"],
    ["viduq2", "vidu"],
    ["vidu2.0", "vidu"],
    ["wan2.5-i2v-preview", "wan"],
    ["wanx2.1-i2v-turbo", "wan"],
    ["runway-gen4", "generic"],
    ["swan-2", "generic"],
  ])("%s → %s", (model, family) => {
    expect(familyOf(model)).toBe(family);
  });

  it.each([
    ["sora_video2", "chat"],
    ["sora-2-all", "chat"],
    ["sora-2", "videos"],
    ["veo-3.1-generate-preview", "generations"],
    ["kling-v2-6", "generations"],
    ["doubao-seedance-1-0-pro-250528", "generations"],
    ["unknown-model", "videos"],
  ])("default protocol of %s is %s", (model, protocol) => {
    expect(protocolForModel(model)).toBe(protocol);
  });

  it.each([
    { style: "auto", model: "sora_video2", protocol: "chat" },
    { style: "auto", model: "veo-3-fast", protocol: "generations" },
    { style: "videos", model: "sora_video2", protocol: "videos" },
    { style: "chat", model: "sora-2", protocol: "chat" },
  ] as const)("SORA_API_STYLE=$style, $model → $protocol", ({ style, model, protocol }) => {
    expect(protocolFor(style, describeModel(model))).toBe(protocol);
  });
});

describe("describeModel", () => {
  it("gives a family's parameters to a relay-specific name and marks it known", () => {
    expect(describeModel("veo-3.1-fast-generate-preview", true)).toMatchObject({
      family: "veo-3.1",
      protocol: "generations",
      durations: ["4", "6", "8"],
      sizes: ["1280x720", "720x1280", "1920x1080", "1080x1920"],
      imageInputs: { firstFrame: true, lastFrame: true, maxReferences: 3 },
      audio: true,
      remix: false,
      known: true,
      listed: true,
    });
  });

  it("offers the generic parameters for a name no family matches", () => {
    expect(describeModel("acme-video-x")).toMatchObject({
      family: "generic",
      protocol: "videos",
      known: false,
    });
  });
});

describe("SORA_MODELS_FILE entries", () => {
  it("override a built-in model, add a model and map names by pattern", () => {
    const entries = operatorModelsFileSchema.parse([
      { id: "sora-2", durations: [4, "8"] },
      { id: "my-kling", family: "kling", sizes: ["1920x1080"] },
      { pattern: "^acme-", family: "wan", protocol: "videos", acceptsImage: false },
    ]);
    const catalogue = buildCatalogue(entries);
    expect(describeModel("sora-2", undefined, catalogue)).toMatchObject({
      durations: ["4", "8"],
      sizes: ["720x1280", "1280x720"],
      protocol: "videos",
    });
    expect(describeModel("my-kling", undefined, catalogue)).toMatchObject({
      family: "kling",
      protocol: "generations",
      durations: ["5", "10"],
      sizes: ["1920x1080"],
      known: true,
    });
    expect(catalogue.entries.some((e) => e.id === "my-kling")).toBe(true);
    const acme = describeModel("acme-wan-x", undefined, catalogue);
    expect(acme).toMatchObject({ family: "wan", protocol: "videos", acceptsImage: false });
    expect(acme.imageInputs).toBeUndefined();
  });

  it.each([
    [[{ durations: ["5"] }], "exactly one of id or pattern"],
    [[{ id: "a", pattern: "b" }], "exactly one of id or pattern"],
    [[{ pattern: "(" }], "not a valid regular expression"],
    [[{ id: "a", sizes: ["wide"] }], "WIDTHxHEIGHT"],
    [[{ id: "a", family: "nope" }], ""],
    [[{ id: "a", colour: "red" }], ""],
  ])("rejects %j", (file, message) => {
    const parsed = operatorModelsFileSchema.safeParse(file);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join(" ")).toContain(message);
  });
});
