import type { Locator, Page } from "@playwright/test";
import { LAYOUT_VIEWPORTS } from "./constants";
import { expect, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

interface Sample {
  badge: string;
  phase: string | null;
  valueNow: string | null;
  percentShown: boolean;
  text: string;
}

/** Records what a card shows at every DOM change until it completes (no sampling gaps). */
async function recordCard(page: Page, prompt: string): Promise<() => Promise<Sample[]>> {
  await page.evaluate((name) => {
    const samples: Sample[] = [];
    (window as unknown as { __samples: Sample[] }).__samples = samples;
    const take = () => {
      const card = [...document.querySelectorAll('[role="article"]')].find((el) =>
        el.textContent?.includes(name),
      );
      if (!card) return;
      const phase = card.querySelector('[data-testid="job-phase"]');
      const bar = card.querySelector('[role="progressbar"]');
      samples.push({
        badge: card.querySelector('[role="status"]')?.textContent?.trim() ?? "",
        phase: phase?.textContent?.trim() ?? null,
        valueNow: bar?.getAttribute("aria-valuenow") ?? null,
        percentShown: phase ? /\d+%/.test(phase.parentElement?.textContent ?? "") : false,
        text: (card as HTMLElement).innerText,
      });
    };
    new MutationObserver(take).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  }, prompt);
  return () =>
    page.evaluate(() => (window as unknown as { __samples: Sample[] }).__samples) as Promise<
      Sample[]
    >;
}

for (const locale of ["zh-CN", "en"] as const) {
  test(`progress in our own words (${locale}): badge and line agree, no raw relay status, no bar before progress`, async ({
    browser,
  }) => {
    test.setTimeout(90_000);
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const generator = new GeneratorPage(page, locale);
    const t = generator.t;
    await generator.goto();
    const prompt = uniquePrompt("a paper boat on a rainy street", "[[sim:speed=2]]");
    const samples = await recordCard(page, prompt);
    const card = await generator.submit(prompt);
    await generator.expectPlayable(card);
    const seen = (await samples()).filter((s) => s.phase !== null);
    expect(seen.length).toBeGreaterThan(0);
    const phases = new Set(seen.map((s) => s.phase));
    // Generation was seen in our words, in the UI language.
    expect(phases).toContain(t("generator.phase.generating"));
    const ours = new Set(
      (["queued", "submitting", "generating", "saving"] as const).map((p) =>
        t(`generator.phase.${p}`),
      ),
    );
    for (const sample of seen) {
      expect(ours).toContain(sample.phase);
      // One state: the badge says what the line says.
      expect(sample.badge).toBe(sample.phase);
      // Before real progress: no percent and an indeterminate bar.
      if (sample.valueNow === null) expect(sample.percentShown).toBe(false);
      // Never the relay's raw status words, nor its percent line in the other language.
      expect(sample.text).not.toMatch(/in_progress|IN_PROGRESS|\bqueued\b/);
      if (locale === "en") expect(sample.text).not.toMatch(/进度/);
    }
    await context.close();
  });
}

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error("no box");
  return b;
}

for (const viewport of LAYOUT_VIEWPORTS) {
  test(`layout at ${viewport.width}×${viewport.height}: Generate in reach, focus and view on the new job`, async ({
    browser,
  }) => {
    test.setTimeout(60_000);
    const context = await browser.newContext({ locale: "zh-CN", viewport });
    const page = await context.newPage();
    const generator = new GeneratorPage(page);
    await generator.goto();
    const inViewport = async (locator: Locator) => {
      const b = await box(locator);
      return b.y >= 0 && b.y + b.height <= viewport.height && b.x >= 0;
    };
    // First visit: Generate is on screen without scrolling.
    expect(await inViewport(generator.generateButton)).toBe(true);

    const prompt = uniquePrompt("a kite above a windy beach");
    const card = await generator.submit(prompt, { via: "shortcut" });
    // Focus moved to the new job's card (not left on <body>) and the submit was announced.
    await expect(card).toBeFocused();
    await expect(
      page.getByRole("status").filter({ hasText: generator.t("generator.compose.submitted") }),
    ).toHaveCount(1);
    // The card is not under the sticky header.
    const header = await box(page.locator("header").first());
    await expect
      .poll(async () => (await box(card)).y)
      .toBeGreaterThanOrEqual(header.y + header.height - 1);

    // Scrolled into the form (the phone's case: the form is taller than the screen): in reach.
    // Instant scrolls (the card's own smooth scroll may still be running): polled until laid out.
    await generator.prompt.evaluate((el) =>
      window.scrollTo({
        top: el.getBoundingClientRect().top + window.scrollY - 80,
        behavior: "instant",
      }),
    );
    await expect.poll(() => inViewport(generator.generateButton)).toBe(true);
    // Scrolled down to the end of the history on a desktop: still in view.
    await page.evaluate(() =>
      window.scrollTo({ top: document.body.scrollHeight, behavior: "instant" }),
    );
    if (viewport.width >= 1024) {
      await expect.poll(() => inViewport(generator.generateButton)).toBe(true);
    }
    // The page title is said once: the form's card has no second subtitle.
    await expect(page.getByText(generator.t("pages.generateSubtitle"))).toHaveCount(1);
    await context.close();
  });
}
