import { createParser } from "eventsource-parser";
import { jobSchema, type Job } from "@/lib/contracts/job";

export interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

export interface SseResult {
  events: SseEvent[];
  /** `: ping` and other comments seen. */
  comments: string[];
  /** The server ended the stream (rather than the reader stopping early). */
  ended: boolean;
}

export interface ReadOptions {
  /** Stop (and disconnect) once this many events arrived. */
  stopAfter?: number;
  /** Called for each event as it arrives (e.g. to learn that the stream is live). */
  onEvent?: (event: SseEvent) => void;
  /** Stop (and disconnect) once this returns true for an event. */
  until?: (event: SseEvent, all: SseEvent[]) => boolean;
  timeoutMs?: number;
}

/** Everything a test read from the app, for the key-leak scan. */
export class Transcript {
  readonly texts: string[] = [];
  add(text: string) {
    this.texts.push(text);
  }
}

/** Parses an SSE response with eventsource-parser; disconnects when told to stop. */
export async function readSse(
  response: Response,
  transcript: Transcript,
  options: ReadOptions = {},
): Promise<SseResult> {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let stop = false;
  const parser = createParser({
    onEvent(message) {
      if (stop) return;
      let data: unknown = message.data;
      try {
        data = JSON.parse(message.data);
      } catch {
        // kept as text; the test will notice
      }
      const event: SseEvent = { id: message.id, event: message.event ?? "message", data };
      events.push(event);
      options.onEvent?.(event);
      if (
        (options.stopAfter !== undefined && events.length >= options.stopAfter) ||
        options.until?.(event, events)
      ) {
        stop = true;
      }
    },
    onComment(comment) {
      comments.push(comment.trim());
    },
  });
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  let ended = false;
  try {
    while (!stop) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === "timeout") {
        throw new Error(
          `SSE read timed out after ${timeoutMs} ms; events so far: ${events
            .map((e) => `${e.id ?? "-"}:${e.event}`)
            .join(" ")}`,
        );
      }
      if (next.done) {
        ended = true;
        break;
      }
      const text = decoder.decode(next.value, { stream: true });
      transcript.add(text);
      parser.feed(text);
    }
  } finally {
    clearTimeout(timer);
    if (!ended) await reader.cancel().catch(() => undefined);
  }
  return { events, comments, ended };
}

export interface TextAnswer {
  status: number;
  headers: Headers;
  text: string;
  // Answers are checked structurally or against the contract's zod schemas by each test.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A fetch wrapper that reads and records every answer. */
export class ApiClient {
  readonly transcript = new Transcript();

  constructor(private readonly baseUrl: () => string) {}

  url(path: string): string {
    return `${this.baseUrl()}${path}`;
  }

  /** Raw response (streams): the caller reads it through readSse or bytes(). */
  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(this.url(path), init);
  }

  async request(path: string, init?: RequestInit): Promise<TextAnswer> {
    const response = await this.fetch(path, init);
    const text = await response.text();
    this.transcript.add(text);
    this.transcript.add(JSON.stringify([...response.headers]));
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  async bytes(path: string, init?: RequestInit) {
    const response = await this.fetch(path, init);
    const body = Buffer.from(await response.arrayBuffer());
    this.transcript.add(JSON.stringify([...response.headers]));
    if (!(response.headers.get("content-type") ?? "").startsWith("video/")) {
      this.transcript.add(body.toString("utf8"));
    }
    return { status: response.status, headers: response.headers, body };
  }

  async sse(path: string, init: RequestInit = {}, options?: ReadOptions) {
    const response = await this.fetch(path, init);
    this.transcript.add(JSON.stringify([...response.headers]));
    if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      const text = await response.text();
      this.transcript.add(text);
      throw new Error(`expected an event stream, got ${response.status}: ${text}`);
    }
    return { response, ...(await readSse(response, this.transcript, options)) };
  }

  /** `POST /api/videos` with a JSON body, followed as SSE to its terminal event. */
  createAndFollow(body: unknown, options: ReadOptions = {}, headers: Record<string, string> = {}) {
    return this.sse(
      "/api/videos",
      {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      },
      options,
    );
  }

  /** `POST /api/auth/login` with `password` (and extra headers, e.g. a forged X-Forwarded-For). */
  login(password: string, headers: Record<string, string> = {}) {
    return this.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify({ password }),
    });
  }

  /** `GET /api/videos/:id`, read through the job contract; any answer but 200 throws. */
  async job(id: string): Promise<Job> {
    const answer = await this.request(`/api/videos/${id}`);
    if (answer.status !== 200) throw new Error(`job ${id}: ${answer.status} ${answer.text}`);
    return jobSchema.parse(answer.json);
  }

  /** Reads job `id` every 100 ms until `ok` holds; past `timeoutMs` throws with the last read. */
  async waitForJob(id: string, ok: (job: Job) => boolean, timeoutMs = 30_000): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.job(id);
      if (ok(job)) return job;
      if (Date.now() > deadline)
        throw new Error(`job ${id} never got there: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** `POST /api/videos` answered `202 {job}`. */
  async createJob(body: unknown) {
    return this.request("/api/videos", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
  }
}

/** Every 8-character piece of the key (and the key) found in the texts. */
export function findKeyLeaks(key: string, texts: string[]): string[] {
  const pieces = new Set<string>();
  for (let i = 0; i + 8 <= key.length; i++) pieces.add(key.slice(i, i + 8));
  const found = new Set<string>();
  for (const text of texts) {
    for (const piece of pieces) if (text.includes(piece)) found.add(piece);
  }
  return [...found];
}

/** Headers that ask the app for English messages (assertions read them). */
export const EN = { "accept-language": "en" };

export const TERMINAL = (event: SseEvent) =>
  event.event === "completed" ||
  event.event === "failed" ||
  (event.event === "state" && (event.data as { state?: string }).state === "canceled");

/** The job of a followed stream's terminal event (a stream that did not end in one throws). */
export function finalJob(events: SseEvent[]): Job {
  const last = events.at(-1);
  if (!last || !TERMINAL(last)) throw new Error(`no terminal event: ${JSON.stringify(last)}`);
  return jobSchema.parse((last.data as { job: unknown }).job);
}
