import { expect, type Locator, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import type { Job } from "@/lib/contracts/job";
import type { Locale } from "@/lib/i18n/config";
import { translator } from "@/lib/i18n/translate";
import { makePng } from "@/simulator/png";

/** A prompt no other test (or earlier run) has used: the simulator counts faults per prompt. */
export function uniquePrompt(text: string, directives = ""): string {
  return `${directives ? `${directives} ` : ""}${text} ${randomUUID().slice(0, 8)}`;
}

/** The generator page at `/`, addressed by roles and the accessible names of the message files. */
export class GeneratorPage {
  readonly t: ReturnType<typeof translator>;
  readonly consoleLines: string[] = [];

  constructor(
    readonly page: Page,
    readonly locale: Locale = "zh-CN",
  ) {
    this.t = translator(locale);
    page.on("console", (message) => this.consoleLines.push(message.text()));
  }

  async goto(): Promise<void> {
    await this.page.goto("/");
    await expect(this.heading).toBeVisible();
    // Controls are disabled until hydration and the model list: wait for a usable form.
    await expect(this.modelSelect).toBeEnabled();
  }

  get heading(): Locator {
    return this.page.getByRole("heading", { level: 1, name: this.t("pages.generateTitle") });
  }

  get prompt(): Locator {
    return this.page.getByRole("textbox", { name: this.t("generator.compose.promptLabel") });
  }

  get modelSelect(): Locator {
    return this.page.getByRole("combobox", {
      name: this.t("generator.compose.modelLabel"),
      exact: true,
    });
  }

  get imageInput(): Locator {
    return this.page.getByLabel(this.t("generator.compose.imageLabel"), { exact: true });
  }

  /** The preview of the prepared reference image, named by the frame it was cropped to. */
  imagePreview(size: string): Locator {
    return this.page.getByRole("img", {
      name: this.t("generator.compose.imagePreviewAlt", { size }),
    });
  }

  /** Picks an option of a radio group (duration, frame) by the group's and the option's names. */
  async choose(group: string, option: string): Promise<void> {
    const radio = this.page
      .getByRole("group", { name: group })
      .getByRole("radio", { name: option });
    await radio.check();
    await expect(radio).toBeChecked();
  }

  /** The duration radio for `seconds` as the form offers them ("4", "8", …). */
  durationOption(seconds: string): Locator {
    return this.page
      .getByRole("group", { name: this.t("generator.compose.durationLabel") })
      .getByRole("radio", { name: this.t("generator.compose.durationValue", { seconds }) });
  }

  async chooseDuration(seconds: string): Promise<void> {
    await this.choose(
      this.t("generator.compose.durationLabel"),
      this.t("generator.compose.durationValue", { seconds }),
    );
  }

  /** Picks a frame by its option's name ("横屏 16:9 · 1280×720"). */
  async chooseSize(option: string): Promise<void> {
    await this.choose(this.t("generator.compose.sizeLabel"), option);
  }

  /** Attaches a generated `width`×`height` PNG as the reference image. */
  async attachPng(name: string, width: number, height: number): Promise<void> {
    await this.imageInput.setInputFiles({
      name,
      mimeType: "image/png",
      buffer: makePng(width, height),
    });
  }

  get generateButton(): Locator {
    return this.page.getByRole("button", { name: this.t("generator.compose.submit") });
  }

  get current(): Locator {
    return this.page.getByRole("region", { name: this.t("generator.current.title") });
  }

  get history(): Locator {
    return this.page.getByRole("region", { name: this.t("generator.history.title") });
  }

  /** The card of a job in the "current" panel, found by its prompt. */
  jobCard(prompt: string): Locator {
    return this.current.getByRole("article", { name: prompt });
  }

  historyItem(prompt: string): Locator {
    return this.history.getByRole("article", { name: prompt });
  }

  progressBar(card: Locator): Locator {
    return card.getByRole("progressbar", { name: this.t("generator.job.progressLabel") });
  }

  video(card: Locator): Locator {
    return card.locator("video");
  }

  stateBadge(
    card: Locator,
    state: "queued" | "submitting" | "running" | "completed" | "failed" | "canceled",
  ): Locator {
    // The phase line may say the same word as the badge; the badge is the one asked for.
    return card
      .getByText(this.t(`generator.state.${state}`), { exact: true })
      .and(card.locator(':not([data-testid="job-phase"])'));
  }

  async submit(
    prompt: string,
    options: { model?: string; via?: "click" | "shortcut" } = {},
  ): Promise<Locator> {
    await this.prompt.fill(prompt);
    if (options.model) await this.modelSelect.selectOption(options.model);
    if (options.via === "shortcut") await this.prompt.press("Control+Enter");
    else await this.generateButton.click();
    const card = this.jobCard(prompt);
    await expect(card).toBeVisible();
    return card;
  }

  /** Waits until the card's video can play: metadata and a first frame decoded, duration known. */
  async expectPlayable(card: Locator): Promise<void> {
    const video = this.video(card);
    await expect(video).toBeVisible({ timeout: 45_000 });
    await expect
      .poll(
        () =>
          video.evaluate((v: HTMLVideoElement) => ({
            ready: v.readyState >= 2,
            duration: Number.isFinite(v.duration) && v.duration > 0,
          })),
        { timeout: 20_000 },
      )
      .toEqual({ ready: true, duration: true });
  }

  /** The failure part of a job card (or of the history details). */
  failure(container: Locator): Locator {
    return container.getByRole("alert");
  }

  checkAgainButton(container: Locator): Locator {
    return container.getByRole("button", { name: this.t("generator.failure.checkAgain") });
  }

  retryButton(container: Locator): Locator {
    return container.getByRole("button", { name: this.t("generator.failure.retry"), exact: true });
  }

  /** The "may be billed again" confirmation a retry of a possibly billed job asks first. */
  get retryConfirmDialog(): Locator {
    return this.page.getByRole("dialog", { name: this.t("generator.failure.confirmRetryTitle") });
  }

  /** Console groups the page wrote for a job (`[Sora2] job_… …`). */
  jobLogs(jobId: string): string[] {
    return this.consoleLines.filter((line) => line.startsWith(`[Sora2] ${jobId}`));
  }

  cancelButton(card: Locator): Locator {
    return card.getByRole("button", { name: this.t("generator.cancel.action"), exact: true });
  }

  /** The job of a prompt, from the public history API. */
  async job(prompt: string): Promise<Job> {
    const response = await this.page.request.get("/api/videos?limit=100");
    const { jobs } = (await response.json()) as { jobs: Job[] };
    const job = jobs.find((j) => j.prompt === prompt);
    if (!job) throw new Error(`no job for prompt ${prompt}`);
    return job;
  }

  async jobId(prompt: string): Promise<string> {
    return (await this.job(prompt)).id;
  }
}
