import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { api, dataUrl, makePng, stats, useSimulator, videoForm, waitFor } from "./test-support";

const SAMPLE = readFileSync(new URL("./assets/sample.mp4", import.meta.url));
const THUMBNAIL = readFileSync(new URL("./assets/thumbnail.jpg", import.meta.url));

type Video = Record<string, unknown> & { id: string; status: string; progress: number };

describe("videos protocol", () => {
  const sim = useSimulator();

  const create = async (fields: Record<string, string | Blob>): Promise<Video> => {
    const res = await api(sim.url, "/v1/videos", { body: videoForm(fields) });
    expect(res.status).toBe(200);
    return (await res.json()) as Video;
  };
  const retrieve = async (id: string) => {
    const res = await api(sim.url, `/v1/videos/${encodeURIComponent(id)}`);
    return { res, body: (await res.json()) as Video };
  };
  const untilDone = (id: string, done = ["completed", "failed"]) =>
    waitFor(async () => {
      const { body } = await retrieve(id);
      return done.includes(body.status) ? body : undefined;
    });

  it("runs queued → in_progress (rising progress) → completed, with poll-after hints", async () => {
    const created = await create({
      prompt: "a paper boat",
      model: "sora-2",
      seconds: "8",
      size: "1280x720",
    });
    expect(created).toMatchObject({
      object: "video",
      model: "sora-2",
      status: "queued",
      progress: 0,
      completed_at: null,
      expires_at: null,
      error: null,
      prompt: "a paper boat",
      remixed_from_video_id: null,
      seconds: "8",
      size: "1280x720",
    });
    expect(created.id).toMatch(/^video_[0-9a-f]{40}$/);
    expect(Math.abs((created.created_at as number) - Date.now() / 1000)).toBeLessThan(2);

    const seen: Array<[string, number]> = [];
    const done = await waitFor(async () => {
      const { res, body } = await retrieve(created.id);
      expect(res.headers.get("openai-poll-after-ms")).toBe("50");
      seen.push([body.status, body.progress]);
      return body.status === "completed" ? body : undefined;
    });
    const progresses = seen.map(([, p]) => p);
    expect(progresses).toEqual([...progresses].sort((a, b) => a - b));
    expect(seen.some(([s, p]) => s === "in_progress" && p > 0 && p < 100)).toBe(true);
    expect(done.progress).toBe(100);
    expect(done.completed_at).toEqual(expect.any(Number));
    // links expire after 24 h scaled by speed (86400 / 80)
    expect(done.expires_at).toBe((done.completed_at as number) + 1080);
  });

  it("[[sim:speed=F]] overrides the server speed for one job", async () => {
    const fast = await create({ prompt: "quick [[sim:speed=2000]]" });
    const slow = await create({ prompt: "normal" });
    await new Promise((r) => setTimeout(r, 60));
    const { res, body } = await retrieve(fast.id);
    expect(body.status).toBe("completed");
    expect(res.headers.get("openai-poll-after-ms")).toBe("50");
    expect((await retrieve(slow.id)).body.status).not.toBe("completed");
  });

  it("the x-sim-fault header also works on polls", async () => {
    const { id } = await create({ prompt: "header poll" });
    const first = await api(sim.url, `/v1/videos/${id}`, {
      headers: { "x-sim-fault": "poll_503" },
    });
    expect(first.status).toBe(503);
    expect((await retrieve(id)).res.status).toBe(200);
  });

  it("lists with a cursor page in both orders", async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await create({ prompt: `clip ${n}` })).id);
    const page = async (query: string) =>
      (await (await api(sim.url, `/v1/videos?${query}`)).json()) as {
        object: string;
        data: Video[];
        has_more: boolean;
        first_id: string | null;
        last_id: string | null;
      };
    const first = await page("limit=2");
    expect(first).toMatchObject({
      object: "list",
      has_more: true,
      first_id: ids[2],
      last_id: ids[1],
    });
    expect(first.data.map((v) => v.id)).toEqual([ids[2], ids[1]]);
    const second = await page(`limit=2&after=${ids[1]}`);
    expect(second.data.map((v) => v.id)).toEqual([ids[0]]);
    expect(second.has_more).toBe(false);
    const asc = await page("order=asc");
    expect(asc.data.map((v) => v.id)).toEqual(ids);
  });

  it("deletes a video", async () => {
    const { id } = await create({ prompt: "to delete" });
    const res = await api(sim.url, `/v1/videos/${id}`, { method: "DELETE" });
    expect(await res.json()).toEqual({ id, object: "video.deleted", deleted: true });
    const gone = await retrieve(id);
    expect(gone.res.status).toBe(404);
    expect(gone.body).toEqual({
      error: {
        message: `Video with id '${id}' not found.`,
        type: "invalid_request_error",
        param: null,
        code: "video_not_found",
      },
    });
  });

  it("remixes a video into a new job that points at its source", async () => {
    const source = await create({ prompt: "a cat", size: "1024x1792", seconds: "12" });
    const res = await api(sim.url, `/v1/videos/${source.id}/remix`, {
      json: { prompt: "a cat, at night" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "queued",
      prompt: "a cat, at night",
      remixed_from_video_id: source.id,
      size: "1024x1792",
      seconds: "12",
    });
    expect((await stats(sim.url)).creates.total).toEqual({ attempts: 2, accepted: 2 });
  });

  it("serves the MP4 and the thumbnail once completed, not before", async () => {
    const { id } = await create({ prompt: "content" });
    const early = await api(sim.url, `/v1/videos/${id}/content`);
    expect(early.status).toBe(404);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe(
      "video_not_ready",
    );
    await untilDone(id);
    const video = await api(sim.url, `/v1/videos/${id}/content`);
    expect(video.headers.get("content-type")).toBe("video/mp4");
    expect(video.headers.get("content-length")).toBe(String(SAMPLE.length));
    expect(Buffer.from(await video.arrayBuffer()).equals(SAMPLE)).toBe(true);
    const thumb = await api(sim.url, `/v1/videos/${id}/content?variant=thumbnail`);
    expect(thumb.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await thumb.arrayBuffer()).equals(THUMBNAIL)).toBe(true);
    expect((await stats(sim.url)).bytesServed).toBe(SAMPLE.length + THUMBNAIL.length);
  });

  it.each([
    [
      { seconds: "5" },
      "seconds",
      "Invalid value: '5'. Supported values are: '4', '8', '12', '10', and '15'.",
    ],
    [
      { size: "640x480" },
      "size",
      "Invalid value: '640x480'. Supported values are: '720x1280', '1280x720', '1024x1792', '1792x1024', '1080x1920', and '1920x1080'.",
    ],
  ])("validates %o", async (fields, param, message) => {
    const res = await api(sim.url, "/v1/videos", { body: videoForm({ prompt: "x", ...fields }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { message, type: "invalid_request_error", param, code: "invalid_value" },
    });
    expect((await stats(sim.url)).creates.total).toEqual({ attempts: 1, accepted: 0 });
  });

  it("rejects an integer seconds in JSON with the real API's message", async () => {
    const res = await api(sim.url, "/v1/videos", { json: { prompt: "x", seconds: 8 } });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(
      `{"error":{"message":"Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead.","type":"invalid_request_error","param":"seconds","code":null}}`,
    );
  });

  it("records uploads with their pixel size and rejects a reference that does not match size", async () => {
    const png = makePng(720, 1280);
    const file = new File([new Uint8Array(png)], "ref.png", { type: "image/png" });
    await create({ prompt: "multipart ref", size: "720x1280", input_reference: file });
    const json = await api(sim.url, "/v1/videos", {
      json: {
        prompt: "json ref",
        size: "1280x720",
        input_reference: { image_url: dataUrl(makePng(1280, 720), "image/png") },
      },
    });
    expect(json.status).toBe(200);
    const wrong = await api(sim.url, "/v1/videos", {
      body: videoForm({ prompt: "bad ref", size: "1280x720", input_reference: file }),
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe(
      "Inpaint image must match the requested width and height",
    );
    const s = await stats(sim.url);
    expect(s.uploads).toEqual([
      {
        endpoint: "POST /v1/videos",
        prompt: "multipart ref",
        model: "sora-2",
        mime: "image/png",
        bytes: png.length,
        width: 720,
        height: 1280,
      },
      {
        endpoint: "POST /v1/videos",
        prompt: "json ref",
        model: "sora-2",
        mime: "image/png",
        bytes: expect.any(Number),
        width: 1280,
        height: 720,
      },
      {
        endpoint: "POST /v1/videos",
        prompt: "bad ref",
        model: "sora-2",
        mime: "image/png",
        bytes: png.length,
        width: 720,
        height: 1280,
      },
    ]);
    expect(s.creates.total).toEqual({ attempts: 3, accepted: 2 });
  });

  describe("job faults", () => {
    it("job_failed: the poll reports failed at 37% with an error object", async () => {
      const { id } = await create({ prompt: "fail me [[sim:job_failed]]" });
      const done = await untilDone(id);
      expect(done).toMatchObject({
        status: "failed",
        progress: 37,
        error: {
          code: "moderation_blocked",
          message: "Your request was blocked by our moderation system.",
        },
        expires_at: null,
      });
    });

    it("content_policy on the videos protocol also fails the job", async () => {
      const { id } = await create({ prompt: "[[sim:content_policy]]" });
      expect((await untilDone(id)).status).toBe("failed");
    });

    it("job_stuck: stays in_progress at a fixed progress", async () => {
      const { id } = await create({ prompt: "stuck [[sim:job_stuck]]" });
      // a healthy job would be done after 250 ms at this speed
      await new Promise((r) => setTimeout(r, 450));
      const { body } = await retrieve(id);
      expect(body).toMatchObject({ status: "in_progress", progress: 42 });
    });

    it("poll_503*2: the first two polls fail, then the job is readable", async () => {
      const { id } = await create({ prompt: "[[sim:poll_503*2]]" });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await retrieve(id)).res.status);
      expect(statuses).toEqual([503, 503, 200, 200]);
      expect((await stats(sim.url)).faults.poll_503).toBe(2);
    });

    it("poll_503 (uncounted): every other poll fails with the upstream 503 body", async () => {
      const { id } = await create({ prompt: "[[sim:poll_503]]" });
      const first = await retrieve(id);
      expect(first.res.status).toBe(503);
      expect(first.body).toEqual({
        error: {
          message: `bad response status code 503 (request id: ${first.res.headers.get("x-request-id")})`,
          type: "upstream_error",
          param: "503",
          code: "bad_response_status_code",
        },
      });
      const rest: number[] = [];
      for (let i = 0; i < 3; i++) rest.push((await retrieve(id)).res.status);
      expect(rest).toEqual([200, 503, 200]);
    });

    it("content_reset*1: the first download is cut mid-body, the second is whole", async () => {
      const { id } = await create({ prompt: "[[sim:content_reset*1]]" });
      await untilDone(id);
      const cut = await api(sim.url, `/v1/videos/${id}/content`);
      expect(cut.status).toBe(200);
      expect(cut.headers.get("content-length")).toBe(String(SAMPLE.length));
      await expect(cut.arrayBuffer()).rejects.toThrow();
      const whole = await api(sim.url, `/v1/videos/${id}/content`);
      expect(Buffer.from(await whole.arrayBuffer()).equals(SAMPLE)).toBe(true);
    });

    it("poll_outage=MS: every poll fails for MS ms from the first poll, then the job is readable", async () => {
      const { id } = await create({ prompt: "[[sim:poll_outage=300]]" });
      const first = await retrieve(id);
      expect(first.res.status).toBe(503);
      expect((await retrieve(id)).res.status).toBe(503);
      await new Promise((r) => setTimeout(r, 320));
      expect((await retrieve(id)).res.status).toBe(200);
      const s = await stats(sim.url);
      expect(s.faults.poll_outage).toBe(2);
      expect(s.perJob[id]).toMatchObject({ polls: 3, downloads: 0 });
      expect(s.perJob[id]?.minPollGapMs).toBeLessThan(300);
    });

    it("content_outage=MS: downloads fail for MS ms after completion, then serve the whole file", async () => {
      const { id } = await create({ prompt: "[[sim:content_outage=400]]" });
      await untilDone(id);
      const down = await api(sim.url, `/v1/videos/${id}/content`);
      expect(down.status).toBe(503);
      await new Promise((r) => setTimeout(r, 420));
      const whole = await api(sim.url, `/v1/videos/${id}/content`);
      expect(Buffer.from(await whole.arrayBuffer()).equals(SAMPLE)).toBe(true);
      expect((await stats(sim.url)).faults.content_outage).toBe(1);
    });

    it("create_reply_lost: the job is accepted but the connection drops before the answer", async () => {
      await expect(
        api(sim.url, "/v1/videos", { body: videoForm({ prompt: "[[sim:create_reply_lost]]" }) }),
      ).rejects.toThrow();
      const s = await stats(sim.url);
      expect(s.creates.byPrompt["[[sim:create_reply_lost]]"]).toEqual({ attempts: 1, accepted: 1 });
      expect(s.faults.create_reply_lost).toBe(1);
    });

    it("content_json: /content answers JSON {url} pointing at a direct file", async () => {
      const { id } = await create({ prompt: "[[sim:content_json]]" });
      await untilDone(id);
      const res = await api(sim.url, `/v1/videos/${id}/content`);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const { url } = (await res.json()) as { url: string };
      expect(url).toMatch(new RegExp(`^${sim.url}/files/[0-9a-f]{24}\\.mp4$`));
      const file = await fetch(url);
      expect(Buffer.from(await file.arrayBuffer()).equals(SAMPLE)).toBe(true);
    });

    it("quirks: task_id ids, status synonyms, ms timestamps, metadata.url and JSON content", async () => {
      const res = await api(sim.url, "/v1/videos", {
        body: videoForm({ prompt: "[[sim:quirks]]" }),
      });
      const created = (await res.json()) as Record<string, unknown>;
      expect(created.id).toBeUndefined();
      const taskId = created.task_id as string;
      expect(taskId).toMatch(/^sora-2:task_01k[0-9a-z]{23}$/);
      expect(created.status).toBe("submitted");
      expect(created.created_at as number).toBeGreaterThan(1e12);
      const statuses = new Set<string>();
      const done = await waitFor(async () => {
        const { body } = await retrieve(taskId);
        statuses.add(body.status);
        return body.status === "SUCCESS" ? body : undefined;
      });
      expect(statuses.has("processing")).toBe(true);
      const url = (done.metadata as { url: string }).url;
      expect(url).toMatch(/\/files\/[0-9a-f]{24}\.mp4$/);
      const content = await api(sim.url, `/v1/videos/${encodeURIComponent(taskId)}/content`);
      expect(await content.json()).toEqual({ video_url: url, url });
    });
  });
});

describe("task relay protocol (/v1/video/generations)", () => {
  const sim = useSimulator();

  it("submits and polls through the new-api task envelope to a result_url", async () => {
    const image = makePng(704, 1280);
    const res = await api(sim.url, "/v1/video/generations", {
      json: {
        model: "sora-2",
        prompt: "a kite",
        image: dataUrl(image, "image/png"),
        duration: 8,
        width: 704,
        height: 1280,
      },
    });
    expect(res.status).toBe(200);
    const submit = (await res.json()) as { id: string; task_id: string; status: string };
    expect(submit.task_id).toMatch(/^task_[0-9a-f]{32}$/);
    expect(submit).toMatchObject({ id: submit.task_id, object: "video", status: "queued" });
    type Envelope = {
      code: string;
      message: string;
      data: Record<string, unknown> & { status: string };
    };
    const statuses = new Set<string>();
    const done = await waitFor(async () => {
      const body = (await (
        await api(sim.url, `/v1/video/generations/${submit.task_id}`)
      ).json()) as Envelope;
      statuses.add(body.data.status);
      return body.data.status === "SUCCESS" ? body : undefined;
    });
    expect([...statuses]).toEqual(expect.arrayContaining(["IN_PROGRESS", "SUCCESS"]));
    expect(done).toMatchObject({
      code: "success",
      message: "",
      data: { task_id: submit.task_id, progress: "100%", fail_reason: "" },
    });
    const file = await fetch(done.data.result_url as string);
    expect(Buffer.from(await file.arrayBuffer()).equals(SAMPLE)).toBe(true);
    expect((await stats(sim.url)).uploads).toEqual([
      expect.objectContaining({
        endpoint: "POST /v1/video/generations",
        width: 704,
        height: 1280,
        mime: "image/png",
      }),
    ]);
  });

  it("reports FAILURE with a fail_reason, and task_not_exist for unknown ids", async () => {
    const submit = (await (
      await api(sim.url, "/v1/video/generations", { json: { prompt: "[[sim:job_failed]]" } })
    ).json()) as { task_id: string };
    const done = await waitFor(async () => {
      const body = (await (
        await api(sim.url, `/v1/video/generations/${submit.task_id}`)
      ).json()) as {
        data: { status: string; fail_reason: string; progress: string };
      };
      return body.data.status === "FAILURE" ? body : undefined;
    });
    expect(done.data).toMatchObject({
      fail_reason: "Your request was blocked by our moderation system.",
      progress: "37%",
    });
    const missing = await api(sim.url, "/v1/video/generations/task_nope");
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      code: "task_not_exist",
      message: "task_not_exist",
      data: null,
    });
  });
});

describe("housekeeping endpoints", () => {
  const sim = useSimulator();

  it("lists the model catalogue, including a shutdown_date and an unknown model", async () => {
    const body = (await (await api(sim.url, "/v1/models")).json()) as {
      object: string;
      data: Array<{ id: string; object: string; shutdown_date?: string }>;
    };
    expect(body.object).toBe("list");
    expect(body.data.map((m) => m.id)).toEqual([
      "sora_video2",
      "sora_video2-landscape",
      "sora_video2-15s",
      "sora_video2-landscape-15s",
      "sora-2",
      "sora-2-pro",
      "sora-2-2025-10-06",
      "veo-3-fast",
      "veo-3.1-fast-generate-preview",
      "kling-v2-6",
      "MiniMax-Hailuo-2.3",
      "doubao-seedance-1-0-pro-250528",
      "luma-ray-2",
    ]);
    expect(body.data.find((m) => m.shutdown_date)?.id).toBe("sora-2-2025-10-06");
  });

  it("answers unknown paths with OpenAI's 404, before any auth", async () => {
    const res = await api(sim.url, "/v1/images/generations", { method: "POST", key: null });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: "Invalid URL (POST /v1/images/generations)",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
  });

  it("puts an x-request-id on every response, including media and stats", async () => {
    const paths = ["/__sim/health", "/__sim/stats", "/v1/models", "/nope", "/files/abc.mp4"];
    const ids = await Promise.all(
      paths.map(async (p) => (await api(sim.url, p)).headers.get("x-request-id")),
    );
    for (const id of ids) expect(id).toMatch(/^sim-\d+-[0-9a-f]{8}$/);
    expect(new Set(ids).size).toBe(paths.length);
  });

  it("counts requests per endpoint and resets everything", async () => {
    await api(sim.url, "/v1/models");
    await api(sim.url, "/v1/videos", { body: videoForm({ prompt: "count me" }) });
    await api(sim.url, "/v1/videos/video_x");
    let s = await stats(sim.url);
    expect(s.requests).toEqual({
      "GET /v1/models": 1,
      "POST /v1/videos": 1,
      "GET /v1/videos/{id}": 1,
    });
    expect(s.jobs).toBe(1);
    expect(await (await fetch(`${sim.url}/__sim/reset`, { method: "POST" })).json()).toEqual({
      ok: true,
    });
    s = await stats(sim.url);
    expect(s).toEqual({
      requests: {},
      creates: { total: { attempts: 0, accepted: 0 }, byPrompt: {} },
      bytesServed: 0,
      uploads: [],
      jobs: 0,
      perJob: {},
      faults: {},
    });
    expect(await (await fetch(`${sim.url}/__sim/health`)).json()).toEqual({ ok: true });
  });
});
