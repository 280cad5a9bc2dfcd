import { handleApi } from "@/lib/server/route-handler";
import { serveJobContent } from "@/lib/server/jobs/content";
import { assertJobId } from "@/lib/server/jobs/ids";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export function GET(request: Request, { params }: Params) {
  return handleApi(request, async () => serveJobContent(request, assertJobId((await params).id)));
}

export function HEAD(request: Request, { params }: Params) {
  return handleApi(request, async () => serveJobContent(request, assertJobId((await params).id)));
}
