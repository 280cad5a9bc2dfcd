import "server-only";
import { createParser, type EventSourceParser } from "eventsource-parser";
import { scrubUpstreamMessage } from "../redact";
import { classifyUpstreamError, UpstreamError, UpstreamTimeout } from "./classify";
import { isObject } from "./json";

/** How the byte stream ended: `[DONE]`, EOF, a broken connection, or our idle timer. */
export type StreamEnding = "done" | "eof" | "cut" | "idle";

export type ChatStreamResult = { ok: true; url: string } | { ok: false; error: UpstreamError };

export interface ChatStreamHooks {
  onProgress(info: { percent: number; message?: string }): void;
  /** A meaningful piece of data arrived (comments and keep-alives do not count). */
  onActivity?(): void;
}

export interface ChatStreamContext {
  model?: string;
  host?: string;
  idleTimeoutMs?: number;
  upstreamRequestId?: string;
}

/** Reference §4: `进度 45%`, `>🏃 进度 76..`, `**Video Generation Progress**: 45%`. */
const PROGRESS = /(?:进度|[Pp]rogress)\D{0,8}(\d{1,3}(?:\.\d+)?)\s*%?/;
/** On an unfinished line only accept a number that is already followed by something else. */
const PROGRESS_PARTIAL = /(?:进度|[Pp]rogress)\D{0,8}(\d{1,3}(?:\.\d+)?)(?=[^\d.]|\.\D|\.$)/;
const POLICY_TEXT = /content[\s_-]?policy[\s_-]?violation/i;
const FAILURE_TEXT = /❌|生成失败/;
const VIDEO_TAG = /<video[^>]*?\ssrc\s*=\s*["']([^"']+)["']/i;
const MARKDOWN_LINK = /(!?)\[[^\]]*\]\((https?:\/\/[^)\s]+)\)/g;
const BARE_MP4 = /https?:\/\/[^\s"'<>()[\]]+?\.mp4(?:\?[^\s"'<>()[\]]*)?/i;
const JSON_URL = /"(?:video_url|url)"\s*:\s*"(https?:[^"]+)"/;
const IMAGE_URL = /\.(?:png|jpe?g|webp|gif)(?:\?|$)/i;
const MAX_TEXT = 1_000_000;

type TextKind = "content" | "reasoning";

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((part) => (isObject(part) && typeof part.text === "string" ? part.text : ""))
      .join("");
  }
  return "";
}

/** A short human line from an upstream log line: markdown, quotes and trailing dots removed. */
function progressMessage(line: string): string | undefined {
  const trimmed = line.trim();
  if (!trimmed || /https?:\/\/|```|<video|^[{[<]/i.test(trimmed)) return undefined;
  const cleaned = trimmed
    .replace(/\*\*|__|`/g, "")
    .replace(/^[>#*\-\s]+/, "")
    .replace(/[.。…·\s]+$/, "")
    .trim();
  if (!cleaned) return undefined;
  return scrubUpstreamMessage(cleaned, 80);
}

/**
 * Reads a chat-completions video stream in any of the relay styles of reference §4: progress from
 * `content` and `reasoning_content`, the result URL from `output[]`, `<video src>`, a markdown link,
 * a bare `.mp4` or JSON `url`, failures from `{"error":…}` chunks or `❌ 生成失败` text.
 * Pure: bytes in, callbacks and a result out; the HTTP side lives in chat.ts.
 */
export class ChatStreamParser {
  private readonly sse: EventSourceParser;
  private mode: "unknown" | "sse" | "json" | "html" = "unknown";
  private raw = "";
  private readonly text: Record<TextKind, string> = { content: "", reasoning: "" };
  private readonly pending: Record<TextKind, string> = { content: "", reasoning: "" };
  private readonly outputUrls: string[] = [];
  private loose = "";
  private errorBody: string | undefined;
  private malformed: string | undefined;
  /** Characters since the last line break: the SSE parser buffers an open line whole. */
  private openLine = 0;
  private finishReason = false;
  private doneSeen = false;
  private useful = false;
  private dataEvents = 0;
  private percent = 0;
  private lastEmitted: { percent: number; message?: string } | undefined;
  private lastMessage: string | undefined;

  constructor(
    private readonly hooks: ChatStreamHooks,
    options: { contentType?: string | null } = {},
  ) {
    this.sse = createParser({ onEvent: (event) => this.onEvent(event.event, event.data) });
    if (options.contentType?.includes("text/html")) this.mode = "html";
  }

  /** `[DONE]` seen (also the malformed literal `data: [DONE]\n\n`): stop reading. */
  get done(): boolean {
    return this.doneSeen;
  }

  feed(chunk: string): void {
    if (this.doneSeen || !chunk) return;
    if (this.mode === "unknown") {
      const head = (this.raw + chunk).trimStart();
      if (!head) {
        this.raw += chunk;
        return;
      }
      this.mode = head.startsWith("<") ? "html" : /^[{[]/.test(head) ? "json" : "sse";
      chunk = this.raw + chunk;
      this.raw = "";
    }
    if (this.mode !== "sse") {
      if (this.raw.length < MAX_TEXT) this.raw += chunk;
      this.hooks.onActivity?.();
      return;
    }
    const lastBreak = chunk.lastIndexOf("\n");
    this.openLine = lastBreak < 0 ? this.openLine + chunk.length : chunk.length - lastBreak - 1;
    if (this.openLine > MAX_TEXT) {
      // A relay that never ends its line would grow the parser's buffer without bound.
      this.malformed ??= `a stream line longer than ${MAX_TEXT} characters`;
      this.doneSeen = true;
      return;
    }
    this.sse.feed(chunk);
    // S2A's Cloudflare/429 path writes `data: [DONE]\n\n` with literal backslash-n and no newline.
    const tail = (this.raw + chunk).slice(-64);
    this.raw = tail;
    if (/(?:^|\n)data:\s*\[DONE\](?:\\n)+\s*$/.test(tail)) this.doneSeen = true;
  }

  private onEvent(type: string | undefined, rawData: string): void {
    if (this.doneSeen) return;
    const data = rawData.trim();
    if (data.startsWith("[DONE]")) {
      this.doneSeen = true;
      return;
    }
    this.dataEvents++;
    this.hooks.onActivity?.();
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      if (type === "error") {
        this.errorBody ??= data;
        return;
      }
      this.malformed ??= data.slice(0, 200);
      if (this.loose.length < MAX_TEXT) this.loose += `${data}\n`;
      return;
    }
    if (isObject(json) && json.error !== undefined && json.error !== null) {
      this.errorBody ??= JSON.stringify({ error: json.error });
      return;
    }
    if (type === "error") {
      this.errorBody ??= data;
      return;
    }
    if (!isObject(json)) return;
    this.readChunk(json);
  }

  private readChunk(json: Record<string, unknown>): void {
    const choices = Array.isArray(json.choices) ? json.choices : [];
    for (const choice of choices) {
      if (!isObject(choice)) continue;
      const delta = isObject(choice.delta)
        ? choice.delta
        : isObject(choice.message)
          ? choice.message
          : {};
      this.readOutput(delta.output);
      if (typeof delta.video_url === "string") this.outputUrls.push(delta.video_url);
      this.addText("reasoning", textOf(delta.reasoning_content) || textOf(delta.reasoning));
      this.addText("content", textOf(delta.content));
      if (typeof choice.finish_reason === "string" && choice.finish_reason)
        this.finishReason = true;
    }
    this.readOutput(json.output);
  }

  private readOutput(output: unknown): void {
    if (!Array.isArray(output)) return;
    for (const item of output) {
      if (isObject(item) && typeof item.url === "string" && /^https?:/i.test(item.url)) {
        this.outputUrls.push(item.url);
      }
    }
  }

  private addText(kind: TextKind, text: string): void {
    if (!text) return;
    if (this.text[kind].length < MAX_TEXT) this.text[kind] += text;
    if (text.trim()) this.useful = true;
    let buffer = this.pending[kind] + text;
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      this.onLine(buffer.slice(0, newline), true);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
    }
    this.pending[kind] = buffer;
    if (buffer) this.onLine(buffer, false);
  }

  private onLine(line: string, complete: boolean): void {
    const match = (complete ? PROGRESS : PROGRESS_PARTIAL).exec(line);
    if (match?.[1] !== undefined) {
      const value = Number(match[1]);
      if (Number.isFinite(value)) this.percent = Math.min(100, Math.max(0, Math.round(value)));
    }
    const message = complete ? progressMessage(line) : undefined;
    if (message) this.lastMessage = message;
    this.emit(message ?? this.lastEmitted?.message);
  }

  private emit(message: string | undefined): void {
    const last = this.lastEmitted;
    if (last && last.percent === this.percent && last.message === message) return;
    if (!last && this.percent === 0 && !message) return;
    this.lastEmitted = { percent: this.percent, message };
    this.hooks.onProgress(message ? { percent: this.percent, message } : { percent: this.percent });
  }

  private flush(): void {
    if (this.mode === "sse") {
      // Dispatches a last event that was not followed by a blank line.
      this.sse.feed("\n\n");
    }
    for (const kind of ["reasoning", "content"] as const) {
      const rest = this.pending[kind];
      this.pending[kind] = "";
      if (rest) this.onLine(rest, true);
    }
  }

  /** The result URL, by the preference order of reference §4. */
  videoUrl(): string | undefined {
    if (this.outputUrls[0]) return this.outputUrls[0];
    const texts = [this.text.content, this.text.reasoning, this.loose];
    for (const text of texts) {
      const tag = VIDEO_TAG.exec(text)?.[1];
      if (tag) return tag;
    }
    for (const text of texts) {
      const links = [...text.matchAll(MARKDOWN_LINK)].filter((m) => m[1] !== "!" && m[2]);
      const video = links.find((m) => !IMAGE_URL.test(m[2] ?? "")) ?? links[0];
      if (video?.[2]) return video[2];
    }
    for (const text of texts) {
      const bare = BARE_MP4.exec(text)?.[0];
      if (bare) return bare;
    }
    for (const text of texts) {
      const json = JSON_URL.exec(text)?.[1];
      if (json) return json.replace(/\\\//g, "/");
    }
    return undefined;
  }

  private failureLine(kind: TextKind, pattern: RegExp): string | undefined {
    const line = this.text[kind].split("\n").find((l) => pattern.test(l));
    return line?.replace(/\*\*/g, "").trim() || undefined;
  }

  /** A non-streamed `chat.completion` answer (or an error object) sent as plain JSON, or JSON lines. */
  private readJsonAnswer(): void {
    let objects: unknown[];
    try {
      objects = [JSON.parse(this.raw)];
    } catch {
      try {
        objects = this.raw
          .split("\n")
          .filter((line) => line.trim())
          .map((line) => JSON.parse(line) as unknown);
      } catch {
        this.malformed ??= this.raw.slice(0, 200);
        return;
      }
    }
    for (const json of objects) {
      if (!isObject(json)) continue;
      if (json.error !== undefined && json.error !== null) {
        this.errorBody ??= JSON.stringify({ error: json.error });
        continue;
      }
      this.readChunk(json);
      if (typeof json.url === "string" || typeof json.video_url === "string") {
        this.outputUrls.push(String(json.video_url ?? json.url));
      }
    }
  }

  /** Decides the outcome once the stream has ended (see the order in the code). */
  finish(ending: StreamEnding, context: ChatStreamContext = {}): ChatStreamResult {
    this.flush();
    if (this.mode === "json") this.readJsonAnswer();
    const params = { model: context.model, host: context.host };
    const fail = (
      code: UpstreamError["code"],
      upstreamMessage?: string,
      detail?: { key: string },
    ): ChatStreamResult => ({
      ok: false,
      error: new UpstreamError(code, {
        params,
        detail,
        status: 200,
        upstreamMessage,
        upstreamRequestId: context.upstreamRequestId,
      }),
    });

    // 1. A link means the video exists, whatever else the stream said.
    const url = this.videoUrl();
    if (url) return { ok: true, url };
    // 2. The upstream said it failed.
    if (this.errorBody !== undefined) {
      const error = classifyUpstreamError({
        status: 200,
        body: this.errorBody,
        operation: "stream",
        model: context.model,
        host: context.host,
      });
      return { ok: false, error: withRequestId(error, context.upstreamRequestId) };
    }
    const failure = this.failureLine("content", FAILURE_TEXT);
    const policy =
      this.failureLine("reasoning", POLICY_TEXT) ?? this.failureLine("content", POLICY_TEXT);
    if (failure || policy) return fail("content_policy", failure ?? policy);
    // 3. Bytes we could not read (truncated JSON) and no link: the relay broke the protocol.
    if (this.malformed !== undefined) {
      return fail("protocol_error", `malformed stream data: ${this.malformed}`);
    }
    // 4. Our idle timer: silence (keep-alive comments included) for longer than the limit.
    if (ending === "idle") {
      return fail("timeout", new UpstreamTimeout("idle", context.idleTimeoutMs ?? 0).message, {
        key: "idleTimeout",
      });
    }
    if (this.mode === "html") {
      const error = classifyUpstreamError({
        status: 200,
        body: this.raw,
        headers: new Headers({ "content-type": "text/html" }),
        operation: "stream",
        model: context.model,
        host: context.host,
      });
      return { ok: false, error: withRequestId(error, context.upstreamRequestId) };
    }
    // 5. Nothing useful ever arrived: not a stream we understand.
    if (!this.useful) {
      return fail(
        "protocol_error",
        this.dataEvents === 0
          ? "the stream ended without any data"
          : "the stream ended without progress or a video link",
      );
    }
    // 6. Progress, then the connection broke (or closed without [DONE]/finish_reason): cut short.
    if (ending === "cut" || (ending === "eof" && !this.doneSeen && !this.finishReason)) {
      return fail("interrupted", this.lastMessage ?? `stream cut at ${this.percent}%`);
    }
    // 7. A proper end without a link: the generation failed; its last words explain why.
    return fail("generation_failed", this.lastMessage ?? "the stream ended without a video link");
  }
}

function withRequestId(error: UpstreamError, requestId: string | undefined): UpstreamError {
  if (requestId && !error.options.upstreamRequestId) error.options.upstreamRequestId = requestId;
  return error;
}
