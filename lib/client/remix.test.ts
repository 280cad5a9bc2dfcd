import { describe, expect, it } from "vitest";
import { canRemix } from "./remix";

const done = { state: "completed", protocol: "videos", upstreamId: "video_1" } as const;

describe("canRemix", () => {
  it.each([
    ["a finished sora-2 video", { ...done, model: "sora-2" }, undefined, true],
    [
      "a relay's dated sora-2-pro alias",
      { ...done, model: "sora-2-pro-2025-10-06" },
      undefined,
      true,
    ],
    ["a chat relay model", { ...done, model: "sora_video2", protocol: "chat" }, undefined, false],
    ["a Veo model", { ...done, model: "veo-3.1" }, undefined, false],
    ["a running job", { ...done, model: "sora-2", state: "running" }, undefined, false],
    ["no upstream id", { ...done, model: "sora-2", upstreamId: undefined }, undefined, false],
    [
      "an operator entry that turns remix off",
      { ...done, model: "sora-2" },
      [{ id: "sora-2", remix: false }],
      false,
    ],
    [
      "an operator model that can remix",
      { ...done, model: "my-video" },
      [{ id: "my-video", remix: true }],
      true,
    ],
  ] as const)("%s → %s", (_name, job, models, expected) => {
    expect(canRemix(job, models)).toBe(expected);
  });
});
