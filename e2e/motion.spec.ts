import { expect, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

/** What moves on the page of a running job, with and without the system's reduced-motion setting. */
const MOTION = [
  {
    reducedMotion: "no-preference",
    spinner: "spin",
    barTransition: "0.5s",
    buttonTransition: "0.15s",
    scroll: "smooth",
  },
  {
    reducedMotion: "reduce",
    spinner: "none",
    barTransition: "0s",
    buttonTransition: "0s",
    scroll: "auto",
  },
] as const;

for (const expected of MOTION) {
  test(`motion with prefers-reduced-motion: ${expected.reducedMotion}`, async ({ page }) => {
    await page.emulateMedia({ reducedMotion: expected.reducedMotion });
    // The page's own scrolls (to the new job) say how they move.
    await page.addInitScript(() => {
      const scrolls: string[] = [];
      Object.assign(window, { __scrolls: scrolls });
      const original = Element.prototype.scrollIntoView;
      Element.prototype.scrollIntoView = function (this: Element, options) {
        scrolls.push(typeof options === "object" ? (options.behavior ?? "auto") : "auto");
        original.call(this, options);
      };
    });
    const generator = new GeneratorPage(page);
    await generator.goto();
    const card = await generator.submit(uniquePrompt("a spinning top", "[[sim:job_stuck]]"), {
      model: "sora-2",
    });
    const bar = generator.progressBar(card);
    await expect(bar).toHaveAttribute("aria-valuenow", /\d+/);

    const style = (locator: typeof bar, property: "animationName" | "transitionDuration") =>
      locator.evaluate((el, p) => getComputedStyle(el)[p], property);
    const badge = card
      .getByRole("status")
      .filter({ hasText: generator.t("generator.phase.generating") });
    expect(await style(badge.locator("svg"), "animationName")).toBe(expected.spinner);
    expect(await style(bar.locator("div"), "transitionDuration")).toBe(expected.barTransition);
    expect(await style(generator.generateButton, "transitionDuration")).toBe(
      expected.buttonTransition,
    );
    await generator.cancelButton(card).click();
    await expect(generator.stateBadge(card, "canceled")).toBeVisible();
    // Taking the job's settings again scrolls back up to the prompt.
    await card.getByRole("button", { name: generator.t("generator.job.reuse") }).click();
    await expect(generator.prompt).toBeFocused();

    const scrolls = await page.evaluate(
      () => (window as unknown as { __scrolls: string[] }).__scrolls,
    );
    expect(scrolls).toEqual([expected.scroll, expected.scroll]);
  });
}
