import type { BrowserContext, ConsoleMessage, Page } from "@playwright/test";
import { expect, simStats, test } from "./fixtures";
import { SIM_URL } from "./constants";
import { GeneratorPage, uniquePrompt } from "./pages/generator-page";
import type { ErrorCode } from "@/lib/contracts/errors";
import { makePng } from "@/simulator/png";

const SIM_HOST = new URL(SIM_URL).host;

async function simUpload(page: Page, prompt: string) {
  const stats = await simStats(page.request);
  return stats.uploads.find((upload) => upload.prompt.includes(prompt));
}

/** Console errors that are not our own deliberate `[Sora2]` failure logs. */
function watchConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() !== "error") return;
    const text = message.text();
    if (text.startsWith("[Sora2]")) return;
    errors.push(text);
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** All text of the page (options and hidden labels included) except user and upstream content. */
function interfaceText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const clone = document.body.cloneNode(true) as HTMLElement;
    clone
      .querySelectorAll('script, style, template, [translate="no"], [lang]:not([lang="en"])')
      .forEach((element) => element.remove());
    return clone.textContent ?? "";
  });
}

/** next-intl renders a missing message as its dotted key path. */
const MISSING_KEY =
  /\b(generator|errors|common|pages|app|nav|theme|language|demo|noKey|diagnostics)\.[a-zA-Z_]+(\.[a-zA-Z_]+)*\b/;

test.describe("generator: compose and follow", () => {
  test("text to video: progress rises and the video ends up playable", async ({ generator }) => {
    const prompt = uniquePrompt("一只橘猫在黄昏的海浪上冲浪，电影感镜头");
    const card = await generator.submit(prompt, { model: "sora_video2" });

    await generator.expectPlayable(card);
    await expect(generator.stateBadge(card, "completed")).toBeVisible();
    await expect(generator.progressBar(card)).toHaveCount(0);

    // Progress arrived as events: the console kept every step, the last before completion below 100.
    const jobId = await generator.jobId(prompt);
    const percents = generator
      .jobLogs(jobId)
      .map((line) => /progress (\d+)%/.exec(line)?.[1])
      .filter((p): p is string => p !== undefined)
      .map(Number);
    expect(percents.length).toBeGreaterThan(2);
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(generator.jobLogs(jobId).some((line) => line.includes("completed"))).toBe(true);

    const download = card.getByRole("link", { name: generator.t("generator.result.download") });
    // Named from the prompt and the day (CJK kept), e.g. 一只橘猫…-2026-12-03.mp4.
    await expect(download).toHaveAttribute("download", /^一只橘猫.+-\d{4}-\d{2}-\d{2}\.mp4$/);
    await expect(download).toHaveAttribute("href", `/api/videos/${jobId}/content`);
  });

  test("several jobs run at once; Ctrl+Enter submits", async ({ generator }) => {
    const first = uniquePrompt("city lights timelapse");
    const second = uniquePrompt("paper boat on a river");
    const firstCard = await generator.submit(first, { via: "shortcut" });
    const secondCard = await generator.submit(second, { via: "shortcut" });
    await generator.expectPlayable(firstCard);
    await generator.expectPlayable(secondCard);
    await expect(generator.current.getByRole("article")).toHaveCount(2);
  });

  test("image to video (chat model): the upload is cropped to the model's frame", async ({
    page,
    generator,
  }) => {
    await generator.modelSelect.selectOption("sora_video2");
    const typeError = page
      .getByRole("alert")
      .filter({ hasText: generator.t("generator.compose.imageErrors.type") });

    await generator.imageInput.setInputFiles({
      name: "notes.gif",
      mimeType: "image/gif",
      buffer: Buffer.from("GIF89a"),
    });
    await expect(typeError).toBeVisible();

    await generator.attachPng("wide.png", 1600, 900);
    await expect(generator.imagePreview("704×1280")).toBeVisible();
    await expect(typeError).toHaveCount(0);

    const prompt = uniquePrompt("the scene in the picture comes alive");
    const card = await generator.submit(prompt);
    await generator.expectPlayable(card);
    expect(await simUpload(page, prompt)).toMatchObject({
      width: 704,
      height: 1280,
      mime: "image/png",
    });
  });

  test("image to video (videos model): chosen frame and duration reach the upstream", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    await generator.modelSelect.selectOption("sora-2");
    await generator.chooseDuration("8");
    await generator.chooseSize(
      t("generator.compose.sizeOption", {
        orientation: t("generator.compose.orientation.landscape"),
        ratio: "16:9",
        size: "1280×720",
      }),
    );
    await generator.attachPng("square.png", 900, 900);
    await expect(generator.imagePreview("1280×720")).toBeVisible();

    const prompt = uniquePrompt("waves roll onto a pebble beach");
    const card = await generator.submit(prompt);
    await generator.expectPlayable(card);
    await expect(card).toContainText("1280×720");
    await expect(card).toContainText(t("generator.compose.durationValue", { seconds: "8" }));
    expect(await simUpload(page, prompt)).toMatchObject({ width: 1280, height: 720 });
  });

  test("a reference image can also be pasted or dropped, and removed", async ({
    page,
    generator,
  }) => {
    const t = generator.t;
    const png = [...makePng(640, 480)];
    const remove = page.getByRole("button", { name: t("generator.compose.imageRemove") });

    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], "pasted.png", { type: "image/png" }));
      window.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
    }, png);
    await expect(generator.imagePreview("704×1280")).toBeVisible();
    await expect(page.getByText("pasted.png")).toBeVisible();
    await remove.click();
    await expect(generator.imagePreview("704×1280")).toHaveCount(0);

    const dropzone = page.getByRole("button", { name: t("generator.compose.imageDrop") });
    await dropzone.evaluate((element, bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], "dropped.png", { type: "image/png" }));
      element.dispatchEvent(
        new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }),
      );
    }, png);
    await expect(generator.imagePreview("704×1280")).toBeVisible();
    await expect(page.getByText("dropped.png")).toBeVisible();
  });

  test("the model picker offers only what each model allows", async ({ page, generator }) => {
    const t = generator.t;
    const duration = page.getByRole("group", { name: t("generator.compose.durationLabel") });
    const frame = page.getByRole("group", { name: t("generator.compose.sizeLabel") });

    await expect(generator.modelSelect).toHaveValue("sora_video2");
    await expect(generator.modelSelect.locator("option:checked")).toHaveText(
      t("generator.compose.optionStable", { model: "sora_video2" }),
    );
    // Chat models imply duration and frame by their name: nothing to choose.
    await expect(duration).toHaveCount(0);
    await expect(frame).toHaveCount(0);
    await expect(page.getByText(t("generator.compose.fixedByModel"))).toBeVisible();
    // A model only the relay lists is offered too, in its own group.
    await expect(
      generator.modelSelect.locator(
        `optgroup[label="${t("generator.compose.groupRelay")}"] option`,
        {
          hasText: "luma-ray-2",
        },
      ),
    ).toHaveCount(1);

    await generator.modelSelect.selectOption("sora-2");
    await expect(duration.getByRole("radio")).toHaveCount(3);
    await expect(frame.getByRole("radio")).toHaveCount(2);
    const landscape = t("generator.compose.sizeOption", {
      orientation: t("generator.compose.orientation.landscape"),
      ratio: "16:9",
      size: "1280×720",
    });
    await generator.chooseSize(landscape);

    await generator.modelSelect.selectOption("sora-2-pro");
    await expect(frame.getByRole("radio")).toHaveCount(4);
    await expect(frame.getByRole("radio", { name: landscape })).toBeChecked();
  });

  test("a Veo or Kling model offers its own durations and frames", async ({ page, generator }) => {
    const t = generator.t;
    const duration = page.getByRole("group", { name: t("generator.compose.durationLabel") });
    const frame = page.getByRole("group", { name: t("generator.compose.sizeLabel") });
    const seconds = (n: string) => t("generator.compose.durationValue", { seconds: n });
    const sizeName = (
      orientation: "landscape" | "portrait" | "square",
      ratio: string,
      size: string,
    ) =>
      t("generator.compose.sizeOption", {
        orientation: t(`generator.compose.orientation.${orientation}`),
        ratio,
        size,
      });

    await generator.modelSelect.selectOption("veo-3.1-fast-generate-preview");
    await expect(duration.getByRole("radio")).toHaveCount(3);
    for (const n of ["4", "6", "8"]) {
      await expect(duration.getByRole("radio", { name: seconds(n) })).toHaveCount(1);
    }
    await expect(frame.getByRole("radio")).toHaveCount(4);
    await expect(
      frame.getByRole("radio", { name: sizeName("landscape", "16:9", "1920×1080") }),
    ).toHaveCount(1);
    await expect(page.getByText(t("generator.compose.protocol.generations"))).toBeVisible();

    await generator.modelSelect.selectOption("kling-v2-6");
    await expect(duration.getByRole("radio")).toHaveCount(2);
    await expect(duration.getByRole("radio", { name: seconds("10") })).toHaveCount(1);
    await expect(duration.getByRole("radio", { name: seconds("8") })).toHaveCount(0);
    await expect(frame.getByRole("radio")).toHaveCount(3);
    await expect(
      frame.getByRole("radio", { name: sizeName("square", "1:1", "1024×1024") }),
    ).toHaveCount(1);
  });

  test("counted 503s: both retry lines stay, turned neutral once the video plays", async ({
    generator,
  }) => {
    const prompt = uniquePrompt("a lighthouse in a storm", "[[sim:upstream_503*2]]");
    const card = await generator.submit(prompt);
    await generator.expectPlayable(card);
    for (const attempt of [1, 2]) {
      const line = card
        .getByRole("listitem")
        .filter({ hasText: new RegExp(`^第 ${attempt}/2 次重试`) });
      await expect(line).toContainText("upstream_unavailable · HTTP 503");
      // The job moved on: no countdown left, no warning colour.
      await expect(line).not.toContainText("秒后");
      await expect(line).not.toHaveAttribute("data-pending");
    }
    await expect(generator.stateBadge(card, "completed")).toBeVisible();
  });
});

const FAILURES: { fault: string; code: ErrorCode; status: number }[] = [
  { fault: "no_channel", code: "no_available_channel", status: 503 },
  { fault: "quota", code: "insufficient_quota", status: 429 },
  { fault: "invalid_key", code: "invalid_api_key", status: 401 },
  { fault: "gateway_524", code: "gateway_timeout", status: 524 },
];

test.describe("generator: failures are explained", () => {
  test.use({ permissions: ["clipboard-read", "clipboard-write"] });

  for (const { fault, code, status } of FAILURES) {
    test(`${fault} → ${code}: title, next step, folded admin part, console link, copy details`, async ({
      page,
      generator,
    }) => {
      const t = generator.t;
      const prompt = uniquePrompt("a red kite over the dunes", `[[sim:${fault}]]`);
      const card = await generator.submit(prompt);

      const failure = card.getByRole("alert");
      const values = { model: "sora_video2", host: SIM_HOST };
      await expect(
        failure.getByRole("heading", { name: t(`errors.codes.${code}.message`, values) }),
      ).toBeVisible({
        timeout: 30_000,
      });
      await expect(failure.getByTestId("failure-hint")).toHaveText(
        t(`errors.codes.${code}.hint`, values),
      );
      // The person at the page reads plain words; configuration names wait folded for the admin.
      const admin = failure.getByTestId("failure-admin");
      await expect(admin).not.toHaveAttribute("open");
      expect(await failure.innerText()).not.toMatch(/SORA_|\.env|npm run/);
      await admin.locator("summary").click();
      await expect(admin).toContainText(
        t(`errors.codes.${code}.admin` as "errors.codes.timeout.admin", values),
      );
      await expect(admin).toContainText(String(status));
      await expect(admin).toContainText(/sim-\d+-[0-9a-f]{8}/);
      // Fixed in the relay's console (no SORA_CONSOLE_URL here: the base URL's origin).
      const consoleLink = failure.getByRole("link", { name: t("generator.failure.openConsole") });
      if (code === "gateway_timeout") await expect(consoleLink).toHaveCount(0);
      else await expect(consoleLink).toHaveAttribute("href", `http://${SIM_HOST}`);
      await expect(
        failure.getByRole("link", { name: t("generator.failure.diagnostics") }),
      ).toHaveAttribute("href", "/diagnostics");
      if (code === "insufficient_quota") {
        // Retrying before a top-up fails the same way: Retry waits until the user says so.
        await expect(generator.retryButton(failure)).toHaveCount(0);
        await failure.getByRole("button", { name: t("generator.failure.toppedUp") }).click();
      }
      await expect(generator.retryButton(failure)).toBeEnabled();
      // What the job reached decides whether a retry may pay twice; the card follows the job's flag.
      const { mayBeBilled, upstreamId } = (await (
        await page.request.get(`/api/videos/${await generator.jobId(prompt)}`)
      ).json()) as { mayBeBilled?: boolean; upstreamId?: string };
      const billedNote = failure.getByText(
        t(upstreamId ? "generator.failure.mayBeBilled" : "generator.failure.mayBeBilledNoId"),
      );
      await expect(billedNote).toHaveCount(mayBeBilled ? 1 : 0);
      // Said once, if at all: not again in the cause or the hint.
      expect((await failure.innerText()).split("计费").length - 1).toBe(mayBeBilled ? 1 : 0);
      // "Check again" leads when the upstream knows the job by id; it cannot be asked otherwise.
      if (mayBeBilled && upstreamId) {
        await expect(failure.getByRole("button").first()).toHaveAccessibleName(
          t("generator.failure.checkAgain"),
        );
      } else {
        await expect(generator.checkAgainButton(failure)).toHaveCount(0);
      }

      await failure.getByRole("button", { name: t("generator.failure.copyDetails") }).click();
      // The button says "copied" only for a moment: assert what ends up on the clipboard instead.
      const readClipboard = () => page.evaluate(() => navigator.clipboard.readText());
      await expect.poll(readClipboard).toContain(`${t("generator.failure.labels.code")}: ${code}`);
      const copied = await readClipboard();
      const jobId = await generator.jobId(prompt);
      expect(copied).toContain(`${t("generator.failure.labels.code")}: ${code}`);
      expect(copied).toContain(jobId);
      expect(copied).toContain(String(status));
      expect(copied).toMatch(/req_\w+/);
      expect(copied).not.toMatch(/sk-[A-Za-z0-9]{6,}/);
    });
  }

  test("Retry creates a new job linked to the failed one", async ({ generator }) => {
    const t = generator.t;
    // The simulator fails only the first create of this prompt.
    const prompt = uniquePrompt("a snowy owl turns its head", "[[sim:no_channel*1]]");
    const failed = await generator.submit(prompt);
    const retry = generator.retryButton(generator.failure(failed));
    await expect(retry).toBeVisible();
    // The create never reached the upstream: Retry leads and needs no confirmation.
    await expect(generator.checkAgainButton(failed)).toHaveCount(0);
    const failedId = await generator.jobId(prompt);
    await retry.click();
    await expect(generator.retryConfirmDialog).toHaveCount(0);
    const retried = generator.current.getByRole("article", { name: prompt }).filter({
      hasText: t("generator.job.retryOf", { id: failedId }),
    });
    await generator.expectPlayable(retried);
    // The retry replaced the failed card in this session; both stay in the history.
    await expect(generator.current.getByRole("article", { name: prompt })).toHaveCount(1);
    await expect(generator.history.getByRole("article", { name: prompt })).toHaveCount(2);
  });
});

test.describe("generator: resume and history", () => {
  test("reload mid-generation resumes the stream; history survives another reload", async ({
    page,
    generator,
  }) => {
    // speed=1: ~20 s, long enough to reload in the middle.
    const prompt = uniquePrompt("slow dolly shot through a bamboo forest", "[[sim:speed=1]]");
    const card = await generator.submit(prompt);
    await expect
      .poll(async () => Number(await generator.progressBar(card).getAttribute("aria-valuenow")), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    const jobId = await generator.jobId(prompt);

    await page.reload();
    const resumed = generator.jobCard(prompt);
    await expect(resumed).toBeVisible();
    await generator.expectPlayable(resumed);
    expect(
      generator.consoleLines.some((l) => l.startsWith(`[Sora2] ${jobId} resuming after event #`)),
    ).toBe(true);

    await page.reload();
    const item = generator.historyItem(prompt);
    await expect(item).toBeVisible();
    await expect(generator.stateBadge(item, "completed")).toBeVisible();
  });

  test("history: open details, download link, delete", async ({ page, generator }) => {
    const t = generator.t;
    const prompt = uniquePrompt("macro shot of dew on a leaf");
    await generator.expectPlayable(await generator.submit(prompt));

    const item = generator.historyItem(prompt);
    await expect(generator.stateBadge(item, "completed")).toBeVisible();
    await expect(item.getByRole("link", { name: t("generator.history.download") })).toHaveAttribute(
      "download",
      /\.mp4$/,
    );
    await item.getByRole("button", { name: t("generator.history.open") }).click();
    const dialog = page.getByRole("dialog", { name: t("generator.history.dialogTitle") });
    await expect(dialog).toBeVisible();
    await expect(dialog.locator("video")).toHaveAttribute("src", /\/api\/videos\/job_\w+\/content/);
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();

    await item.getByRole("button", { name: t("generator.history.delete") }).click();
    await expect(item).toHaveCount(0);
    await expect(generator.jobCard(prompt)).toHaveCount(0);
    await page.reload();
    await expect(generator.history).toBeVisible();
    await expect(generator.historyItem(prompt)).toHaveCount(0);
  });
});

async function englishDarkPage(
  browser: import("@playwright/test").Browser,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: "en", colorScheme: "dark" });
  const page = await context.newPage();
  return { context, page };
}

test.describe("generator: languages, themes, small screens", () => {
  test("English and dark theme: no missing strings, no console errors", async ({ browser }) => {
    const { context, page } = await englishDarkPage(browser);
    const errors = watchConsoleErrors(page);
    const generator = new GeneratorPage(page, "en");
    await generator.goto();
    await page.getByRole("group", { name: "Theme" }).getByRole("radio", { name: "Dark" }).click();
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");

    const done = await generator.submit(uniquePrompt("a paper plane over a city"));
    const failedPrompt = uniquePrompt("a kite", "[[sim:no_channel]]");
    const failed = await generator.submit(failedPrompt);
    await generator.expectPlayable(done);
    await expect(failed.getByRole("alert")).toContainText(
      generator.t("errors.codes.no_available_channel.hint", {
        model: "sora_video2",
        host: SIM_HOST,
      }),
    );
    await expect(generator.historyItem(failedPrompt)).toBeVisible();

    expect(await page.locator("body").innerText()).not.toMatch(MISSING_KEY);
    // Nothing Chinese is left in the interface (user prompts and upstream texts are marked
    // translate="no"; the language switch names 中文 in its own language).
    const chrome = await interfaceText(page);
    expect(chrome).toContain("Generate video");
    expect(chrome).not.toMatch(/[\u4e00-\u9fff]/);
    expect(errors).toEqual([]);
    await context.close();
  });

  test("Chinese page has no missing strings either", async ({ page }) => {
    const errors = watchConsoleErrors(page);
    const generator = new GeneratorPage(page);
    await generator.goto();
    const text = await page.locator("body").innerText();
    expect(text).not.toMatch(MISSING_KEY);
    expect(errors).toEqual([]);
  });

  test("375 px wide: no horizontal scroll, with a finished and a failed job", async ({
    browser,
  }) => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 },
      locale: "zh-CN",
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const generator = new GeneratorPage(page);
    await generator.goto();
    const noOverflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await noOverflow()).toBe(true);
    const done = await generator.submit(
      uniquePrompt("一只白鹭掠过稻田，清晨薄雾，航拍长镜头，缓慢推进"),
    );
    const failedPrompt = uniquePrompt("a kite", "[[sim:gateway_524]]");
    const failed = await generator.submit(failedPrompt);
    await generator.expectPlayable(done);
    await expect(failed.getByRole("alert")).toBeVisible();
    await expect(generator.historyItem(failedPrompt)).toBeVisible();
    expect(await noOverflow()).toBe(true);
    await context.close();
  });
});
