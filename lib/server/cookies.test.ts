import { describe, expect, it } from "vitest";
import { readCookie } from "./cookies";

function withCookie(cookie: string) {
  return new Request("http://127.0.0.1/", { headers: { cookie } });
}

describe("readCookie", () => {
  it.each([
    ["a=1; b=2", "b", "2"],
    ["b=%E4%BD%A0", "b", "你"],
    ["b=%", "b", "%"],
    ["b=%E0%A4%A", "b", "%E0%A4%A"],
    ["a=%zz; b=ok", "b", "ok"],
    ['b="quoted"', "b", "quoted"],
    ["b=x=y", "b", "x=y"],
    ["bb=1", "b", undefined],
    ["", "b", undefined],
  ])("%j → %s = %j, never a throw", (header, name, expected) => {
    expect(readCookie(withCookie(header), name)).toBe(expected);
  });
});
