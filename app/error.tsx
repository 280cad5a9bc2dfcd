"use client";

import { TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { Button, buttonClasses } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

/** A page that failed to render: no stack trace, a way to try again, and the diagnostics link. */
export default function PageError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  const t = useTranslations("fallbackPages");
  return (
    <EmptyState icon={TriangleAlert} title={t("errorTitle")} className="mt-10">
      <p>{t("errorBody")}</p>
      {error.digest ? (
        <p className="mt-2 font-mono text-xs">{t("errorReference", { digest: error.digest })}</p>
      ) : null}
      <div className="mt-4 flex flex-wrap justify-center gap-2">
        <Button onClick={reset}>{t("tryAgain")}</Button>
        <Link href="/diagnostics" className={buttonClasses({ variant: "secondary" })}>
          {t("toDiagnostics")}
        </Link>
      </div>
    </EmptyState>
  );
}
