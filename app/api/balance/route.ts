import { relayBalance } from "@/lib/server/balance";
import { handleApi } from "@/lib/server/route-handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The relay's balance (billing endpoints, cached; the key never leaves the server). */
export function GET(request: Request) {
  return handleApi(request, async () =>
    Response.json(await relayBalance(), { headers: { "cache-control": "no-store" } }),
  );
}
