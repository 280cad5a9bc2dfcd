import compile from "icu-minify/compile";
import formatCompiled from "use-intl/format-message/format-only";
import { createTranslator } from "use-intl/core";
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

// `next build` compiles every message ahead of time (next.config.ts `precompile`) and the pages
// format them with a small runtime instead of use-intl's parser. A message the compiler rejects
// breaks the build; one it reads differently would change what people see.
const INTL_FORMATTERS = {
  getNumberFormat: (locale: string, options?: Intl.NumberFormatOptions) =>
    new Intl.NumberFormat(locale, options),
  getPluralRules: (locale: string, options?: Intl.PluralRulesOptions) =>
    new Intl.PluralRules(locale, options),
  getDateTimeFormat: (locale: string, options?: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, options),
};

describe("precompiled messages", () => {
  it.each(["zh-CN", "en"] as const)(
    "%s: every message compiles and reads as it does at run time",
    (locale) => {
      const differences: string[] = [];
      for (const key of keys(MESSAGES[locale])) {
        const message = key
          .split(".")
          .reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], MESSAGES[locale]) as string;
        let compiled: ReturnType<typeof compile>;
        try {
          compiled = compile(message);
        } catch (error) {
          differences.push(`${key}: ${(error as Error).message}`);
          continue;
        }
        if (/<\w+>/.test(message.replace(/'<'/g, ""))) continue; // rich text: its tags need chunk functions
        // Every argument gets the number 2: it fills text, number and plural arguments alike.
        const values = Object.fromEntries(
          [...message.matchAll(/\{(\w+)/g)].map(([, name]) => [name, 2]),
        );
        const runtime = createTranslator({ locale, messages: { m: message } });
        const expected = runtime("m", values as never);
        const actual = String(
          formatCompiled(key, compiled, values, { locale, formatters: INTL_FORMATTERS } as never),
        );
        if (actual !== expected) differences.push(`${key}: ${actual} ≠ ${expected}`);
      }
      expect(differences).toEqual([]);
    },
  );
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
