import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DiagnosticsDashboard } from "@/components/diagnostics/diagnostics-dashboard";
import { PageHeader } from "@/components/page-header";
import { dashboardConfig } from "@/lib/server/diagnostics/service";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("pages");
  return { title: t("diagnosticsTitle") };
}

export default async function DiagnosticsPage() {
  const t = await getTranslations("pages");
  return (
    <>
      <PageHeader title={t("diagnosticsTitle")} subtitle={t("diagnosticsSubtitle")} />
      <DiagnosticsDashboard config={dashboardConfig()} />
    </>
  );
}
