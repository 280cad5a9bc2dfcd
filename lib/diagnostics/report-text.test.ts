import { describe, expect, it } from "vitest";
import type { DiagnosticsReport } from "@/lib/contracts/diagnostics";
import { diagnosticsT } from "@/lib/server/diagnostics/cli";
import { reportToText } from "./report-text";

const report: DiagnosticsReport = {
  version: "1.0.0",
  startedAt: "2026-12-03T10:00:00.000Z",
  durationMs: 20_039,
  target: { baseUrl: "http://relay.test/v1", keyMasked: "sk-…abcd" },
  checks: [
    {
      id: "network.dns",
      title: "DNS",
      status: "pass",
      durationMs: 350,
      observed: "relay.test → 10.0.0.1",
    },
  ],
  verdict: { status: "pass", nextSteps: [] },
};

describe("reportToText with the CLI's translator", () => {
  it.each([
    ["zh-CN", "20 秒", "350 毫秒", "20039"],
    ["en", "20 s", "350 ms", "20039"],
  ] as const)("%s: durations read as people say them", (locale, total, check, raw) => {
    const text = reportToText(report, diagnosticsT(locale));
    expect(text.split("\n")[0]).toContain(total);
    expect(text).toContain(check);
    expect(text).not.toContain(raw);
  });
});
