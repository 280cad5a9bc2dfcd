import { test as base, expect } from "@playwright/test";

/**
 * Every page in every spec is watched: a CSP violation or an uncaught page error fails the test
 * that caused it (the app must work under its own Content-Security-Policy).
 */
export const test = base.extend<{ pageProblems: string[] }>({
  pageProblems: [
    async ({ context }, use) => {
      const problems: string[] = [];
      context.on("page", (page) => watch(page, problems));
      for (const page of context.pages()) watch(page, problems);
      await use(problems);
      expect(problems, "CSP violations or page errors").toEqual([]);
    },
    { auto: true },
  ],
});

function watch(page: import("@playwright/test").Page, problems: string[]) {
  page.on("console", (message) => {
    const text = message.text();
    if (/Content[- ]Security[- ]Policy|Refused to (load|execute|connect|apply)/i.test(text)) {
      problems.push(`${page.url()}: ${text}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
}

export { expect };
