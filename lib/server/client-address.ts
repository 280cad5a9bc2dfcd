import "server-only";
import type { IncomingMessage } from "node:http";
import { subscribe } from "node:diagnostics_channel";
import { isIP, type Socket } from "node:net";
import { getConfig } from "./config";

/**
 * Next.js gives route handlers no socket address (NextRequest.ip was removed in Next 15) and fills
 * X-Forwarded-For from the socket only when the client sent none, so that header is the client's
 * to forge. Node publishes every request on the `http.server.request.start` diagnostics channel
 * before the server's "request" handler (Next) sees it: there the address is computed from the
 * socket (and TRUST_PROXY hops of X-Forwarded-For) and written into this header, replacing
 * whatever the client sent under that name.
 */
export const CLIENT_ADDRESS_HEADER = "x-sora-client-address";

const HOOK_KEY = Symbol.for("sora-studio.client-address-hook");
type HookHolder = { [HOOK_KEY]?: (message: unknown) => void };

/** `::ffff:1.2.3.4` → `1.2.3.4`, `[::1]:80` → `::1`, `1.2.3.4:5678` → `1.2.3.4`; undefined when no IP. */
export function normalizeAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let address = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1] ?? "";
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  address = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "").toLowerCase();
  return isIP(address) ? address : undefined;
}

/**
 * The client's address from the socket's and the forwarded chain: with `trustProxy` = n, the n-th
 * entry from the right of `X-Forwarded-For, socket` (each trusted proxy appends the address it saw);
 * entries further left are the client's to forge and are never used.
 */
export function addressFromHops(
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
  trustProxy: number,
): string {
  const chain = [...(trustProxy > 0 ? (forwardedFor ?? "").split(",") : []), socketAddress ?? ""]
    .map((entry) => entry.trim())
    .filter(Boolean);
  const index = Math.max(0, chain.length - 1 - trustProxy);
  return normalizeAddress(chain[index]) ?? "unknown";
}

/** Starts writing CLIENT_ADDRESS_HEADER on every request this process serves (once per process). */
export function installClientAddressHook(trustProxy: number): void {
  const holder = globalThis as HookHolder;
  if (holder[HOOK_KEY]) return;
  const onRequest = (message: unknown) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const forwarded = request.headers["x-forwarded-for"];
    request.headers[CLIENT_ADDRESS_HEADER] = addressFromHops(
      Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
      socket.remoteAddress,
      trustProxy,
    );
  };
  holder[HOOK_KEY] = onRequest;
  subscribe("http.server.request.start", onRequest);
}

/**
 * The address of the client that sent this request, never taken from a header the client controls:
 * on Vercel the platform's `x-real-ip` (Vercel overwrites it with the connecting address), else the
 * header written by the hook above. Without the hook (a process that did not boot through
 * instrumentation) every client shares one "unknown" bucket: stricter, never forgeable.
 */
export function clientAddress(request: Request): string {
  if (getConfig().onVercel) {
    return (
      normalizeAddress(request.headers.get("x-real-ip") ?? undefined) ??
      normalizeAddress(request.headers.get("x-vercel-forwarded-for")?.split(",")[0]) ??
      "unknown"
    );
  }
  if (!(globalThis as HookHolder)[HOOK_KEY]) return "unknown";
  return request.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
}

/** Expands an IPv6 address to its eight 16-bit groups. */
function ipv6Groups(address: string): string[] {
  const [head = "", tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 was handled earlier) counts as two groups.
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill("0"), ...right];
}

/**
 * The key a limiter counts under: the address, except that IPv6 addresses count per /64 — one
 * subscriber usually holds a whole /64, and counting each of its 2^64 addresses apart would let
 * one client rotate through fresh budgets (and grow the limiter's memory).
 */
export function limiterKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address).slice(0, 4);
  return `${groups.map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
