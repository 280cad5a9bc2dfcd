import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { accessGateEnabled, SESSION_COOKIE, verifySessionToken } from "./access";
import { readCookie } from "./cookies";

/**
 * For server components of gated pages: sends a visitor without a valid session to the login page.
 * proxy.ts does the same first; this holds even if a request ever slips past the proxy's matcher.
 */
export async function requirePageSession(path: string): Promise<void> {
  if (!accessGateEnabled()) return;
  if (verifySessionToken(readCookie({ headers: await headers() }, SESSION_COOKIE))) return;
  redirect(`/login?next=${encodeURIComponent(path)}`);
}
