import { handleApi } from "@/lib/server/route-handler";
import { modelTimings } from "@/lib/server/jobs/eta";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Each model's p50/p90 completion time from this store's own history (no upstream call). */
export function GET(request: Request) {
  return handleApi(request, async () =>
    Response.json(await modelTimings(), { headers: { "cache-control": "no-store" } }),
  );
}
