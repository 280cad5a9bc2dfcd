import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { GeneratorWorkspace } from "@/components/generator/generator-workspace";
import { LinkAccessProvider } from "@/components/link-access";
import { PageHeader } from "@/components/page-header";
import { PageMessages } from "@/components/page-messages";
import { PAGE_MESSAGES } from "@/lib/i18n/client-messages";
import { accessGateEnabled } from "@/lib/server/access";
import { appMode } from "@/lib/server/app-mode";
import { getConfig } from "@/lib/server/config";
import { requirePageSession } from "@/lib/server/page-access";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("pages");
  return { title: t("generateTitle") };
}

export default async function GeneratePage() {
  await requirePageSession("/");
  const t = await getTranslations("pages");
  return (
    <>
      <PageHeader title={t("generateTitle")} subtitle={t("generateSubtitle")} />
      <PageMessages namespaces={PAGE_MESSAGES.generator}>
        <LinkAccessProvider loginRequired={accessGateEnabled()}>
          <GeneratorWorkspace
            demo={appMode() === "demo"}
            maxImageBytes={getConfig().maxImageBytes}
          />
        </LinkAccessProvider>
      </PageMessages>
    </>
  );
}
