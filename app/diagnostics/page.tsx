import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DiagnosticsDashboard } from "@/components/diagnostics/diagnostics-dashboard";
import { PageHeader } from "@/components/page-header";
import { PageMessages } from "@/components/page-messages";
import { PAGE_MESSAGES } from "@/lib/i18n/client-messages";
import { Alert } from "@/components/ui/alert";
import { accessGateEnabled, listensOnLoopbackOnly } from "@/lib/server/access";
import { appMode } from "@/lib/server/app-mode";
import { dashboardConfig } from "@/lib/server/diagnostics/service";
import { requirePageSession } from "@/lib/server/page-access";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("pages");
  return { title: t("diagnosticsTitle") };
}

export default async function DiagnosticsPage() {
  await requirePageSession("/diagnostics");
  const t = await getTranslations("pages");
  const tAuth = await getTranslations("auth");
  // A real key behind a server anyone can reach is a key anyone can spend.
  const exposed = appMode() === "live" && !accessGateEnabled() && !listensOnLoopbackOnly();
  return (
    <>
      <PageHeader title={t("diagnosticsTitle")} subtitle={t("diagnosticsSubtitle")} />
      {exposed ? (
        <Alert tone="warning" role="alert" className="mb-4">
          {tAuth("exposedWarning")}
        </Alert>
      ) : null}
      <PageMessages namespaces={PAGE_MESSAGES.diagnostics}>
        <DiagnosticsDashboard config={dashboardConfig()} />
      </PageMessages>
    </>
  );
}
