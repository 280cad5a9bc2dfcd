import { handleApi } from "@/lib/server/route-handler";
import { recheckVideo } from "@/lib/server/jobs/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

/** "Check again": asks the upstream about the job once more (202 `{job}`). */
export function POST(request: Request, { params }: Params) {
  return handleApi(request, async (ctx) => recheckVideo((await params).id, ctx));
}
