import type { Browser, Locator, Page } from "@playwright/test";
import { LAYOUT_VIEWPORTS, SIM_URL } from "./constants";
import { expect, simStats, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

type Box = { x: number; y: number; width: number; height: number };

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  if (!b) throw new Error("no box");
  return b;
}

function overlaps(a: Box, b: Box): boolean {
  return (
    a.x < b.x + b.width - 0.5 &&
    b.x < a.x + a.width - 0.5 &&
    a.y < b.y + b.height - 0.5 &&
    b.y < a.y + a.height - 0.5
  );
}

async function open(browser: Browser, locale: "zh-CN" | "en", viewport?: Box) {
  const context = await browser.newContext({
    locale,
    viewport: viewport ? { width: viewport.width, height: viewport.height } : undefined,
  });
  const page = await context.newPage();
  const generator = new GeneratorPage(page, locale);
  await generator.goto();
  return { context, page, generator };
}

function frameGroup(generator: GeneratorPage): Locator {
  return generator.page.getByRole("group", { name: generator.t("generator.compose.sizeLabel") });
}

/** All models of the list whose frames can be chosen, as the page offers them. */
async function choosableModels(generator: GeneratorPage): Promise<string[]> {
  return generator.modelSelect
    .locator("option")
    .evaluateAll((options) =>
      options.map((o) => (o as HTMLOptionElement).value).filter((v) => v && !v.startsWith("sora_")),
    );
}

for (const viewport of LAYOUT_VIEWPORTS) {
  test(`shape picker at ${viewport.width}×${viewport.height}: every model's frames fit, none overlap, Generate in view`, async ({
    browser,
  }) => {
    test.setTimeout(90_000);
    const { context, generator } = await open(browser, "zh-CN", { x: 0, y: 0, ...viewport });
    const models = await choosableModels(generator);
    // The catalogue's hard cases are among them: four sizes of sora-2-pro, Veo, Kling's square.
    expect(models).toEqual(expect.arrayContaining(["sora-2-pro", "kling-v2-6"]));
    expect(models.some((m) => m.startsWith("veo-"))).toBe(true);
    for (const model of models) {
      await generator.modelSelect.selectOption(model);
      const group = frameGroup(generator);
      const tiles = group.getByTestId("shape-option");
      const count = await tiles.count();
      expect(count, model).toBeGreaterThan(0);
      await expect(group.getByRole("radio")).toHaveCount(count);
      const boxes: Box[] = [];
      for (let i = 0; i < count; i++) {
        const tile = tiles.nth(i);
        await tile.scrollIntoViewIfNeeded();
        const b = await box(tile);
        // Inside the screen horizontally: nothing runs off a phone.
        expect(b.x, `${model} option ${i}`).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width, `${model} option ${i}`).toBeLessThanOrEqual(viewport.width);
        // Its words are whole (not cut by the tile), each line inside the tile.
        const clipped = await tile.evaluate((el) =>
          [...el.querySelectorAll("span span")].some(
            (s) => (s as HTMLElement).scrollWidth > (s as HTMLElement).clientWidth + 1,
          ),
        );
        expect(clipped, `${model} option ${i} text cut`).toBe(false);
        boxes.push(b);
      }
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++)
          expect(overlaps(boxes[i]!, boxes[j]!), `${model}: options ${i} and ${j} overlap`).toBe(
            false,
          );
    }
    // With the widest picker on screen (sora-2-pro), Generate is still in reach.
    await generator.modelSelect.selectOption("sora-2-pro");
    await generator.prompt.scrollIntoViewIfNeeded();
    const generate = await box(generator.generateButton);
    expect(generate.y).toBeGreaterThanOrEqual(0);
    expect(generate.y + generate.height).toBeLessThanOrEqual(viewport.height);
    expect(generate.x + generate.width).toBeLessThanOrEqual(viewport.width);
    await context.close();
  });
}

test("shape picker in plain words (zh and en), a real radio group driven by arrow keys", async ({
  browser,
}) => {
  for (const [locale, portrait, wide] of [
    ["zh-CN", "竖屏 9:16 · 720×1280", "横屏 16:9 · 1792×1024"],
    ["en", "Portrait 9:16 · 720×1280", "Landscape 16:9 · 1792×1024"],
  ] as const) {
    const { context, generator } = await open(browser, locale);
    await generator.modelSelect.selectOption("sora-2-pro");
    const group = frameGroup(generator);
    await expect(group.getByRole("radio")).toHaveCount(4);
    const first = group.getByRole("radio", { name: portrait });
    await expect(first).toBeChecked();
    await expect(group.getByRole("radio", { name: wide })).toHaveCount(1);
    await expect(group).toContainText(locale === "en" ? "Landscape 16:9" : "横屏 16:9");
    await expect(group).toContainText("1792×1024");
    // Arrow keys move the choice, as in any radio group.
    await first.focus();
    await generator.page.keyboard.press("ArrowRight");
    await expect(group.getByRole("radio", { name: portrait })).not.toBeChecked();
    await expect(group.getByRole("radio").nth(1)).toBeChecked();
    await expect(group.getByRole("radio").nth(1)).toBeFocused();
    // A model whose frame is set by its name shows that frame the same way, not choosable.
    await generator.modelSelect.selectOption("sora_video2-landscape");
    await expect(generator.page.getByRole("radio", { name: /16:9/ })).toHaveCount(0);
    await expect(
      generator.page.getByText(locale === "en" ? "Landscape 16:9" : "横屏 16:9", { exact: true }),
    ).toBeVisible();
    // A shutdown date that has passed is told in the past tense.
    await expect(
      generator.modelSelect.locator("option", { hasText: "sora-2-2025-10-06" }),
    ).toHaveText(
      locale === "en"
        ? "sora-2-2025-10-06 · retired 2026-09-24"
        : "sora-2-2025-10-06 · 已于 2026-09-24 停用",
    );
    // The upload box states the server's limit (SORA_MAX_IMAGE_BYTES, 10 MB by default).
    await expect(
      generator.page.getByText(locale === "en" ? "up to 10 MB" : "最大 10 MB"),
    ).toBeVisible();
    await context.close();
  }
});

test("the draft survives a reload; a recent prompt fills the box", async ({ page, generator }) => {
  const t = generator.t;
  const prompt = uniquePrompt("a heron waiting in the reeds at dawn");
  await generator.prompt.fill(prompt);
  await generator.modelSelect.selectOption("sora-2-pro");
  await generator.chooseDuration("8");
  const wide = "横屏 16:9 · 1792×1024";
  await generator.chooseSize(wide);

  await page.reload();
  await expect(generator.modelSelect).toBeEnabled();
  await expect(generator.prompt).toHaveValue(prompt);
  await expect(generator.modelSelect).toHaveValue("sora-2-pro");
  await expect(frameGroup(generator).getByRole("radio", { name: wide })).toBeChecked();
  await expect(generator.durationOption("8")).toBeChecked();

  // Submitted prompts are offered again after a reload.
  await generator.modelSelect.selectOption("sora_video2");
  const card = await generator.submit(prompt);
  await expect(card).toBeVisible();
  await generator.prompt.fill("");
  await page.reload();
  await expect(generator.modelSelect).toBeEnabled();
  await expect(generator.prompt).toHaveValue("");
  await page.getByText(t("generator.compose.recentLabel")).click();
  await page.getByRole("button", { name: t("generator.compose.recentUse", { prompt }) }).click();
  await expect(generator.prompt).toHaveValue(prompt);
  await expect(generator.prompt).toBeFocused();
});

test("use these settings again: a finished job (card and history details) fills the form", async ({
  page,
  generator,
}) => {
  test.setTimeout(90_000);
  const t = generator.t;
  await generator.modelSelect.selectOption("sora-2");
  await generator.chooseDuration("4");
  const landscape = "横屏 16:9 · 1280×720";
  await generator.chooseSize(landscape);
  await generator.attachPng("lantern.png", 640, 480);
  await expect(generator.imagePreview("1280×720")).toBeVisible();
  const prompt = uniquePrompt("a paper lantern drifting over a lake");
  const card = await generator.submit(prompt);
  await generator.expectPlayable(card);
  // The result line speaks the UI language: "4 秒", never "4s".
  await expect(card).toContainText("sora-2 · 1280×720 · 4 秒");
  await expect(card).not.toContainText(/\b4s\b/);

  const reuse = t("generator.job.reuse");
  const removeImage = page.getByRole("button", { name: t("generator.compose.imageRemove") });
  const reset = async () => {
    if (await removeImage.count()) await removeImage.click();
    await expect(removeImage).toHaveCount(0);
    await generator.prompt.fill("something else");
    await generator.modelSelect.selectOption("sora_video2");
    await expect(frameGroup(generator)).toHaveCount(0);
  };
  const expectFilled = async (notice: string) => {
    await expect(generator.prompt).toHaveValue(prompt);
    await expect(generator.prompt).toBeFocused();
    await expect(generator.modelSelect).toHaveValue("sora-2");
    await expect(frameGroup(generator).getByRole("radio", { name: landscape })).toBeChecked();
    await expect(generator.durationOption("4")).toBeChecked();
    await expect(page.getByRole("status").filter({ hasText: notice })).toHaveCount(1);
  };

  await reset();
  await card.getByRole("button", { name: reuse }).click();
  await expectFilled(t("generator.job.reused"));
  // The reference image comes back too while this page still holds it.
  await expect(generator.imagePreview("1280×720")).toBeVisible();

  await reset();
  const item = generator.historyItem(prompt);
  await item.getByRole("button", { name: t("generator.history.open") }).click();
  const dialog = page.getByRole("dialog", { name: t("generator.history.dialogTitle") });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: reuse }).click();
  await expect(dialog).toBeHidden();
  await expectFilled(t("generator.job.reused"));
  await expect(generator.imagePreview("1280×720")).toBeVisible();

  // After a reload the page no longer holds the image: the form says so instead of sending none.
  await reset();
  await page.reload();
  await expect(generator.modelSelect).toBeEnabled();
  await generator.jobCard(prompt).getByRole("button", { name: reuse }).click();
  await expectFilled(t("generator.job.reusedNoImage"));
  await expect(removeImage).toHaveCount(0);
});

test("variations: one click creates N jobs, each its own card and its own job", async ({
  page,
  generator,
}) => {
  test.setTimeout(90_000);
  const t = generator.t;
  const prompt = uniquePrompt("a snail climbing a glass wall");
  await generator.prompt.fill(prompt);
  await generator.choose(
    t("generator.compose.variationsLabel"),
    t("generator.compose.variationsOption", { count: 3 }),
  );
  const generate = page.getByRole("button", {
    name: t("generator.compose.submitMany", { count: 3 }),
  });
  await generate.click();
  const cards = generator.current.getByRole("article", { name: prompt });
  await expect(cards).toHaveCount(3);
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: t("generator.compose.submittedMany", { count: 3 }) }),
  ).toHaveCount(1);
  const response = await page.request.get("/api/videos?limit=100");
  const { jobs } = (await response.json()) as { jobs: { id: string; prompt: string }[] };
  const ids = jobs.filter((j) => j.prompt === prompt).map((j) => j.id);
  expect(new Set(ids).size).toBe(3);
  // The relay got three creates: three jobs, not one answered three times.
  const stats = await simStats(page.request);
  expect(stats.creates.byPrompt[prompt]).toEqual({ attempts: 3, accepted: 3 });
  for (let i = 0; i < 3; i++) await generator.expectPlayable(cards.nth(i));
});

async function quotaCard(page: Page, generator: GeneratorPage) {
  const prompt = uniquePrompt("a lighthouse keeper's cat", "[[sim:quota]]");
  const card = await generator.submit(prompt);
  const failure = generator.failure(card);
  await expect(failure.getByTestId("failure-hint")).toBeVisible({ timeout: 30_000 });
  return failure;
}

test("a quota failure links to the relay console, shows the relay's words, and offers Retry only after a top-up", async ({
  browser,
}) => {
  for (const locale of ["zh-CN", "en"] as const) {
    const { context, page, generator } = await open(browser, locale);
    const t = generator.t;
    const failure = await quotaCard(page, generator);
    const link = failure.getByRole("link", { name: t("generator.failure.openConsole") });
    await expect(link).toHaveAttribute("href", new RegExp(`^${SIM_URL}/?$`));
    await expect(failure.getByText(t("generator.failure.relaySaid"))).toBeVisible();
    await expect(generator.retryButton(failure)).toHaveCount(0);
    await failure.getByRole("button", { name: t("generator.failure.toppedUp") }).click();
    await expect(failure.getByText(t("generator.failure.toppedUpHint"))).toBeVisible();
    await expect(generator.retryButton(failure)).toBeEnabled();
    await context.close();
  }
});
