import "server-only";
import type { DiagnosticCode } from "@/lib/contracts/diagnostics";
import { cleanApiKey } from "../config";

export type FindingSeverity = "warn" | "fail";

export interface KeyFinding {
  code: Extract<DiagnosticCode, `key_${string}`>;
  severity: FindingSeverity;
}

export interface KeyAnalysis {
  findings: KeyFinding[];
  /** Length of the key as the app sends it (after stripping what cleanApiKey strips). */
  cleanedLength: number;
  hasSkPrefix: boolean;
}

/** Shorter than any key a relay or OpenAI issues (they are 40+ characters); probably cut off. */
export const MIN_KEY_LENGTH = 20;

const PLACEHOLDERS: RegExp[] = [
  /your[-_ ]?(api[-_ ]?)?(key|token)/i,
  /^sk-(x+|\.+|\*+|…)$/i,
  /x{6,}/i,
  /^<.*>$/,
  /\.\.\.|…/,
  /^(sk-)?(test|demo|example|placeholder|changeme|change[-_]me|replace[-_ ]?me|todo|key|token|null|undefined)$/i,
  /填写|替换|你的|在此|密钥|令牌/,
];

const FULL_WIDTH = /[\u3000\uFF01-\uFF5E]/;
const INVISIBLE = /[\u200B-\u200F\u2028\u2029\u2060\uFEFF\u00A0]/;
const FULL_WIDTH_ALL = new RegExp(FULL_WIDTH, "g");
const INVISIBLE_ALL = new RegExp(INVISIBLE, "g");
const QUOTES = /["'“”‘’`]/;

/**
 * Everything people get wrong when pasting a key into `.env` (support-thread classics). The app
 * strips surrounding spaces, quotes and a `Bearer ` prefix itself (warn: other tools will not);
 * what it cannot repair is a fail.
 */
export function analyzeKey(raw: string): KeyAnalysis {
  const findings: KeyFinding[] = [];
  const add = (code: KeyFinding["code"], severity: FindingSeverity) => {
    if (!findings.some((f) => f.code === code)) findings.push({ code, severity });
  };
  const cleaned = cleanApiKey(raw);
  const trimmed = raw.trim();

  if (/^\s|\s$/.test(raw.replace(/[\r\n]+$/, "").replace(/^[\r\n]+/, ""))) {
    add("key_whitespace", "warn");
  }
  if (/[\r\n]/.test(raw)) add("key_newline", /[\r\n]/.test(cleaned) ? "fail" : "warn");
  if (QUOTES.test(trimmed)) add("key_quotes", QUOTES.test(cleaned) ? "fail" : "warn");
  if (/^["'“”‘’`]*bearer\s/i.test(trimmed)) add("key_bearer_prefix", "warn");

  if (FULL_WIDTH.test(cleaned)) add("key_full_width", "fail");
  if (INVISIBLE.test(cleaned)) add("key_invisible", "fail");
  // Header values must be ISO-8859-1; anything else makes every request throw before it is sent.
  const rest = cleaned.replace(FULL_WIDTH_ALL, "").replace(INVISIBLE_ALL, "");
  if (/[^\u0020-\u007E]/.test(rest.replace(/\s/g, ""))) add("key_non_ascii", "fail");
  if (/\s/.test(cleaned)) add("key_inner_space", "fail");

  if (/^https?:\/\//i.test(cleaned)) add("key_looks_like_url", "fail");
  else if (PLACEHOLDERS.some((re) => re.test(cleaned))) add("key_placeholder", "fail");

  const normalized = cleaned.normalize("NFKC");
  const hasSkPrefix = normalized.startsWith("sk-");
  const isPlaceholderLike = findings.some(
    (f) => f.code === "key_placeholder" || f.code === "key_looks_like_url",
  );
  if (!hasSkPrefix && !isPlaceholderLike) add("key_prefix", "warn");
  if (cleaned.length > 0 && cleaned.length < MIN_KEY_LENGTH && !isPlaceholderLike) {
    add("key_short", "warn");
  }

  findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "fail" ? -1 : 1));
  return { findings, cleanedLength: cleaned.length, hasSkPrefix };
}
