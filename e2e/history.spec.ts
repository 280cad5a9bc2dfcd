import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { APIRequestContext, Locator, Page } from "@playwright/test";
import type { Job } from "@/lib/contracts/job";
import { videoFileName } from "@/lib/media/video-file-name";
import { E2E_DATA_DIR, E2E_FAKE_KEY, SIM_URL } from "./constants";
import { expect, test } from "./fixtures";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";

/** Creates a job over the API (202) and waits until it has ended. */
async function finishedJob(
  request: APIRequestContext,
  body: { prompt: string; model?: string; size?: string; seconds?: string },
): Promise<Job> {
  const created = await request.post("/api/videos", {
    headers: { accept: "application/json" },
    data: body,
  });
  expect(created.status()).toBe(202);
  const { job } = (await created.json()) as { job: Job };
  let current = job;
  await expect
    .poll(
      async () => {
        current = (await (await request.get(`/api/videos/${job.id}`)).json()) as Job;
        return ["completed", "failed", "canceled"].includes(current.state);
      },
      { timeout: 45_000 },
    )
    .toBe(true);
  return current;
}

const archiveOf = (id: string) => path.join(E2E_DATA_DIR, "videos", `${id}.mp4`);

function historyControls(generator: GeneratorPage) {
  const t = generator.t;
  const history = generator.history;
  return {
    search: history.getByRole("searchbox", { name: t("generator.history.searchLabel") }),
    state: history.getByRole("combobox", { name: t("generator.history.stateFilter") }),
    model: history.getByRole("combobox", { name: t("generator.history.modelFilter") }),
    items: history.getByRole("article"),
  };
}

for (const locale of ["zh-CN", "en"] as const) {
  test(`history (${locale}): search and filters narrow the list; failures say why, quietly`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const tag = `tag${Date.now().toString(36)}`;
    const request = page.request;
    const lighthouse = await finishedJob(request, {
      prompt: uniquePrompt(`A lighthouse at dusk ${tag}`),
      model: "sora-2",
    });
    const quota = await finishedJob(request, {
      prompt: uniquePrompt(`lighthouse in fog ${tag}`, "[[sim:quota]]"),
      model: "sora-2",
    });
    const cat = await finishedJob(request, {
      prompt: uniquePrompt(`一只猫在灯塔上 ${tag}`),
      model: "sora_video2",
    });
    expect([lighthouse.state, quota.state, cat.state]).toEqual([
      "completed",
      "failed",
      "completed",
    ]);

    const generator = new GeneratorPage(page, locale);
    const t = generator.t;
    await generator.goto();
    const { search, state, model, items } = historyControls(generator);

    await search.fill(tag);
    await expect(items).toHaveCount(3);
    await search.fill(`LIGHTHOUSE at dusk ${tag}`);
    await expect(items).toHaveCount(1);
    await expect(generator.historyItem(lighthouse.prompt)).toBeVisible();
    await search.fill(`灯塔上 ${tag}`);
    await expect(items).toHaveCount(1);
    await expect(generator.historyItem(cat.prompt)).toBeVisible();

    await search.fill(tag);
    await expect(items).toHaveCount(3);
    await state.selectOption({ label: t("generator.history.states.failed") });
    await expect(items).toHaveCount(1);
    const failed = generator.historyItem(quota.prompt);
    // The reason in the reader's language, small and muted; no raw error code anywhere.
    const reason = failed.getByTestId("end-reason");
    await expect(reason).toHaveText(t("errors.codes.insufficient_quota.message"));
    const look = await reason.evaluate((el) => {
      const meta = el.parentElement?.querySelector('[data-testid="history-meta"]');
      return {
        size: parseFloat(getComputedStyle(el).fontSize),
        // The same muted colour as the date and model line, not an alarm colour.
        mutedLikeMeta: meta ? getComputedStyle(meta).color === getComputedStyle(el).color : false,
        alert: el.closest('[role="alert"]') !== null,
      };
    });
    expect(look).toEqual({ size: 12, mutedLikeMeta: true, alert: false });
    await expect(generator.history).not.toContainText("insufficient_quota");
    // A failed job is a compact row: no empty preview box.
    expect((await failed.boundingBox())?.height).toBeLessThan(190);

    await state.selectOption({ label: t("generator.history.states.all") });
    await model.selectOption("sora_video2");
    await expect(items).toHaveCount(1);
    await expect(generator.historyItem(cat.prompt)).toBeVisible();
    await state.selectOption({ label: t("generator.history.states.failed") });
    await expect(items).toHaveCount(0);
    await expect(generator.history).toContainText(t("generator.history.noMatchTitle"));
    await generator.history
      .getByRole("button", { name: t("generator.history.clearFilters") })
      .click();
    await expect(search).toHaveValue("");
    await expect(generator.historyItem(quota.prompt)).toBeVisible();
    await context.close();
  });
}

test("delete: the card goes at once, undo brings it back; after the window it is gone server-side, even with the page closed", async ({
  page,
  context,
}) => {
  test.setTimeout(90_000);
  const job = await finishedJob(page.request, { prompt: uniquePrompt("a paper crane unfolds") });
  expect(job.state).toBe("completed");
  expect(fs.existsSync(archiveOf(job.id))).toBe(true);
  const generator = new GeneratorPage(page);
  const t = generator.t;
  await generator.goto();
  const { search } = historyControls(generator);
  await search.fill(job.prompt);
  const item = generator.historyItem(job.prompt);
  // Named from the prompt and the day, like the server's Content-Disposition.
  await expect(item.getByRole("link", { name: t("generator.history.download") })).toHaveAttribute(
    "download",
    videoFileName(job.prompt, job.createdAt),
  );

  await item.getByRole("button", { name: t("generator.history.delete") }).click();
  await expect(item).toHaveCount(0);
  const note = page.getByRole("status").filter({ hasText: t("generator.history.undo") });
  await expect(note).toBeVisible();
  const undo = note.getByRole("button", { name: t("generator.history.undo") });
  // The delete button is gone: focus is on Undo, so the keyboard can take it back at once.
  await expect(undo).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(item).toBeVisible();
  await expect(note).toHaveCount(0);
  expect((await page.request.get(`/api/videos/${job.id}`)).status()).toBe(200);

  await item.getByRole("button", { name: t("generator.history.delete") }).click();
  await expect(item).toHaveCount(0);
  // Still restorable on the server while the note shows; then the tab goes away mid-window.
  await page.close();
  await expect
    .poll(() => fs.existsSync(archiveOf(job.id)), { timeout: 30_000, intervals: [500] })
    .toBe(false);
  const late = await context.request.post(`/api/videos/${job.id}/restore`);
  expect(late.status()).toBe(404);
  expect((await context.request.get(`/api/videos/${job.id}`)).status()).toBe(404);
});

test("a card deleted while a search is still loading stays gone when the search answers", async ({
  page,
}) => {
  const job = await finishedJob(page.request, { prompt: uniquePrompt("a kite over dunes") });
  const generator = new GeneratorPage(page);
  const t = generator.t;
  await generator.goto();
  const item = generator.historyItem(job.prompt);
  await expect(item).toBeVisible();
  // The narrowed list answers late, and still with the job in it (asked before the delete).
  let answered = false;
  await page.route(
    (url) => url.pathname === "/api/videos" && url.searchParams.has("q"),
    async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.fulfill({ response });
      answered = true;
    },
  );
  await historyControls(generator).search.fill(job.prompt);
  await page.waitForRequest((r) => new URL(r.url()).searchParams.has("q"));
  await item.getByRole("button", { name: t("generator.history.delete") }).click();
  await expect(item).toHaveCount(0);
  await expect.poll(() => answered).toBe(true);
  // The late answer must not bring the card back, nor may the end of the undo window.
  await expect(generator.history).toContainText(t("generator.history.noMatchTitle"));
  await expect(item).toHaveCount(0);
  const note = page.getByRole("status").filter({ hasText: t("generator.history.undo") });
  await expect(note).toHaveCount(0, { timeout: 15_000 });
  await expect(item).toHaveCount(0);
});

/** Makes the page believe it is hidden (or visible again) and tells it so. */
async function setVisibility(page: Page, state: "hidden" | "visible") {
  await page.evaluate((value) => {
    Object.defineProperty(document, "visibilityState", { value, configurable: true });
    Object.defineProperty(document, "hidden", { value: value === "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
}

test("done while away: the tab title and an opted-in notification say it; both clear when seen", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ locale: "en" });
  await context.grantPermissions(["notifications"]);
  // Records notifications instead of showing them.
  await context.addInitScript(() => {
    const shown: { title: string; body?: string; closed: boolean }[] = [];
    (window as unknown as { __notes: typeof shown }).__notes = shown;
    class FakeNotification {
      static permission = "granted";
      static requestPermission = async () => "granted";
      onclick: (() => void) | null = null;
      private readonly record;
      constructor(title: string, options?: { body?: string }) {
        this.record = { title, body: options?.body, closed: false };
        shown.push(this.record);
      }
      close() {
        this.record.closed = true;
      }
    }
    Object.defineProperty(window, "Notification", { value: FakeNotification });
  });
  const page = await context.newPage();
  // Someone else's job, running when the page opens: its history card follows it, but its end is
  // not this browser's news.
  const othersPrompt = uniquePrompt("someone else's lantern", "[[sim:speed=2]]");
  const others = await page.request.post("/api/videos", {
    headers: { accept: "application/json" },
    data: { prompt: othersPrompt },
  });
  expect(others.status()).toBe(202);
  const generator = new GeneratorPage(page, "en");
  const t = generator.t;
  await generator.goto();
  await expect(generator.historyItem(othersPrompt)).toBeVisible();
  const baseTitle = await page.title();
  const bell = generator.history.getByRole("button", {
    name: t("generator.history.away.notify"),
  });
  await expect(bell).toHaveAttribute("aria-pressed", "false");
  await bell.click();
  await expect(bell).toHaveAttribute("aria-pressed", "true");

  // Hidden first: the failure comes back at once. (The emulated tab still takes clicks.)
  await setVisibility(page, "hidden");
  const doneCard = await generator.submit(uniquePrompt("a slow tide at night", "[[sim:speed=2]]"));
  await generator.submit(uniquePrompt("a kite in a storm", "[[sim:no_channel]]"));
  await expect(page).toHaveTitle(`(2) ✓ ✗ ${baseTitle}`, { timeout: 45_000 });
  await expect(doneCard.locator("video")).toBeAttached();
  await expect(generator.historyItem(othersPrompt)).toContainText(t("generator.state.completed"), {
    timeout: 45_000,
  });
  const notes = () =>
    page.evaluate(
      () => (window as unknown as { __notes: { title: string; closed: boolean }[] }).__notes,
    );
  expect((await notes()).map((n) => n.title).sort()).toEqual(
    [t("generator.history.away.completedTitle"), t("generator.history.away.failedTitle")].sort(),
  );

  await setVisibility(page, "visible");
  await expect(page).toHaveTitle(baseTitle);
  expect((await notes()).every((n) => n.closed)).toBe(true);
  await context.close();
});

/** The box of an element, asserting it is rendered. */
async function box(locator: Locator) {
  const found = await locator.boundingBox();
  expect(found).not.toBeNull();
  return found!;
}

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
]) {
  test(`portrait thumbnails are shown whole, with nothing on top (${viewport.width}×${viewport.height})`, async ({
    browser,
  }) => {
    test.setTimeout(90_000);
    const context = await browser.newContext({ viewport, locale: "zh-CN" });
    const page = await context.newPage();
    const job = await finishedJob(page.request, {
      prompt: uniquePrompt("a tall waterfall, vertical frame"),
      model: "sora-2",
      size: "720x1280",
    });
    expect(job.state).toBe("completed");
    const generator = new GeneratorPage(page);
    await generator.goto();
    const { search, items } = historyControls(generator);
    await search.fill(job.prompt);
    await expect(items).toHaveCount(1);
    const item = generator.historyItem(job.prompt);
    await item.scrollIntoViewIfNeeded();
    const preview = await box(item.getByTestId("history-preview"));
    const thumbnail = item.getByTestId("history-thumbnail");
    await expect(thumbnail).toBeVisible();
    const frame = await box(thumbnail);
    // Whole: inside its box, full height, the video's own 9:16 shape (nothing cut off).
    expect(frame.x).toBeGreaterThanOrEqual(preview.x - 0.5);
    expect(frame.x + frame.width).toBeLessThanOrEqual(preview.x + preview.width + 0.5);
    expect(Math.abs(frame.height - preview.height)).toBeLessThan(1);
    expect(frame.width / frame.height).toBeCloseTo(720 / 1280, 1);
    const fit = await thumbnail.evaluate((el) => getComputedStyle(el).objectFit);
    expect(["contain", "fill"]).toContain(fit);
    // Nothing lies on the frame: the badge sits below it.
    const badge = await box(generator.stateBadge(item, "completed"));
    expect(badge.y).toBeGreaterThanOrEqual(frame.y + frame.height);
    await context.close();
  });
}

/** A second `next start` of the same build, with its own data and the given settings. */
async function startApp(env: Record<string, string>) {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    });
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-e2e-history-"));
  const child = spawn(
    process.execPath,
    ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        SORA_API_KEY: E2E_FAKE_KEY,
        SORA_BASE_URL: SIM_URL,
        SORA_POLL_INTERVAL_MS: "100",
        DATA_DIR: dataDir,
        HOSTNAME: "127.0.0.1",
        ...env,
      },
      stdio: "ignore",
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await expect
    .poll(
      () =>
        fetch(`${url}/api/health`).then(
          (r) => r.status,
          () => 0,
        ),
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
  return {
    url,
    stop() {
      child.kill();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test("copy link: with a password set, the copy says plainly that the link needs a login", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const password = `pw-${randomUUID()}`;
  const app = await startApp({ ACCESS_PASSWORD: password });
  try {
    const context = await browser.newContext({
      baseURL: app.url,
      locale: "en",
      permissions: ["clipboard-read", "clipboard-write"],
    });
    const page = await context.newPage();
    const signIn = await page.request.post("/api/auth/login", {
      headers: { accept: "application/json" },
      data: { password },
    });
    expect(signIn.status()).toBe(200);
    const job = await finishedJob(page.request, { prompt: uniquePrompt("a locked garden gate") });
    const generator = new GeneratorPage(page, "en");
    const t = generator.t;
    await generator.goto();
    await historyControls(generator).search.fill(job.prompt);
    const item = generator.historyItem(job.prompt);
    await item.getByRole("button", { name: t("generator.history.open") }).click();
    const dialog = page.getByRole("dialog", { name: t("generator.history.dialogTitle") });
    await dialog.getByRole("button", { name: t("generator.result.copyLink") }).click();
    await expect(dialog.getByRole("status").filter({ hasText: "sign" })).toHaveText(
      t("generator.result.linkCopiedLogin"),
    );
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      `${app.url}/api/videos/${job.id}/content`,
    );
    await context.close();
  } finally {
    app.stop();
  }
});
