import "server-only";

const ENDPOINT_SUFFIX =
  /\/(?:chat\/completions|videos(?:\/.*)?|video\/generations(?:\/.*)?|models|completions)$/i;

/**
 * `https://x`, `https://x/`, `https://x/v1`, `https://x/v1/` → `https://x/v1`. A pasted endpoint
 * (`…/v1/chat/completions`) is cut back to its `/v1`, and a path without `/v1` gets one.
 */
export function normalizeBaseUrl(input: string): string {
  const url = new URL(input.trim());
  let path = url.pathname.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  path = path.replace(ENDPOINT_SUFFIX, "").replace(/\/+$/, "");
  if (!/\/v1$/i.test(path)) path = `${path}/v1`;
  return `${url.protocol}//${url.host}${path}`;
}

/** Host (with port) of a URL, for logs, events and the Authorization rule. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

/** Same scheme, host and port (default ports normalised): the rule for sending the key. */
export function sameOrigin(a: string, b: string): boolean {
  const origin = (url: string) => {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : "";
    } catch {
      return "";
    }
  };
  const oa = origin(a);
  return oa !== "" && oa === origin(b);
}
