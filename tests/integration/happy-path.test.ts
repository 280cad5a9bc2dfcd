import { contentDisposition, videoFileName } from "@/lib/media/video-file-name";
import { describe, expect, it } from "vitest";
import { jobListSchema, jobSchema, parseJobEvent, type Job } from "@/lib/contracts/job";
import { TERMINAL, type SseEvent } from "../helpers/client";
import { SAMPLE_MP4, dataUrl, fileBlob, makePng, uniquePrompt, setupStack } from "../helpers/stack";

const stack = setupStack({ speed: 50 });

/**
 * Next 16.4's sendResponse drops Content-Length from every route handler response (its
 * FORBIDDEN_HEADERS), so the body goes out chunked; the handler still sets it, and if a future
 * Next forwards it, it must be right.
 */
function expectLengthIfSent(headers: Headers, length: number) {
  const sent = headers.get("content-length");
  if (sent !== null) expect(sent).toBe(String(length));
}

/** The contract of a successful stream: job first, gap-free seqs, rising progress, completed. */
function expectCompletedStream(events: SseEvent[]): Job {
  expect(events[0]?.event).toBe("job");
  expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
  for (const event of events) {
    expect(parseJobEvent(event.event, Number(event.id), event.data), event.event).not.toBeNull();
  }
  const percents = events
    .filter((e) => e.event === "progress")
    .map((e) => (e.data as { percent: number }).percent);
  expect(percents.length).toBeGreaterThan(0);
  expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  const states = events
    .filter((e) => e.event === "state")
    .map((e) => (e.data as { state: string }).state);
  expect(states).toEqual(["submitting", "running"]);
  const last = events.at(-1);
  expect(last?.event).toBe("completed");
  const job = jobSchema.parse((last?.data as { job: unknown }).job);
  expect(job.state).toBe("completed");
  expect(job.progress).toBe(100);
  expect(job.video).toEqual({
    url: `/api/videos/${job.id}/content`,
    contentType: "video/mp4",
    bytes: SAMPLE_MP4.length,
    archived: true,
  });
  return job;
}

async function expectContent(job: Job) {
  const whole = await stack.client.bytes(`/api/videos/${job.id}/content`);
  expect(whole.status).toBe(200);
  expect(whole.headers.get("content-type")).toBe("video/mp4");
  expect(whole.headers.get("accept-ranges")).toBe("bytes");
  expectLengthIfSent(whole.headers, SAMPLE_MP4.length);
  expect(whole.headers.get("content-disposition")).toBe(
    contentDisposition(videoFileName(job.prompt, job.createdAt)),
  );
  expect(whole.body.equals(SAMPLE_MP4)).toBe(true);
}

describe("happy path", () => {
  it.each([
    ["chat", "sora_video2"],
    ["videos", "sora-2"],
  ])(
    "text to video over the %s protocol streams job → progress → completed",
    async (protocol, model) => {
      const prompt = uniquePrompt(`a red fox in snow (${protocol})`);
      const { events, ended, response } = await stack.client.createAndFollow(
        { prompt, model },
        { until: TERMINAL },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
      expect(response.headers.get("x-accel-buffering")).toBe("no");
      expect(ended || TERMINAL(events.at(-1)!)).toBe(true);
      const job = expectCompletedStream(events);
      expect(job).toMatchObject({ model, protocol, prompt, attempts: 1, hasImage: false });
      await expectContent(job);
      const stats = await stack.sim.stats();
      expect(stats.creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
      expect(await stack.stored.archiveExists(job.id)).toBe(true);
    },
  );

  it.each([
    ["chat", "sora_video2", 704, 1280],
    ["videos", "sora-2", 720, 1280],
  ])(
    "image to video over the %s protocol sends the image upstream",
    async (protocol, model, w, h) => {
      const prompt = uniquePrompt(`the picture comes alive (${protocol})`);
      const png = makePng(w, h);
      const { events } = await stack.client.createAndFollow(
        { prompt, model, image: dataUrl(png) },
        { until: TERMINAL },
      );
      const job = expectCompletedStream(events);
      expect(job.hasImage).toBe(true);
      await expectContent(job);
      const upload = (await stack.sim.stats()).uploads.find((u) => u.prompt === prompt);
      expect(upload).toMatchObject({ mime: "image/png", width: w, height: h });
    },
  );

  it("accepts multipart with an image file and a lying file name", async () => {
    const prompt = uniquePrompt("multipart upload");
    const form = new FormData();
    form.set("prompt", prompt);
    form.set("model", "sora-2");
    form.set("seconds", "8");
    form.set("image", fileBlob(makePng(1280, 720), "image/jpeg"), "photo.jpg");
    const { events } = await stack.client.sse(
      "/api/videos",
      { method: "POST", body: form },
      { until: TERMINAL },
    );
    const job = expectCompletedStream(events);
    expect(job).toMatchObject({ seconds: "8", size: "1280x720", hasImage: true });
    const upload = (await stack.sim.stats()).uploads.find((u) => u.prompt === prompt);
    expect(upload).toMatchObject({ mime: "image/png", width: 1280, height: 720 });
  });

  it("serves Range requests, HEAD and 416 from the archive", async () => {
    const { events } = await stack.client.createAndFollow(
      { prompt: uniquePrompt("range test"), model: "sora-2" },
      { until: TERMINAL },
    );
    const job = expectCompletedStream(events);
    const url = `/api/videos/${job.id}/content`;
    const size = SAMPLE_MP4.length;

    const cases: [string, number, number][] = [
      ["bytes=0-99", 0, 99],
      ["bytes=100-", 100, size - 1],
      ["bytes=-50", size - 50, size - 1],
      [`bytes=${size - 10}-${size + 500}`, size - 10, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const part = await stack.client.bytes(url, { headers: { range } });
      expect(part.status, range).toBe(206);
      expect(part.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
      expectLengthIfSent(part.headers, end - start + 1);
      expect(part.body.equals(SAMPLE_MP4.subarray(start, end + 1))).toBe(true);
    }

    const bad = await stack.client.request(url, {
      headers: { range: `bytes=${size}-`, "accept-language": "en" },
    });
    expect(bad.status).toBe(416);
    expect(bad.headers.get("content-range")).toBe(`bytes */${size}`);
    expect(bad.json.error).toMatchObject({
      code: "bad_request",
      message: "Invalid Range request.",
    });
    for (const range of ["bytes=5-2", "bytes=0-1,4-5", "pages=1-2", "bytes=abc"]) {
      const ignored = await stack.client.bytes(url, { headers: { range } });
      expect(ignored.status, range).toBe(200);
      expect(ignored.body.equals(SAMPLE_MP4), range).toBe(true);
    }

    const head = await stack.client.fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expectLengthIfSent(head.headers, size);
    expect(head.headers.get("content-type")).toBe("video/mp4");
    expect(head.headers.get("accept-ranges")).toBe("bytes");
    expect(head.headers.get("etag")).toBeTruthy();
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const headRange = await stack.client.fetch(url, {
      method: "HEAD",
      headers: { range: "bytes=0-9" },
    });
    expect(headRange.status).toBe(206);
    expect(headRange.headers.get("content-range")).toBe(`bytes 0-9/${size}`);

    const cached = await stack.client.fetch(url, {
      headers: { "if-none-match": head.headers.get("etag")! },
    });
    expect(cached.status).toBe(304);
  });

  it("answers 202 {job} for Accept: application/json; the job is then followed, listed, fetched and deleted", async () => {
    const prompt = uniquePrompt("json answer");
    const created = await stack.client.createJob({ prompt, model: "sora-2" });
    expect(created.status).toBe(202);
    const job = jobSchema.parse(created.json.job);
    expect(job).toMatchObject({ state: "queued", lastSeq: 1, prompt });

    const { events } = await stack.client.sse(
      `/api/videos/${job.id}/events`,
      {},
      { until: TERMINAL },
    );
    const done = expectCompletedStream(events);
    expect(done.id).toBe(job.id);

    const snapshot = await stack.client.request(`/api/videos/${job.id}`);
    expect(snapshot.status).toBe(200);
    expect(jobSchema.parse(snapshot.json)).toMatchObject({ id: job.id, state: "completed" });

    const list = await stack.client.request("/api/videos?limit=100");
    const page = jobListSchema.parse(list.json);
    expect(page.jobs[0]?.id).toBe(job.id);

    const deleted = await stack.client.request(`/api/videos/${job.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ deleted: true, id: job.id });
    expect(await stack.stored.archiveExists(job.id)).toBe(false);
    for (const p of [
      `/api/videos/${job.id}`,
      `/api/videos/${job.id}/content`,
      `/api/videos/${job.id}/events`,
    ]) {
      const gone = await stack.client.request(p);
      expect(gone.status, p).toBe(404);
      expect(gone.json.error.code).toBe("not_found");
    }
    const again = await stack.client.request(`/api/videos/${job.id}`, { method: "DELETE" });
    expect(again.status).toBe(404);
  });

  it("pages the history newest first with a cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await stack.client.createJob({
        prompt: uniquePrompt(`page ${i}`),
        model: "sora-2",
      });
      ids.push(created.json.job.id);
    }
    const first = jobListSchema.parse((await stack.client.request("/api/videos?limit=2")).json);
    expect(first.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = jobListSchema.parse(
      (
        await stack.client.request(
          `/api/videos?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`,
        )
      ).json,
    );
    expect(second.jobs[0]?.id).toBe(ids[0]);
    for (const id of ids) {
      await stack.client.sse(`/api/videos/${id}/events`, {}, { until: TERMINAL });
    }
  });

  it("lists the catalogue merged with the relay's models", async () => {
    const models = await stack.client.request("/api/models");
    expect(models.status).toBe(200);
    expect(models.json.defaultModel).toBe("sora_video2");
    expect(models.json.relayError).toBeUndefined();
    const byId = new Map<string, { listed?: boolean; known: boolean; shutdownDate?: string }>(
      models.json.models.map((m: { id: string }) => [m.id, m]),
    );
    expect(byId.get("sora_video2")).toMatchObject({ known: true, listed: true });
    expect(byId.get("sora_video2-hd")).toMatchObject({ known: true, listed: false });
    // A dated alias belongs to its family; a name no family matches gets generic parameters.
    expect(byId.get("sora-2-2025-10-06")).toMatchObject({
      known: true,
      listed: true,
      shutdownDate: "2026-09-24",
    });
    expect(byId.get("luma-ray-2")).toMatchObject({ known: false, listed: true });
  });

  it("leaks the key nowhere: responses, SSE frames, server log", () => {
    stack.expectNoKeyLeak();
  });
});
