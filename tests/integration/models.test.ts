import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { modelsResponseSchema } from "@/lib/contracts/models";
import { EN, finalJob, TERMINAL, type SseEvent } from "../helpers/client";
import { SAMPLE_MP4, dataUrl, makePng, setupStack, uniquePrompt } from "../helpers/stack";

/** An operator's SORA_MODELS_FILE: one relay name served on /v1/videos, one image-less model. */
const modelsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sora-models-")), "models.json");
fs.writeFileSync(
  modelsFile,
  JSON.stringify([
    { pattern: "^veo-3-fast$", protocol: "videos" },
    { id: "wan2.2-t2v-plus", family: "wan", acceptsImage: false, note: "operator" },
  ]),
);

const stack = setupStack({ speed: 50, env: { SORA_MODELS_FILE: modelsFile } });

async function expectArchivedCompletion(events: SseEvent[]) {
  expect(events.at(-1)?.event).toBe("completed");
  const job = finalJob(events);
  expect(job.video).toMatchObject({ archived: true, bytes: SAMPLE_MP4.length });
  expect(await stack.stored.archiveExists(job.id)).toBe(true);
  const content = await stack.client.bytes(`/api/videos/${job.id}/content`);
  expect(content.status).toBe(200);
  expect(content.body.equals(SAMPLE_MP4)).toBe(true);
  return job;
}

describe("generations protocol (new-api's /v1/video/generations)", () => {
  it.each([
    ["the {code, data} envelope", ""],
    ["the flat answer", "[[sim:task_flat]]"],
    ["the flat answer in another wrapper", "[[sim:task_wrapped]]"],
  ])("a Veo job completes and archives through %s", async (_shape, directive) => {
    const prompt = uniquePrompt(`a paper boat on a river ${directive}`);
    const { events } = await stack.client.createAndFollow(
      { prompt, model: "veo-3.1-fast-generate-preview", seconds: 6, size: "1920x1080" },
      { until: TERMINAL },
    );
    const job = await expectArchivedCompletion(events);
    expect(job).toMatchObject({
      protocol: "generations",
      seconds: "6",
      size: "1920x1080",
      attempts: 1,
      progress: 100,
    });
    const stats = await stack.sim.stats();
    expect(stats.creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
    expect(stats.requests["POST /v1/videos"] ?? 0).toBe(0);
  });

  it("a Kling job with a reference image sends it as the task's image", async () => {
    const prompt = uniquePrompt("the photo starts to move");
    const { events } = await stack.client.createAndFollow(
      {
        prompt,
        model: "kling-v2-6",
        seconds: "10",
        size: "720x1280",
        image: dataUrl(makePng(720, 1280)),
      },
      { until: TERMINAL },
    );
    const job = await expectArchivedCompletion(events);
    expect(job).toMatchObject({ protocol: "generations", hasImage: true, seconds: "10" });
    const upload = (await stack.sim.stats()).uploads.find((u) => u.prompt === prompt);
    expect(upload).toMatchObject({
      endpoint: "POST /v1/video/generations",
      mime: "image/png",
      width: 720,
      height: 1280,
    });
  });

  it("a failed task fails the job with the relay's reason", async () => {
    const { events } = await stack.client.createAndFollow(
      { prompt: uniquePrompt("doomed [[sim:job_failed]] [[sim:task_flat]]"), model: "kling-v2-6" },
      { until: TERMINAL },
      EN,
    );
    expect(events.at(-1)?.event).toBe("failed");
    const job = finalJob(events);
    expect(job.error?.code).toMatch(/^(content_policy|generation_failed)$/);
  });
});

describe("/v1/videos answered by a non-Sora model", () => {
  it("202, task_ id, numeric seconds, succeeded and metadata.url: completes and archives", async () => {
    const prompt = uniquePrompt("a hummingbird in slow motion");
    const { events } = await stack.client.createAndFollow(
      { prompt, model: "veo-3-fast", seconds: "8", size: "1280x720" },
      { until: TERMINAL },
    );
    const job = await expectArchivedCompletion(events);
    expect(job.protocol).toBe("videos");
    expect(job.upstreamId).toMatch(/^task_/);
    const stats = await stack.sim.stats();
    expect(stats.creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
    // The relay has no content route for it: the video came from metadata.url.
    expect(stats.requests["GET /files/{name}"]).toBeGreaterThan(0);
  });
});

describe("the catalogue", () => {
  it("GET /api/models: families for relay names, operator entries, generic for the rest", async () => {
    const answer = await stack.client.request("/api/models");
    const { models } = modelsResponseSchema.parse(answer.json);
    const byId = new Map(models.map((m) => [m.id, m]));
    expect(byId.get("veo-3.1-fast-generate-preview")).toMatchObject({
      family: "veo-3.1",
      protocol: "generations",
      durations: ["4", "6", "8"],
      known: true,
      listed: true,
    });
    expect(byId.get("kling-v2-6")).toMatchObject({ family: "kling", durations: ["5", "10"] });
    expect(byId.get("veo-3-fast")).toMatchObject({ family: "veo-3", protocol: "videos" });
    expect(byId.get("wan2.2-t2v-plus")).toMatchObject({
      family: "wan",
      acceptsImage: false,
      known: true,
      listed: false,
    });
    expect(byId.get("luma-ray-2")).toMatchObject({ family: "generic", known: false });
  });

  it.each([
    [
      "a duration Kling lacks",
      { model: "kling-v2-6", seconds: "8" },
      /kling-v2-6 does not offer 8 s; allowed: 5, 10/,
    ],
    [
      "a frame Veo lacks",
      { model: "veo-3.1-fast-generate-preview", size: "1024x1792" },
      /does not offer the size 1024x1792; allowed: 1280x720, 720x1280, 1920x1080, 1080x1920/,
    ],
    [
      "an image for a model without image input",
      { model: "wan2.2-t2v-plus", image: dataUrl(makePng(1280, 720)) },
      /wan2.2-t2v-plus does not take a reference image/,
    ],
  ])("%s: 400 naming the allowed values, no upstream request", async (_name, fields, message) => {
    const before = await stack.sim.stats();
    const answer = await stack.client.request("/api/videos", {
      method: "POST",
      headers: { "content-type": "application/json", ...EN },
      body: JSON.stringify({ prompt: uniquePrompt("rejected"), ...fields }),
    });
    expect(answer.status).toBe(400);
    const envelope = errorEnvelopeSchema.parse(answer.json);
    expect(envelope.error.code).toBe("bad_request");
    expect(envelope.error.message).toMatch(message);
    const after = await stack.sim.stats();
    expect(after.requests).toEqual(before.requests);
    expect(after.creates.total).toEqual(before.creates.total);
  });
});
