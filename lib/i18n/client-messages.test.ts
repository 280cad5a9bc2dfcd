import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { clientMessages, PAGE_MESSAGES, type PageNamespace } from "./client-messages";

const ROOT = path.resolve(__dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file))
    .map((file) => path.join(dir, file));
}

/** Top-level namespaces a file's client code asks for: `useTranslations("ns…")` and `t.has("ns…")`. */
function namespacesUsed(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  if (!text.startsWith('"use client"')) return [];
  return [...text.matchAll(/useTranslations\("([a-zA-Z]+)/g)].map(([, ns]) => ns!);
}

// Where each page's client components live, and the namespaces the page hands them (app/*/page.tsx).
const PAGES: { name: string; dirs: string[]; namespaces: readonly PageNamespace[] }[] = [
  {
    name: "/",
    dirs: ["components/generator", "components/history"],
    namespaces: PAGE_MESSAGES.generator,
  },
  { name: "/diagnostics", dirs: ["components/diagnostics"], namespaces: PAGE_MESSAGES.diagnostics },
];
const SHARED_FILES = [
  ...readdirSync(path.join(ROOT, "components"))
    .filter((file) => file.endsWith(".tsx"))
    .map((file) => path.join("components", file)),
  ...sources("components/ui"),
  ...sources("hooks"),
  "app/error.tsx",
];

describe("messages sent to the browser", () => {
  it.each(["zh-CN", "en"] as const)(
    "%s: every page's client code finds its namespaces",
    (locale) => {
      const missing: string[] = [];
      const check = (files: string[], namespaces: readonly PageNamespace[], page: string) => {
        const sent = clientMessages(locale, namespaces);
        for (const file of files)
          for (const ns of namespacesUsed(file))
            if (!(ns in sent)) missing.push(`${page}: ${file} uses "${ns}"`);
      };
      check(SHARED_FILES, [], "every page");
      for (const page of PAGES) check(page.dirs.flatMap(sources), page.namespaces, page.name);
      expect(missing).toEqual([]);
    },
  );

  it("sends each page only its own namespaces, and never the server's error texts", () => {
    expect(Object.keys(clientMessages("en"))).not.toEqual(expect.arrayContaining(["generator"]));
    const generator = Object.keys(clientMessages("en", ["generator", "diagnosis"]));
    expect(generator).toEqual(
      expect.arrayContaining(["generator", "diagnosis", "nav", "apiError"]),
    );
    expect(generator).not.toContain("diagnostics");
    expect(generator).not.toContain("errors");
  });
});
