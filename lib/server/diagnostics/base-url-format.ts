import "server-only";
import type { DiagnosticCode } from "@/lib/contracts/diagnostics";
import { normalizeBaseUrl } from "../upstream/base-url";
import type { FindingSeverity } from "./key-format";

export interface BaseUrlFinding {
  code: Extract<DiagnosticCode, `base_url_${string}`>;
  severity: FindingSeverity;
}

export interface BaseUrlAnalysis {
  findings: BaseUrlFinding[];
  /** What the app itself would call (normalizeBaseUrl), or null when it cannot parse the value. */
  appBase: string | null;
  /**
   * Our best guess of the intended API base (with `/v1`): the probes use it, so a mistyped URL
   * still gets its network checks, and the fix can name the exact value to put in `.env`.
   */
  probeBase: string | null;
  /** The value to suggest for SORA_BASE_URL when the configured one is wrong. */
  suggestion: string | null;
}

const ENDPOINT_PATH =
  /\/(?:v1\/)?(?:chat\/completions|completions|videos(?:\/[^/]*)*|video\/generations(?:\/[^/]*)*|models|images\/generations|dashboard\/billing\/\w+)\/?$/i;

/** Sites people copy from the browser's address bar instead of the API base. */
const CONSOLE_HOSTS: Record<string, string> = {
  "platform.openai.com": "https://api.openai.com",
  "openai.com": "https://api.openai.com",
  "www.openai.com": "https://api.openai.com",
  "chat.openai.com": "https://api.openai.com",
  "chatgpt.com": "https://api.openai.com",
  "sora.com": "https://api.openai.com",
  "sora.chatgpt.com": "https://api.openai.com",
  "developers.openai.com": "https://api.openai.com",
};
/** Console pages of new-api/one-api style relays (token page, panel, log, docs). */
const CONSOLE_PATH =
  /^\/(?:console|panel|dashboard|token|tokens|keys|api-keys|login|register|topup|log|logs|pricing|docs|setting|settings|#)(?:\/|$)/i;

const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i;

function tryUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function safeNormalize(value: string): string | null {
  try {
    return normalizeBaseUrl(value);
  } catch {
    return null;
  }
}

/**
 * Reads a configured base URL the way a support person would: missing scheme, a full endpoint
 * pasted, `/v1/v1`, a console or website page, credentials or a query in it.
 */
export function analyzeBaseUrl(raw: string): BaseUrlAnalysis {
  const findings: BaseUrlFinding[] = [];
  const add = (code: BaseUrlFinding["code"], severity: FindingSeverity) => {
    if (!findings.some((f) => f.code === code)) findings.push({ code, severity });
  };
  const value = raw.trim();
  const appBase = safeNormalize(value);

  let url = tryUrl(value);
  if (!url || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    // `api.example.com/v1` parses as nothing useful; `localhost:3000` parses as a scheme.
    const bare = value.replace(/^\/+/, "");
    const scheme = /^(?:localhost|127\.|\[::1\])/i.test(bare) ? "http" : "https";
    const withScheme = tryUrl(`${scheme}://${bare}`);
    if (withScheme && /^[\w.-]+(?::\d+)?(?:\/|$)/.test(value)) {
      add("base_url_no_scheme", "fail");
      url = withScheme;
    } else {
      add("base_url_invalid", "fail");
      return { findings, appBase: null, probeBase: null, suggestion: null };
    }
  } else if (url.protocol !== "http:" && url.protocol !== "https:") {
    add("base_url_bad_scheme", "fail");
    url = tryUrl(`https://${url.host}${url.pathname}`);
    if (!url) return { findings, appBase: null, probeBase: null, suggestion: null };
  }

  if (url.username || url.password) add("base_url_credentials", "fail");
  if (url.search || url.hash) add("base_url_query", "warn");

  const host = url.hostname.toLowerCase();
  let path = url.pathname;
  let origin = `${url.protocol}//${url.host}`;

  if (url.protocol === "http:" && !LOOPBACK.test(host) && !/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    add("base_url_plain_http", "warn");
  }

  const consoleTarget = CONSOLE_HOSTS[host];
  if (consoleTarget) {
    add("base_url_console", "fail");
    origin = consoleTarget;
    path = "";
  } else if (CONSOLE_PATH.test(path) || /^\/#\//.test(path + url.hash)) {
    add("base_url_console", "fail");
    path = "";
  }

  if (/\/{2,}/.test(path)) add("base_url_double_slash", "warn");
  path = path.replace(/\/{2,}/g, "/").replace(/\/+$/, "");

  if (/\/v1\/v1(?:\/|$)/i.test(path)) {
    add("base_url_double_v1", "fail");
    path = path.replace(/(?:\/v1)+(?=\/|$)/gi, "/v1");
  }
  if (ENDPOINT_PATH.test(path)) {
    add("base_url_endpoint", "warn");
    path = path.replace(ENDPOINT_PATH, "").replace(/\/+$/, "");
  }
  path = path.replace(/\/v1$/i, "");
  const probeBase = `${origin}${path}/v1`;

  // What the app tolerates itself (endpoint suffix, double slashes) is only a warning; anything
  // that makes the app call a different URL than intended is a failure.
  if (appBase !== probeBase) {
    for (const finding of findings) {
      if (finding.code === "base_url_endpoint" || finding.code === "base_url_double_slash") {
        finding.severity = "fail";
      }
    }
  }
  findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "fail" ? -1 : 1));
  const suggestion = findings.length > 0 ? `${origin}${path}` : null;
  return { findings, appBase, probeBase, suggestion };
}
