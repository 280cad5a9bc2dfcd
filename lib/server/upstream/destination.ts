import "server-only";
import dns from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";
import { Agent, fetch as undiciFetch, type Dispatcher } from "undici";
import { UpstreamError } from "./classify";
import type { UpstreamConfig } from "./deps";

/*
 * Relay-provided URLs (poll answers, `/content` JSON `{url}`, chat result links, redirects) are
 * fetched by this server, inside its network. They may go to the configured relays' own origins
 * (the user chose those), to hosts listed in SORA_ALLOWED_MEDIA_HOSTS, and to public addresses;
 * loopback, private, link-local (cloud metadata), unspecified and other special addresses are
 * refused, IPv4-mapped IPv6 included. The check runs after DNS resolution, for every hop.
 */

export type LookupAddress = { address: string; family: number };
export type Lookup = (hostname: string) => Promise<LookupAddress[]>;

export const systemLookup: Lookup = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Only ordinary unicast addresses: ipaddr.js names every special range (loopback, private …). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "unicast";
}

/** The `origin` of a URL (scheme + host + port, default ports dropped), or "" when unparsable. */
export function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : "";
  } catch {
    return "";
  }
}

/** Thrown by the pinned connection when DNS answers differently at connect time (rebinding). */
class RefusedAddressError extends Error {
  readonly code = "EDESTINATIONREFUSED";
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to ${address}, a non-public address`);
  }
}

function refused(url: URL, reason: string): UpstreamError {
  return new UpstreamError("destination_refused", {
    params: { host: url.host },
    upstreamMessage: `refused to fetch ${url.protocol}//${url.host}: ${reason}`,
    shouldRetry: false,
  });
}

function rangeOf(address: string): string {
  return ipaddr.isValid(address) ? ipaddr.process(address).range() : "invalid";
}

/**
 * The connection-time half of the check: the socket connects only to addresses this lookup has
 * just checked, so a DNS answer that changes between our check and the connection (rebinding)
 * cannot slip a private address through.
 */
function pinnedLookup(
  hostname: string,
  options: dns.LookupOptions,
  callback: (
    error: NodeJS.ErrnoException | null,
    address: string | dns.LookupAddress[],
    family?: number,
  ) => void,
): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "");
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) return callback(new RefusedAddressError(hostname, bad.address), "");
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(new Error(`no address for ${hostname}`), "");
    callback(null, first.address, first.family);
  });
}

const AGENT_KEY = Symbol.for("sora-studio.upstream.pinned-agent");
type AgentHolder = { [AGENT_KEY]?: Agent };

/** One process-wide connection pool for relay-provided destinations, with the pinned lookup. */
export function pinnedAgent(): Agent {
  const holder = globalThis as AgentHolder;
  holder[AGENT_KEY] ??= new Agent({ connect: { lookup: pinnedLookup as never } });
  return holder[AGENT_KEY];
}

export interface DestinationPolicy {
  config: Pick<UpstreamConfig, "baseUrl" | "fallbackBaseUrls" | "allowedMediaHosts">;
  /** The base URL that owns the call (a job keeps the one it was created on). */
  baseUrl: string;
  lookup: Lookup;
}

/**
 * Decides whether `url` may be fetched. Resolves to undefined for the configured relays and
 * allow-listed hosts (fetched as usual), or to the pinned dispatcher for a public destination;
 * throws a `destination_refused` UpstreamError (never retried) otherwise.
 */
export async function checkDestination(
  rawUrl: string,
  policy: DestinationPolicy,
): Promise<Dispatcher | undefined> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UpstreamError("protocol_error", {
      upstreamMessage: "the relay gave an unreadable URL",
      shouldRetry: false,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refused(url, `scheme ${url.protocol} is not http(s)`);
  }
  const trusted = new Set(
    [policy.config.baseUrl, ...policy.config.fallbackBaseUrls, policy.baseUrl]
      .map(originOf)
      .filter(Boolean),
  );
  if (trusted.has(url.origin)) return undefined;
  const allowed = policy.config.allowedMediaHosts;
  if (allowed.includes(url.host.toLowerCase()) || allowed.includes(url.hostname.toLowerCase())) {
    return undefined;
  }
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: LookupAddress[];
  if (net.isIP(literal)) {
    addresses = [{ address: literal, family: net.isIP(literal) }];
  } else {
    try {
      addresses = await policy.lookup(url.hostname);
    } catch (error) {
      throw new UpstreamError("network_error", {
        params: { host: url.host },
        upstreamMessage: `DNS lookup of ${url.hostname} failed`,
        networkCode: (error as NodeJS.ErrnoException).code,
        cause: error,
      });
    }
  }
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad || addresses.length === 0) {
    const what = bad ? `${bad.address} (${rangeOf(bad.address)})` : "no address";
    throw refused(
      url,
      `it resolves to ${what}; only the configured relays and public addresses are allowed (SORA_ALLOWED_MEDIA_HOSTS lists exceptions)`,
    );
  }
  return pinnedAgent();
}

/** The connection-time refusal (see pinnedLookup) as the same classified error, if that is what failed. */
export function refusedAtConnect(error: unknown, url: string): UpstreamError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof RefusedAddressError) {
      return refused(new URL(url), `at connect time it resolved to ${e.address}`);
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The default fetch of the upstream layer: a request carrying a dispatcher of the `undici` package
 * goes through that package's own fetch (Node's built-in fetch may be another undici version).
 */
export const upstreamFetch: typeof fetch = (input, init) => {
  const dispatcher = (init as { dispatcher?: Dispatcher } | undefined)?.dispatcher;
  if (dispatcher) {
    return undiciFetch(String(input), init as never) as unknown as Promise<Response>;
  }
  return globalThis.fetch(input, init);
};
