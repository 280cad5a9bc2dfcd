import { recentIncidents } from "@/lib/server/diagnostics/service";
import { handleApi } from "@/lib/server/route-handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The server's recent upstream calls (newest first) and error counts of the last hour. */
export function GET(request: Request) {
  return handleApi(request, async () =>
    Response.json(await recentIncidents(), { headers: { "cache-control": "no-store" } }),
  );
}
