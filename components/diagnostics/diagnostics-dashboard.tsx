"use client";

import { ClipboardCopy, Play, RotateCw } from "lucide-react";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { withReadableMs } from "@/lib/client/format";
import type { EffectiveConfig } from "@/lib/contracts/diagnostics";
import type { reportToText } from "@/lib/diagnostics/report-text";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import { useCopy } from "@/hooks/use-copy";
import { useDiagnosticsIncidents } from "@/hooks/use-diagnostics-incidents";
import { useDiagnosticsRun } from "@/hooks/use-diagnostics";
import { useFormatDuration } from "@/hooks/use-format-duration";
import { useHydrated } from "@/hooks/use-hydrated";
import { CheckList } from "./check-list";
import { ConfigSummary } from "./config-summary";
import { FailedJobs } from "./failed-jobs";
import { GenerateDialog } from "./generate-dialog";
import { IncidentsPanel } from "./incidents-panel";
import { VerdictBanner } from "./verdict-banner";

/** `/diagnostics`: runs the checks on open and on demand, streaming each result as it finishes. */
export function DiagnosticsDashboard({ config }: { config: EffectiveConfig }) {
  const t = useTranslations("diagnostics");
  const formatMs = useFormatDuration();
  const hydrated = useHydrated();
  const { state, run } = useDiagnosticsRun();
  const incidents = useDiagnosticsIncidents();
  const { copy, status: copyStatus } = useCopy();
  const [confirming, setConfirming] = useState(false);
  const running = state.phase === "running";
  // The text renderer is only needed to copy a finished report: it loads after the page is up
  // and is in place long before a report is (copying must stay synchronous with the click).
  const [toText, setToText] = useState<typeof reportToText>();
  useEffect(() => {
    void import("@/lib/diagnostics/report-text").then((m) => setToText(() => m.reportToText));
  }, []);

  const copyReport = () => {
    if (!state.report || !toText) return;
    const text = toText(
      { ...state.report, config: state.report.config ?? config },
      withReadableMs(
        t as (key: string, values?: Record<string, string | number>) => string,
        formatMs,
      ),
      {
        incidents: incidents.data,
      },
    );
    void copy(text);
  };

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={() => run(false)} disabled={!hydrated || running}>
          {running ? <Spinner /> : <RotateCw aria-hidden />}
          {t("page.runAgain")}
        </Button>
        <Button
          variant="outline"
          onClick={copyReport}
          disabled={!hydrated || !state.report || !toText}
        >
          <ClipboardCopy aria-hidden />
          {t("page.copyReport")}
        </Button>
        <Button
          variant="ghost"
          onClick={() => setConfirming(true)}
          disabled={!hydrated || running || !config.keyConfigured}
        >
          <Play aria-hidden />
          {t("page.runGenerate")}
        </Button>
        <span role="status" className="text-sm text-muted">
          {copyStatus === "copied"
            ? t("page.copied")
            : copyStatus === "failed"
              ? t("page.copyFailed")
              : ""}
        </span>
      </div>

      <VerdictBanner
        report={state.report}
        checks={state.checks}
        running={running}
        error={state.error}
      />

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle id="diagnostics-checks-heading">{t("page.checksHeading")}</CardTitle>
          </CardHeader>
          <div className="py-2">
            <CheckList
              checks={state.checks}
              running={running}
              labelledBy="diagnostics-checks-heading"
            />
          </div>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("page.configHeading")}</CardTitle>
          </CardHeader>
          <CardContent>
            <ConfigSummary config={config} />
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>{t("page.incidentsHeading")}</CardTitle>
        </CardHeader>
        <CardContent>
          <IncidentsPanel data={incidents.data} error={incidents.error} />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t("failedJobs.heading")}</CardTitle>
        </CardHeader>
        <CardContent>
          <FailedJobs />
        </CardContent>
      </Card>

      <GenerateDialog
        open={confirming}
        model={config.defaultModel}
        baseUrl={config.baseUrl}
        demo={config.demoMode}
        onClose={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          run(true);
        }}
      />
    </div>
  );
}
