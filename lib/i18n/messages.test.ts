import { describe, expect, it } from "vitest";
import { localeFromAcceptLanguage, resolveLocale } from "./config";
import { MESSAGES } from "./messages";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("message files", () => {
  it("zh-CN and en have exactly the same keys", () => {
    const zh = keys(MESSAGES["zh-CN"]).sort();
    const en = keys(MESSAGES.en).sort();
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
  });

  it("has no empty texts", () => {
    for (const locale of ["zh-CN", "en"] as const) {
      const empty = keys(MESSAGES[locale]).filter((k) => {
        const value = k
          .split(".")
          .reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], MESSAGES[locale]);
        return typeof value !== "string" || value.trim() === "";
      });
      expect(empty).toEqual([]);
    }
  });
});

describe("locale selection", () => {
  it.each([
    [undefined, "zh-CN"],
    ["", "zh-CN"],
    ["en", "en"],
    ["en-US,en;q=0.9", "en"],
    ["zh-TW,zh;q=0.9,en;q=0.8", "zh-CN"],
    ["fr-FR,fr;q=0.9,en;q=0.8", "en"],
    ["fr-FR", "zh-CN"],
    ["en;q=0.5,zh;q=0.9", "zh-CN"],
    ["zh;q=0,en;q=0.1", "en"],
  ])("Accept-Language %j → %s", (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale);
  });

  it("prefers the cookie over the header and ignores unknown cookie values", () => {
    expect(resolveLocale("en", "zh-CN")).toBe("en");
    expect(resolveLocale("de", "en")).toBe("en");
  });
});
