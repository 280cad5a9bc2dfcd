import { handleApi } from "@/lib/server/route-handler";
import { streamVideoEvents } from "@/lib/server/jobs/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const maxDuration = 300;

export function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleApi(request, async (ctx) => streamVideoEvents(request, (await params).id, ctx), {
    eventStream: true,
  });
}
