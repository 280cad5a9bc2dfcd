import "server-only";
import { UpstreamError } from "./classify";

/**
 * What a relay-provided video answer must look like before it is archived or passed to the
 * browser: bytes (`video/*`, `application/octet-stream`, S3's `binary/octet-stream`, or no type at
 * all) and no more than `maxBytes`. Anything else (a JSON secret, an HTML page) is refused.
 */
const VIDEO_TYPES = /^(?:video\/[\w.+-]+|application\/octet-stream|binary\/octet-stream)$/i;

function mediaRefused(host: string, message: string): UpstreamError {
  return new UpstreamError("protocol_error", {
    params: { host },
    upstreamMessage: message,
    // The same link gives the same answer: downloading it again cannot help.
    shouldRetry: false,
  });
}

export function isVideoContentType(type: string | null): boolean {
  const essence = (type ?? "").split(";")[0]?.trim() ?? "";
  return essence === "" || VIDEO_TYPES.test(essence);
}

/** Throws before any byte is read when the answer is not a video or declares too many bytes. */
export function checkMediaHeaders(headers: Headers, host: string, maxBytes: number): void {
  const type = headers.get("content-type");
  if (!isVideoContentType(type)) {
    throw mediaRefused(host, `video content answered ${type}, not a video`);
  }
  const declared = headers.has("content-encoding")
    ? Number.NaN
    : Number(headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw mediaRefused(
      host,
      `the video has ${declared} bytes, more than ${maxBytes} (SORA_MAX_VIDEO_BYTES)`,
    );
  }
}

/** A stream that errors once more than `maxBytes` have passed (a lying or missing Content-Length). */
export function capMediaStream(
  body: ReadableStream<Uint8Array>,
  host: string,
  maxBytes: number,
): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) {
          controller.error(
            mediaRefused(host, `the video is larger than ${maxBytes} bytes (SORA_MAX_VIDEO_BYTES)`),
          );
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}
