import type { Locator, Page } from "@playwright/test";
import path from "node:path";
import { expect, test } from "./fixtures";
import { expectAccessible } from "./axe";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";
import type { Locale } from "@/lib/i18n/config";

/**
 * Screenshots of the generator's main states for people to look at (not compared to baselines):
 * idle, running, retrying, failed, completed × light/dark × zh/en, plus a phone-sized page.
 * Written to <outputDir>/screenshots/.
 */

const PROMPTS: Record<Locale, { done: string; running: string; retrying: string; failed: string }> =
  {
    "zh-CN": {
      done: "一只橘猫在黄昏的海浪上冲浪，电影感，慢动作",
      running: "航拍：清晨薄雾中的梯田，镜头缓慢推进",
      retrying: "暴风雨中的灯塔，海浪拍打礁石",
      failed: "沙丘上空的红色风筝",
    },
    en: {
      done: "An orange cat surfing a wave at sunset, cinematic, slow motion",
      running: "Aerial shot of rice terraces in morning mist, slow push-in",
      retrying: "A lighthouse in a storm, waves crashing on the rocks",
      failed: "A red kite above the dunes",
    },
  };

const UNSTICK_HEADER = "body > header, header.sticky { position: static !important; }";

async function progressStarted(generator: GeneratorPage, card: Locator): Promise<void> {
  await expect
    .poll(async () => Number(await generator.progressBar(card).getAttribute("aria-valuenow")), {
      timeout: 30_000,
    })
    .toBeGreaterThan(0);
}

async function shoot(
  target: Page | Locator,
  dir: string,
  name: string,
  fullPage = true,
): Promise<void> {
  const file = path.join(dir, `${name}.png`);
  if ("goto" in target) await target.screenshot({ path: file, fullPage });
  // The sticky site header would otherwise cover the top of a tall card.
  else await target.screenshot({ path: file, style: UNSTICK_HEADER });
}

/** The top of a long region (the history grows with every run). */
async function shootTop(page: Page, region: Locator, dir: string, name: string, height: number) {
  await region.scrollIntoViewIfNeeded();
  const box = await region.boundingBox();
  if (!box) throw new Error(`${name}: region not visible`);
  await page.screenshot({
    path: path.join(dir, `${name}.png`),
    fullPage: true,
    style: UNSTICK_HEADER,
    clip: {
      x: box.x,
      y: box.y + (await page.evaluate(() => window.scrollY)),
      width: box.width,
      height: Math.min(height, box.height),
    },
  });
}

for (const locale of ["zh-CN", "en"] as const) {
  for (const theme of ["light", "dark"] as const) {
    test(`screenshots: ${locale} ${theme}`, async ({ browser }, testInfo) => {
      test.setTimeout(300_000);
      const dir = path.join(testInfo.project.outputDir, "screenshots");
      const name = (state: string) => `${locale}-${theme}-${state}`;
      const context = await browser.newContext({
        locale,
        colorScheme: theme,
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      const generator = new GeneratorPage(page, locale);
      const p = PROMPTS[locale];
      await generator.goto();
      await expect(page.locator("html")).toHaveClass(
        theme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/,
      );
      await shoot(page, dir, name("idle"));
      await expectAccessible(page, name("idle"));

      const donePrompt = uniquePrompt(p.done);
      const done = await generator.submit(donePrompt);
      await generator.expectPlayable(done);
      await shoot(done, dir, name("completed"));
      await expectAccessible(page, name("completed"));

      const failed = await generator.submit(uniquePrompt(p.failed, "[[sim:no_channel]]"));
      await expect(failed.getByRole("alert")).toBeVisible();
      await expect(failed.getByTestId("job-diagnosis")).toBeVisible();
      await shoot(failed, dir, name("failed"));
      await expectAccessible(page, name("failed with diagnosis"));

      const retrying = await generator.submit(
        uniquePrompt(p.retrying, "[[sim:upstream_503*2]] [[sim:speed=0.3]]"),
      );
      await expect(retrying.getByRole("listitem")).toHaveCount(2);
      await progressStarted(generator, retrying);
      await shoot(retrying, dir, name("retrying"));
      await expectAccessible(page, name("retrying"));

      const running = await generator.submit(uniquePrompt(p.running, "[[sim:speed=0.3]]"));
      await progressStarted(generator, running);
      await shoot(running, dir, name("running"));
      await expectAccessible(page, name("running"));

      await page.mouse.move(0, 0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shoot(page, dir, name("page"), false);
      await shootTop(page, generator.history, dir, name("history"), 900);
      await expectAccessible(page, name("history"));

      await generator
        .historyItem(donePrompt)
        .getByRole("button", { name: generator.t("generator.history.open") })
        .click();
      const dialog = page.getByRole("dialog", {
        name: generator.t("generator.history.dialogTitle"),
      });
      await expect(dialog).toBeVisible();
      await expectAccessible(page, name("history dialog"));
      await page.keyboard.press("Escape");

      await page.goto("/diagnostics");
      await expect(page.locator("[data-verdict]")).not.toHaveAttribute("data-verdict", "running");
      await expectAccessible(page, name("diagnostics report"));
      await context.close();
    });
  }
}

test("screenshots: 375 px phone, zh-CN light", async ({ browser }, testInfo) => {
  test.setTimeout(90_000);
  const dir = path.join(testInfo.project.outputDir, "screenshots");
  const context = await browser.newContext({
    locale: "zh-CN",
    colorScheme: "light",
    viewport: { width: 375, height: 812 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const generator = new GeneratorPage(page);
  await generator.goto();
  await shoot(page, dir, "mobile-zh-CN-idle", false);
  const done = await generator.submit(uniquePrompt(PROMPTS["zh-CN"].done));
  const failed = await generator.submit(
    uniquePrompt(PROMPTS["zh-CN"].failed, "[[sim:gateway_524]]"),
  );
  await generator.expectPlayable(done);
  await expect(failed.getByRole("alert")).toBeVisible();
  await shoot(generator.current, dir, "mobile-zh-CN-current");
  await shootTop(page, generator.history, dir, "mobile-zh-CN-history", 1100);
  await context.close();
});
