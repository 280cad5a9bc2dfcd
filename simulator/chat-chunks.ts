/*
 * How a chat-protocol stream looks on the wire: SSE framing, sora2api's python-spaced chunks and
 * the compact OpenAI-style chunks the other relays send. What is said, and when, is chat-stream.ts.
 */

export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

export function pingInterval(speed: number): number {
  return Math.max(50, Math.round(10_000 / speed));
}

/** `json.dumps` with Python's default separators (", " and ": "), non-ASCII kept as is. */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

export const sse = (payload: string) => `data: ${payload}\n\n`;
export const DONE = "data: [DONE]\n\n";
export const PING = ": PING\n\n";

/** Chunks in sora2api's format (progress in `reasoning_content`, `"STOP"`, python spacing). */
export class S2AChunks {
  private first = true;
  constructor(
    private readonly id: string,
    private readonly created: number,
  ) {}

  chunk(delta: { content?: string | null; reasoning?: string | null }, finish?: "STOP"): string {
    const role = this.first ? { role: "assistant" } : {};
    this.first = false;
    return sse(
      pyJson({
        id: this.id,
        object: "chat.completion.chunk",
        created: this.created,
        model: "sora",
        choices: [
          {
            index: 0,
            delta: {
              ...role,
              content: delta.content ?? null,
              reasoning_content: delta.reasoning ?? null,
              tool_calls: null,
            },
            finish_reason: finish ?? null,
            native_finish_reason: finish ?? null,
          },
        ],
        usage: finish
          ? { prompt_tokens: 0, completion_tokens: 1, total_tokens: 1 }
          : { prompt_tokens: 0 },
      }),
    );
  }
}

export function compactChunk(
  model: string,
  id: string,
  created: number,
  delta: Record<string, unknown>,
  finish: string | null = null,
): string {
  return sse(
    JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    }),
  );
}
