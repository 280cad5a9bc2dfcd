import { beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { fetchVideoContent } from "./content";
import {
  depsWith,
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

describe("fetchVideoContent", () => {
  it("downloads /videos/{id}/content with the key and Accept: application/binary", async () => {
    const { fetch, seen } = fakeFetch([mp4()]);
    const response = await fetchVideoContent(
      { baseUrl: base, upstreamId: "video_1" },
      new AbortController().signal,
      undefined,
      depsWith(fetch),
    );
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
    const response = await fetchVideoContent(
      { baseUrl: base, upstreamId: "sora-2:task_1" },
      new AbortController().signal,
      undefined,
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
    const signal = new AbortController().signal;
    await fetchVideoContent(
      { baseUrl: base, url: "https://primary.example/files/a.mp4" },
      signal,
      undefined,
      depsWith(fetch),
    );
    await fetchVideoContent(
      { baseUrl: base, url: "https://evil.example/a.mp4" },
      signal,
      undefined,
      depsWith(fetch),
    );
    expect(seen[0]?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
    expect(seen[1]?.headers.get("authorization")).toBeNull();
  });

  it("drops the key when the base host redirects to another host", async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.url.startsWith("https://primary.example")
        ? new Response(null, {
            status: 302,
            headers: { location: "https://cdn.example/signed.mp4" },
          })
        : mp4(),
    );
    const response = await fetchVideoContent(
      { baseUrl: base, upstreamId: "video_1" },
      new AbortController().signal,
      undefined,
      depsWith(fetch),
    );
    expect(response.status).toBe(200);
    expect(seen[0]?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
    expect(seen[1]?.url).toBe("https://cdn.example/signed.mp4");
    expect(seen[1]?.headers.get("authorization")).toBeNull();
  });

  it("passes Range through and returns the 206", async () => {
    const { fetch, seen } = fakeFetch([
      mp4(206, { "content-range": "bytes 0-7/100", "accept-ranges": "bytes" }),
    ]);
    const response = await fetchVideoContent(
      { baseUrl: base, upstreamId: "video_1" },
      new AbortController().signal,
      { range: "bytes=0-7" },
      depsWith(fetch),
    );
    expect(seen[0]?.headers.get("range")).toBe("bytes=0-7");
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe("bytes 0-7/100");
  });

  it("retries before the body starts", async () => {
    const { fetch, seen } = fakeFetch([jsonResponse(503, ""), mp4()]);
    const response = await fetchVideoContent(
      { baseUrl: base, upstreamId: "video_1" },
      new AbortController().signal,
      undefined,
      depsWith(fetch),
    );
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it("falls back to the direct link when /content is not there", async () => {
    const { fetch, seen } = fakeFetch((request) =>
      request.url.includes("/content")
        ? jsonResponse(404, { error: { message: "not found" } })
        : mp4(),
    );
    const response = await fetchVideoContent(
      { baseUrl: base, upstreamId: "t1", url: "https://cdn.example/r.mp4" },
      new AbortController().signal,
      undefined,
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
    const response = await fetchVideoContent(
      { baseUrl: base, upstreamId: "video_1" },
      new AbortController().signal,
      undefined,
      depsWith(fetch),
    );
    const error = await response.arrayBuffer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("timeout");
  });

  it("a body cut mid-way errors with interrupted", async () => {
    const { fetch } = fakeFetch([
      () => new Response(streamBody(["abc"], "reset"), { status: 200 }),
    ]);
    const response = await fetchVideoContent(
      { baseUrl: base, upstreamId: "video_1" },
      new AbortController().signal,
      undefined,
      depsWith(fetch),
    );
    const error = await response.arrayBuffer().catch((e: unknown) => e);
    expect((error as AppError).code).toBe("interrupted");
  });
});
