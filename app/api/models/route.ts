import { handleApi } from "@/lib/server/route-handler";
import { listModels } from "@/lib/server/jobs/models";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handleApi(request, async () => Response.json(await listModels()));
}
