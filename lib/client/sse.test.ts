import { describe, expect, it } from "vitest";
import { isRejectedFrame, readJobEvents, type ReadJobEvent } from "./sse";
import { frame, sampleJob, sseBody } from "./test-fixtures";

async function collect(body: ReadableStream<Uint8Array>): Promise<ReadJobEvent[]> {
  const out: ReadJobEvent[] = [];
  for await (const item of readJobEvents(body)) out.push(item);
  return out;
}

describe("readJobEvents", () => {
  it("parses framed events split across chunks and skips ping comments", async () => {
    const text =
      frame(1, "job", sampleJob()) +
      ": ping\n\n" +
      frame(2, "progress", { percent: 12, message: "排队中" }) +
      frame(3, "retry", {
        attempt: 1,
        maxRetries: 2,
        delayMs: 3000,
        error: { code: "upstream_unavailable", status: 503, message: "Service Unavailable" },
      });
    const events = await collect(sseBody(text, 5));
    expect(events.map((e) => (isRejectedFrame(e) ? "rejected" : `${e.seq}:${e.type}`))).toEqual([
      "1:job",
      "2:progress",
      "3:retry",
    ]);
  });

  it("rejects frames that are not JSON or do not match the schema", async () => {
    const text =
      "id: 1\nevent: progress\ndata: {not json\n\n" +
      frame(2, "progress", { percent: 140 }) +
      frame(3, "mystery", {}) +
      frame(4, "state", { state: "running" });
    const events = await collect(sseBody(text));
    expect(events.filter(isRejectedFrame).map((e) => e.reason)).toEqual([
      "json",
      "schema",
      "schema",
    ]);
    expect(events.at(-1)).toEqual({ seq: 4, type: "state", data: { state: "running" } });
  });

  it("handles CRLF line endings", async () => {
    const text = frame(7, "state", { state: "completed" }).replace(/\n/g, "\r\n");
    expect(await collect(sseBody(text))).toEqual([
      { seq: 7, type: "state", data: { state: "completed" } },
    ]);
  });

  it("reports every chunk, ping comments included, before parsing", async () => {
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    let activity = 0;
    const body = sseBody(": ping\n\n" + frame(1, "state", { state: "running" }) + ": ping\n\n", 9);
    const source = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          chunks.push(decoder.decode(chunk));
          controller.enqueue(chunk);
        },
      }),
    );
    const events: ReadJobEvent[] = [];
    for await (const item of readJobEvents(source, { onActivity: () => (activity += 1) })) {
      events.push(item);
    }
    expect(events).toHaveLength(1);
    expect(activity).toBe(chunks.length);
    expect(activity).toBeGreaterThan(4);
  });

  it("stops reading when its signal aborts, even if the body never ends", async () => {
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(frame(1, "state", { state: "running" })));
      },
    });
    const seen: ReadJobEvent[] = [];
    for await (const item of readJobEvents(body, { signal: controller.signal })) {
      seen.push(item);
      controller.abort();
    }
    expect(seen).toHaveLength(1);
  });
});
