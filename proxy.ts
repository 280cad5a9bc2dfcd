import { NextResponse, type NextRequest } from "next/server";
import { accessGateEnabled, hasSession, PUBLIC_PATHS } from "@/lib/server/access";
import { requestLocale } from "@/lib/server/route-handler";
import { newRequestId } from "@/lib/server/log";
import { requestRefusal } from "@/lib/server/request-guard";

/**
 * Pages only (API routes check the same things in handleApi, and must keep streaming their bodies:
 * a proxy in front of them would buffer uploads). Refuses foreign hosts and cross-site posts (server
 * actions), applies the access gate and adds a per-request CSP nonce — for every request, prefetches
 * included: the matcher has no exceptions by header, since headers are the client's to choose.
 */
export function proxy(request: NextRequest) {
  const refusal = requestRefusal(request);
  if (refusal) return refusal.toResponse(requestLocale(request), newRequestId());

  const { pathname, search } = request.nextUrl;
  if (accessGateEnabled() && !PUBLIC_PATHS.includes(pathname) && !hasSession(request)) {
    const login = new URL("/login", request.url);
    login.searchParams.set("next", `${pathname}${search}`);
    // Next writes a same-host redirect as a relative Location (`/login?next=…`).
    return NextResponse.redirect(login, 303);
  }

  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = process.env.NODE_ENV === "development";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Next and next-themes inject inline styles; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
