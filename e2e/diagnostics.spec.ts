import {
  CHECK_IDS,
  diagnosticsReportSchema,
  incidentsResponseSchema,
} from "@/lib/contracts/diagnostics";
import type { Job } from "@/lib/contracts/job";
import { E2E_FAKE_KEY } from "../playwright.config";
import { HEALTHY_SIMULATOR_CHECKS } from "../tests/helpers/diagnostics";
import { expect, test } from "./fixtures";
import { DiagnosticsPage } from "./pages/diagnostics-page";

test.describe("diagnostics dashboard", () => {
  test("runs every check on open and shows the verdict (zh-CN)", async ({ page }) => {
    const diagnostics = new DiagnosticsPage(page, "zh-CN");
    await diagnostics.goto();
    expect(await diagnostics.finishedVerdict()).toBe("pass");
    await expect(diagnostics.verdict).toContainText(diagnostics.text.verdict.pass);
    await expect(diagnostics.checkList.getByRole("listitem")).toHaveCount(CHECK_IDS.length);
    for (const [id, status] of Object.entries(HEALTHY_SIMULATOR_CHECKS)) {
      await diagnostics.expectCheck(id as (typeof CHECK_IDS)[number], status);
    }
    await expect(diagnostics.check("auth")).toContainText("密钥认证");
    await expect(diagnostics.check("api.call")).toContainText("已路由且已授权");
    // The effective configuration shows the key masked, never whole.
    await expect(
      page.getByText(`${E2E_FAKE_KEY.slice(0, 6)}…${E2E_FAKE_KEY.slice(-3)}`).first(),
    ).toBeVisible();
    await expect(page.locator("body")).not.toContainText(E2E_FAKE_KEY);
  });

  test("speaks English when the browser asks for it", async ({ browser }) => {
    const context = await browser.newContext({ locale: "en" });
    const page = await context.newPage();
    const diagnostics = new DiagnosticsPage(page, "en");
    await diagnostics.goto();
    expect(await diagnostics.finishedVerdict()).toBe("pass");
    await expect(diagnostics.verdict).toContainText("All checks passed");
    await expect(diagnostics.check("api.call")).toContainText("routed and authorized");
    await expect(diagnostics.check("generate")).toContainText("not requested");
    await expect(page.getByRole("heading", { name: "Effective configuration" })).toBeVisible();
    await context.close();
  });

  test("runs again on the button", async ({ page }) => {
    const diagnostics = new DiagnosticsPage(page);
    await diagnostics.goto();
    await diagnostics.finishedVerdict();
    const runs = page.waitForResponse(
      (r) => r.url().endsWith("/api/diagnostics") && r.status() === 200,
    );
    await diagnostics.runAgainButton.click();
    await runs;
    expect(await diagnostics.finishedVerdict()).toBe("pass");
  });

  test("copies a plain-text support report with the key masked", async ({ browser, baseURL }) => {
    const context = await browser.newContext({ locale: "zh-CN" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    const page = await context.newPage();
    const diagnostics = new DiagnosticsPage(page);
    await diagnostics.goto();
    await diagnostics.finishedVerdict();
    await diagnostics.copyReportButton.click();
    await expect(diagnostics.copyStatus).toBeVisible();
    const text = await page.evaluate(() => navigator.clipboard.readText());
    expect(text).toContain("Sora Studio 诊断");
    expect(text).toContain("✓ 密钥认证");
    expect(text).toContain("结论：全部检查通过");
    expect(text).toContain("SORA_API_STYLE=auto");
    expect(text).toContain(`${E2E_FAKE_KEY.slice(0, 6)}…${E2E_FAKE_KEY.slice(-3)}`);
    expect(text).not.toContain(E2E_FAKE_KEY);
    await context.close();
  });

  test("shows a failed generation among the recent upstream incidents", async ({
    page,
    request,
  }) => {
    const created = await request.post("/api/videos", {
      headers: { accept: "application/json" },
      data: { prompt: `[[sim:no_channel]] test ${Date.now()}` },
    });
    expect(created.status()).toBe(202);
    const { job } = (await created.json()) as { job: Job };
    await expect
      .poll(
        async () => ((await (await request.get(`/api/videos/${job.id}`)).json()) as Job).state,
        {
          timeout: 20_000,
        },
      )
      .toBe("failed");

    const incidents = incidentsResponseSchema.parse(
      await (await request.get("/api/incidents")).json(),
    );
    expect(incidents.counts.no_available_channel).toBeGreaterThanOrEqual(1);

    const diagnostics = new DiagnosticsPage(page);
    await diagnostics.goto();
    await expect(diagnostics.incidentCounts).toContainText("no_available_channel");
    const row = diagnostics.incidentsTable
      .getByRole("row")
      .filter({ hasText: "no_available_channel" });
    await expect(row.first()).toContainText("create");
    await expect(row.first()).toContainText("503");
  });

  test("asks before the billed generation, and runs it on confirmation", async ({ page }) => {
    const diagnostics = new DiagnosticsPage(page);
    await diagnostics.goto();
    await diagnostics.finishedVerdict();
    await diagnostics.generateButton.click();
    await expect(diagnostics.generateDialog).toBeVisible();
    await expect(diagnostics.generateDialog).toContainText("费用");
    await diagnostics.generateDialog
      .getByRole("button", { name: diagnostics.text.page.generateCancel })
      .click();
    await expect(diagnostics.generateDialog).toBeHidden();
    await diagnostics.expectCheck("generate", "skip");

    await diagnostics.generateButton.click();
    await diagnostics.generateDialog
      .getByRole("button", { name: diagnostics.text.page.generateConfirm })
      .click();
    await expect(diagnostics.check("generate")).toHaveAttribute("data-status", "pass", {
      timeout: 45_000,
    });
    expect(await diagnostics.finishedVerdict()).toBe("pass");
  });
});

test.describe("GET /api/diagnostics", () => {
  test("returns the report as JSON in the shared schema, key masked", async ({ request }) => {
    const response = await request.get("/api/diagnostics", {
      headers: { "accept-language": "en" },
    });
    expect(response.status()).toBe(200);
    const body = await response.text();
    expect(body).not.toContain(E2E_FAKE_KEY);
    const report = diagnosticsReportSchema.parse(JSON.parse(body));
    expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(report.verdict.status).toBe("pass");
    expect(report.locale).toBe("en");
  });

  test("streams one check event per check, then the report", async ({ request }) => {
    const response = await request.get("/api/diagnostics", {
      headers: { accept: "text/event-stream" },
    });
    expect(response.headers()["content-type"]).toContain("text/event-stream");
    const body = await response.text();
    expect(body).not.toContain(E2E_FAKE_KEY);
    const events = [...body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events.filter((e) => e === "check")).toHaveLength(CHECK_IDS.length);
    expect(events.at(-1)).toBe("report");
  });
});
