import { handleApi } from "@/lib/server/route-handler";
import { cancelVideo } from "@/lib/server/jobs/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

/** Cancel: stop following a running job and ask the relay to stop it (`200 {job}`). */
export function POST(request: Request, { params }: Params) {
  return handleApi(request, async (ctx) =>
    Response.json(await cancelVideo((await params).id, ctx)),
  );
}
