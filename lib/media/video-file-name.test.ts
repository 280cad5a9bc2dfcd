import { describe, expect, it } from "vitest";
import { contentDisposition, promptSlug, videoFileName } from "./video-file-name";

describe("videoFileName", () => {
  const at = "2026-12-03T09:05:00.000Z";

  it("is the start of the prompt, then the creation day (UTC)", () => {
    expect(videoFileName("A lighthouse at dusk", at)).toBe("a-lighthouse-at-dusk-2026-12-03.mp4");
    // Late evening in UTC is still that UTC day, whatever the reader's time zone.
    expect(videoFileName("x", "2026-12-31T23:59:00.000Z")).toBe("x-2026-12-31.mp4");
  });

  it("keeps Chinese and drops punctuation that file systems reject", () => {
    expect(videoFileName("一只猫，在海浪上冲浪！", at)).toBe("一只猫-在海浪上冲浪-2026-12-03.mp4");
    expect(videoFileName('a/b\\c:d*e?f"g<h>i|j', at)).toBe("a-b-c-d-e-f-g-h-i-j-2026-12-03.mp4");
  });

  it("drops simulator directives and cuts long prompts", () => {
    const name = videoFileName(`[[sim:upstream_503*2]] ${"long ".repeat(30)}`, at);
    expect(name.startsWith("long-long")).toBe(true);
    expect(Array.from(promptSlug("long ".repeat(30))).length).toBeLessThanOrEqual(40);
    expect(name).not.toContain("sim");
  });

  it("falls back to 'video' for an empty slug and to the slug for a bad date", () => {
    expect(videoFileName("***", at)).toBe("video-2026-12-03.mp4");
    expect(videoFileName("a cat", "not a date")).toBe("a-cat.mp4");
  });
});

describe("contentDisposition", () => {
  it("gives ASCII names as they are and UTF-8 names in filename*", () => {
    expect(contentDisposition("a-cat-2026-12-03.mp4")).toBe(
      `inline; filename="a-cat-2026-12-03.mp4"; filename*=UTF-8''a-cat-2026-12-03.mp4`,
    );
    const cjk = contentDisposition("一只猫-2026-12-03.mp4", "attachment");
    expect(cjk).toMatch(/^attachment; filename="2026-12-03\.mp4"; filename\*=UTF-8''/);
    expect(decodeURIComponent(cjk.split("UTF-8''")[1] ?? "")).toBe("一只猫-2026-12-03.mp4");
    expect(contentDisposition("猫.mp4")).toContain('filename="video.mp4"');
  });
});
