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

/**
 * A registered secret is recognised by any PIECE of it this long: a relay that echoes a truncated
 * or partially masked key still gives away usable pieces, and the leak scans look for exactly these.
 */
export const SECRET_PIECE_LENGTH = 8;
/** Characters a masked run is widened over, so `sk-abc…` partial echoes are masked as one token. */
const TOKEN_CHAR = /[A-Za-z0-9_-]/;

interface SecretRegistry {
  secrets: Set<string>;
  /** Every SECRET_PIECE_LENGTH-long substring of every secret. */
  pieces: Set<string>;
}

// Next bundles server code into several chunks, each with its own copy of this module: the
// registry lives on globalThis so a secret registered by one copy is scrubbed by all of them.
const REGISTRY_KEY = Symbol.for("sora-studio.secrets");
type RegistryHolder = { [REGISTRY_KEY]?: SecretRegistry };

function registry(): SecretRegistry {
  const holder = globalThis as RegistryHolder;
  holder[REGISTRY_KEY] ??= { secrets: new Set(), pieces: new Set() };
  return holder[REGISTRY_KEY];
}

/**
 * Registers a secret (API keys as configured and as cleaned, fallback keys, the session secret,
 * ACCESS_PASSWORD) for every scrub in this process, whatever its shape. Secrets shorter than
 * SECRET_PIECE_LENGTH are ignored: masking every 5-letter word that matches a short password would
 * mangle ordinary text, and such a secret is not what the leak scans look for.
 */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret) return;
  const reg = registry();
  for (const value of new Set([secret, secret.trim()])) {
    if (value.length < SECRET_PIECE_LENGTH || reg.secrets.has(value)) continue;
    reg.secrets.add(value);
    for (let i = 0; i + SECRET_PIECE_LENGTH <= value.length; i++) {
      reg.pieces.add(value.slice(i, i + SECRET_PIECE_LENGTH));
    }
  }
}

/**
 * Masks every stretch of `text` that contains a piece of a registered secret. Each match is widened
 * to the whole token around it and replaced by its maskKey form (≤ 6 leading + 3 trailing
 * characters around `…`); since every 8-character window of the input that equals a piece is
 * inside a masked stretch, the output holds no piece of any registered secret.
 */
function maskRegisteredPieces(text: string): string {
  const { pieces } = registry();
  if (pieces.size === 0 || text.length < SECRET_PIECE_LENGTH) return text;
  const spans: [number, number][] = [];
  for (let i = 0; i + SECRET_PIECE_LENGTH <= text.length; i++) {
    if (!pieces.has(text.slice(i, i + SECRET_PIECE_LENGTH))) continue;
    let start = i;
    let end = i + SECRET_PIECE_LENGTH;
    while (start > 0 && TOKEN_CHAR.test(text[start - 1] ?? "")) start--;
    while (end < text.length && TOKEN_CHAR.test(text[end] ?? "")) end++;
    const last = spans.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else spans.push([start, end]);
  }
  if (spans.length === 0) return text;
  let out = "";
  let cursor = 0;
  for (const [start, end] of spans) {
    out += text.slice(cursor, start) + maskKey(text.slice(start, end));
    cursor = end;
  }
  return out + text.slice(cursor);
}

/** Removes anything key-like from a string that is about to be logged, returned or streamed. */
export function scrubSecrets(text: string): string {
  return maskRegisteredPieces(text)
    .replace(KEY_PATTERN, (match) => maskKey(match))
    .replace(BEARER_PATTERN, (_m, prefix: string) => `${prefix}[redacted]`);
}

/** Scrubbed and cut to a length that fits in a UI line and a support report. */
export function scrubUpstreamMessage(text: string, max = 500): string {
  const flat = scrubSecrets(text).replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The same scrub over every string inside a JSON-like value (reports, envelopes, snapshots). */
export function scrubDeep<T>(value: T): T {
  if (typeof value === "string") return scrubSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item)) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, scrubDeep(item)]),
    ) as T;
  }
  return value;
}
