import { expect, type Locator, type Page } from "@playwright/test";
import en from "@/lib/i18n/messages/en/diagnostics.json";
import zh from "@/lib/i18n/messages/zh-CN/diagnostics.json";
import type { CheckId, CheckStatus } from "@/lib/contracts/diagnostics";

export type DiagnosticsLocale = "zh-CN" | "en";

const TEXTS = { "zh-CN": zh, en } as const;
const TITLES = { "zh-CN": "诊断", en: "Diagnostics" } as const;

/** The `/diagnostics` dashboard, addressed by roles and accessible names in either language. */
export class DiagnosticsPage {
  readonly text: (typeof TEXTS)[DiagnosticsLocale];

  constructor(
    readonly page: Page,
    readonly locale: DiagnosticsLocale = "zh-CN",
  ) {
    this.text = TEXTS[locale];
  }

  async goto() {
    await this.page.goto("/diagnostics");
    await expect(this.heading).toBeVisible();
  }

  get heading(): Locator {
    return this.page.getByRole("heading", { level: 1, name: TITLES[this.locale] });
  }

  get runAgainButton(): Locator {
    return this.page.getByRole("button", { name: this.text.page.runAgain });
  }

  get copyReportButton(): Locator {
    return this.page.getByRole("button", { name: this.text.page.copyReport });
  }

  get generateButton(): Locator {
    return this.page.getByRole("button", { name: this.text.page.runGenerate });
  }

  get generateDialog(): Locator {
    return this.page.getByRole("dialog", { name: this.text.page.generateTitle });
  }

  get checkList(): Locator {
    return this.page.getByRole("list", { name: this.text.page.checksHeading });
  }

  get verdict(): Locator {
    return this.page.getByRole("region", { name: this.text.page.verdictHeading });
  }

  get copyStatus(): Locator {
    return this.page.getByRole("status").filter({ hasText: this.text.page.copied });
  }

  get incidentsTable(): Locator {
    return this.page.getByRole("table");
  }

  get incidentCounts(): Locator {
    return this.page.getByRole("list", { name: this.text.page.incidentCounts });
  }

  check(id: CheckId): Locator {
    return this.checkList.locator(`[data-check-id="${id}"]`);
  }

  /** Waits for the run's final verdict and returns it. */
  async finishedVerdict(): Promise<string> {
    await expect(this.verdict).toHaveAttribute("data-verdict", /^(pass|warn|fail|error)$/, {
      timeout: 30_000,
    });
    return (await this.verdict.getAttribute("data-verdict")) ?? "";
  }

  async expectCheck(id: CheckId, status: CheckStatus) {
    await expect(this.check(id)).toHaveAttribute("data-status", status);
  }
}
