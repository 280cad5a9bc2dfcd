import { afterEach, describe, expect, it, vi } from "vitest";
import type { Job } from "@/lib/contracts/job";
import { JobFollower, type TrackedJobSink } from "./job-follower";
import { JobMemory } from "./job-memory";
import { frame, sampleJob } from "./test-fixtures";
import { trackJob, type TrackedJob } from "./tracked-job";

function mapSink() {
  const jobs = new Map<string, TrackedJob>();
  const finished: string[] = [];
  const sink: TrackedJobSink = {
    get: (id) => jobs.get(id),
    set: (id, update) => {
      const next = update(jobs.get(id));
      if (next) jobs.set(id, next);
    },
    onFinished: (t) => finished.push(t.job.id),
  };
  return { jobs, finished, sink };
}

interface Call {
  url: string;
  lastEventId: string | null;
}

/** A fake server: each handler answers one request for its path, in order. */
function fakeFetch(routes: Record<string, ((call: Call) => Response)[]>) {
  const calls: Call[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const call = { url, lastEventId: headers.get("Last-Event-ID") };
    calls.push(call);
    const path = url.split("?")[0] ?? url;
    const handler = routes[path]?.shift();
    if (!handler) return new Response("{}", { status: 500 });
    return handler(call);
  });
  return { fetchImpl: fetchImpl as unknown as typeof fetch, calls };
}

const sse = (text: string) => () =>
  new Response(text, { status: 200, headers: { "Content-Type": "text/event-stream" } });
const json =
  (body: unknown, status = 200) =>
  () =>
    Response.json(body, { status });

const done = (job: Job): Job => ({
  ...job,
  state: "completed",
  progress: 100,
  video: { url: `/api/videos/${job.id}/content`, contentType: "video/mp4", archived: true },
});

async function until(check: () => boolean) {
  await vi.waitFor(() => expect(check()).toBe(true), { timeout: 2000, interval: 5 });
}

const quiet = { log: false, backoffBaseMs: 5, backoffMaxMs: 20, pollIntervalMs: 5, lingerMs: 0 };
let follower: JobFollower | undefined;
afterEach(() => follower?.close());

describe("JobFollower", () => {
  it("follows a job to completion and remembers the last sequence", async () => {
    const job = sampleJob({ state: "queued" });
    const { fetchImpl, calls } = fakeFetch({
      [`/api/videos/${job.id}/events`]: [
        sse(
          frame(1, "job", job) +
            frame(2, "state", { state: "running" }) +
            frame(3, "progress", { percent: 50 }) +
            frame(4, "completed", { job: done(job) }),
        ),
      ],
    });
    const { jobs, finished, sink } = mapSink();
    const memory = new JobMemory(null);
    follower = new JobFollower(sink, memory, { ...quiet, fetch: fetchImpl });
    follower.follow(job.id);
    await until(() => finished.length === 1);
    expect(jobs.get(job.id)?.job.state).toBe("completed");
    expect(memory.remembered(job.id)?.lastSeq).toBe(4);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.lastEventId).toBeNull();
  });

  it("reconnects after a cut stream with Last-Event-ID and does not replay notes twice", async () => {
    const job = sampleJob();
    const retry = {
      attempt: 1,
      maxRetries: 2,
      delayMs: 300,
      error: { code: "upstream_unavailable", status: 503, message: "busy" },
    };
    const { fetchImpl, calls } = fakeFetch({
      [`/api/videos/${job.id}/events`]: [
        sse(
          frame(1, "job", job) + frame(2, "retry", retry) + frame(3, "progress", { percent: 20 }),
        ),
        sse(frame(3, "job", { ...job, progress: 20 }) + frame(4, "completed", { job: done(job) })),
      ],
      [`/api/videos/${job.id}`]: [json({ ...job, progress: 20 })],
    });
    const { jobs, finished, sink } = mapSink();
    follower = new JobFollower(sink, null, { ...quiet, fetch: fetchImpl });
    follower.follow(job.id);
    await until(() => finished.length === 1);
    const streamCalls = calls.filter((c) => c.url.includes("/events"));
    expect(streamCalls.map((c) => c.lastEventId)).toEqual([null, "3"]);
    expect(streamCalls[1]?.url).toContain("?after=3");
    expect(jobs.get(job.id)?.notes).toHaveLength(1);
  });

  it("never resumes further back than it has applied, even when the cache entry was rebuilt", async () => {
    const job = sampleJob();
    const { fetchImpl, calls } = fakeFetch({
      [`/api/videos/${job.id}/events`]: [
        sse(
          frame(1, "job", job) +
            frame(2, "progress", { percent: 10 }) +
            frame(3, "progress", { percent: 20 }),
        ),
        sse(frame(4, "completed", { job: done(job) })),
      ],
      [`/api/videos/${job.id}`]: [json({ ...job, progress: 20 })],
    });
    const { jobs, finished, sink } = mapSink();
    // Another part of the page rebuilds the entry from an older snapshot as the first stream ends.
    const rebuild: TrackedJobSink = {
      ...sink,
      set: (id, update) => {
        sink.set(id, update);
        const current = jobs.get(id);
        if (current && current.lastSeq === 3) jobs.set(id, { ...current, lastSeq: 1 });
      },
    };
    follower = new JobFollower(rebuild, null, { ...quiet, fetch: fetchImpl });
    follower.follow(job.id);
    await until(() => finished.length === 1);
    const streamCalls = calls.filter((c) => c.url.includes("/events"));
    expect(streamCalls.map((c) => c.lastEventId)).toEqual([null, "3"]);
  });

  it("resumes after a reload from the remembered sequence", async () => {
    const job = sampleJob({ progress: 30 });
    const { fetchImpl, calls } = fakeFetch({
      [`/api/videos/${job.id}/events`]: [
        sse(frame(7, "job", job) + frame(8, "completed", { job: done(job) })),
      ],
    });
    const { sink, finished, jobs } = mapSink();
    jobs.set(job.id, { ...trackJob(job), lastSeq: 7 });
    follower = new JobFollower(sink, null, { ...quiet, fetch: fetchImpl });
    follower.follow(job.id);
    await until(() => finished.length === 1);
    expect(calls[0]?.lastEventId).toBe("7");
  });

  it("marks a deleted job as gone", async () => {
    const job = sampleJob();
    const { fetchImpl } = fakeFetch({ [`/api/videos/${job.id}/events`]: [json({}, 404)] });
    const { sink, jobs } = mapSink();
    jobs.set(job.id, trackJob(job));
    follower = new JobFollower(sink, null, { ...quiet, fetch: fetchImpl });
    follower.follow(job.id);
    await until(() => jobs.get(job.id)?.follow === "gone");
  });

  it("shares one connection between subscribers and polls beyond the stream limit", async () => {
    const a = sampleJob({ id: "job_a" });
    const b = sampleJob({ id: "job_b" });
    let releaseA: () => void = () => {};
    const heldOpen = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(frame(1, "job", a)));
            releaseA = () => {
              controller.enqueue(new TextEncoder().encode(frame(2, "completed", { job: done(a) })));
              controller.close();
            };
          },
        }),
        { status: 200 },
      );
    const { fetchImpl, calls } = fakeFetch({
      "/api/videos/job_a/events": [heldOpen],
      "/api/videos/job_b": [json(b), json({ ...b, progress: 40 }), json(done(b))],
    });
    const { sink, finished, jobs } = mapSink();
    jobs.set("job_a", trackJob(a));
    jobs.set("job_b", trackJob(b));
    follower = new JobFollower(sink, null, { ...quiet, fetch: fetchImpl, maxStreams: 1 });
    const leaveA1 = follower.follow("job_a");
    follower.follow("job_a");
    follower.follow("job_b");
    await until(() => finished.includes("job_b"));
    expect(jobs.get("job_b")?.job.state).toBe("completed");
    expect(calls.filter((c) => c.url === "/api/videos/job_a/events")).toHaveLength(1);
    expect(calls.some((c) => c.url.startsWith("/api/videos/job_b/events"))).toBe(false);
    leaveA1();
    expect(follower.isFollowing("job_a")).toBe(true);
    releaseA();
    await until(() => finished.includes("job_a"));
  });

  it("drops a stream that goes silent and resumes it with Last-Event-ID, without a reload", async () => {
    const job = sampleJob({ state: "queued" });
    let cancelled = false;
    // Half-open: the first frames arrive, then nothing, and the body never ends (nor honours abort).
    const halfOpen = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(
              new TextEncoder().encode(
                frame(1, "job", job) + frame(2, "progress", { percent: 30 }),
              ),
            );
          },
          cancel() {
            cancelled = true;
          },
        }),
        { status: 200 },
      );
    const { fetchImpl, calls } = fakeFetch({
      [`/api/videos/${job.id}/events`]: [
        halfOpen,
        sse(frame(3, "progress", { percent: 60 }) + frame(4, "completed", { job: done(job) })),
      ],
    });
    const { jobs, finished, sink } = mapSink();
    follower = new JobFollower(sink, null, { ...quiet, fetch: fetchImpl, silenceTimeoutMs: 60 });
    follower.follow(job.id);
    await until(() => finished.length === 1);
    expect(calls.map((c) => c.lastEventId)).toEqual([null, "2"]);
    expect(cancelled).toBe(true);
    expect(jobs.get(job.id)?.job.progress).toBe(100);
  });

  it("counts ping comments as life: a quiet stream with pings is not dropped", async () => {
    const job = sampleJob({ state: "queued" });
    const encoder = new TextEncoder();
    // 8 pings 25 ms apart: 200 ms without an event, but never 60 ms without a byte.
    const pinging = () =>
      new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode(frame(1, "job", job)));
            for (let i = 0; i < 8; i++) {
              await new Promise((resolve) => setTimeout(resolve, 25));
              controller.enqueue(encoder.encode(": ping\n\n"));
            }
            controller.enqueue(encoder.encode(frame(2, "completed", { job: done(job) })));
            controller.close();
          },
        }),
        { status: 200 },
      );
    const { fetchImpl, calls } = fakeFetch({ [`/api/videos/${job.id}/events`]: [pinging] });
    const { finished, sink } = mapSink();
    follower = new JobFollower(sink, null, { ...quiet, fetch: fetchImpl, silenceTimeoutMs: 60 });
    follower.follow(job.id);
    await until(() => finished.length === 1);
    expect(calls).toHaveLength(1);
  });

  it("gives up on a request whose answer never starts, then resumes", async () => {
    const job = sampleJob({ state: "queued" });
    const hanging = vi.fn(
      (_input: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    let first = true;
    const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      if (first) {
        first = false;
        return hanging(input, init);
      }
      return sse(frame(1, "job", job) + frame(2, "completed", { job: done(job) }))();
    }) as unknown as typeof fetch;
    const { finished, sink } = mapSink();
    follower = new JobFollower(sink, null, { ...quiet, fetch: fetchImpl, silenceTimeoutMs: 60 });
    follower.follow(job.id);
    await until(() => finished.length === 1);
    expect(hanging).toHaveBeenCalledTimes(1);
  });

  it("follows a job again after Check again revived it, from the event after `failed`", async () => {
    const job = sampleJob({ protocol: "videos", upstreamId: "video_1", mayBeBilled: true });
    const failed: Job = {
      ...job,
      state: "failed",
      error: {
        code: "timeout",
        message: "timed out",
        hint: "",
        retryable: true,
        requestId: "req_1",
      },
    };
    const revived: Job = { ...job, state: "running", progress: 90, lastSeq: 6 };
    const { fetchImpl, calls } = fakeFetch({
      [`/api/videos/${job.id}/events`]: [
        sse(
          frame(6, "job", revived) +
            frame(7, "progress", { percent: 99 }) +
            frame(8, "completed", { job: done(job) }),
        ),
      ],
    });
    const { jobs, finished, sink } = mapSink();
    jobs.set(job.id, { ...trackJob(failed), lastSeq: 5 });
    follower = new JobFollower(sink, null, { ...quiet, fetch: fetchImpl });
    // What useRecheckJob does with the 202 answer: the job is no longer failed.
    sink.set(job.id, (current) => (current ? { ...current, job: revived } : current));
    follower.follow(job.id);
    await until(() => finished.length === 1);
    expect(calls.map((c) => c.lastEventId)).toEqual(["5"]);
    expect(jobs.get(job.id)?.job.state).toBe("completed");
    expect(jobs.get(job.id)?.lastSeq).toBe(8);
  });
});
