import type { ServerResponse } from "node:http";
import { DEFAULT_CHAT_MODEL } from "../catalog";
import { DONE, PING, SSE_HEADERS, pingInterval, pyJson } from "../chat-chunks";
import { CHAT_FAILURE_REASON, buildScript, failureScript, type ChatPlan } from "../chat-stream";
import { bodies } from "../fault-answers";
import type { ActiveFaults, StreamFault } from "../faults";
import { admit, createJob } from "../admission";
import { BadRequest, answer, json, missingParameter, readJson, type Ctx } from "../http";
import { fileUrl, randomId, ulidLike } from "../jobs";
import { decodeDataUrl, imageInfo } from "../media";

/*
 * The chat-completions video protocol (`POST /v1/chat/completions`): the job runs inside one
 * answer, streamed as SSE progress chunks (`stream: true`; the transcript is chat-stream.ts's) or
 * sent whole at the end, with the stream faults (stall, reset, malformed JSON, an error mid-stream).
 */

/** malformed_json: a chunk cut mid-object. */
const MALFORMED_JSON_LINE = 'data: {"id": "chatcmpl-1", "choices": [\n\n';
/** sora2api's bug: the terminator written with literal backslash-n characters. */
const MALFORMED_DONE = "data: [DONE]\\n\\n";
const RESET_AFTER_CHUNKS = 3;

export async function chat(ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  const model = typeof body.model === "string" && body.model ? body.model : DEFAULT_CHAT_MODEL;
  const { prompt, imageUrls } = readChatMessages(body.messages);
  const hasImage = imageUrls.length > 0;
  for (const url of imageUrls) {
    const decoded = decodeDataUrl(url);
    if (decoded) {
      ctx.sim.recordUpload(ctx.route, prompt, model, imageInfo(decoded.body, decoded.mime));
    }
  }
  const admission = admit(ctx, prompt, model);
  if (!admission) return;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new BadRequest(missingParameter("messages"));
  }
  if (!prompt.trim() && !hasImage) {
    throw new BadRequest(
      bodies.invalidRequest(400, "The last user message has no text prompt.", "messages", null),
    );
  }
  const fault = chatStreamFault(admission.faults);
  const job = createJob(ctx, admission, "chat", `chatcmpl-${randomId(12)}`, {
    model,
    prompt,
    faults: { content: admission.faults.content },
    mediaUrl: admission.mediaUrl,
  });
  // Accepted, then the connection drops before the first byte of the answer.
  if (admission.loseReply) return void ctx.res.destroy();
  const plan: ChatPlan = {
    style: admission.style ?? "markdown",
    fault,
    model,
    prompt,
    hasImage,
    resultUrl: fileUrl(job, ctx.sim.baseUrl),
    taskId: `task_${ulidLike()}`,
    durationMs: job.durationMs,
    speed: admission.speed,
  };
  if (body.stream === true) {
    ctx.res.writeHead(200, SSE_HEADERS);
    ctx.res.flushHeaders();
    await writeChatStream(ctx.res, plan, ctx.signal);
    return;
  }
  await answerWhole(ctx, plan);
}

/** `stream` off: the whole completion once the job is done (or the fault's version of it). */
async function answerWhole(ctx: Ctx, plan: ChatPlan): Promise<void> {
  const { fault } = plan;
  if (fault === "stall" || fault === "stall_ping") return;
  if (!(await sleep(fault === "reset" ? plan.durationMs / 2 : plan.durationMs, ctx.signal))) {
    return;
  }
  if (fault === "reset") {
    ctx.res.socket?.destroy();
    return;
  }
  if (fault === "malformed_json") {
    return answer(ctx, {
      status: 200,
      headers: { "content-type": "application/json" },
      body: MALFORMED_JSON_LINE.slice("data: ".length).trim(),
    });
  }
  if (fault === "stream_error") {
    return answer(ctx, {
      status: 200,
      headers: { "content-type": "application/json" },
      body: pyJson({
        error: {
          message: "API request failed: 400 - sentinel_block",
          type: "server_error",
          param: null,
          code: null,
        },
      }),
    });
  }
  json(ctx, 200, chatCompletionBody(plan, Date.now()));
}

/** On the chat protocol job_failed / job_stuck become their stream equivalents. */
function chatStreamFault(faults: ActiveFaults): StreamFault | undefined {
  const stream = faults.stream?.name as StreamFault | undefined;
  if (stream) return stream;
  if (faults.job?.name === "job_failed") return "content_policy";
  if (faults.job?.name === "job_stuck") return "stall_ping";
  return undefined;
}

/** The last user message: its text parts joined, and the image URLs it carries. */
function readChatMessages(messages: unknown): { prompt: string; imageUrls: string[] } {
  if (!Array.isArray(messages)) return { prompt: "", imageUrls: [] };
  const user = [...messages]
    .reverse()
    .find((m): m is Record<string, unknown> => !!m && typeof m === "object" && m.role === "user");
  if (!user) return { prompt: "", imageUrls: [] };
  if (typeof user.content === "string") return { prompt: user.content, imageUrls: [] };
  const texts: string[] = [];
  const imageUrls: string[] = [];
  if (Array.isArray(user.content)) {
    for (const part of user.content as Array<Record<string, unknown>>) {
      if (part?.type === "text" && typeof part.text === "string") texts.push(part.text);
      if (part?.type === "image_url") {
        const ref = part.image_url;
        const url =
          typeof ref === "string" ? ref : (ref as Record<string, unknown> | undefined)?.url;
        if (typeof url === "string") imageUrls.push(url);
      }
    }
  }
  return { prompt: texts.join("\n"), imageUrls };
}

/** Writes the chat SSE answer (headers already decided by the caller) and follows the plan's fault. */
async function writeChatStream(
  res: ServerResponse,
  plan: ChatPlan,
  signal: AbortSignal,
): Promise<void> {
  const start = Date.now();
  const fault = plan.fault;
  let steps =
    fault === "stream_error" || fault === "content_policy"
      ? failureScript(fault, plan, start)
      : buildScript(plan, start);
  if (fault === "malformed_done") steps = steps.filter((s) => s.text !== DONE);
  if (fault === "stall" || fault === "stall_ping" || fault === "malformed_json") {
    steps = steps.filter((s) => s.text !== PING).slice(0, 2);
  }

  let dataChunks = 0;
  for (const step of steps) {
    if (!(await sleep(step.at - (Date.now() - start), signal))) return;
    if (step.text.startsWith("data:")) dataChunks++;
    if (fault === "reset" && dataChunks >= RESET_AFTER_CHUNKS) {
      // destroy only once the last chunk is on the wire, so the client does see N chunks
      res.write(step.text, () => res.socket?.destroy());
      return;
    }
    res.write(step.text);
  }

  switch (fault) {
    case "stall":
      await sleep(Number.MAX_SAFE_INTEGER, signal);
      return;
    case "stall_ping":
      while (await sleep(pingInterval(plan.speed), signal)) res.write(PING);
      return;
    case "malformed_json":
      res.end(MALFORMED_JSON_LINE);
      return;
    case "malformed_done":
      res.end(MALFORMED_DONE);
      return;
    default:
      res.end();
  }
}

/** The non-stream answer of content-only relays: `[下载视频](url)` in the message. */
function chatCompletionBody(plan: ChatPlan, now: number): Record<string, unknown> {
  const failed = plan.fault === "content_policy";
  return {
    id: `foaicmpl-${now}`,
    object: "chat.completion",
    created: Math.floor(now / 1000),
    model: plan.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: failed
            ? `❌ 生成失败: ${CHAT_FAILURE_REASON}`
            : `[下载视频](${plan.resultUrl})\n\n`,
        },
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 24, total_tokens: 36 },
  };
}

/** Resolves true after `ms`, or false as soon as `signal` aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
