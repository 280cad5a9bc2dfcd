import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "@/components/page-header";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("pages");
  return { title: t("generateTitle") };
}

export default async function GeneratePage() {
  const t = await getTranslations("pages");
  return <PageHeader title={t("generateTitle")} subtitle={t("generateSubtitle")} />;
}
