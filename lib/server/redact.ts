import "server-only";

/** `sk-R8b…y5h`: enough to recognise a key, never enough to use one. */
export function maskKey(key: string | undefined | null): string {
  if (!key) return "";
  const k = key.trim();
  if (k.length < 20) return k.startsWith("sk-") ? "sk-…" : "…";
  return `${k.slice(0, 6)}…${k.slice(-3)}`;
}

const KEY_PATTERN = /\bsk-[A-Za-z0-9_-]{8,}/g;
const BEARER_PATTERN = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
const knownSecrets = new Set<string>();

/** Registers a secret (the configured key) so scrubSecrets removes it even when it is not `sk-`-shaped. */
export function registerSecret(secret: string | undefined) {
  if (secret && secret.length >= 8) knownSecrets.add(secret);
}

/** Removes anything key-like from a string that is about to be logged, returned or streamed. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(maskKey(secret));
  }
  return out
    .replace(KEY_PATTERN, (match) => maskKey(match))
    .replace(BEARER_PATTERN, (_m, prefix: string) => `${prefix}[redacted]`);
}

/** Scrubbed and cut to a length that fits in a UI line and a support report. */
export function scrubUpstreamMessage(text: string, max = 500): string {
  const flat = scrubSecrets(text).replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
