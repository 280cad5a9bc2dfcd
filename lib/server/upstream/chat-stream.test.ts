import { describe, expect, it } from "vitest";
import type { ErrorCode } from "@/lib/contracts/errors";
import { ChatStreamParser, type StreamEnding } from "./chat-stream";

/** sora2api chunks: Python `json.dumps` spacing, progress in `reasoning_content`, `"STOP"`. */
function s2a(
  delta: { content?: string | null; reasoning?: string | null },
  finish?: string,
): string {
  const chunk = {
    id: "chatcmpl-1767105219616",
    object: "chat.completion.chunk",
    created: 1767105219,
    model: "sora",
    choices: [
      {
        index: 0,
        delta: {
          content: delta.content ?? null,
          reasoning_content: delta.reasoning ?? null,
          tool_calls: null,
        },
        finish_reason: finish ?? null,
        native_finish_reason: finish ?? null,
      },
    ],
    usage: { prompt_tokens: 0 },
  };
  return `data: ${JSON.stringify(chunk).replace(/":/g, '": ').replace(/,"/g, ', "')}\n\n`;
}

/** Compact new-api style chunks (Transcript C). */
function compact(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({
    id: "chatcmpl-c",
    object: "chat.completion.chunk",
    created: 1759759480,
    model: "sora_video2",
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
}

const DONE = "data: [DONE]\n\n";
const PING = ": PING\n\n";

interface Transcript {
  name: string;
  body: string;
  ending: StreamEnding;
  percents?: number[];
  messages?: string[];
  url?: string;
  code?: ErrorCode;
  messageContains?: string;
}

const TRANSCRIPTS: Transcript[] = [
  {
    name: "A: sora2api image-to-video, success",
    body: [
      s2a({ reasoning: "**Image Upload Begins**\n\nUploading image to server...\n" }),
      s2a({ reasoning: "Image uploaded successfully. Proceeding to generation...\n" }),
      s2a({ reasoning: "**Generation Process Begins**\n\nInitializing generation request...\n" }),
      s2a({ reasoning: "\n**Video Generation Progress**: 45% (processing)\n" }),
      s2a({
        reasoning:
          "**Video Generation Completed**\n\nCache is disabled. Using original URL directly...\n",
      }),
      s2a(
        {
          content:
            "```html\n<video src='https://oscdn2.dyysy.com/MP4/s_6953abc.mp4' controls></video>\n```",
        },
        "STOP",
      ),
      DONE,
    ].join(""),
    ending: "done",
    percents: [0, 45],
    messages: [
      "Image Upload Begins",
      "Uploading image to server",
      "Video Generation Progress: 45% (processing)",
    ],
    url: "https://oscdn2.dyysy.com/MP4/s_6953abc.mp4",
  },
  {
    name: "B: sora2api failure mid-stream (error object in a 200)",
    body: [
      s2a({ reasoning: "**Generation Process Begins**\n\nInitializing generation request...\n" }),
      s2a({ reasoning: "**生成失败，正在重试**\n\n第 1 次重试（共 3 次）...\n\n失败原因：…\n\n" }),
      'data: {"error": {"message": "API request failed: 400 - {…\\"code\\": \\"sentinel_block\\"…}", "type": "server_error", "param": null, "code": null}}\n\n',
      DONE,
    ].join(""),
    ending: "done",
    code: "generation_failed",
    messageContains: "sentinel_block",
  },
  {
    name: "B ending: content policy (❌ 生成失败)",
    body: [
      s2a({ reasoning: "**Generation Process Begins**\n\nInitializing generation request...\n" }),
      s2a({ reasoning: "**Content Policy Violation**\n\nThe prompt was flagged.\n" }),
      s2a({ content: "❌ 生成失败: this prompt may violate our content policies" }, "STOP"),
      DONE,
    ].join(""),
    ending: "done",
    code: "content_policy",
    messageContains: "❌ 生成失败",
  },
  {
    name: "C: composite sora_video2 stream through new-api",
    body: [
      compact({ role: "assistant", content: "" }),
      PING,
      compact({ content: "> 排队中......\n" }),
      compact({ content: ">🏃 进度：45%\n" }),
      PING,
      compact(
        { content: "\n\nvideo generated successful,[click here](https://cdn.example/v.mp4)" },
        "stop",
      ),
      DONE,
    ].join(""),
    ending: "done",
    percents: [0, 45],
    messages: ["排队中", "🏃 进度：45%"],
    url: "https://cdn.example/v.mp4",
  },
  {
    name: "blockquote log style, streamed piece by piece",
    body: [
      compact({ role: "assistant", content: "" }),
      compact({ content: '```json\n{"prompt":"a cat","orientation":"portrait"}\n```\n\n' }),
      compact({ content: "> ID: `task_01k7abcdef`\n" }),
      compact({ content: "> 排队中" }),
      compact({ content: "......\n" }),
      compact({ content: "> 生成中." }),
      compact({ content: "\n" }),
      compact({ content: ">🏃 进度 7" }),
      compact({ content: "6..\n" }),
      compact({ content: "> 生成完成 ✅\n" }),
      compact({ content: "> sid: s_01k7abcdef\n" }),
      compact({ content: "\n[在线播放](https://cdn.example/blockquote.mp4)\n" }, "stop"),
      DONE,
    ].join(""),
    ending: "done",
    percents: [0, 76],
    messages: ["排队中", "生成中", "🏃 进度 76", "生成完成 ✅"],
    url: "https://cdn.example/blockquote.mp4",
  },
  {
    name: "structured output[] (fork style) wins over text links",
    body: [
      compact({ content: "排队中...\n", wm: { stage: "queued", attempt: 1, can_cancel: true } }),
      compact({
        content: "进度: 60%\n",
        wm: { stage: "generating", attempt: 1, can_cancel: true },
      }),
      compact(
        {
          content: "[preview](https://cdn.example/preview.webm)",
          output: [{ url: "https://cdn.example/out.mp4", type: "video", task_id: "task_1" }],
          wm: { stage: "completed", attempt: 1, can_cancel: false },
        },
        "stop",
      ),
      DONE,
    ].join(""),
    ending: "done",
    percents: [0, 60],
    url: "https://cdn.example/out.mp4",
  },
  {
    name: "bare .mp4 link in content",
    body: [
      compact({ content: "Progress: 99%\n" }),
      compact({ content: "done: https://cdn.example/a/b.mp4?sig=abc 请下载" }, "stop"),
      DONE,
    ].join(""),
    ending: "done",
    percents: [99],
    url: "https://cdn.example/a/b.mp4?sig=abc",
  },
  {
    name: "JSON url in content",
    body: [compact({ content: '{"video_url":"https://cdn.example/j.mp4"}' }, "stop"), DONE].join(
      "",
    ),
    ending: "done",
    url: "https://cdn.example/j.mp4",
  },
  {
    name: "malformed: truncated JSON, no link",
    body: [
      compact({ role: "assistant", content: "" }),
      'data: {"id": "chatcmpl-1", "choices": [\n\n',
    ].join(""),
    ending: "eof",
    code: "protocol_error",
    messageContains: "malformed",
  },
  {
    name: "malformed [DONE] with literal backslash-n after the link",
    body: [
      compact({ content: "> 排队中......\n" }),
      compact({ content: "[click here](https://cdn.example/v2.mp4)" }, "stop"),
      "data: [DONE]\\n\\n",
    ].join(""),
    ending: "eof",
    url: "https://cdn.example/v2.mp4",
  },
  {
    name: "PING-only stall ends on our idle timer",
    body: [PING, PING, PING].join(""),
    ending: "idle",
    code: "timeout",
  },
  {
    name: "progress, then silence past the idle limit",
    body: [compact({ content: "> 排队中......\n" }), PING, PING].join(""),
    ending: "idle",
    messages: ["排队中"],
    code: "timeout",
  },
  {
    name: "connection cut after progress",
    body: [compact({ content: "> 排队中......\n" }), compact({ content: ">🏃 进度：30%\n" })].join(
      "",
    ),
    ending: "cut",
    percents: [0, 30],
    code: "interrupted",
  },
  {
    name: "closed without [DONE] after progress (new-api STREAMING_TIMEOUT)",
    body: [compact({ content: ">🏃 进度：30%\n" })].join(""),
    ending: "eof",
    code: "interrupted",
  },
  {
    name: "empty stream",
    body: "",
    ending: "eof",
    code: "protocol_error",
  },
  {
    name: "clean end without a link: the last words explain",
    body: [compact({ content: "No available tokens for video generation\n" }, "stop"), DONE].join(
      "",
    ),
    ending: "done",
    code: "generation_failed",
    messageContains: "No available tokens",
  },
  {
    name: "non-stream chat.completion answer",
    body: JSON.stringify({
      id: "foaicmpl-1",
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "[下载视频](https://cdn.example/dl.mp4)\n\n" },
          finish_reason: "stop",
        },
      ],
    }),
    ending: "eof",
    url: "https://cdn.example/dl.mp4",
  },
  {
    name: "JSON lines without SSE framing",
    body: [
      JSON.stringify({ choices: [{ index: 0, delta: { content: "进度 30%\n" } }] }),
      JSON.stringify({
        choices: [
          {
            index: 0,
            delta: { content: "[v](https://cdn.example/nd.mp4)" },
            finish_reason: "stop",
          },
        ],
      }),
    ].join("\n"),
    ending: "eof",
    url: "https://cdn.example/nd.mp4",
  },
  {
    name: "non-stream error answer",
    body: '{"error": {"message": "API request failed: 400 - sentinel_block", "type": "server_error", "param": null, "code": null}}',
    ending: "eof",
    code: "generation_failed",
  },
  {
    name: "HTML on a 200",
    body: "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
    ending: "eof",
    code: "protocol_error",
  },
  {
    name: "Cloudflare timeout page on a 200",
    body: "<html><head><title>example.com | 524: A timeout occurred</title></head></html>",
    ending: "eof",
    code: "gateway_timeout",
  },
  {
    name: "event: error frame",
    body: 'event: error\ndata: {"message":"upstream exploded"}\n\n',
    ending: "eof",
    code: "generation_failed",
  },
];

function run(body: string, ending: StreamEnding, pieceSize?: number) {
  const progress: { percent: number; message?: string }[] = [];
  let activity = 0;
  const parser = new ChatStreamParser({
    onProgress: (info) => progress.push(info),
    onActivity: () => activity++,
  });
  const pieces = pieceSize
    ? Array.from({ length: Math.ceil(body.length / pieceSize) }, (_, i) =>
        body.slice(i * pieceSize, (i + 1) * pieceSize),
      )
    : [body];
  for (const piece of pieces) {
    parser.feed(piece);
    if (parser.done) break;
  }
  const result = parser.finish(parser.done ? "done" : ending, {
    model: "sora_video2",
    host: "relay.example",
    idleTimeoutMs: 180_000,
  });
  return { result, progress, activity, done: parser.done };
}

describe("ChatStreamParser transcripts", () => {
  it.each(TRANSCRIPTS)("$name", (t) => {
    for (const pieceSize of [undefined, 7, 1]) {
      const { result, progress } = run(t.body, t.ending, pieceSize);
      if (t.url) {
        expect(result).toEqual({ ok: true, url: t.url });
      } else {
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe(t.code);
          if (t.messageContains)
            expect(result.error.options.upstreamMessage).toContain(t.messageContains);
        }
      }
      if (t.percents) {
        const percents = [...new Set(progress.map((p) => p.percent))];
        expect(percents).toEqual(t.percents);
      }
      for (const message of t.messages ?? []) {
        expect(progress.map((p) => p.message)).toContain(message);
      }
    }
  });

  it("a split progress number is reported once, complete", () => {
    const { progress } = run(
      [compact({ content: ">🏃 进度 7" }), compact({ content: "6..\n" })].join(""),
      "eof",
    );
    expect(progress.map((p) => p.percent)).toEqual([76]);
  });

  it("a line that never ends stops the read at 1 MB instead of buffering forever", () => {
    const { done, result } = run(
      [compact({ content: "> 排队中\n" }), `data: {"x":"${"a".repeat(64 * 1024)}`].join(""),
      "eof",
      64 * 1024,
    );
    expect(done).toBe(false);
    const endless = run(`data: ${"a".repeat(1_100_000)}`, "eof", 100_000);
    expect(endless.done).toBe(true);
    expect(endless.result.ok).toBe(false);
    expect(!endless.result.ok && endless.result.error.code).toBe("protocol_error");
    expect(result.ok).toBe(false);
  });

  it("keep-alive comments are not activity; data chunks are", () => {
    expect(run([PING, PING].join(""), "idle").activity).toBe(0);
    expect(run([PING, compact({ content: "> 排队中\n" })].join(""), "idle").activity).toBe(1);
  });

  it("stops at [DONE] and ignores anything after it", () => {
    const { done, result } = run(
      [
        compact({ content: "[click here](https://cdn.example/first.mp4)" }, "stop"),
        DONE,
        compact({ content: "[other](https://cdn.example/second.mp4)" }),
      ].join(""),
      "eof",
    );
    expect(done).toBe(true);
    expect(result).toEqual({ ok: true, url: "https://cdn.example/first.mp4" });
  });

  it("the malformed literal [DONE]\\n\\n ends the stream even without a newline", () => {
    const parser = new ChatStreamParser({ onProgress: () => undefined });
    parser.feed(compact({ content: "[x](https://cdn.example/x.mp4)" }));
    expect(parser.done).toBe(false);
    parser.feed("data: [DONE]\\n\\n");
    expect(parser.done).toBe(true);
  });

  it("progress messages are scrubbed of key-like text", () => {
    const key = `sk-${"k".repeat(20)}${Date.now()}`;
    const { progress } = run(compact({ content: `> 排队中 ${key}\n` }), "eof");
    expect(JSON.stringify(progress)).not.toContain(key);
  });
});
