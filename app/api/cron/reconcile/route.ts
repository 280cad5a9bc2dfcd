import { handleApi } from "@/lib/server/route-handler";
import { runCronReconcile } from "@/lib/server/shared/cron";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** Vercel Cron (vercel.json): advances stale jobs whose instance is gone. `Bearer CRON_SECRET` only. */
export function GET(request: Request) {
  return handleApi(request, async () => Response.json(await runCronReconcile(request)));
}
