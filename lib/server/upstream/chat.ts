import "server-only";
import { ChatStreamParser, type StreamEnding } from "./chat-stream";
import { UpstreamError } from "./classify";
import type { UpstreamDeps } from "./deps";
import { openUpstream } from "./request";
import type { GenerationCallbacks, GenerationRequest, VideoSource } from "./types";

export interface AttemptContext {
  baseUrl: string;
  attempt: number;
  signal: AbortSignal;
  deps: UpstreamDeps;
  /** Set as soon as the upstream answered 2xx: from then on the create is never sent again. */
  accepted: { value: boolean };
}

function dataUrl(image: NonNullable<GenerationRequest["image"]>): string {
  return `data:${image.mime};base64,${Buffer.from(image.bytes).toString("base64")}`;
}

/** Request body of reference §4: `stream:true`, multimodal content when there is an image. */
export function chatRequestBody(req: GenerationRequest): string {
  const content = req.image
    ? [
        { type: "text", text: req.prompt },
        { type: "image_url", image_url: { url: dataUrl(req.image) } },
      ]
    : req.prompt;
  return JSON.stringify({
    model: req.model,
    stream: true,
    messages: [{ role: "user", content }],
  });
}

/** One chat-completions create: POST, then read the whole stream to its video link. */
export async function chatAttempt(
  req: GenerationRequest,
  cb: GenerationCallbacks,
  ctx: AttemptContext,
): Promise<VideoSource> {
  const { config } = ctx.deps;
  const call = await openUpstream({
    operation: "create",
    protocol: "chat",
    url: `${ctx.baseUrl}/chat/completions`,
    baseUrl: ctx.baseUrl,
    apiKey: config.apiKey,
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: chatRequestBody(req),
    attempt: ctx.attempt,
    model: req.model,
    signal: ctx.signal,
    deps: ctx.deps,
  });
  const { response } = call;
  if (!response.ok) throw await call.failFromStatus();

  ctx.accepted.value = true;
  cb.onAccepted({ baseUrl: ctx.baseUrl });

  const upstreamRequestId = response.headers.get("x-request-id") ?? undefined;
  const parser = new ChatStreamParser(
    { onProgress: (info) => cb.onProgress(info), onActivity: () => call.touch() },
    { contentType: response.headers.get("content-type") },
  );
  let ending: StreamEnding = "eof";
  call.arm("idle", config.streamIdleTimeoutMs);
  const reader = response.body?.getReader();
  try {
    if (reader) {
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          parser.feed(decoder.decode());
          break;
        }
        parser.feed(decoder.decode(value, { stream: true }));
        if (parser.done) {
          ending = "done";
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
    }
  } catch (error) {
    const explained = call.explain(error, true);
    if (!(explained instanceof UpstreamError)) {
      // Stopped by us (the job's deadline): a link already parsed still means a paid video.
      const early = parser.finish("cut", { model: req.model, host: call.host });
      if (early.ok) {
        call.finish({ status: response.status });
        return { baseUrl: ctx.baseUrl, url: early.url };
      }
      call.finish({ error: explained });
      throw explained;
    }
    ending = call.timedOut?.phase === "idle" ? "idle" : "cut";
  } finally {
    call.disarm();
  }

  const result = parser.finish(ending, {
    model: req.model,
    host: call.host,
    idleTimeoutMs: config.streamIdleTimeoutMs,
    upstreamRequestId,
  });
  if (!result.ok) {
    call.finish({ error: result.error });
    throw result.error;
  }
  call.finish({ status: response.status });
  return { baseUrl: ctx.baseUrl, url: result.url };
}
