import { login } from "@/lib/server/auth";
import { handleApi } from "@/lib/server/route-handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handleApi(request, () => login(request));
}
