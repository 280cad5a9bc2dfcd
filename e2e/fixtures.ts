import { test as base, expect, type APIRequestContext } from "@playwright/test";
import type { SimStats } from "@/simulator/server";
import { SIM_URL } from "./constants";
import { GeneratorPage } from "./pages/generator-page";

/** The e2e simulator's counters (`GET /__sim/stats`). */
export async function simStats(request: APIRequestContext): Promise<SimStats> {
  return (await (await request.get(`${SIM_URL}/__sim/stats`)).json()) as SimStats;
}

/**
 * Every page in every spec is watched: a CSP violation or an uncaught page error fails the test
 * that caused it (the app must work under its own Content-Security-Policy).
 */
export const test = base.extend<{ pageProblems: string[]; generator: GeneratorPage }>({
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
  /** The zh-CN generator page, opened and usable before the test body starts. */
  generator: async ({ page }, provide) => {
    const generator = new GeneratorPage(page);
    await generator.goto();
    await provide(generator);
  },
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
