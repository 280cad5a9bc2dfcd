import { describe, expect, it } from "vitest";
import { analyzeKey } from "./key-format";

// Built at runtime: no key-shaped literal lives in the repository.
const GOOD = `sk-${"Ab3x".repeat(12)}`;

const codes = (raw: string) => analyzeKey(raw).findings.map((f) => `${f.code}:${f.severity}`);

describe("analyzeKey", () => {
  it.each([
    ["a well-formed key", GOOD, []],
    ["surrounding spaces", `  ${GOOD} `, ["key_whitespace:warn"]],
    ["a trailing newline (echo >> .env)", `${GOOD}\n`, ["key_newline:warn"]],
    ["a CRLF line ending", `${GOOD}\r\n`, ["key_newline:warn"]],
    [
      "a newline inside (key split over two lines)",
      `${GOOD.slice(0, 20)}\n${GOOD.slice(20)}`,
      ["key_newline:fail", "key_inner_space:fail"],
    ],
    ["double quotes", `"${GOOD}"`, ["key_quotes:warn"]],
    ["single quotes", `'${GOOD}'`, ["key_quotes:warn"]],
    ["Chinese quotes", `“${GOOD}”`, ["key_quotes:warn"]],
    ["a quote inside", `${GOOD.slice(0, 10)}"${GOOD.slice(10)}`, ["key_quotes:fail"]],
    ["a pasted Bearer prefix", `Bearer ${GOOD}`, ["key_bearer_prefix:warn"]],
    [
      "a quoted Bearer header value",
      `"Bearer ${GOOD}"`,
      ["key_quotes:warn", "key_bearer_prefix:warn"],
    ],
    ["full-width letters (Chinese IME)", `ｓｋ－${"Ab3x".repeat(12)}`, ["key_full_width:fail"]],
    [
      "a full-width space inside",
      `${GOOD.slice(0, 10)}\u3000${GOOD.slice(10)}`,
      ["key_full_width:fail", "key_inner_space:fail"],
    ],
    ["a zero-width space from a web page", `${GOOD}\u200b`, ["key_invisible:fail"]],
    [
      "a non-breaking space inside",
      `${GOOD.slice(0, 10)}\u00a0${GOOD.slice(10)}`,
      ["key_invisible:fail", "key_inner_space:fail"],
    ],
    ["other non-ASCII text", `${GOOD}密`, ["key_non_ascii:fail"]],
    ["a space inside", `${GOOD.slice(0, 10)} ${GOOD.slice(10)}`, ["key_inner_space:fail"]],
    ["your-key-here", "your-key-here", ["key_placeholder:fail"]],
    ["sk-your-api-key", "sk-your-api-key", ["key_placeholder:fail"]],
    ["sk-xxx", "sk-xxx", ["key_placeholder:fail"]],
    ["sk-xxxxxxxx…", `sk-${"x".repeat(48)}`, ["key_placeholder:fail"]],
    ["sk-...", "sk-...", ["key_placeholder:fail"]],
    ["<your key>", "<your key>", ["key_placeholder:fail", "key_inner_space:fail"]],
    ["Chinese placeholder", "在此填写你的密钥", ["key_placeholder:fail", "key_non_ascii:fail"]],
    ["a URL pasted as key", "https://relay.example.com/v1", ["key_looks_like_url:fail"]],
    ["no sk- prefix", "Ab3x".repeat(12), ["key_prefix:warn"]],
    ["too short (cut off)", "sk-Ab3xAb3x", ["key_short:warn"]],
  ])("%s", (_name, raw, expected) => {
    expect(codes(raw).sort()).toEqual([...expected].sort());
  });

  it("lists failures before warnings", () => {
    const { findings } = analyzeKey(` ${GOOD.slice(0, 10)}\u200b${GOOD.slice(10)} `);
    expect(findings.map((f) => f.severity)).toEqual(["fail", "warn"]);
  });

  it("reports the length the app will send, after cleaning", () => {
    expect(analyzeKey(`  "Bearer ${GOOD}"\n`).cleanedLength).toBe(GOOD.length);
  });
});
