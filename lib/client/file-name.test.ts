import { describe, expect, it } from "vitest";
import { fileTimestamp, promptSlug, videoFileName } from "./file-name";

describe("videoFileName", () => {
  const at = new Date(2026, 2, 4, 9, 5);

  it("starts with the local date and time, then the start of the prompt", () => {
    expect(videoFileName("A cat surfing a wave", at)).toBe(
      "20260304-0905-A-cat-surfing-a-wave.mp4",
    );
  });

  it("keeps Chinese and drops punctuation that file systems reject", () => {
    expect(videoFileName("一只猫，在海浪上冲浪！", at)).toBe(
      "20260304-0905-一只猫-在海浪上冲浪.mp4",
    );
    expect(videoFileName('a/b\\c:d*e?f"g<h>i|j', at)).toBe("20260304-0905-a-b-c-d-e-f-g-h-i-j.mp4");
  });

  it("drops simulator directives and cuts long prompts", () => {
    const name = videoFileName(`[[sim:upstream_503*2]] ${"long ".repeat(30)}`, at);
    expect(name.startsWith("20260304-0905-long-long")).toBe(true);
    expect(Array.from(promptSlug("long ".repeat(30))).length).toBeLessThanOrEqual(40);
    expect(name).not.toContain("sim");
  });

  it("falls back to the timestamp alone for an empty slug", () => {
    expect(videoFileName("***", at)).toBe("20260304-0905.mp4");
  });

  it("accepts ISO strings", () => {
    const iso = new Date(2026, 11, 31, 23, 59).toISOString();
    expect(videoFileName("x", iso)).toBe("20261231-2359-x.mp4");
    expect(fileTimestamp(new Date(2026, 0, 1, 0, 0))).toBe("20260101-0000");
  });
});
