import { accessGateEnabled, hasSession } from "@/lib/server/access";
import { healthReport, healthStatusOnly } from "@/lib/server/health";
import { handleApi } from "@/lib/server/route-handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handleApi(request, () => {
    const full = healthReport();
    // Behind the gate, strangers learn only whether the server is up: no key fragment, no mode.
    const report = accessGateEnabled() && !hasSession(request) ? healthStatusOnly(full) : full;
    return new Response(JSON.stringify(report), {
      status: report.status === "fail" ? 503 : 200,
      headers: { "content-type": "application/health+json", "cache-control": "no-store" },
    });
  });
}
