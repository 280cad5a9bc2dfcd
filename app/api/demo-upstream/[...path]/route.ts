import { answerDemoUpstream } from "@/lib/server/demo-upstream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const maxDuration = 300;

type Context = { params: Promise<{ path: string[] }> };

/** Vercel demo mode only: the simulator's relay protocol, served by the app to itself. */
async function answer(request: Request, { params }: Context) {
  return answerDemoUpstream(request, (await params).path);
}

export { answer as GET, answer as POST, answer as HEAD };
