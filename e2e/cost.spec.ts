import type { Locator } from "@playwright/test";
import { expect, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

/*
 * Cost (issue 13): with SORA_PRICES set (playwright.config.ts: sora-2 $0.10 per second, the Sora
 * chat family ¥1.20 per video), the page estimates a video before Generate, and the header shows
 * the relay's balance, refreshed when a job finishes (the simulator bills $0.40 per video).
 */

/** "余额 $87.66" → 87.66 */
async function amountIn(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? "";
  const match = /([\d,]+\.\d+)/.exec(text);
  if (!match?.[1]) throw new Error(`no amount in "${text}"`);
  return Number(match[1].replace(/,/g, ""));
}

test.describe("cost", () => {
  test("the estimate shows before Generate and follows the model and duration", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const estimate = page.getByTestId("cost-estimate");

    await generator.modelSelect.selectOption("sora_video2");
    await expect(estimate).toHaveText(`${t("generator.cost.label")} ≈ ¥1.20`);

    await generator.modelSelect.selectOption("sora-2");
    await generator.chooseDuration("4");
    await expect(estimate).toContainText("≈ $0.40");
    await generator.chooseDuration("12");
    await expect(estimate).toContainText("≈ $1.20");
    // Sits with the Generate button, before anything is sent.
    await expect(page.getByTestId("generate-bar").getByTestId("cost-estimate")).toBeVisible();

    // A model without a price: no estimate rather than a wrong one.
    await generator.modelSelect.selectOption("sora-2-pro");
    await expect(estimate).toHaveCount(0);
  });

  test("the estimate in English", async ({ browser }) => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    const generator = new GeneratorPage(page, "en");
    await generator.goto();
    await generator.modelSelect.selectOption("sora-2");
    await generator.chooseDuration("8");
    await expect(page.getByTestId("cost-estimate")).toHaveText("Estimated cost ≈ $0.80");
    await context.close();
  });

  test("the header shows the relay balance and refreshes it after a job", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const balance = page.getByRole("banner").getByTestId("relay-balance");
    await expect(balance).toBeVisible();
    await expect(balance).toContainText(t("balance.remaining", { amount: "" }).trim());
    const before = await amountIn(balance);
    expect(before).toBeGreaterThan(0);

    const prompt = uniquePrompt("a copper kettle on a stove");
    await generator.modelSelect.selectOption("sora-2");
    await generator.chooseDuration("4");
    const card = await generator.submit(prompt);
    await expect(generator.stateBadge(card, "completed")).toBeVisible({ timeout: 45_000 });
    // The finished job says what it cost (estimated from the price table).
    await expect(card.getByTestId("job-cost")).toHaveText(
      t("generator.cost.jobCost", { amount: "≈ $0.40" }),
    );

    // No reload: the finished job made the header ask again. Other specs' jobs may lower it more.
    await expect
      .poll(() => amountIn(balance), { timeout: 15_000 })
      .toBeLessThanOrEqual(Math.round((before - 0.4) * 100) / 100 + 0.001);

    // Spend per day above the history counts the finished job.
    await expect(page.getByTestId("spend-by-day")).toContainText(t("generator.cost.today"));
  });
});
