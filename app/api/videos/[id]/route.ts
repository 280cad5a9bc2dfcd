import { handleApi } from "@/lib/server/route-handler";
import { deleteVideo, getVideo } from "@/lib/server/jobs/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export function GET(request: Request, { params }: Params) {
  return handleApi(request, async (ctx) => Response.json(await getVideo((await params).id, ctx)));
}

export function DELETE(request: Request, { params }: Params) {
  return handleApi(request, async () =>
    Response.json(await deleteVideo(request, (await params).id)),
  );
}
