import { readFileSync } from "node:fs";
import OpenAI, { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { dataUrl, makePng, stats, useSimulator, waitFor } from "./test-support";

/**
 * Conformance: the official SDK, pointed at the simulator, must be able to do everything the
 * app does. If the simulator only spoke "our idea" of the protocol, these calls would fail.
 */
const SAMPLE = readFileSync(new URL("./assets/sample.mp4", import.meta.url));
const THUMBNAIL = readFileSync(new URL("./assets/thumbnail.jpg", import.meta.url));

describe("official openai SDK against the simulator", () => {
  const sim = useSimulator();
  const client = (apiKey = "sk-sim-sdk") =>
    new OpenAI({ apiKey, baseURL: `${sim.url}/v1`, maxRetries: 0 });

  it("videos: create (multipart with input_reference) → retrieve → list → download → delete", async () => {
    const openai = client();
    const reference = makePng(720, 1280);
    const created = await openai.videos.create({
      model: "sora-2",
      prompt: "a lantern drifting over a lake",
      seconds: "4",
      size: "720x1280",
      input_reference: await toFile(reference, "reference.png", { type: "image/png" }),
    });
    expect(created).toMatchObject({
      object: "video",
      status: "queued",
      model: "sora-2",
      seconds: "4",
    });

    const done = await waitFor(async () => {
      const video = await openai.videos.retrieve(created.id);
      return video.status === "completed" || video.status === "failed" ? video : undefined;
    });
    expect(done.status).toBe("completed");
    expect(done.progress).toBe(100);

    const second = await openai.videos.create({ prompt: "a second clip" });
    const listed: string[] = [];
    for await (const video of openai.videos.list({ limit: 1 })) listed.push(video.id);
    expect(listed).toEqual([second.id, created.id]);

    const content = await openai.videos.downloadContent(created.id);
    expect(content.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await content.arrayBuffer()).equals(SAMPLE)).toBe(true);
    const thumbnail = await openai.videos.downloadContent(created.id, { variant: "thumbnail" });
    expect(Buffer.from(await thumbnail.arrayBuffer()).equals(THUMBNAIL)).toBe(true);

    const remix = await openai.videos.remix(created.id, { prompt: "the same lantern, at dawn" });
    expect(remix.remixed_from_video_id).toBe(created.id);

    expect(await openai.videos.delete(second.id)).toEqual({
      id: second.id,
      object: "video.deleted",
      deleted: true,
    });

    const s = await stats(sim.url);
    expect(s.uploads).toEqual([
      expect.objectContaining({
        mime: "image/png",
        bytes: reference.length,
        width: 720,
        height: 1280,
      }),
    ]);
    expect(s.requests["POST /v1/videos"]).toBe(2);
    expect(s.creates.total).toEqual({ attempts: 3, accepted: 3 });
  });

  it("videos: remix a finished video → follow it to completed → download → delete; errors as the SDK's classes", async () => {
    const openai = client();
    const source = await openai.videos.create({
      model: "sora-2-pro",
      prompt: "a red kite",
      size: "1280x720",
      seconds: "8",
    });
    await waitFor(async () =>
      (await openai.videos.retrieve(source.id)).status === "completed" ? true : undefined,
    );

    const remix = await openai.videos.remix(source.id, { prompt: "the same kite, at night" });
    // The remix is a new video of the source's model, length and frame.
    expect(remix).toMatchObject({
      object: "video",
      status: "queued",
      model: "sora-2-pro",
      seconds: "8",
      size: "1280x720",
      prompt: "the same kite, at night",
      remixed_from_video_id: source.id,
    });
    expect(remix.id).not.toBe(source.id);
    const done = await waitFor(async () => {
      const video = await openai.videos.retrieve(remix.id);
      return video.status === "completed" ? video : undefined;
    });
    expect(done.remixed_from_video_id).toBe(source.id);
    const content = await openai.videos.downloadContent(remix.id);
    expect(Buffer.from(await content.arrayBuffer()).equals(SAMPLE)).toBe(true);

    expect(await openai.videos.delete(remix.id)).toEqual({
      id: remix.id,
      object: "video.deleted",
      deleted: true,
    });
    await expect(openai.videos.retrieve(remix.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(openai.videos.delete(remix.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(openai.videos.remix(remix.id, { prompt: "again" })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    await expect(openai.videos.remix(source.id, { prompt: "" })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );

    // A relay without the remix route (the source's prompt asks for it): a 404, nothing created.
    const bare = await openai.videos.create({ prompt: "a boat [[sim:remix_unsupported]]" });
    await expect(openai.videos.remix(bare.id, { prompt: "a boat at dusk" })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    const s = await stats(sim.url);
    expect(s.requests["POST /v1/videos/{id}/remix"]).toBe(4);
    expect(s.faults.remix_unsupported).toBe(1);
    expect(s.creates.total.accepted).toBe(3);
  });

  it("chat: a streamed image-to-video completion yields a chunk with the video URL", async () => {
    const stream = await client().chat.completions.create({
      model: "sora_video2",
      stream: true,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "the picture comes alive" },
            { type: "image_url", image_url: { url: dataUrl(makePng(704, 1280), "image/png") } },
          ],
        },
      ],
    });
    let url: string | undefined;
    let text = "";
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      url = /\]\((http[^)]+\.mp4)\)/.exec(text)?.[1];
      if (url) break;
    }
    expect(text).toMatch(/进度：\d+%/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/[0-9a-f]{24}\.mp4$/);
    const video = await fetch(url!);
    expect(Buffer.from(await video.arrayBuffer()).equals(SAMPLE)).toBe(true);
  });

  it("an error inside a 200 stream surfaces as an APIError without status", async () => {
    const stream = await client().chat.completions.create({
      model: "sora_video2",
      stream: true,
      messages: [{ role: "user", content: "[[sim:stream_error]]" }],
    });
    const error = await (async () => {
      for await (const chunk of stream) void chunk;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBeUndefined();
    expect((error as Error).message).toContain("sentinel_block");
  });

  it.each([
    [
      "no_channel",
      OpenAI.InternalServerError,
      503,
      "model_not_found",
      /^503 No available channel for model sora-2 under group default \(distributor\) \(request id: sim-\d+-[0-9a-f]+\)$/,
    ],
    [
      "invalid_key",
      OpenAI.AuthenticationError,
      401,
      "invalid_api_key",
      /^401 Incorrect API key provided: sk-sim\*\*\*sdk\.$/,
    ],
    [
      "quota",
      OpenAI.RateLimitError,
      429,
      "insufficient_quota",
      /^429 You exceeded your current quota/,
    ],
    [
      "relay_quota",
      OpenAI.PermissionDeniedError,
      403,
      "insufficient_user_quota",
      /^403 用户额度不足, 剩余额度: ＄0\.000000 \(request id: /,
    ],
    [
      "bad_seconds",
      OpenAI.BadRequestError,
      400,
      null,
      /^400 Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead\.$/,
    ],
    [
      "content_policy_400",
      OpenAI.BadRequestError,
      400,
      "moderation_blocked",
      /^400 Your request was blocked by our moderation system\.$/,
    ],
  ] as const)(
    "fault %s → %o with status %i and code %s",
    async (fault, errorClass, status, code, message) => {
      const error = await client()
        .videos.create({ prompt: `a clip [[sim:${fault}]]`, seconds: "4" })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errorClass);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBe(status);
      expect(apiError.code).toBe(code);
      expect(apiError.message).toMatch(message);
      expect(apiError.requestID).toMatch(/^sim-\d+-[0-9a-f]{8}$/);
    },
  );

  it("the SDK's own JSON body with an integer seconds gets the real 400", async () => {
    const error = await client()
      .post("/videos", { body: { prompt: "json create", seconds: 8 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("seconds");
  });

  it("special keys fail authentication through the SDK", async () => {
    const error = await client("sk-expired-demo")
      .models.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as Error).message).toMatch(/^401 该令牌已过期 \(request id: sim-/);
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toContain("sora_video2");
  });
});
