import { diagnosticsResponse } from "@/lib/server/diagnostics/http";
import { acceptsEventStream, handleApi } from "@/lib/server/route-handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
// A real generation (POST {"generate": true}) may take minutes; 300 s is the most every Vercel plan allows.
export const maxDuration = 300;

/** The diagnostics report; streamed check by check with `Accept: text/event-stream`. */
export function GET(request: Request) {
  return handleApi(request, (ctx) => diagnosticsResponse(request, ctx, { generate: false }), {
    eventStream: acceptsEventStream(request),
  });
}

/** `{"generate": true}` adds one real, billed generation (the dashboard's explicit button). */
export function POST(request: Request) {
  return handleApi(request, (ctx) => diagnosticsResponse(request, ctx, { fromBody: true }), {
    eventStream: acceptsEventStream(request),
  });
}
