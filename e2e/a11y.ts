import { expect, type Locator, type Page } from "@playwright/test";

/**
 * The focused element, and whether a focus indicator is drawn on it or on the label it sits in (the
 * segmented controls hide their native radio and ring the label): an outline, or a Tailwind
 * `ring-*` (a box-shadow layer with no offset and no blur, only spread), not transparent.
 */
async function focusIndicator(page: Page): Promise<{ element: string; visible: boolean }> {
  return page.evaluate(() => {
    const focused = document.activeElement;
    if (!focused || focused === document.body) return { element: "<body>", visible: false };
    if (focused instanceof HTMLMediaElement && focused.controls && !focused.matches(":focus")) {
      // On a button of the browser's own player controls (its closed shadow tree), which Chromium
      // rings itself; the page can neither see nor style it.
      return { element: "<video> controls", visible: true };
    }
    const transparent = (color: string) =>
      color === "transparent" || /rgba\(.*,\s*0\)$/.test(color) || /\/\s*0\)$/.test(color);
    const drawsRing = (node: Element) => {
      const style = getComputedStyle(node);
      if (style.opacity === "0" || style.visibility === "hidden") return false;
      const outline =
        style.outlineStyle !== "none" &&
        parseFloat(style.outlineWidth) > 0 &&
        !transparent(style.outlineColor);
      const ring = style.boxShadow.split(/,(?![^(]*\))/).some((layer) => {
        const match = /^(.*?)\s*0px 0px 0px ([\d.]+)px/.exec(layer.trim());
        return match !== null && Number(match[2]) > 0 && !transparent(match[1] ?? "");
      });
      return outline || ring;
    };
    const candidates = [focused, focused.closest("label")].filter((n): n is Element => n !== null);
    const name = focused.getAttribute("aria-label") ?? focused.textContent?.trim().slice(0, 40);
    return {
      element: `<${focused.tagName.toLowerCase()}> ${name ?? ""}`,
      visible: focused.matches(":focus-visible") && candidates.some(drawsRing),
    };
  });
}

/** The focus is on `target` (not lost to `<body>`) and the user can see where it is. */
export async function expectVisibleFocus(target: Locator): Promise<void> {
  await expect(target).toBeFocused();
  const { element, visible } = await focusIndicator(target.page());
  expect(visible, `a visible focus indicator on ${element}`).toBe(true);
}

/**
 * Presses Tab until `target` has the focus, checking at every stop on the way that the focus is
 * visible; returns how many presses it took.
 */
export async function tabTo(target: Locator, maxPresses = 20): Promise<number> {
  const page = target.page();
  for (let presses = 1; presses <= maxPresses; presses++) {
    await page.keyboard.press("Tab");
    const { element, visible } = await focusIndicator(page);
    expect(visible, `a visible focus indicator on ${element} (Tab ${presses})`).toBe(true);
    if (await target.evaluate((el) => el === document.activeElement)) return presses;
  }
  throw new Error(`Tab did not reach ${target.toString()} in ${maxPresses} presses`);
}

/** Elements whose text changes screen readers speak (ARIA live regions, explicit or by role). */
export const LIVE_REGION = '[aria-live], [role="status"], [role="alert"], [role="log"]';

/** Whether a screen reader would speak every change of `target`'s text. */
export function inLiveRegion(target: Locator): Promise<boolean> {
  return target.evaluate((el, selector) => el.closest(selector) !== null, LIVE_REGION);
}
