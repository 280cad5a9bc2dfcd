"use client";

import { CloudLightning } from "lucide-react";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useRelayWeather } from "@/hooks/use-job-diagnosis";
import { Alert } from "@/components/ui/alert";

/**
 * Relay weather (issue 14): from the server's recent upstream creates, a banner while the relay is
 * saturated or failing; it goes away as soon as creates succeed again.
 */
export function RelayWeatherBanner() {
  const t = useTranslations("diagnosis.weather");
  const { data } = useRelayWeather();
  if (!data || data.status === "ok") return null;
  const values = { failed: data.failed, total: data.creates, window: data.windowMinutes };
  return (
    <Alert tone="warning" role="status" data-testid="relay-weather" className="flex gap-2">
      <CloudLightning aria-hidden className="mt-0.5 size-4 shrink-0" />
      <p>
        {data.status === "saturated" ? t("saturated", values) : t("failing", values)}{" "}
        <Link href="/diagnostics" className="underline">
          {t("dashboard")}
        </Link>
      </p>
    </Alert>
  );
}

/** Before Generate: the chosen model's most recent create found no channel on the relay. */
export function NoChannelWarning({ model }: { model: string | undefined }) {
  const t = useTranslations("diagnosis.weather");
  const { data } = useRelayWeather();
  if (!model || !data?.noChannelModels.includes(model)) return null;
  return (
    <Alert tone="warning" data-testid="no-channel-warning">
      {t("noChannel", { model })}
    </Alert>
  );
}
