import { expect, test } from "./fixtures";
import { healthSchema } from "@/lib/contracts/health";

test.describe("layout and languages", () => {
  test("answers in Chinese when the browser names no language we have", async ({ request }) => {
    const html = await (await request.get("/", { headers: { "Accept-Language": "fr-FR" } })).text();
    expect(html).toContain('<html lang="zh-CN"');
    expect(html).toContain("生成视频");
  });

  test("renders in Chinese by default", async ({ page }) => {
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("heading", { level: 1, name: "生成视频" })).toBeVisible();
    const nav = page.getByRole("navigation", { name: "主导航" });
    await expect(nav.getByRole("link", { name: "生成" })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "诊断" })).toBeVisible();
  });

  test("renders in English for Accept-Language: en", async ({ browser }) => {
    // Playwright sends the context locale as Accept-Language.
    const context = await browser.newContext({ locale: "en" });
    const page = await context.newPage();
    await page.goto("/diagnostics");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { level: 1, name: "Diagnostics" })).toBeVisible();
    await expect(page).toHaveTitle(/Diagnostics · Sora Studio/);
    await context.close();
  });

  test("the language switch changes the language and remembers it", async ({ page }) => {
    await page.goto("/");
    const switcher = page.getByRole("group", { name: "语言" });
    await switcher.getByRole("radio", { name: "English" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Generate a video" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "Generate a video" })).toBeVisible();
    await page
      .getByRole("group", { name: "Language" })
      .getByRole("radio", { name: "中文" })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: "生成视频" })).toBeVisible();
  });

  test("the theme switch applies dark, light and system", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto("/");
    const html = page.locator("html");
    const themes = page.getByRole("group", { name: "主题" });
    await themes.getByRole("radio", { name: "深色" }).click();
    await expect(html).toHaveClass(/\bdark\b/);
    await expect(themes.getByRole("radio", { name: "深色" })).toBeChecked();
    // Real radios: arrow keys move the choice.
    await page.keyboard.press("ArrowRight");
    await expect(themes.getByRole("radio", { name: "跟随系统" })).toBeChecked();
    await page.keyboard.press("ArrowLeft");
    await expect(themes.getByRole("radio", { name: "深色" })).toBeChecked();
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.reload();
    await expect(html).toHaveClass(/\bdark\b/);
    await themes.getByRole("radio", { name: "浅色" }).click();
    await expect(html).not.toHaveClass(/\bdark\b/);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(
      background,
    );
    await page.emulateMedia({ colorScheme: "dark" });
    await themes.getByRole("radio", { name: "跟随系统" }).click();
    await expect(html).toHaveClass(/\bdark\b/);
  });
});

test("an unknown page answers 404 in the product's voice, with the way back and to diagnostics", async ({
  page,
}) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByText("没有这个页面")).toBeVisible();
  await expect(page.getByRole("link", { name: "回到生成页" })).toHaveAttribute("href", "/");
  await page.getByRole("link", { name: "打开诊断" }).click();
  await expect(page).toHaveURL(/\/diagnostics$/);
});

test("GET /api/health answers valid health+json without calling the upstream", async ({
  request,
}) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/health+json");
  expect(response.headers()["cache-control"]).toBe("no-store");
  const body = healthSchema.parse(await response.json());
  expect(body.status).toBe("pass");
  const key = body.checks["config:apiKey"]?.[0]?.observedValue;
  expect(key).toMatch(/^sk-e2e…/);
  expect(JSON.stringify(body)).not.toMatch(/sk-e2e-Lk9Q/);
});

test("pages carry a nonce-based CSP and the security headers", async ({ request }) => {
  const first = await request.get("/");
  const second = await request.get("/");
  const csp = first.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  for (const directive of [
    "connect-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ]) {
    expect(csp).toContain(directive);
  }
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(second.headers()["content-security-policy"]).not.toContain(nonce);
  expect(await first.text()).toContain(`nonce="${nonce}"`);
  for (const response of [first, await request.get("/api/health")]) {
    expect(response.headers()["x-content-type-options"]).toBe("nosniff");
    expect(response.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  }
});
