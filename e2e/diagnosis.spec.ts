import { SIM_URL } from "./constants";
import { expect, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

/** A relay-only model no other spec generates with: the simulator gives it no channel here. */
const NO_CHANNEL_MODEL = "veo-3-fast";

/** Submits `text` with the channel-less model and waits until its job has failed. */
async function failedWithoutChannel(generator: GeneratorPage, text: string) {
  const prompt = uniquePrompt(text);
  const card = await generator.submit(prompt, { model: NO_CHANNEL_MODEL });
  await expect(generator.stateBadge(card, "failed")).toBeVisible({ timeout: 30_000 });
  return { prompt, card };
}

test.describe("a failed job diagnoses itself", () => {
  test.beforeEach(async ({ request }) => {
    await request.post(`${SIM_URL}/__sim/no-channel?models=${NO_CHANNEL_MODEL}`);
  });
  test.afterEach(async ({ request }) => {
    await request.post(`${SIM_URL}/__sim/no-channel?models=`);
  });

  test("a no-channel failure names the root cause and a switch-model button that produces a video", async ({
    page,
    generator,
  }) => {
    const { prompt, card } = await failedWithoutChannel(generator, "a paper boat on a canal");
    const t = generator.t;

    const diagnosis = card.getByTestId("job-diagnosis");
    await expect(diagnosis).toBeVisible({ timeout: 10_000 });
    await expect(diagnosis.getByTestId("diagnosis-code")).toHaveText("no_available_channel");
    // The diagnosis confirms the card's cause instead of saying the same sentence a second time.
    await expect(diagnosis).toContainText(t("diagnosis.card.confirmed"));
    const title = t("errors.codes.no_available_channel.message", { model: NO_CHANNEL_MODEL });
    await expect(generator.failure(card)).toContainText(title);
    await expect(diagnosis).not.toContainText(title);
    const switchButton = diagnosis.getByRole("button", {
      name: t("diagnosis.card.switchModel", { model: "sora-2" }),
    });
    await expect(switchButton).toBeVisible();

    // Before Generate: the model that just had no channel is flagged.
    await generator.modelSelect.selectOption(NO_CHANNEL_MODEL);
    await expect(page.getByTestId("no-channel-warning")).toBeVisible({ timeout: 10_000 });

    await switchButton.click();
    // The new job replaces the failed card: same prompt, the routing model, and a video.
    const retried = generator.jobCard(prompt);
    await generator.expectPlayable(retried);
    const response = await page.request.get("/api/videos?limit=100");
    const { jobs } = (await response.json()) as {
      jobs: { prompt: string; model: string; state: string; retryOf?: string }[];
    };
    const done = jobs.find((j) => j.prompt === prompt && j.state === "completed");
    expect(done).toMatchObject({ model: "sora-2" });
    expect(done?.retryOf).toBeTruthy();
  });

  test("the card's Full diagnostics link opens /diagnostics with that job's diagnosis among the failed jobs", async ({
    page,
    generator,
  }) => {
    const { prompt, card } = await failedWithoutChannel(generator, "a kite over salt flats");
    const t = generator.t;
    const jobId = await generator.jobId(prompt);

    await card
      .getByTestId("job-diagnosis")
      .getByRole("link", { name: t("diagnosis.card.dashboard") })
      .click();
    await expect(page).toHaveURL(new RegExp(`/diagnostics\\?job=${jobId}$`));
    const failed = page.getByTestId("failed-jobs").locator(`[data-job-id="${jobId}"]`);
    await expect(failed).toContainText(prompt);
    // Opened at once, with the diagnosis of that very job and the way out it found.
    await expect(failed.locator("details")).toHaveAttribute("open", "");
    await expect(failed.getByText("no_available_channel", { exact: true })).toBeVisible({
      timeout: 15_000,
    });
    await expect(failed).toContainText(t("diagnosis.card.switchModel", { model: "sora-2" }));
  });

  test("the relay-weather banner appears after a burst of 503s and leaves when creates succeed", async ({
    page,
    generator,
  }) => {
    test.setTimeout(240_000);
    const banner = page.getByTestId("relay-weather");
    // Every create (and retry) of these prompts answers 503. The weather reads the last 10 creates
    // of the whole server, and earlier specs may have left other failures among them: submit until
    // ours fill the window (each job makes at least one create, so ten jobs always do).
    for (let i = 0; i < 10; i++) {
      const card = await generator.submit(
        uniquePrompt("a storm over the sea", "[[sim:upstream_503*20]]"),
        { model: "sora-2" },
      );
      await expect(generator.stateBadge(card, "failed")).toBeVisible({ timeout: 30_000 });
      if (i === 0) continue;
      // The banner refreshes every 5 s: give it one refresh to say "503" before adding a job.
      const saturated = await expect
        .poll(async () => (await banner.textContent())?.includes("503") ?? false, {
          timeout: 7_000,
        })
        .toBe(true)
        .then(
          () => true,
          () => false,
        );
      if (saturated) break;
    }
    await expect(banner).toContainText("503");

    const calm = await generator.submit(uniquePrompt("a calm sea at noon"), { model: "sora-2" });
    await generator.expectPlayable(calm);
    await expect(banner).toBeHidden({ timeout: 15_000 });
  });
});
