import { beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { fetchVideoContent } from "./content";
import {
  depsWith,
  failureOf,
  fakeFetch,
  jsonResponse,
  resetUpstreamState,
  streamBody,
  TEST_KEY,
} from "./test-support";

beforeEach(() => resetUpstreamState());

const base = "https://primary.example/v1";
const mp4 = (status = 200, headers: Record<string, string> = {}) =>
  new Response(new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112]), {
    status,
    headers: { "content-type": "video/mp4", "content-length": "8", ...headers },
  });

/** The relay's host redirects to `location`; every other host serves the mp4. */
const redirectingTo = (location: string) =>
  fakeFetch((request) =>
    request.url.startsWith("https://primary.example")
      ? new Response(null, { status: 302, headers: { location } })
      : mp4(),
  );

/** Downloads `source` with a signal nobody aborts. */
const download = (
  source: Parameters<typeof fetchVideoContent>[0],
  deps: ReturnType<typeof depsWith>,
  options?: Parameters<typeof fetchVideoContent>[2],
) => fetchVideoContent(source, new AbortController().signal, options, deps);

describe("fetchVideoContent", () => {
  it("downloads /videos/{id}/content with the key and Accept: application/binary", async () => {
    const { fetch, seen } = fakeFetch([mp4()]);
    const response = await download({ baseUrl: base, upstreamId: "video_1" }, depsWith(fetch));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("video/mp4");
    expect(new Uint8Array(await response.arrayBuffer())).toHaveLength(8);
    expect(seen[0]?.url).toBe("https://primary.example/v1/videos/video_1/content");
    expect(seen[0]?.headers.get("accept")).toBe("application/binary");
    expect(seen[0]?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
  });

  it("follows a JSON {url} answer without sending the key to the other host", async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.url.includes("/content")
        ? jsonResponse(200, {
            video_url: "https://cdn.example/v.mp4",
            url: "https://cdn.example/v.mp4",
          })
        : mp4(),
    );
    const response = await download(
      { baseUrl: base, upstreamId: "sora-2:task_1" },
      depsWith(fetch),
    );
    expect(response.status).toBe(200);
    expect(seen.map((r) => r.url)).toEqual([
      "https://primary.example/v1/videos/sora-2%3Atask_1/content",
      "https://cdn.example/v.mp4",
    ]);
    expect(seen[1]?.headers.get("authorization")).toBeNull();
  });

  it("sends the key to a direct link only on the base URL's own host", async () => {
    const { fetch, seen } = fakeFetch([mp4()]);
    await download({ baseUrl: base, url: "https://primary.example/files/a.mp4" }, depsWith(fetch));
    await download({ baseUrl: base, url: "https://evil.example/a.mp4" }, depsWith(fetch));
    expect(seen[0]?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
    expect(seen[1]?.headers.get("authorization")).toBeNull();
  });

  it("drops the key when the base host redirects to another host", async () => {
    const { fetch, seen } = redirectingTo("https://cdn.example/signed.mp4");
    const response = await download({ baseUrl: base, upstreamId: "video_1" }, depsWith(fetch));
    expect(response.status).toBe(200);
    expect(seen[0]?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
    expect(seen[1]?.url).toBe("https://cdn.example/signed.mp4");
    expect(seen[1]?.headers.get("authorization")).toBeNull();
  });

  it("passes Range through and returns the 206", async () => {
    const { fetch, seen } = fakeFetch([
      mp4(206, { "content-range": "bytes 0-7/100", "accept-ranges": "bytes" }),
    ]);
    const response = await download({ baseUrl: base, upstreamId: "video_1" }, depsWith(fetch), {
      range: "bytes=0-7",
    });
    expect(seen[0]?.headers.get("range")).toBe("bytes=0-7");
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe("bytes 0-7/100");
  });

  it("retries before the body starts", async () => {
    const { fetch, seen } = fakeFetch([jsonResponse(503, ""), mp4()]);
    const response = await download({ baseUrl: base, upstreamId: "video_1" }, depsWith(fetch));
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it("falls back to the direct link when /content is not there", async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.url.includes("/content")
        ? jsonResponse(404, { error: { message: "not found" } })
        : mp4(),
    );
    const response = await download(
      { baseUrl: base, upstreamId: "t1", url: "https://cdn.example/r.mp4" },
      depsWith(fetch),
    );
    expect(response.status).toBe(200);
    expect(seen.map((r) => r.url)).toEqual([
      "https://primary.example/v1/videos/t1/content",
      "https://cdn.example/r.mp4",
    ]);
  });

  it("a body that goes silent errors with timeout instead of hanging", async () => {
    const { fetch } = fakeFetch([
      (_request, signal) => new Response(streamBody(["abc"], "stall", signal), { status: 200 }),
    ]);
    const response = await download({ baseUrl: base, upstreamId: "video_1" }, depsWith(fetch));
    const error = await failureOf(response.arrayBuffer());
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("timeout");
  });

  it("a body cut mid-way errors with interrupted", async () => {
    const { fetch } = fakeFetch([
      () => new Response(streamBody(["abc"], "reset"), { status: 200 }),
    ]);
    const response = await download({ baseUrl: base, upstreamId: "video_1" }, depsWith(fetch));
    const error = await failureOf(response.arrayBuffer());
    expect(error.code).toBe("interrupted");
  });

  describe("relay-provided destinations (SSRF)", () => {
    const expectRefused = async (promise: Promise<unknown>, code = "destination_refused") => {
      const error = await failureOf(promise);
      expect(error.code).toBe(code);
      return error;
    };

    it("never fetches a JSON {url} that points at loopback, and does not retry", async () => {
      const { fetch, seen } = fakeFetch((request) =>
        request.url.includes("/content")
          ? jsonResponse(200, { url: "http://127.0.0.1:6379/secret" })
          : mp4(),
      );
      const error = await expectRefused(
        download({ baseUrl: base, upstreamId: "video_1" }, depsWith(fetch)),
      );
      expect(error.options.upstreamMessage).toContain("127.0.0.1");
      expect(seen.map((r) => r.url)).toEqual(["https://primary.example/v1/videos/video_1/content"]);
    });

    it("refuses a redirect to the metadata address and a link whose name resolves privately", async () => {
      const { fetch, seen } = redirectingTo("http://169.254.169.254/latest/meta-data/");
      await expectRefused(download({ baseUrl: base, upstreamId: "video_1" }, depsWith(fetch)));
      await expectRefused(
        download(
          { baseUrl: base, url: "https://cdn.example/v.mp4" },
          depsWith(fetch, {}, { "cdn.example": "192.168.0.10" }),
        ),
      );
      expect(seen.map((r) => r.url)).toEqual(["https://primary.example/v1/videos/video_1/content"]);
    });

    it("an allow-listed media host is fetched even on a private address", async () => {
      const { fetch, seen } = fakeFetch([mp4()]);
      const response = await download(
        { baseUrl: base, url: "http://media.lan:9000/v.mp4" },
        depsWith(
          fetch,
          { SORA_ALLOWED_MEDIA_HOSTS: "media.lan:9000" },
          { "media.lan": "10.1.1.1" },
        ),
      );
      expect(response.status).toBe(200);
      expect(seen).toHaveLength(1);
    });

    it("the key is not sent over plain http to the relay's own host", async () => {
      const { fetch, seen } = fakeFetch([mp4()]);
      await download({ baseUrl: base, url: "http://primary.example/files/a.mp4" }, depsWith(fetch));
      expect(seen[0]?.headers.get("authorization")).toBeNull();
    });
  });

  describe("what counts as a video", () => {
    it("refuses a JSON or text answer from a direct link without retrying", async () => {
      const { fetch, seen } = fakeFetch([
        new Response('{"secret":"x"}', { headers: { "content-type": "text/plain" } }),
      ]);
      const error = await failureOf(
        download({ baseUrl: base, url: "https://cdn.example/v.mp4" }, depsWith(fetch)),
      );
      expect(error.code).toBe("protocol_error");
      expect(seen).toHaveLength(1);
    });

    it("accepts octet-stream, and refuses a declared size above SORA_MAX_VIDEO_BYTES", async () => {
      const { fetch } = fakeFetch([
        mp4(200, { "content-type": "application/octet-stream" }),
        mp4(200, { "content-length": "5000" }),
      ]);
      const env = { SORA_MAX_VIDEO_BYTES: "4096" };
      const source = { baseUrl: base, upstreamId: "video_1" };
      const ok = await download(source, depsWith(fetch, env));
      expect(ok.status).toBe(200);
      const error = await failureOf(download(source, depsWith(fetch, env)));
      expect(error.code).toBe("protocol_error");
      expect(error.options.upstreamMessage).toContain("SORA_MAX_VIDEO_BYTES");
    });

    it("stops a body without Content-Length once it passes the cap", async () => {
      const chunk = "x".repeat(1024);
      const { fetch } = fakeFetch([
        () =>
          new Response(streamBody([chunk, chunk, chunk, chunk, chunk, chunk], "end"), {
            headers: { "content-type": "video/mp4" },
          }),
      ]);
      const response = await download(
        { baseUrl: base, upstreamId: "video_1" },
        depsWith(fetch, { SORA_MAX_VIDEO_BYTES: "4096" }),
      );
      const error = await failureOf(response.arrayBuffer());
      expect(error.options.upstreamMessage).toContain("larger than 4096");
    });
  });
});
