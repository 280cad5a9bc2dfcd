import "server-only";
import { lookup } from "node:dns/promises";
import { isIP, connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from "node:tls";

/**
 * Raw network probes for diagnostics. They deliberately bypass the app's upstream client and its
 * retries: a probe must see the first, unretried answer, and each one is bounded by its own timeout.
 */

export class ProbeTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = "ProbeTimeout";
  }
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function describeError(error: unknown): { code?: string; message: string } {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error && current.message && !parts.includes(current.message)) {
      parts.push(current.message);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return { code: errorCode(error), message: parts.join(": ") || String(error) };
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new ProbeTimeout(ms));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export interface DnsResult {
  addresses: { address: string; family: number }[];
}

export async function probeDns(host: string, timeoutMs: number): Promise<DnsResult> {
  const addresses = await withTimeout(lookup(host, { all: true, verbatim: true }), timeoutMs);
  return { addresses };
}

export interface TcpResult {
  remoteAddress: string;
  remotePort: number;
}

/** Opens and closes one TCP connection, the way fetch would (happy eyeballs over all addresses). */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpResult> {
  let socket: Socket | undefined;
  const attempt = new Promise<TcpResult>((resolve, reject) => {
    socket = netConnect({ host, port });
    socket.once("connect", () => {
      const result = {
        remoteAddress: socket?.remoteAddress ?? host,
        remotePort: socket?.remotePort ?? port,
      };
      socket?.destroy();
      resolve(result);
    });
    socket.once("error", reject);
  });
  return withTimeout(attempt, timeoutMs, () => socket?.destroy());
}

export interface TlsResult {
  protocol: string | null;
  subject?: string;
  issuer?: string;
  validTo?: Date;
  altNames?: string;
}

function certName(name: PeerCertificate["subject"] | undefined): string | undefined {
  if (!name) return undefined;
  const pick = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return pick(name.CN) ?? pick(name.O);
}

/** A full TLS handshake with certificate and host name verification switched on. */
export function probeTls(host: string, port: number, timeoutMs: number): Promise<TlsResult> {
  let socket: TLSSocket | undefined;
  const attempt = new Promise<TlsResult>((resolve, reject) => {
    socket = tlsConnect({
      host,
      port,
      servername: isIP(host) === 0 ? host : undefined,
      ALPNProtocols: ["http/1.1"],
      // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 cannot hide a bad certificate from the report.
      rejectUnauthorized: true,
    });
    socket.once("secureConnect", () => {
      const cert = socket?.getPeerCertificate();
      const result: TlsResult = {
        protocol: socket?.getProtocol() ?? null,
        subject: certName(cert?.subject),
        issuer: certName(cert?.issuer),
        validTo: cert?.valid_to ? new Date(cert.valid_to) : undefined,
        altNames: cert?.subjectaltname,
      };
      socket?.destroy();
      resolve(result);
    });
    socket.once("error", reject);
  });
  return withTimeout(attempt, timeoutMs, () => socket?.destroy());
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: string;
  /** The body was longer than the cap and was cut. */
  truncated: boolean;
  ms: number;
}

export interface HttpProbeInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  maxBytes?: number;
}

/**
 * One HTTP request without retries or redirects, with the body read up to `maxBytes` (64 KB),
 * all inside the timeout. Throws ProbeTimeout when the upstream stays silent.
 */
export async function probeHttp(url: string, init: HttpProbeInit): Promise<HttpResult> {
  const started = performance.now();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new ProbeTimeout(init.timeoutMs)), init.timeoutMs);
  const signal = init.signal ? AbortSignal.any([timeout.signal, init.signal]) : timeout.signal;
  try {
    const response = await fetch(url, {
      method: init.method ?? "GET",
      headers: init.headers,
      body: init.body,
      redirect: "manual",
      signal,
      cache: "no-store",
    });
    const maxBytes = init.maxBytes ?? 64 * 1024;
    const chunks: Uint8Array[] = [];
    let size = 0;
    let truncated = false;
    const reader = response.body?.getReader();
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.byteLength;
        if (size >= maxBytes) {
          truncated = true;
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
    }
    const bytes = new Uint8Array(Math.min(size, maxBytes));
    let offset = 0;
    for (const chunk of chunks) {
      const part = chunk.subarray(0, bytes.length - offset);
      bytes.set(part, offset);
      offset += part.length;
      if (offset >= bytes.length) break;
    }
    return {
      status: response.status,
      headers: response.headers,
      body: new TextDecoder().decode(bytes),
      truncated,
      ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (timeout.signal.aborted) throw new ProbeTimeout(init.timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export type BodyKind = "json" | "html" | "text" | "empty";

export function bodyKind(result: Pick<HttpResult, "body" | "headers">): BodyKind {
  const text = result.body.trim();
  if (!text) return "empty";
  const type = result.headers.get("content-type") ?? "";
  const head = text.slice(0, 200).toLowerCase();
  if (type.includes("text/html") || head.startsWith("<!doctype") || head.startsWith("<html")) {
    return "html";
  }
  try {
    JSON.parse(text);
    return "json";
  } catch {
    return "text";
  }
}

export function htmlTitle(body: string): string | undefined {
  const match = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body);
  return match?.[1]?.replace(/\s+/g, " ").trim() || undefined;
}

/** Cloudflare's "Just a moment…" / managed challenge in front of a relay blocks API clients. */
export function isCloudflareChallenge(result: Pick<HttpResult, "body" | "headers">): boolean {
  if (result.headers.get("cf-mitigated")?.toLowerCase() === "challenge") return true;
  return /challenge-platform|cf-chl-|just a moment\.\.\.|attention required! \| cloudflare/i.test(
    result.body.slice(0, 20_000),
  );
}
