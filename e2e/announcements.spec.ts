import type { Page } from "@playwright/test";
import { inLiveRegion, LIVE_REGION } from "./a11y";
import { expect, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

interface Heard {
  text: string;
  politeness: string;
}

/**
 * Listens as a screen reader would: every new text of a live region inside a job card (with the
 * region's politeness), and every percent the progress bar showed meanwhile.
 */
async function listen(page: Page): Promise<() => Promise<{ heard: Heard[]; percents: string[] }>> {
  await page.evaluate((selector) => {
    const heard: Heard[] = [];
    const percents = new Set<string>();
    const last = new WeakMap<Element, string>();
    Object.assign(window, { __listened: { heard, percents } });
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        const node =
          mutation.target instanceof Element ? mutation.target : mutation.target.parentElement;
        const region = node?.closest(selector);
        if (!region?.closest('[role="article"]')) continue;
        const text = region.textContent?.trim() ?? "";
        if (!text || last.get(region) === text) continue;
        last.set(region, text);
        const politeness =
          region.getAttribute("aria-live") ??
          (region.getAttribute("role") === "alert" ? "assertive" : "polite");
        heard.push({ text, politeness });
      }
      for (const bar of document.querySelectorAll('[role="article"] [role="progressbar"]')) {
        const now = bar.getAttribute("aria-valuenow");
        if (now) percents.add(now);
      }
    }).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ["aria-valuenow"],
    });
  }, LIVE_REGION);
  return () =>
    page.evaluate(() => {
      const { heard, percents } = (
        window as unknown as { __listened: { heard: Heard[]; percents: Set<string> } }
      ).__listened;
      return { heard, percents: [...percents] };
    });
}

test("progress is announced politely: state changes and 25 % steps, not every percent", async ({
  page,
}) => {
  const generator = new GeneratorPage(page);
  const t = generator.t;
  await generator.goto();
  const heardSoFar = await listen(page);
  const prompt = uniquePrompt("a kite over a windy beach", "[[sim:speed=3]]");
  const card = await generator.submit(prompt, { model: "sora-2" });

  // The percent on screen and the bar are not live regions themselves.
  const bar = generator.progressBar(card);
  await expect(bar).toHaveAttribute("aria-valuenow", /\d+/);
  expect(await inLiveRegion(bar)).toBe(false);
  await expect(generator.stateBadge(card, "completed")).toBeVisible({ timeout: 45_000 });

  const { heard, percents } = await heardSoFar();
  expect(heard.length).toBeGreaterThan(0);
  expect(heard.filter((h) => h.politeness !== "polite")).toEqual([]);
  const withPercent = heard.filter((h) => /\d+\s*%/.test(h.text)).map((h) => h.text);
  // Each step once, in order, while the bar itself moved through many more values.
  expect(withPercent).toEqual(
    [25, 50, 75].map((percent) => t("generator.job.progressStep", { percent })),
  );
  expect(percents.length).toBeGreaterThan(withPercent.length + 3);
  expect(heard.map((h) => h.text)).toContain(t("generator.phase.completed"));
});
