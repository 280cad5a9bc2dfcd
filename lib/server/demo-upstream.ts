import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import path from "node:path";
import { createInAppSimulator } from "@/simulator/in-app";
import { getConfig } from "./config";
import { requestRefusal } from "./request-guard";

type Handler = ReturnType<typeof createInAppSimulator>;
const HANDLER_KEY = Symbol.for("sora-studio.demo-upstream");
const store = globalThis as { [HANDLER_KEY]?: Handler };

const relayError = (status: number, message: string) =>
  Response.json(
    { error: { message, type: "invalid_request_error", param: null, code: null } },
    { status, headers: { "cache-control": "no-store" } },
  );

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The upstream of Vercel demo mode, answered by the simulator inside the app. It exists only in
 * that mode (404 otherwise), answers only the app's own derived demo key (video files excepted:
 * relays' result links carry no key either, and they hold nothing but the sample MP4), reaches
 * nothing beyond itself and keeps no state: any instance answers for any job id.
 */
export async function answerDemoUpstream(request: Request, segments: string[]): Promise<Response> {
  const config = getConfig();
  if (!config.inAppDemo || !config.apiKey) return relayError(404, "Not found");
  const refusal = requestRefusal(request);
  if (refusal) return relayError(refusal.httpStatus, "Request refused");
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (segments[0] !== "files" && !(given && sameSecret(given, config.apiKey))) {
    return relayError(401, "Incorrect API key provided.");
  }
  const handler = (store[HANDLER_KEY] ??= createInAppSimulator({
    speed: config.simSpeed,
    // next.config.ts traces this folder into the route's bundle on Vercel.
    assetsDir: path.join(process.cwd(), "simulator", "assets"),
  }));
  return handler(request, `/${segments.join("/")}`, config.baseUrl);
}
