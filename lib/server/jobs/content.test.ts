import { describe, expect, it, vi } from "vitest";

vi.mock("../upstream/content", () => ({ fetchVideoContent: vi.fn() }));
vi.mock("./runner", () => ({ getJobRunner: vi.fn() }));

const { parseRange } = await import("./content");

describe("parseRange", () => {
  it.each([
    [null, null],
    ["bytes=0-99", { start: 0, end: 99 }],
    ["bytes=10-", { start: 10, end: 999 }],
    ["bytes=-100", { start: 900, end: 999 }],
    ["bytes=-5000", { start: 0, end: 999 }],
    ["bytes=990-5000", { start: 990, end: 999 }],
    ["bytes=999-999", { start: 999, end: 999 }],
    [" bytes = 1 - 2 ", { start: 1, end: 2 }],
  ])("%s of 1000 bytes", (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });

  it.each(["bytes=1000-", "bytes=1000-1001", "bytes=-0", "bytes=99999999999999999-"])(
    "%s is not satisfiable (416)",
    (header) => {
      expect(parseRange(header, 1000)).toBe("invalid");
    },
  );

  // RFC 9110 §14.2: an unknown unit MUST be ignored; several ranges and invalid syntax MAY be.
  it.each([
    "items=0-1",
    "bytes=0-1,5-6",
    "bytes=0-1, 900-",
    "bytes=5-2",
    "bytes=-",
    "bytes=a-b",
    "bytes=0x10-",
    "",
  ])("%s is ignored: the whole body with 200", (header) => {
    expect(parseRange(header, 1000)).toBeNull();
  });
});
