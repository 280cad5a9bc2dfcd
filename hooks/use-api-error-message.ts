"use client";

import { useTranslations } from "next-intl";
import { useCallback } from "react";
import { apiErrorMessage } from "@/lib/client/api";

/** `apiErrorMessage` with the reader's language for the failures that bring no envelope. */
export function useApiErrorMessage(): (error: unknown) => string {
  const t = useTranslations("apiError");
  return useCallback(
    (error: unknown) =>
      apiErrorMessage(error, {
        unreachable: t("unreachable"),
        unreadable: (status) => t("unreadable", { status }),
      }),
    [t],
  );
}
