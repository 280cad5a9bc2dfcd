import "server-only";
import { sameOrigin, hostOf } from "./base-url";
import { classifyUpstreamError, UpstreamError, UpstreamTimeout } from "./classify";
import type { UpstreamDeps } from "./deps";
import { checkDestination, refusedAtConnect } from "./destination";
import { recordUpstreamCall, type CallOutcome } from "./records";
import type { UpstreamOperation } from "./types";

const MAX_REDIRECTS = 5;
/** Error bodies are read for classification only; a relay page never needs more. */
const MAX_ERROR_BODY_CHARS = 64 * 1024;
/** JSON answers (polls, creates, model lists) are small; a bigger one is refused, not buffered. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export interface UpstreamRequest {
  operation: UpstreamOperation;
  url: string;
  /** The base URL that owns the call: only its origin ever receives the Authorization header. */
  baseUrl: string;
  apiKey?: string;
  method?: "GET" | "POST" | "DELETE";
  headers?: Record<string, string>;
  body?: BodyInit;
  attempt: number;
  model?: string;
  protocol?: string;
  signal: AbortSignal;
  deps: UpstreamDeps;
}

/** Thrown instead of a classification when the caller's own signal aborted. */
export function isCallerAbort(signal: AbortSignal, error: unknown): boolean {
  return signal.aborted && (error === signal.reason || !(error instanceof UpstreamError));
}

/**
 * One upstream HTTP exchange with our timers: `requestTimeoutMs` until the headers (and for a
 * buffered body), an idle timer between stream chunks; both combined with the caller's signal.
 */
export class UpstreamCall {
  readonly host: string;
  private readonly local = new AbortController();
  readonly signal: AbortSignal;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private idle: { ms: number } | undefined;
  private finished = false;
  private readonly startedAt = Date.now();
  response!: Response;

  constructor(readonly request: UpstreamRequest) {
    this.host = hostOf(request.url);
    this.signal = AbortSignal.any([request.signal, this.local.signal]);
  }

  /** Starts a timer that aborts the exchange with an UpstreamTimeout. */
  arm(phase: UpstreamTimeout["phase"], ms: number): void {
    this.disarm();
    this.idle = phase === "idle" ? { ms } : undefined;
    this.timer = setTimeout(() => this.local.abort(new UpstreamTimeout(phase, ms)), ms);
  }

  /** Data arrived: restart the idle timer. */
  touch(): void {
    if (this.idle) this.arm("idle", this.idle.ms);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Why the exchange stopped when a read or fetch threw: our timer, the caller, or the network. */
  explain(error: unknown, streamStarted = false): unknown {
    if (this.request.signal.aborted) return this.request.signal.reason;
    const reason = this.local.signal.aborted ? this.local.signal.reason : undefined;
    return classifyUpstreamError({
      error: reason instanceof UpstreamTimeout ? reason : error,
      operation: this.request.operation,
      model: this.request.model,
      host: this.host,
      streamStarted,
    });
  }

  get timedOut(): UpstreamTimeout | undefined {
    const reason = this.local.signal.aborted ? this.local.signal.reason : undefined;
    return reason instanceof UpstreamTimeout ? reason : undefined;
  }

  /** Writes the call's record and `[Sora2]` line once. */
  finish(outcome: CallOutcome & { error?: unknown }): void {
    if (this.finished) return;
    this.finished = true;
    this.disarm();
    const { error, ...rest } = outcome;
    let errorCode = rest.errorCode;
    let upstreamRequestId = rest.upstreamRequestId;
    if (error !== undefined) {
      if (error instanceof UpstreamError) {
        errorCode ??= error.code;
        upstreamRequestId ??= error.options.upstreamRequestId;
      } else if (this.request.signal.aborted) {
        errorCode ??= "aborted";
      } else {
        errorCode ??= "internal_error";
      }
    }
    recordUpstreamCall(
      {
        startedAt: this.startedAt,
        operation: this.request.operation,
        host: this.host,
        attempt: this.request.attempt,
        model: this.request.model,
      },
      {
        ...rest,
        status: rest.status ?? (this.response ? this.response.status : undefined),
        errorCode,
        upstreamRequestId:
          upstreamRequestId ?? this.response?.headers.get("x-request-id") ?? undefined,
        protocol: this.request.protocol,
      },
    );
  }

  /**
   * Reads a small body (JSON, an error page) within `requestTimeoutMs`, never more than `maxBytes`:
   * beyond it the read stops and, unless `truncate`, fails as a protocol error (not retried).
   */
  async readText(
    maxBytes = MAX_JSON_BODY_BYTES,
    options: { truncate?: boolean } = {},
  ): Promise<string> {
    this.arm("body", this.request.deps.config.requestTimeoutMs);
    try {
      const body = this.response.body;
      if (!body) return "";
      const reader = body.getReader();
      const decoder = new TextDecoder();
      let text = "";
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const room = maxBytes - bytes;
        bytes += value.byteLength;
        text += decoder.decode(value.byteLength > room ? value.subarray(0, room) : value, {
          stream: true,
        });
        if (bytes > maxBytes) {
          await reader.cancel().catch(() => undefined);
          if (!options.truncate) {
            throw new UpstreamError("protocol_error", {
              params: { host: this.host },
              status: this.response.status,
              upstreamMessage: `the answer is larger than ${maxBytes} bytes`,
              shouldRetry: false,
            });
          }
          break;
        }
      }
      return text + decoder.decode();
    } catch (error) {
      throw this.explain(error, false);
    } finally {
      this.disarm();
    }
  }

  /** Classifies a non-2xx answer from its status, headers and body; records and returns the error. */
  async failFromStatus(): Promise<UpstreamError> {
    let body = "";
    try {
      body = await this.readText(MAX_ERROR_BODY_CHARS, { truncate: true });
    } catch (error) {
      if (this.request.signal.aborted) {
        this.finish({ error });
        throw error;
      }
    }
    const error = classifyUpstreamError({
      status: this.response.status,
      headers: this.response.headers,
      body,
      operation: this.request.operation,
      model: this.request.model,
      host: this.host,
    });
    this.finish({ error });
    return error;
  }

  /** Sends the request; resolves at the headers. A failure before that is recorded and thrown classified. */
  async open(): Promise<this> {
    const { request } = this;
    const { config } = request.deps;
    this.arm("headers", config.requestTimeoutMs);
    let url = request.url;
    try {
      for (let hop = 0; ; hop++) {
        // Every hop, redirects included: relay-provided URLs may not reach private addresses.
        const dispatcher = await checkDestination(url, {
          config,
          baseUrl: request.baseUrl,
          lookup: request.deps.lookup,
        });
        const headers = new Headers(request.headers);
        // Scheme, host and port: the key never travels over plain HTTP or to another port.
        if (request.apiKey && sameOrigin(url, request.baseUrl)) {
          headers.set("authorization", `Bearer ${request.apiKey}`);
        }
        const response = await request.deps
          .fetch(url, {
            method: request.method ?? "GET",
            headers,
            body: request.body,
            signal: this.signal,
            // Redirects are followed by hand so the key never follows one to another origin.
            redirect: "manual",
            ...(dispatcher ? { dispatcher } : {}),
          })
          .catch((error: unknown) => {
            throw refusedAtConnect(error, url) ?? error;
          });
        const location = response.headers.get("location");
        const redirect = response.status >= 300 && response.status < 400 && location;
        if (redirect && (request.method ?? "GET") === "GET" && hop < MAX_REDIRECTS) {
          await response.body?.cancel().catch(() => undefined);
          url = new URL(location, url).toString();
          continue;
        }
        this.response = response;
        break;
      }
    } catch (error) {
      const explained = this.explain(error, false);
      this.finish({ error: explained });
      throw explained;
    }
    this.disarm();
    return this;
  }
}

export async function openUpstream(request: UpstreamRequest): Promise<UpstreamCall> {
  return new UpstreamCall(request).open();
}
