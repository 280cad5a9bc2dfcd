import { handleApi } from "@/lib/server/route-handler";
import { diagnoseVideo } from "@/lib/server/jobs/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

/** A failed job's own diagnosis: root cause, evidence, and actions a probe showed would work. */
export function GET(request: Request, { params }: Params) {
  return handleApi(request, async (ctx) =>
    Response.json(await diagnoseVideo((await params).id, ctx)),
  );
}
