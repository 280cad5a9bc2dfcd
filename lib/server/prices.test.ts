import { describe, expect, it } from "vitest";
import { estimateCost, spendByDay } from "@/lib/contracts/cost";
import { formatMoney } from "@/lib/client/format";
import { parseConfig } from "./config";
import { problemsFor } from "./config-test-support";

describe("SORA_PRICES", () => {
  it("is an empty table when unset", () => {
    expect(parseConfig({}).prices).toEqual({});
  });

  it("parses model ids and families, currency codes upper-cased", () => {
    const config = parseConfig({
      SORA_PRICES: JSON.stringify({
        "sora-2": { perSecond: 0.1, currency: "usd" },
        kling: { perVideo: 1.2, currency: "CNY" },
      }),
    });
    expect(config.prices).toEqual({
      "sora-2": { perSecond: 0.1, currency: "USD" },
      kling: { perVideo: 1.2, currency: "CNY" },
    });
  });

  it.each([
    ["{not json", /^SORA_PRICES: expected a JSON object such as \{/],
    ["[1,2]", /^SORA_PRICES: expected a JSON object such as \{/],
    [
      `{"sora-2":{"currency":"USD"}}`,
      /^SORA_PRICES: expected perSecond and\/or perVideo at sora-2$/,
    ],
    [
      `{"sora-2":{"perSecond":-1,"currency":"USD"}}`,
      /^SORA_PRICES: expected a number ≥ 0 at sora-2\.perSecond$/,
    ],
    [
      `{"sora-2":{"perSecond":"0.1","currency":"USD"}}`,
      /^SORA_PRICES: expected a number ≥ 0 at sora-2\.perSecond$/,
    ],
    [
      `{"sora-2":{"perVideo":1,"currency":"dollars"}}`,
      /^SORA_PRICES: expected a currency code such as USD or CNY at sora-2\.currency$/,
    ],
    [`{"sora-2":{"perVideo":1}}`, /^SORA_PRICES: .*at sora-2\.currency$/],
    [
      `{"sora-2":{"perVideo":1,"currency":"USD","extra":1}}`,
      /^SORA_PRICES: expected \{perSecond\?, perVideo\?, currency\}/,
    ],
  ])("refuses %s with a clear message", (value, message) => {
    const problems = problemsFor({ SORA_PRICES: value });
    expect(problems[0]).toMatch(message);
  });
});

describe("estimateCost", () => {
  const usd = (p: object) => ({ currency: "USD", ...p });
  it.each([
    [usd({ perSecond: 0.1 }), "8", 1, 0.8],
    [usd({ perVideo: 0.4 }), "8", 1, 0.4],
    [usd({ perVideo: 0.4 }), undefined, 3, 1.2],
    [usd({ perSecond: 0.05, perVideo: 0.2 }), "10", 2, 1.4],
  ])("%o × %s s × %i = %f", (price, seconds, count, amount) => {
    expect(estimateCost(price, seconds, count)).toEqual({
      amount,
      currency: "USD",
      estimated: true,
    });
  });

  it("has no estimate per second without a duration, nor without a price", () => {
    expect(estimateCost(usd({ perSecond: 0.1 }), undefined)).toBeUndefined();
    expect(estimateCost(undefined, "8")).toBeUndefined();
  });
});

describe("formatMoney", () => {
  it("uses the narrow symbol in both languages", () => {
    expect(formatMoney(1.2, "CNY", "zh-CN")).toBe("¥1.20");
    expect(formatMoney(1.2, "CNY", "en")).toBe("¥1.20");
    expect(formatMoney(0.4, "USD", "zh-CN")).toBe("$0.40");
  });
});

describe("spendByDay", () => {
  it("adds completed jobs per day and currency, newest first", () => {
    const cost = (amount: number, currency = "USD") => ({ amount, currency, estimated: true });
    const days = spendByDay(
      [
        { createdAt: "2026-12-01T10:00:00Z", state: "completed", cost: cost(0.4) },
        { createdAt: "2026-12-02T10:00:00Z", state: "completed", cost: cost(0.4) },
        { createdAt: "2026-12-02T11:00:00Z", state: "completed", cost: cost(0.8) },
        { createdAt: "2026-12-02T12:00:00Z", state: "failed", cost: cost(5) },
        { createdAt: "2026-12-02T13:00:00Z", state: "completed", cost: cost(1.2, "CNY") },
        { createdAt: "2026-12-02T14:00:00Z", state: "completed" },
      ],
      (iso) => iso.slice(0, 10),
    );
    expect(days).toEqual([
      {
        day: "2026-12-02",
        totals: [
          { currency: "USD", amount: 1.2, estimated: true },
          { currency: "CNY", amount: 1.2, estimated: true },
        ],
      },
      { day: "2026-12-01", totals: [{ currency: "USD", amount: 0.4, estimated: true }] },
    ]);
  });
});
