import type { Page } from "@playwright/test";
import { expect, simStats, test } from "./fixtures";
import { uniquePrompt } from "./pages/generator-page";

/** Requests the simulator saw, by route (`GET /v1/videos/{id}` …). */
async function simRequests(page: Page): Promise<Record<string, number>> {
  const stats = await simStats(page.request);
  return stats.requests;
}

test.describe("cancel", () => {
  test("Cancel on a running card stops the job, deletes it upstream and says it may still bill", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    // ~100 s upstream: the job is surely still running when Cancel is pressed.
    const prompt = uniquePrompt("a paper boat on a slow river", "[[sim:speed=0.2]]");
    const card = await generator.submit(prompt, { model: "sora-2" });
    await expect(generator.stateBadge(card, "running")).toBeVisible({ timeout: 20_000 });

    const deletesBefore = (await simRequests(page))["DELETE /v1/videos/{id}"] ?? 0;
    await card.getByRole("button", { name: t("generator.cancel.action"), exact: true }).click();

    await expect(generator.stateBadge(card, "canceled")).toBeVisible();
    const note = card.getByTestId("job-canceled");
    await expect(note).toContainText(t("generator.cancel.stopped"));
    await expect(note).toContainText(t("generator.cancel.mayStillBill"));
    await expect(note).toContainText(t("generator.cancel.upstream.deleted", { status: 200 }));
    await expect(generator.progressBar(card)).toBeHidden();
    await expect(
      card.getByRole("button", { name: t("generator.cancel.action"), exact: true }),
    ).toBeHidden();
    expect((await simRequests(page))["DELETE /v1/videos/{id}"]).toBe(deletesBefore + 1);
  });
});
