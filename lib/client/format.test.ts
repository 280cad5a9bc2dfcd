import { describe, expect, it } from "vitest";
import {
  durationParts,
  excerpt,
  formatBytes,
  formatDelaySeconds,
  formatDuration,
  formatElapsed,
  stripDirectives,
} from "./format";
import { translator } from "@/lib/i18n/translate";

describe("formatDelaySeconds", () => {
  it.each([
    [3000, "3"],
    [6000, "6"],
    [3456, "3.5"],
    [300, "0.3"],
    [0, "0"],
    [12_400, "12"],
    [-5, "0"],
  ])("%d ms → %s s", (ms, text) => {
    expect(formatDelaySeconds(ms)).toBe(text);
  });
});

describe("formatElapsed", () => {
  it.each([
    [0, "0:00"],
    [9_999, "0:09"],
    [65_000, "1:05"],
    [3_725_000, "1:02:05"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe("formatBytes", () => {
  it.each([
    [512, "512 B"],
    [2048, "2 KB"],
    [1536, "1.5 KB"],
    [68_000, "66 KB"],
    [5 * 1024 * 1024, "5 MB"],
  ])("%d → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("stripDirectives / excerpt", () => {
  it("removes simulator directives", () => {
    expect(stripDirectives("[[sim:upstream_503*2]]  a cat [[sim:speed=2]] jumps")).toBe(
      "a cat jumps",
    );
  });
  it("cuts long text on characters, not UTF-16 units", () => {
    expect(excerpt("一只猫在海浪上冲浪", 5)).toBe("一只猫在…");
    expect(excerpt("short", 10)).toBe("short");
  });
});

describe("formatDuration", () => {
  it.each([
    [350, "350 毫秒", "350 ms"],
    [20_039, "20 秒", "20 s"],
    [3_456, "3.5 秒", "3.5 s"],
    [59_990, "1 分钟", "1 min"],
    [125_000, "2 分 5 秒", "2 min 5 s"],
    [2_700_000, "45 分钟", "45 min"],
    [3_900_000, "1 小时 5 分", "1 h 5 min"],
    [7_200_000, "2 小时", "2 h"],
  ])("%d ms → %s / %s", (ms, zh, en) => {
    expect(formatDuration(ms, translator("zh-CN"))).toBe(zh);
    expect(formatDuration(ms, translator("en"))).toBe(en);
  });

  it("never shows a raw millisecond count above a second", () => {
    for (const ms of [1000, 20_039, 61_234, 999_999, 12_345_678]) {
      expect(durationParts(ms).unit).not.toBe("ms");
    }
  });
});
