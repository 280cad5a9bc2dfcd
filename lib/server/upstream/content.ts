import "server-only";
import { UpstreamError } from "./classify";
import { resolveDeps, type UpstreamDeps } from "./deps";
import { withIdempotentRetry } from "./idempotent";
import { capMediaStream, checkMediaHeaders } from "./media";
import { openUpstream, type UpstreamCall } from "./request";
import type { VideoSource } from "./types";
import { videoPath } from "./videos";

const PASSED_HEADERS = [
  "content-type",
  "content-length",
  "content-range",
  "accept-ranges",
  "etag",
  "last-modified",
];

/**
 * The upstream body behind our own stream: an idle timer runs only while we wait for the upstream
 * (a slow consumer is not a silent upstream), and cancelling ours cancels theirs.
 */
function streamedResponse(call: UpstreamCall, idleMs: number, maxBytes: number): Response {
  const upstream = call.response;
  const headers = new Headers();
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers.get(name);
    // fetch already decoded a compressed body, so its length no longer applies.
    if (
      value !== null &&
      !(name === "content-length" && upstream.headers.has("content-encoding"))
    ) {
      headers.set(name, value);
    }
  }
  if (!headers.has("content-type")) headers.set("content-type", "video/mp4");
  // fetch has decoded the body; say so without making anyone decode it twice.
  const encoding = upstream.headers.get("content-encoding");
  if (encoding) headers.set("x-upstream-content-encoding", encoding);
  const reader = upstream.body?.getReader();
  const body = reader
    ? new ReadableStream<Uint8Array>({
        async pull(controller) {
          call.arm("idle", idleMs);
          try {
            const { done, value } = await reader.read();
            call.disarm();
            if (done) controller.close();
            else controller.enqueue(value);
          } catch (error) {
            call.disarm();
            controller.error(call.explain(error, true));
          }
        },
        cancel(reason) {
          call.disarm();
          return reader.cancel(reason);
        },
      })
    : null;
  return new Response(body && capMediaStream(body, call.host, maxBytes), {
    status: upstream.status,
    statusText: upstream.statusText,
    headers,
  });
}

type Opened = { call: UpstreamCall } | { url: string };

async function openContent(
  url: string,
  baseUrl: string,
  operationUrlIsApi: boolean,
  signal: AbortSignal,
  range: string | undefined,
  deps: UpstreamDeps,
): Promise<Opened> {
  return withIdempotentRetry(
    "content",
    async (attempt) => {
      const headers: Record<string, string> = {
        accept: operationUrlIsApi ? "application/binary" : "*/*",
      };
      if (range) headers.range = range;
      const call = await openUpstream({
        operation: "content",
        url,
        baseUrl,
        apiKey: deps.config.apiKey,
        headers,
        attempt,
        signal,
        deps,
      });
      // A 416 to our Range is the answer to pass on, not a failure.
      const unsatisfiable = range !== undefined && call.response.status === 416;
      if (!call.response.ok && !unsatisfiable) throw await call.failFromStatus();
      if (unsatisfiable) {
        call.finish({ status: 416 });
        return { call };
      }
      const type = call.response.headers.get("content-type") ?? "";
      if (operationUrlIsApi && type.includes("json")) {
        // Some relays answer /content with {"url"|"video_url": …} instead of the bytes.
        const text = await call.readText(64 * 1024).catch((error: unknown) => {
          call.finish({ error });
          throw error;
        });
        let link: string | undefined;
        try {
          const json = JSON.parse(text) as Record<string, unknown>;
          const data = (json.data ?? {}) as Record<string, unknown>;
          const candidate = json.url ?? json.video_url ?? data.url ?? data.video_url;
          if (typeof candidate === "string" && /^https?:\/\//i.test(candidate)) link = candidate;
        } catch {
          link = undefined;
        }
        if (!link) {
          const error = new UpstreamError("protocol_error", {
            params: { host: call.host },
            status: call.response.status,
            upstreamMessage: `the content answer has no video link: ${text.slice(0, 300)}`,
          });
          call.finish({ error });
          throw error;
        }
        call.finish({ status: call.response.status });
        return { url: new URL(link, url).toString() };
      }
      try {
        checkMediaHeaders(call.response.headers, call.host, deps.config.maxVideoBytes);
      } catch (error) {
        // Not awaited: a cancel may wait on the other branch of a tee'd body.
        void call.response.body?.cancel().catch(() => undefined);
        call.finish({ error });
        throw error;
      }
      call.finish({ status: call.response.status });
      return { call };
    },
    { deps, signal },
  );
}

/**
 * Opens the video bytes: `GET {base}/videos/{id}/content` (following a JSON `{url}` answer), or
 * the direct link. The key only goes to the base URL's origin; relay-provided links pass the
 * destination check (request.ts), and the answer must be a video within SORA_MAX_VIDEO_BYTES. Returns the upstream status (200/206)
 * and a streamed body; nothing is buffered.
 */
export async function fetchVideoContent(
  source: VideoSource,
  signal: AbortSignal,
  init?: { range?: string },
  deps?: Partial<UpstreamDeps>,
): Promise<Response> {
  const resolved = resolveDeps(deps);
  const idleMs = resolved.config.streamIdleTimeoutMs;
  let opened: Opened | undefined;
  if (source.upstreamId) {
    try {
      opened = await openContent(
        videoPath(source.baseUrl, source.upstreamId, "/content"),
        source.baseUrl,
        true,
        signal,
        init?.range,
        resolved,
      );
    } catch (error) {
      const status = error instanceof UpstreamError ? error.options.status : undefined;
      if (!source.url || (status !== 404 && status !== 405)) throw error;
    }
  }
  const url = opened && "url" in opened ? opened.url : opened ? undefined : source.url;
  if (url) opened = await openContent(url, source.baseUrl, false, signal, init?.range, resolved);
  if (opened && "call" in opened) {
    return streamedResponse(opened.call, idleMs, resolved.config.maxVideoBytes);
  }
  throw new UpstreamError("protocol_error", {
    upstreamMessage: "the finished job has neither an upstream id nor a video link",
  });
}
