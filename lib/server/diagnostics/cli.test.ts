import { describe, expect, it } from "vitest";
import { localeFromLang, parseArgs } from "./cli";

describe("parseArgs", () => {
  it("defaults: human text, 15 s bound, no generation, language from LANG", () => {
    expect(parseArgs([], "en_US.UTF-8")).toEqual({
      ok: true,
      options: { json: false, locale: "en", timeoutMs: 15000, generate: false, help: false },
    });
  });

  it.each([
    ["zh_CN.UTF-8", "zh-CN"],
    ["en_GB.UTF-8", "en"],
    ["C.UTF-8", "zh-CN"],
    [undefined, "zh-CN"],
  ])("LANG=%s → %s", (lang, locale) => {
    expect(localeFromLang(lang)).toBe(locale);
  });

  it("reads every flag, in both spellings", () => {
    const parsed = parseArgs(
      [
        "--json",
        "--lang",
        "en",
        "--base-url=http://127.0.0.1:9",
        "--key-env",
        "MY_KEY",
        "--timeout=3000",
        "--generate",
      ],
      "zh_CN.UTF-8",
    );
    expect(parsed).toEqual({
      ok: true,
      options: {
        json: true,
        locale: "en",
        baseUrl: "http://127.0.0.1:9",
        keyEnv: "MY_KEY",
        timeoutMs: 3000,
        generate: true,
        help: false,
      },
    });
  });

  it("accepts npm's `--` separator and --help", () => {
    expect(parseArgs(["--", "--help"], undefined)).toMatchObject({
      ok: true,
      options: { help: true },
    });
  });

  it.each([
    [["--bogus"], "Unknown option: --bogus"],
    [["--lang", "fr"], "--lang takes zh or en"],
    [["--lang"], "The option --lang needs a value."],
    [["--timeout", "abc"], "--timeout takes a number"],
    [["--timeout", "10"], "--timeout takes a number"],
    [["--base-url"], "The option --base-url needs a value."],
    [["--key-env", "not a name"], "The option --key-env needs a value."],
    [["positional"], "Unknown option: positional"],
  ])("usage error %j", (argv, message) => {
    const parsed = parseArgs(argv, "en_US.UTF-8");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it("reports usage errors in the language asked for", () => {
    const parsed = parseArgs(["--lang", "zh", "--bogus"], "en_US.UTF-8");
    expect(parsed).toMatchObject({ ok: false, locale: "zh-CN", error: "未知选项：--bogus" });
  });
});
