"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useFormatDuration } from "@/hooks/use-format-duration";
import type { IncidentsResponse } from "@/lib/contracts/diagnostics";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";

/** Recent upstream calls kept by the server, and how often each error code came up in the last hour. */
export function IncidentsPanel({ data, error }: { data?: IncidentsResponse; error?: unknown }) {
  const t = useTranslations("diagnostics");
  const format = useFormatter();
  const duration = useFormatDuration();
  if (error && !data) return <Alert tone="warning">{t("page.incidentsError")}</Alert>;
  if (!data) return <p className="text-sm text-muted">…</p>;
  const counts = Object.entries(data.counts).sort((a, b) => b[1] - a[1]);
  return (
    <div className="space-y-4">
      <div>
        <h3 id="diagnostics-incident-counts" className="text-sm font-medium text-soft">
          {t("page.incidentCounts")}
        </h3>
        {counts.length === 0 ? (
          <p className="mt-1 text-sm text-muted">{t("page.noErrors")}</p>
        ) : (
          <ul aria-labelledby="diagnostics-incident-counts" className="mt-2 flex flex-wrap gap-2">
            {counts.map(([code, n]) => (
              <li key={code}>
                <Badge tone="danger">
                  <span className="font-mono">{code}</span>
                  <span className="tabular-nums">×{n}</span>
                </Badge>
              </li>
            ))}
          </ul>
        )}
      </div>
      {data.calls.length === 0 ? (
        <p className="text-sm text-muted">{t("page.noIncidents")}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-line">
          <table className="w-full min-w-[44rem] text-left text-sm">
            <caption className="sr-only">
              {t("page.incidentsCaption", { count: data.calls.length })}
            </caption>
            <thead className="bg-subtle text-xs text-muted">
              <tr>
                {(
                  [
                    "time",
                    "operation",
                    "host",
                    "status",
                    "latency",
                    "attempt",
                    "code",
                    "requestId",
                  ] as const
                ).map((column) => (
                  <th key={column} scope="col" className="px-3 py-2 font-medium">
                    {t(`incidents.${column}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {data.calls.map((call, index) => (
                <tr key={`${call.at}-${index}`} data-code={call.code ?? "ok"}>
                  <td className="px-3 py-1.5 whitespace-nowrap tabular-nums">
                    {format.dateTime(new Date(call.at), { timeStyle: "medium" })}
                  </td>
                  <td className="px-3 py-1.5">{call.operation}</td>
                  <td className="px-3 py-1.5 font-mono text-xs">{call.host}</td>
                  <td className="px-3 py-1.5 tabular-nums">{call.status ?? "—"}</td>
                  <td className="px-3 py-1.5 tabular-nums">{duration(call.latencyMs)}</td>
                  <td className="px-3 py-1.5 tabular-nums">{call.attempt ?? 1}</td>
                  <td className="px-3 py-1.5">
                    {call.code ? (
                      <Badge tone={call.code === "aborted" ? "neutral" : "danger"}>
                        <span className="font-mono">{call.code}</span>
                      </Badge>
                    ) : (
                      <Badge tone="success">{t("incidents.ok")}</Badge>
                    )}
                  </td>
                  <td className="px-3 py-1.5 font-mono text-xs break-all">
                    {call.upstreamRequestId ?? "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
