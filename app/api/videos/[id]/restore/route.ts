import { handleApi } from "@/lib/server/route-handler";
import { restoreVideo } from "@/lib/server/jobs/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

/** Undo of `DELETE ?undo=1` while its window lasts (200 `{job}`; 404 once removed for good). */
export function POST(request: Request, { params }: Params) {
  return handleApi(request, async (ctx) =>
    Response.json(await restoreVideo((await params).id, ctx)),
  );
}
