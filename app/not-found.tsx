import { Compass } from "lucide-react";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClasses } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

/** Any unknown page: say so in the product's voice and offer the way back. */
export default async function NotFound() {
  const t = await getTranslations("fallbackPages");
  return (
    <EmptyState icon={Compass} title={t("notFoundTitle")} className="mt-10">
      <p>{t("notFoundBody")}</p>
      <div className="mt-4 flex flex-wrap justify-center gap-2">
        <Link href="/" className={buttonClasses()}>
          {t("toGenerator")}
        </Link>
        <Link href="/diagnostics" className={buttonClasses({ variant: "secondary" })}>
          {t("toDiagnostics")}
        </Link>
      </div>
    </EmptyState>
  );
}
