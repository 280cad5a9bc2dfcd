import "server-only";
import { isIP } from "node:net";
import { networkEnv } from "../config";
import type { Outcome, RunContext } from "./context";
import {
  bodyKind,
  describeError,
  htmlTitle,
  isCloudflareChallenge,
  probeDns,
  probeHttp,
  probeTcp,
  probeTls,
  ProbeTimeout,
} from "./probes";

const LOOPBACK_NAMES = /^(?:localhost|localhost\.localdomain|[\w-]+\.localhost)$/i;

export function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/** Addresses a public name should never resolve to: hosts-file or DNS hijacking, fake-IP proxies. */
function isSuspiciousAddress(address: string): boolean {
  return (
    /^127\./.test(address) ||
    address === "::1" ||
    address === "0.0.0.0" ||
    /^198\.1[89]\./.test(address)
  );
}

export async function checkDns(ctx: RunContext, url: URL | null): Promise<Outcome> {
  if (!url) return ctx.skip(ctx.t("skip.noUrl"), undefined, true);
  const host = hostnameOf(url);
  if (isIP(host))
    return ctx.skip(ctx.t("skip.ipHost", { host }), ctx.t("observed.dnsIp", { host }));
  try {
    const { addresses } = await probeDns(host, ctx.probeTimeout());
    const list = addresses.map((a) => a.address);
    const shown = list.slice(0, 4).join(", ") + (list.length > 4 ? ", …" : "");
    const observed = ctx.t("observed.dns", { host, addresses: shown });
    if (!LOOPBACK_NAMES.test(host) && list.length > 0 && list.every(isSuspiciousAddress)) {
      return ctx.problem("warn", "dns_private", observed, { addresses: shown });
    }
    return ctx.pass(observed);
  } catch (error) {
    if (error instanceof ProbeTimeout) {
      return ctx.problem("fail", "dns_timeout", ctx.t("observed.timeout", { ms: error.ms }));
    }
    const { code, message } = describeError(error);
    const observed = ctx.t("observed.networkError", { target: host, code: code ?? message });
    if (code === "ENOTFOUND" || code === "EAI_NONAME" || code === "ENODATA") {
      return ctx.problem("fail", "dns_not_found", observed);
    }
    return ctx.problem("fail", "dns_failed", observed, { code: code ?? message });
  }
}

export async function checkTcp(ctx: RunContext, url: URL | null): Promise<Outcome> {
  if (!url) return ctx.skip(ctx.t("skip.noUrl"), undefined, true);
  const host = hostnameOf(url);
  const port = portOf(url);
  const target = `${url.hostname}:${port}`;
  try {
    const result = await probeTcp(host, port, ctx.probeTimeout());
    const address = `${result.remoteAddress}:${result.remotePort}`;
    return ctx.pass(
      address === target
        ? ctx.t("observed.tcpDirect", { address })
        : ctx.t("observed.tcp", { target, address }),
    );
  } catch (error) {
    if (error instanceof ProbeTimeout) {
      return ctx.problem(
        "fail",
        "tcp_timeout",
        ctx.t("observed.tcpTimeout", { target, ms: error.ms }),
        {
          port,
        },
      );
    }
    const { code, message } = describeError(error);
    const observed = ctx.t("observed.networkError", { target, code: code ?? message });
    if (code === "ECONNREFUSED") return ctx.problem("fail", "tcp_refused", observed, { port });
    if (code === "ETIMEDOUT") return ctx.problem("fail", "tcp_timeout", observed, { port });
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL") {
      return ctx.problem("fail", "tcp_unreachable", observed, { port });
    }
    return ctx.problem("fail", "tcp_failed", observed, { port, code: code ?? message });
  }
}

const TLS_CODES: Record<string, Parameters<RunContext["problem"]>[1]> = {
  CERT_HAS_EXPIRED: "tls_expired",
  CERT_NOT_YET_VALID: "tls_not_yet_valid",
  DEPTH_ZERO_SELF_SIGNED_CERT: "tls_self_signed",
  SELF_SIGNED_CERT_IN_CHAIN: "tls_self_signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "tls_untrusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "tls_untrusted",
  UNABLE_TO_GET_ISSUER_CERT: "tls_untrusted",
  CERT_UNTRUSTED: "tls_untrusted",
  CERT_SIGNATURE_FAILURE: "tls_untrusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "tls_hostname",
  HOSTNAME_MISMATCH: "tls_hostname",
};

const EXPIRY_WARNING_DAYS = 14;

function proxySummary(): string {
  return networkEnv()
    .proxies.map((p) => `${p.name}=${p.value}`)
    .join(", ");
}

export async function checkTls(ctx: RunContext, url: URL | null): Promise<Outcome> {
  if (!url) return ctx.skip(ctx.t("skip.noUrl"), undefined, true);
  const env = networkEnv();
  const proxies = proxySummary();
  const proxyNote = proxies ? ` · ${ctx.t("observed.proxies", { proxies })}` : "";
  if (url.protocol !== "https:") {
    return ctx.skip(ctx.t("skip.plainHttp"), `${ctx.t("observed.noTls")}${proxyNote}`);
  }
  const host = hostnameOf(url);
  const port = portOf(url);
  const insecureEnv = env.tlsRejectUnauthorized === "0";
  try {
    const result = await probeTls(host, port, ctx.probeTimeout());
    const date = result.validTo ? result.validTo.toISOString().slice(0, 10) : "?";
    const observed =
      ctx.t("observed.tls", {
        protocol: result.protocol ?? "TLS",
        subject: result.subject ?? "?",
        issuer: result.issuer ?? "?",
        date,
      }) + proxyNote;
    if (insecureEnv) return ctx.problem("warn", "tls_insecure_env", observed);
    const days = result.validTo
      ? Math.floor((result.validTo.getTime() - Date.now()) / 86_400_000)
      : 999;
    if (days < EXPIRY_WARNING_DAYS)
      return ctx.problem("warn", "tls_expiring", observed, { days, date });
    if (proxies) return ctx.problem("warn", "proxy_env", observed, { proxies });
    return ctx.pass(observed);
  } catch (error) {
    if (error instanceof ProbeTimeout) {
      return ctx.problem(
        "fail",
        "tls_timeout",
        ctx.t("observed.timeout", { ms: error.ms }) + proxyNote,
      );
    }
    const { code, message } = describeError(error);
    const observed = `${code ?? ""}${code ? ": " : ""}${message}${proxyNote}`;
    const tlsCode = code ? TLS_CODES[code] : undefined;
    const problem = tlsCode ?? "tls_handshake";
    // With certificate checks switched off process-wide, the app still connects (insecurely).
    return ctx.problem(insecureEnv && tlsCode ? "warn" : "fail", problem, observed, {
      code: code ?? message,
      ca: env.extraCaCerts ?? "",
    });
  }
}

/** Any HTTP answer from the API path, without the key: an API answers JSON, a website HTML. */
export async function checkHttpReachable(ctx: RunContext, base: string | null): Promise<Outcome> {
  if (!base) return ctx.skip(ctx.t("skip.noUrl"), undefined, true);
  const url = `${base}/models`;
  try {
    const result = await probeHttp(url, {
      headers: { accept: "application/json" },
      timeoutMs: ctx.probeTimeout(),
      signal: ctx.signal,
    });
    const kind = bodyKind(result);
    const type = result.headers.get("content-type")?.split(";")[0] ?? kind;
    const server = result.headers.get("server");
    const observed = ctx.t("observed.http", {
      status: result.status,
      type,
      url,
      ms: result.ms,
      server: server ? ` · ${server}` : "",
    });
    if (result.status >= 300 && result.status < 400) {
      const location = result.headers.get("location") ?? "?";
      return ctx.problem("fail", "http_redirect", `${observed} → ${location}`, { location });
    }
    if (isCloudflareChallenge(result)) {
      return ctx.problem("fail", "http_cloudflare_challenge", observed);
    }
    if (kind === "html") {
      const title = htmlTitle(result.body) ?? "";
      const withTitle = title ? `${observed} · “${title}”` : observed;
      if (result.status >= 500) {
        return ctx.problem("fail", "http_gateway", withTitle, { status: result.status });
      }
      return ctx.problem("fail", "http_not_api", withTitle, { status: result.status });
    }
    if (kind !== "json") {
      if (result.status >= 500)
        return ctx.problem("fail", "http_gateway", observed, { status: result.status });
      if ((result.status >= 200 && result.status < 300) || result.status === 404) {
        return ctx.problem("fail", "http_not_api", observed, { status: result.status });
      }
    }
    if (result.status >= 500) {
      return ctx.problem("warn", "http_server_error", observed, { status: result.status });
    }
    return ctx.pass(observed);
  } catch (error) {
    if (error instanceof ProbeTimeout) {
      return ctx.problem(
        "fail",
        "http_timeout",
        ctx.t("observed.httpTimeout", { url, ms: error.ms }),
        {
          ms: error.ms,
        },
      );
    }
    const { code, message } = describeError(error);
    return ctx.problem(
      "fail",
      "http_failed",
      ctx.t("observed.networkError", { target: url, code: code ?? message }),
      { code: code ?? message },
    );
  }
}
