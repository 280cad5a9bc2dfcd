import { describe, expect, it } from "vitest";
import { CHECK_IDS, LOCAL_CAUSE_CODES, checkMessageKey } from "@/lib/contracts/diagnostics";
import en from "@/lib/i18n/messages/en/diagnostics.json";
import zh from "@/lib/i18n/messages/zh-CN/diagnostics.json";
import { translator } from "@/lib/i18n/translate";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("diagnostics messages", () => {
  it("zh-CN and en have the same keys", () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
  });

  it.each(["zh-CN", "en"] as const)(
    "%s has a title for every check and a cause and fix for every local code",
    (locale) => {
      const t = translator(locale) as unknown as { has(key: string): boolean };
      for (const id of CHECK_IDS)
        expect(t.has(`diagnostics.checks.${checkMessageKey(id)}`)).toBe(true);
      for (const code of LOCAL_CAUSE_CODES) {
        expect(t.has(`diagnostics.causes.${code}.cause`), code).toBe(true);
        expect(t.has(`diagnostics.causes.${code}.hint`), code).toBe(true);
      }
    },
  );
});
