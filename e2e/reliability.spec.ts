import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import { APP_URL } from "./constants";
import { expect, simStats, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

/** Creates the simulator saw for a prompt: `accepted` ones are the paid ones. */
async function simCreates(page: Page, prompt: string) {
  const stats = await simStats(page.request);
  return stats.creates.byPrompt[prompt] ?? { attempts: 0, accepted: 0 };
}

/** Failed after the upstream gave it an id (videos protocol): the upstream may have billed it. */
async function acceptedThenFailed(generator: GeneratorPage) {
  const prompt = uniquePrompt("a glass whale in a library", "[[sim:job_failed]]");
  const card = await generator.submit(prompt, { model: "sora-2" });
  const failure = generator.failure(card);
  await expect(generator.stateBadge(card, "failed")).toBeVisible({ timeout: 30_000 });
  return { prompt, card, failure };
}

test.describe("retry tells the truth", () => {
  test("an accepted job that failed leads with Check again; Retry asks before it may pay twice", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const { prompt, card, failure } = await acceptedThenFailed(generator);

    await expect(failure.getByRole("button").first()).toHaveAccessibleName(
      t("generator.failure.checkAgain"),
    );
    // The billing warning is said once on the card, not in the cause, the hint and a note.
    const billing = t("generator.failure.mayBeBilled");
    await expect(failure.getByText(billing)).toBeVisible();
    expect((await failure.innerText()).split("计费").length - 1).toBe(1);

    const retry = generator.retryButton(failure);
    await retry.click();
    const dialog = generator.retryConfirmDialog;
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(t("generator.failure.confirmRetryBody"));
    await expect(dialog).toContainText(t("generator.failure.confirmRetryCheckFirst"));
    // Focus starts on the safe choice; Escape cancels and gives focus back to Retry.
    await expect(
      dialog.getByRole("button", { name: t("generator.failure.confirmCancel") }),
    ).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(retry).toBeFocused();
    expect((await simCreates(page, prompt)).attempts).toBe(1);

    const failedId = await generator.jobId(prompt);
    await retry.click();
    await dialog.getByRole("button", { name: t("generator.failure.confirmRetry") }).click();
    await expect(
      generator.current.getByRole("article", { name: prompt }).filter({
        hasText: t("generator.job.retryOf", { id: failedId }),
      }),
    ).toBeVisible();
    await expect.poll(async () => (await simCreates(page, prompt)).attempts).toBe(2);
    await expect(card).toHaveCount(1);
  });

  test("Check again asks the upstream and says when there is still no video", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const { prompt, failure } = await acceptedThenFailed(generator);

    await generator.checkAgainButton(failure).click();
    await expect(failure.getByRole("status")).toHaveText(t("generator.failure.recheckStillFailed"));
    await expect(generator.checkAgainButton(failure)).toBeEnabled();
    expect((await simCreates(page, prompt)).attempts).toBe(1);
  });

  test("the history details of such a job offer the same: Check again first, Retry asks", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const { prompt } = await acceptedThenFailed(generator);

    const item = generator.historyItem(prompt);
    await item.getByRole("button", { name: t("generator.history.open") }).click();
    const details = page.getByRole("dialog", { name: t("generator.history.dialogTitle") });
    const failure = generator.failure(details);
    await expect(failure.getByRole("button").first()).toHaveAccessibleName(
      t("generator.failure.checkAgain"),
    );
    await generator.retryButton(failure).click();
    await expect(generator.retryConfirmDialog).toBeVisible();
    // Escape closes only the confirmation; the details stay open.
    await page.keyboard.press("Escape");
    await expect(generator.retryConfirmDialog).toBeHidden();
    await expect(details).toBeVisible();
    expect((await simCreates(page, prompt)).attempts).toBe(1);
  });
});

test.describe("retry tells the truth without an upstream id", () => {
  test("a create with an ambiguous outcome (524): Retry leads but asks first; nothing to check", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const prompt = uniquePrompt("a moth circles a lamp", "[[sim:gateway_524*1]]");
    const card = await generator.submit(prompt);
    const failure = generator.failure(card);
    await expect(generator.stateBadge(card, "failed")).toBeVisible({ timeout: 30_000 });

    await expect(failure.getByText(t("generator.failure.mayBeBilledNoId"))).toBeVisible();
    expect((await failure.innerText()).split("计费").length - 1).toBe(1);
    await expect(generator.checkAgainButton(failure)).toHaveCount(0);
    await generator.retryButton(failure).click();
    const dialog = generator.retryConfirmDialog;
    await expect(dialog).toContainText(t("generator.failure.confirmRetryBody"));
    await expect(dialog).not.toContainText(t("generator.failure.confirmRetryCheckFirst"));
    await dialog.getByRole("button", { name: t("generator.failure.confirmRetry") }).click();
    await generator.expectPlayable(generator.jobCard(prompt));
    expect(await simCreates(page, prompt)).toEqual({ attempts: 2, accepted: 1 });
  });
});

/**
 * A proxy for the job's event stream that behaves like a half-open connection: it passes the
 * app's frames until the first `progress` frame above 0 %, then writes nothing more and never ends.
 */
async function halfOpenProxy(): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    const upstream = new AbortController();
    request.on("close", () => upstream.abort());
    void (async () => {
      const answer = await fetch(`${APP_URL}${request.url}`, {
        headers: { accept: "text/event-stream" },
        signal: upstream.signal,
      });
      const headers = Object.fromEntries(answer.headers);
      for (const hop of ["content-encoding", "content-length", "transfer-encoding", "connection"])
        delete headers[hop];
      response.writeHead(answer.status, headers);
      const reader = answer.body!.getReader();
      const decoder = new TextDecoder();
      let seen = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        response.write(value);
        seen += decoder.decode(value, { stream: true });
        if (/event: progress\ndata: \{"percent":[1-9]/.test(seen)) break;
      }
      // Silence from here on: the app's later frames and pings are swallowed.
      await reader.cancel();
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests };
}

test.describe("the browser notices silence", () => {
  test("a follower whose stream goes silent reconnects with Last-Event-ID, without a reload", async ({
    page,
  }) => {
    const proxy = await halfOpenProxy();
    try {
      const generator = new GeneratorPage(page);
      await page.clock.install();
      await generator.goto();
      // The history may follow other tests' running jobs too: each job's first stream goes through
      // the half-open proxy, and later ones are recorded per job.
      const resumedFrom = new Map<string, string[]>();
      await page.route("**/api/videos/*/events*", async (route) => {
        const url = new URL(route.request().url());
        const id = url.pathname.split("/")[3]!;
        const seen = resumedFrom.get(id);
        if (!seen) {
          resumedFrom.set(id, []);
          await route.continue({ url: `${proxy.url}${url.pathname}${url.search}` });
          return;
        }
        seen.push(route.request().headers()["last-event-id"] ?? "");
        await route.continue();
      });
      await page.evaluate(
        () => ((window as unknown as { notReloaded: boolean }).notReloaded = true),
      );

      // speed=1: ~20 s, so the job is still running when the stream goes quiet.
      const prompt = uniquePrompt("a lantern drifting down a canal", "[[sim:speed=1]]");
      const card = await generator.submit(prompt);
      await expect
        .poll(async () => Number(await generator.progressBar(card).getAttribute("aria-valuenow")))
        .toBeGreaterThan(0);
      const jobId = await generator.jobId(prompt);
      const streamPath = `/api/videos/${jobId}/events`;
      // The follower's stream goes through the half-open proxy (it may open after the first progress).
      await expect
        .poll(() => proxy.requests.filter((path) => path.startsWith(streamPath)).length)
        .toBe(1);

      // The lid closes for 31 s: no byte arrives, not even a ping, and the watchdog fires.
      await page.clock.fastForward("00:31");
      await expect
        .poll(() => generator.jobLogs(jobId).some((line) => line.includes("no data for 30 s")))
        .toBe(true);
      await generator.expectPlayable(card);
      // The watchdog's reconnect resumes after what was seen; any later one (a server hand-over on a
      // slow machine) resumes further on, never back.
      const resumes = resumedFrom.get(jobId) ?? [];
      expect(resumes.length).toBeGreaterThanOrEqual(1);
      expect(Number(resumes[0])).toBeGreaterThan(1);
      const seqs = resumes.map(Number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(proxy.requests.filter((path) => path.startsWith(streamPath))).toHaveLength(1);
      expect(
        await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
      ).toBe(true);
    } finally {
      proxy.server.closeAllConnections();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});

test.describe("exactly-once submit", () => {
  test("a lost 202 is resent with the same Idempotency-Key: one job, no error", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const keys: string[] = [];
    await page.route("**/api/videos", async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      keys.push(route.request().headers()["idempotency-key"] ?? "");
      if (keys.length === 1) {
        // The server creates the job, but its answer never reaches the page.
        await route.fetch();
        await route.abort("connectionreset");
        return;
      }
      await route.continue();
    });

    const prompt = uniquePrompt("a heron lands on a frozen pond");
    const card = await generator.submit(prompt);
    await generator.expectPlayable(card);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    await expect(page.getByText(t("generator.compose.submitFailed"))).toHaveCount(0);
    expect(await simCreates(page, prompt)).toEqual({ attempts: 1, accepted: 1 });
    await expect(generator.historyItem(prompt)).toHaveCount(1);

    // The next click is a new submission with a new key.
    const next = uniquePrompt("a heron takes off");
    await generator.expectPlayable(await generator.submit(next));
    expect(keys).toHaveLength(3);
    expect(keys[2]).not.toBe(keys[0]);
  });
});
