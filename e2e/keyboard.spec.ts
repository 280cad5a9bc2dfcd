import type { Locator } from "@playwright/test";
import { stat } from "node:fs/promises";
import { videoFileName } from "@/lib/media/video-file-name";
import { expect, test } from "./fixtures";
import { expectVisibleFocus, tabTo } from "./a11y";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

/** Moves a focused native select to `value` with the arrow keys, as a keyboard user would. */
async function arrowSelect(select: Locator, value: string): Promise<void> {
  const { from, to } = await select.evaluate((el: HTMLSelectElement, wanted) => {
    const options = [...el.options];
    return { from: el.selectedIndex, to: options.findIndex((o) => o.value === wanted) };
  }, value);
  expect(to, `an option ${value}`).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < Math.abs(to - from); i++) {
    await select.page().keyboard.press(to > from ? "ArrowDown" : "ArrowUp");
  }
  await expect(select).toHaveValue(value);
}

/** Enters a radio group with Tab (onto its checked radio) and moves to the next option with →. */
async function arrowToNextOption(group: Locator): Promise<string> {
  const radios = group.getByRole("radio");
  const checked = group.getByRole("radio", { checked: true });
  const before = await checked.getAttribute("value");
  const index = (
    await radios.evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value))
  ).indexOf(before ?? "");
  await tabTo(checked, 1);
  await group.page().keyboard.press("ArrowRight");
  const next = radios.nth((index + 1) % (await radios.count()));
  await expect(next).toBeChecked();
  await expectVisibleFocus(next);
  const value = await next.getAttribute("value");
  expect(value).not.toBe(before);
  return value ?? "";
}

for (const { locale, colorScheme } of [
  { locale: "zh-CN", colorScheme: "light" },
  { locale: "en", colorScheme: "dark" },
] as const) {
  test.describe(`${locale}, ${colorScheme}`, () => {
    test.use({ locale, colorScheme });

    test("generate → watch → download by keyboard alone, the focus always visible", async ({
      page,
    }) => {
      test.setTimeout(90_000);
      const generator = new GeneratorPage(page, locale);
      const t = generator.t;
      await generator.goto();

      // The first Tab shows the skip link; it leads straight to the form.
      const skip = page.getByRole("link", { name: t("app.skipToContent") });
      expect(await tabTo(skip, 1)).toBe(1);
      await expect(skip).toBeInViewport();
      await page.keyboard.press("Enter");
      expect(await tabTo(generator.prompt, 1)).toBe(1);

      const prompt = uniquePrompt("a paper lantern drifting over a lake");
      await page.keyboard.type(prompt);
      await expect(generator.prompt).toHaveValue(prompt);

      await tabTo(generator.modelSelect, 1);
      await arrowSelect(generator.modelSelect, "sora-2");
      const seconds = await arrowToNextOption(
        page.getByRole("group", { name: t("generator.compose.durationLabel") }),
      );
      const size = await arrowToNextOption(
        page.getByRole("group", { name: t("generator.compose.sizeLabel") }),
      );

      await tabTo(generator.generateButton);
      await page.keyboard.press("Enter");

      // The new job's card takes the focus (not <body>), and keeps it while the job runs.
      const card = generator.jobCard(prompt);
      await expectVisibleFocus(card);
      await expect(generator.stateBadge(card, "completed")).toBeVisible({ timeout: 45_000 });
      await expectVisibleFocus(card);
      const job = await generator.job(prompt);
      expect(job).toMatchObject({ model: "sora-2", seconds, size, state: "completed" });

      const download = card.getByRole("link", { name: t("generator.result.download") });
      // Through the dismiss button and the player's own controls.
      await tabTo(download, 15);
      const saved = page.waitForEvent("download");
      await page.keyboard.press("Enter");
      const file = await saved;
      expect(file.suggestedFilename()).toBe(videoFileName(prompt, job.createdAt));
      expect((await stat(await file.path())).size).toBeGreaterThan(0);
    });
  });
}
