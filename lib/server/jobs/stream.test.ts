import { createParser, type EventSourceMessage } from "eventsource-parser";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import { SqliteJobStore } from "./store";
import { jobEventStream, parseResumePoint } from "./stream";
import { toSnapshot } from "./snapshot";

const stores: SqliteJobStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) void store.close();
});

async function setup() {
  const store = new SqliteJobStore(":memory:");
  stores.push(store);
  const { job } = await store.createJob({
    prompt: "p",
    model: "sora-2",
    protocol: "videos",
    hasImage: false,
  });
  const progress = (percent: number) =>
    store.appendEvent(job.id, { type: "progress", data: { percent } }, { progress: percent });
  return { store, job, progress };
}

/** Reads frames until the stream ends or `stopAfter` frames arrived; returns them. */
async function readFrames(response: Response, stopAfter = Infinity) {
  const frames: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => frames.push(event) });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  while (frames.length < stopAfter) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  if (frames.length >= stopAfter) await reader.cancel();
  return frames;
}

describe("jobEventStream", () => {
  it("from the start: the log's own job event first, then live events until terminal", async () => {
    const { store, job, progress } = await setup();
    await progress(10);
    const response = jobEventStream(job, {
      store,
      locale: "en",
      after: 0,
      signal: new AbortController().signal,
    });
    const reading = readFrames(response);
    await new Promise((r) => setTimeout(r, 10));
    await progress(20);
    await store.appendEvent(
      job.id,
      { type: "failed", data: (j) => ({ job: toSnapshot(j) }) },
      { state: "failed", error: { code: "timeout", requestId: "req_1" } },
    );
    await progress(99);
    const frames = await reading;
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      ["1", "job"],
      ["2", "progress"],
      ["3", "progress"],
      ["4", "failed"],
    ]);
    const failed = JSON.parse(frames[3]!.data);
    expect(failed.job.error).toMatchObject({
      code: "timeout",
      requestId: "req_1",
      retryable: true,
    });
    expect(failed.job.error.message).toMatch(/did not answer in time/i);
  });

  it("on resume: a snapshot without id, then exactly the events after Last-Event-ID", async () => {
    const { store, job, progress } = await setup();
    for (const p of [10, 20, 30, 40]) await progress(p);
    const response = jobEventStream(job, {
      store,
      locale: "zh-CN",
      after: 3,
      signal: new AbortController().signal,
    });
    const frames = await readFrames(response, 3);
    expect(frames[0]).toMatchObject({ event: "job", id: undefined });
    expect(JSON.parse(frames[0]!.data)).toMatchObject({ id: job.id, lastSeq: 5, progress: 40 });
    expect(frames.slice(1).map((f) => f.id)).toEqual(["4", "5"]);
  });

  it("ends at once for a finished job the reader has fully seen", async () => {
    const { store, job } = await setup();
    const done = await store.appendEvent(
      job.id,
      { type: "completed", data: (j) => ({ job: toSnapshot(j) }) },
      { state: "completed", archived: true, videoBytes: 10 },
    );
    const response = jobEventStream(job, {
      store,
      locale: "en",
      after: done!.event.seq,
      signal: new AbortController().signal,
    });
    const frames = await readFrames(response);
    expect(frames.map((f) => f.event)).toEqual(["job"]);
  });

  it("unsubscribes when the request aborts", async () => {
    const { store, job } = await setup();
    const request = new AbortController();
    const response = jobEventStream(job, { store, locale: "en", after: 0, signal: request.signal });
    // Read the first frame but keep the body open: only the request's abort may end it.
    const reader = response.body!.getReader();
    await reader.read();
    await vi.waitFor(() => expect(store.subscriberCount(job.id)).toBe(1));
    request.abort();
    expect(store.subscriberCount(job.id)).toBe(0);
    await reader.cancel();
  });
});

describe("parseResumePoint", () => {
  const req = (url: string, lastEventId?: string) =>
    new Request(`http://x${url}`, {
      headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId },
    });

  it("prefers the header, then ?after=, then 0", () => {
    expect(parseResumePoint(req("/e?after=4", "7"))).toBe(7);
    expect(parseResumePoint(req("/e?after=4"))).toBe(4);
    expect(parseResumePoint(req("/e"))).toBe(0);
    expect(parseResumePoint(req("/e", ""))).toBe(0);
  });

  it.each(["-1", "1.5", "abc", "1e3", "9999999999", "1' OR '1'='1"])("rejects %s", (value) => {
    expect(() => parseResumePoint(req("/e", value))).toThrow(AppError);
    expect(() => parseResumePoint(req(`/e?after=${encodeURIComponent(value)}`))).toThrow(AppError);
  });
});
