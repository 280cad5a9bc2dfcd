import { handleApi, prefersJsonAnswer } from "@/lib/server/route-handler";
import { createVideo, listVideos } from "@/lib/server/jobs/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
/** Vercel: the stream hands over to GET …/events (see SORA_SSE_RECONNECT_MS) before this. */
export const maxDuration = 300;

export function GET(request: Request) {
  return handleApi(request, async (ctx) => Response.json(await listVideos(request, ctx)));
}

export function POST(request: Request) {
  return handleApi(request, (ctx) => createVideo(request, ctx), {
    eventStream: !prefersJsonAnswer(request),
  });
}
