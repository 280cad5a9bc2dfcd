import { inLiveRegion } from "./a11y";
import { expect, simStats, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

test.describe("remix", () => {
  test("Remix on a finished card: a prompt editor prefilled with the source prompt, then a linked job that plays", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const prompt = uniquePrompt("a paper crane on a windowsill");
    const card = await generator.submit(prompt, { model: "sora-2" });
    await generator.expectPlayable(card);
    const sourceId = await generator.jobId(prompt);

    const remixesBefore =
      (await simStats(page.request)).requests["POST /v1/videos/{id}/remix"] ?? 0;
    await card.getByRole("button", { name: t("generator.remix.action"), exact: true }).click();
    const dialog = page.getByRole("dialog", { name: t("generator.remix.title") });
    await expect(dialog).toBeVisible();
    const editor = dialog.getByRole("textbox", { name: t("generator.remix.promptLabel") });
    await expect(editor).toHaveValue(prompt);
    const remixPrompt = uniquePrompt("the same crane, folded from gold paper");
    await editor.fill(remixPrompt);
    await dialog.getByRole("button", { name: t("generator.remix.submit"), exact: true }).click();
    await expect(dialog).toBeHidden();

    const remixCard = generator.jobCard(remixPrompt);
    await expect(remixCard).toBeVisible();
    await expect(remixCard.getByTestId("remix-of")).toHaveText(
      t("generator.remix.remixOf", { id: sourceId }),
    );
    await generator.expectPlayable(remixCard);
    expect((await simStats(page.request)).requests["POST /v1/videos/{id}/remix"]).toBe(
      remixesBefore + 1,
    );
  });

  test("a model that cannot remix offers no Remix button", async ({ generator }) => {
    const card = await generator.submit(uniquePrompt("a lighthouse at dusk"), {
      model: "sora_video2",
    });
    await generator.expectPlayable(card);
    await expect(
      card.getByRole("button", { name: generator.t("generator.remix.action"), exact: true }),
    ).toHaveCount(0);
  });
});

test.describe("honest progress", () => {
  test("a running job shows about how long it has left once its model has 5 finished jobs", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const generator = new GeneratorPage(page);
    const t = generator.t;
    const model = "sora-2-pro";
    // Five finished jobs of the model, ~20 s each upstream (in parallel), through the public API.
    const ids = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => {
        const response = await page.request.post("/api/videos", {
          headers: { accept: "application/json" },
          data: { prompt: uniquePrompt(`sample ${i}`, "[[sim:speed=1]]"), model },
        });
        expect(response.status()).toBe(202);
        return ((await response.json()) as { job: { id: string } }).job.id;
      }),
    );
    for (const id of ids) {
      await expect
        .poll(
          async () =>
            ((await (await page.request.get(`/api/videos/${id}`)).json()) as { state: string })
              .state,
          { timeout: 60_000 },
        )
        .toBe("completed");
    }

    await generator.goto();
    // ~100 s upstream: well inside the model's usual time when the card first shows.
    const card = await generator.submit(uniquePrompt("a slow sunrise", "[[sim:speed=0.2]]"), {
      model,
    });
    const eta = card.getByTestId("job-eta");
    await expect(eta).toBeVisible({ timeout: 15_000 });
    const left = t("generator.eta.left", { range: "RANGE" }).split("RANGE");
    await expect(eta).toContainText(left[0] ?? "");
    await expect(eta).toHaveText(new RegExp(`${left[0]}\\d+(–\\d+)?${left[1]}`));
    await expect(card.getByTestId("job-stalled")).toHaveCount(0);
    await card.getByRole("button", { name: t("generator.cancel.action"), exact: true }).click();
    await expect(generator.stateBadge(card, "canceled")).toBeVisible();
    await expect(eta).toBeHidden();
  });

  test("a job without progress for far longer than its model takes is marked stalled and offers Check again", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    // Stuck at 42 % upstream, forever.
    const card = await generator.submit(uniquePrompt("a frozen river", "[[sim:job_stuck]]"), {
      model: "sora-2-pro",
    });
    await expect(card.getByText("42%")).toBeVisible({ timeout: 20_000 });
    await expect(card.getByTestId("job-stalled")).toHaveCount(0);
    // Twenty minutes later on the page's clock, still nothing from the relay.
    await page.clock.install();
    await page.clock.fastForward("20:00");
    const stalled = card.getByTestId("job-stalled");
    await expect(stalled).toBeVisible();
    await expect(stalled.getByRole("status").first()).toHaveText(t("generator.eta.stalledBody"));
    // The title's clock ticks every second: a live region there would be heard every second.
    const title = t("generator.eta.stalledTitle", { time: "TIME" })
      .split("TIME")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    expect(await inLiveRegion(stalled.getByText(new RegExp(title.join("[\\d:]+"))))).toBe(false);
    await stalled.getByRole("button", { name: t("generator.eta.checkAgain") }).click();
    await expect(stalled).toContainText(t("generator.eta.unchanged"));
    await card.getByRole("button", { name: t("generator.cancel.action"), exact: true }).click();
    await expect(generator.stateBadge(card, "canceled")).toBeVisible();
    await expect(stalled).toBeHidden();
  });
});
