import { describe, expect, it } from "vitest";
import { registerSecret } from "./redact";
import { formatSseFrame, sseResponse, type SseChannel } from "./sse";

async function readSome(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!until(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe("formatSseFrame", () => {
  it("frames id, event and one JSON data line", () => {
    expect(
      formatSseFrame({ id: 3, event: "progress", data: { percent: 5, message: "a\nb" } }),
    ).toBe('id: 3\nevent: progress\ndata: {"percent":5,"message":"a\\nb"}\n\n');
    expect(formatSseFrame({ event: "job", data: {} })).toBe("event: job\ndata: {}\n\n");
  });

  it("never lets a key-shaped string through", () => {
    const key = `sk-${"Ab3".repeat(16)}`;
    expect(formatSseFrame({ data: { message: `bad key ${key}` } })).not.toContain(
      key.slice(10, 18),
    );
  });

  it("masks a registered secret after an escaped newline and keeps the JSON valid", () => {
    const secret = `relay_${"Zq7".repeat(3)}`;
    registerSecret(secret);
    const frame = formatSseFrame({ data: { message: `line one\n${secret}\n` } });
    const data = JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as { message: string };
    expect(data.message).toMatch(/^line one\n/);
    expect(data.message).not.toContain(secret.slice(0, 8));
  });
});

describe("sseResponse", () => {
  it("sends the SSE headers, frames and heartbeats, and ends on close()", async () => {
    let channel: SseChannel | undefined;
    const response = sseResponse({
      heartbeatMs: 20,
      start(c) {
        channel = c;
        c.send({ id: 1, event: "job", data: { id: "x" } });
      },
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const text = await readSome(response, (t) => t.includes(": ping"));
    expect(text.startsWith('id: 1\nevent: job\ndata: {"id":"x"}\n\n')).toBe(true);
    channel?.close();
    expect(channel?.signal.aborted).toBe(true);
    expect(channel?.send({ data: 1 })).toBe(false);
  });

  it("ends the channel when the request signal aborts", async () => {
    const request = new AbortController();
    let channel: SseChannel | undefined;
    const response = sseResponse({
      signal: request.signal,
      start(c) {
        channel = c;
      },
    });
    await readSome(response, () => true);
    await new Promise((r) => setTimeout(r, 0));
    expect(channel?.signal.aborted).toBe(false);
    request.abort();
    expect(channel?.signal.aborted).toBe(true);
  });

  it("ends the channel when the reader cancels the body", async () => {
    let channel: SseChannel | undefined;
    const response = sseResponse({
      start(c) {
        channel = c;
        c.send({ data: 1 });
      },
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(channel?.signal.aborted).toBe(true);
  });
});
