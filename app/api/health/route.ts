import { healthReport } from "@/lib/server/health";
import { handleApi } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handleApi(request, () => {
    const report = healthReport();
    return new Response(JSON.stringify(report), {
      status: report.status === "fail" ? 503 : 200,
      headers: { "content-type": "application/health+json", "cache-control": "no-store" },
    });
  });
}
