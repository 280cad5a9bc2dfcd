import "server-only";
import { formatDuration, withReadableMs } from "@/lib/client/format";
import {
  LOCAL_CAUSE_CODES,
  type CheckId,
  type CheckStatus,
  type DiagnosticCheck,
  type DiagnosticCode,
} from "@/lib/contracts/diagnostics";
import type { Protocol } from "@/lib/contracts/job";
import type { Locale } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { translator } from "@/lib/i18n/translate";
import type { ApiStyle, SharedModeConfig } from "../config";
import type { UpstreamError } from "../upstream/classify";

/** What to test: explicit, so the route, the page and the CLI (with its flags) share one engine. */
export interface DiagnosticsTarget {
  /** As configured (the base URL check reads the raw value). */
  baseUrl: string;
  /** The key as the app sends it (cleaned), if any. */
  apiKey: string | undefined;
  /** The key exactly as configured, for the format check. */
  rawApiKey: string | undefined;
  fallbackBaseUrls: string[];
  /** The relay's console (SORA_CONSOLE_URL); absent: the probed base URL's origin. */
  consoleUrl?: string;
  /** Configured models, the default one first. */
  models: string[];
  protocol: Protocol;
  /** Variable the key came from, for messages. Default SORA_API_KEY. */
  keySource?: string;
  /** Settings a real generation (`generate`) runs with. */
  apiStyle?: ApiStyle;
  requestTimeoutMs?: number;
  streamIdleTimeoutMs?: number;
  pollIntervalMs?: number;
  allowedMediaHosts?: string[];
  /** Where jobs and videos are kept (the store and archive checks); absent = not checked. */
  storage?: { dataDir: string; shared: SharedModeConfig };
}

export interface DiagnosticsOptions {
  locale: Locale;
  /** Bound of the whole run (default 15 s); each probe gets a third of it (5 s by default). */
  timeoutMs?: number;
  /** Run one real, billed generation end to end (never by default). */
  generate?: boolean;
  /** Bound of the real generation (default 10 min), on top of the run's bound. */
  generateTimeoutMs?: number;
  /** Called as each check finishes (in finishing order), e.g. to stream it. */
  onCheck?: (check: DiagnosticCheck) => void;
  /** Stops the run (a closed page). */
  signal?: AbortSignal;
}

export const DEFAULT_RUN_TIMEOUT_MS = 15_000;
export const DEFAULT_GENERATE_TIMEOUT_MS = 10 * 60_000;

export interface Outcome {
  status: CheckStatus;
  observed: string;
  code?: DiagnosticCode;
  cause?: string;
  hint?: string;
  /** A skip that means "cannot be checked because something before it is broken". */
  blocking?: boolean;
}

export type Values = Record<string, string | number>;
export type Translate = (key: string, values?: Values) => string;

const LOCAL_CODES = new Set<string>(LOCAL_CAUSE_CODES);

export interface ModelEntry {
  id: string;
  shutdownDate?: string;
}

/** State shared by the checks of one run. */
export class RunContext {
  readonly t: Translate;
  private readonly root: Translate;
  readonly startedAt = Date.now();
  readonly deadline: number;
  readonly perProbeMs: number;
  readonly signal: AbortSignal;

  /** From baseUrl.format: the URL the probes use (with `/v1`), or null when nothing parses. */
  probeBase: string | null = null;
  probeUrl: URL | null = null;
  /** From auth: what `/v1/models` listed. */
  modelList: ModelEntry[] | null = null;
  /** From auth: the key was recognised but the relay said its quota is used up. */
  quotaEvidence: UpstreamError | null = null;

  constructor(
    readonly target: DiagnosticsTarget,
    readonly options: DiagnosticsOptions,
    parent?: RunContext,
  ) {
    const bound = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    this.deadline = parent?.deadline ?? this.startedAt + bound;
    this.perProbeMs = parent?.perProbeMs ?? Math.max(250, Math.round(bound / 3));
    this.signal = parent?.signal ?? options.signal ?? new AbortController().signal;
    const plain = translator(options.locale) as unknown as Translate;
    const base = withReadableMs(plain, (ms) => formatDuration(ms, plain));
    this.root = base;
    this.t = (key, values) => base(`diagnostics.${key}`, values);
  }

  /** The same run (deadline, signal, language) aimed at another base URL: a fallback. */
  forBaseUrl(baseUrl: string): RunContext {
    return new RunContext(
      { ...this.target, baseUrl, fallbackBaseUrls: [], consoleUrl: undefined },
      this.options,
      this,
    );
  }

  get model(): string {
    return this.target.models[0] ?? "";
  }

  get host(): string {
    return this.probeUrl?.host ?? "";
  }

  get keySource(): string {
    return this.target.keySource ?? "SORA_API_KEY";
  }

  /** Time a probe may take: its share, never past the run's deadline. */
  probeTimeout(): number {
    return Math.max(1, Math.min(this.perProbeMs, this.deadline - Date.now()));
  }

  remainingMs(): number {
    return this.deadline - Date.now();
  }

  /** Values every cause/hint text may use. */
  values(extra: Values = {}): Values {
    return {
      host: this.host || "?",
      // A whole URL, so the page can make it a link (a bare host is not one).
      console: this.target.consoleUrl ?? this.probeUrl?.origin ?? this.target.baseUrl,
      model: this.model || "?",
      baseUrl: this.target.baseUrl,
      source: this.keySource,
      protocol: this.target.protocol,
      ...extra,
    };
  }

  pass(observed: string): Outcome {
    return { status: "pass", observed };
  }

  skip(reason: string, observed?: string, blocking = false): Outcome {
    return { status: "skip", observed: observed ?? reason, cause: reason, blocking };
  }

  /** A warn/fail explained by the texts of its code (diagnostics causes, or the app's error codes). */
  problem(
    status: "warn" | "fail",
    code: DiagnosticCode,
    observed: string,
    extra: Values = {},
    override: { cause?: string; hint?: string } = {},
  ): Outcome {
    const values = this.values(extra);
    let cause: string;
    let hint: string;
    if (LOCAL_CODES.has(code)) {
      cause = this.t(`causes.${code}.cause`, values);
      hint = this.t(`causes.${code}.hint`, values);
    } else {
      cause = this.root(`errors.codes.${code}.message`, values);
      // Diagnostics is read by whoever runs the studio: the operator's steps when there are some.
      const entry = (MESSAGES.en.errors.codes as Record<string, { admin?: string }>)[code];
      hint = this.root(`errors.codes.${code}.${entry?.admin ? "admin" : "hint"}`, values);
    }
    return {
      status,
      observed,
      code,
      cause: override.cause ?? cause,
      hint: override.hint ?? hint,
    };
  }

  title(id: CheckId): string {
    return this.t(`checks.${id.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase())}`);
  }
}
