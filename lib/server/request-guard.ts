import "server-only";
import { isIP } from "node:net";
import { getConfig } from "./config";
import { AppError } from "./errors";

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** `Host: Example.com:3000` → `example.com`; `[::1]:3000` → `::1`; undefined when unparsable. */
function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  } catch {
    return undefined;
  }
}

function isUnspecified(hostname: string): boolean {
  return hostname === "0.0.0.0" || hostname === "::";
}

/** Names configured as this server's own (PUBLIC_URL, ALLOWED_HOSTS, Vercel's URLs, the bind name). */
function isConfiguredHost(hostname: string): boolean {
  const { allowedHosts, hostname: bind } = getConfig();
  if (bind && !isUnspecified(bind) && hostnameOf(bind) === hostname) return true;
  return allowedHosts.some((allowed) =>
    allowed.startsWith("*.") ? hostname.endsWith(allowed.slice(1)) : allowed === hostname,
  );
}

/**
 * Whether the server answers to this `Host`. A DNS-rebinding page reaches the server under the
 * attacker's own host name, so names must be the server's own; IP addresses cannot be rebound
 * and stay allowed (a LAN address), like localhost and `*.localhost`, which browsers resolve
 * to loopback themselves.
 */
export function hostAllowed(host: string | null): boolean {
  if (!host) return false;
  const hostname = hostnameOf(host);
  if (!hostname) return false;
  if (isIP(hostname)) return true;
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return true;
  return isConfiguredHost(hostname);
}

/**
 * Whether a state-changing request may come from where the browser says it comes from. A browser
 * names the page that sent it in `Origin` and/or `Sec-Fetch-Site`; a request with neither is
 * not from a browser (curl, scripts, the CLI) and is left to the access gate.
 */
export function originAllowed(request: Request): boolean {
  if (!UNSAFE_METHODS.has(request.method.toUpperCase())) return true;
  const site = request.headers.get("sec-fetch-site")?.toLowerCase();
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque "null" origin of sandboxed frames and file: pages
  }
  const host = request.headers.get("host")?.toLowerCase();
  if (host && url.host.toLowerCase() === host) return true;
  // Behind a proxy that rewrites Host, the page's origin is one of the configured public names.
  return isConfiguredHost(url.hostname.toLowerCase());
}

/**
 * The refusal for a request that comes from the wrong place, or undefined: a foreign `Host`
 * (DNS rebinding) gets 421, a cross-site state change (CSRF) 403. Checked before the gate and
 * before any work, on pages (proxy.ts) and API routes (handleApi) alike.
 */
export function requestRefusal(request: Request): AppError | undefined {
  const host = request.headers.get("host");
  if (!hostAllowed(host)) {
    return new AppError("request_refused", {
      detail: { key: "foreignHost", params: { host: (host ?? "").slice(0, 100) } },
      httpStatus: 421,
    });
  }
  if (!originAllowed(request)) {
    return new AppError("request_refused", { detail: { key: "crossOrigin" } });
  }
  return undefined;
}
