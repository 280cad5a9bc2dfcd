import { currentRelayWeather } from "@/lib/server/diagnostics/job-diagnosis";
import { handleApi } from "@/lib/server/route-handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Relay weather from the recorded upstream creates of the last 15 minutes (no upstream call). */
export function GET(request: Request) {
  return handleApi(request, async () =>
    Response.json(await currentRelayWeather(), { headers: { "cache-control": "no-store" } }),
  );
}
