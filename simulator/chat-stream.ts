import type { ChatStyle, StreamFault } from "./faults";
import { compactChunk, DONE, PING, pingInterval, pyJson, S2AChunks, sse } from "./chat-chunks";
import { progressAt } from "./jobs";

/*
 * What a chat-protocol job streams, and when: the timed SSE transcript of each relay's chunk style
 * (sora2api's reasoning chunks, markdown, blockquote, `output`, html) and of the failure
 * transcripts, built from a plan so the full simulator and the in-app one say the same thing.
 */

export interface ChatPlan {
  style: ChatStyle;
  fault: StreamFault | undefined;
  model: string;
  prompt: string;
  hasImage: boolean;
  resultUrl: string;
  taskId: string;
  durationMs: number;
  speed: number;
}

export interface Step {
  at: number;
  text: string;
}

const PROGRESS_STEPS = 10;
const QUEUED_AT = 0.05;
export const CHAT_FAILURE_REASON =
  "Content policy violation: this prompt may violate our content policies";

/** Times (ms from start) and percentages of the progress updates, after the queued phase. */
function progressSchedule(durationMs: number): Array<{ at: number; percent: number }> {
  const queuedMs = durationMs * 0.1;
  const out: Array<{ at: number; percent: number }> = [];
  for (let i = 1; i <= PROGRESS_STEPS; i++) {
    const at = queuedMs + ((durationMs - queuedMs) * i) / (PROGRESS_STEPS + 1);
    out.push({ at, percent: Math.min(99, progressAt(at, durationMs)) });
  }
  return out;
}

const orientation = (model: string) => (/landscape/.test(model) ? "landscape" : "portrait");

export function buildScript(plan: ChatPlan, now: number): Step[] {
  const id = `chatcmpl-${now}`;
  const created = Math.floor(now / 1000);
  const d = plan.durationMs;
  const progress = progressSchedule(d);
  const steps: Step[] = [];
  const add = (at: number, text: string) => steps.push({ at, text });

  if (plan.style === "reasoning") {
    const s2a = new S2AChunks(id, created);
    if (plan.hasImage) {
      add(0, s2a.chunk({ reasoning: "**Image Upload Begins**\n\nUploading image to server...\n" }));
      add(
        d * 0.02,
        s2a.chunk({ reasoning: "Image uploaded successfully. Proceeding to generation...\n" }),
      );
    }
    add(
      d * 0.03,
      s2a.chunk({
        reasoning: "**Generation Process Begins**\n\nInitializing generation request...\n",
      }),
    );
    for (const p of progress) {
      add(
        p.at,
        s2a.chunk({ reasoning: `\n**Video Generation Progress**: ${p.percent}% (processing)\n` }),
      );
    }
    add(
      d,
      s2a.chunk({
        reasoning:
          "**Video Generation Completed**\n\nCache is disabled. Using original URL directly...\n",
      }),
    );
    add(
      d,
      s2a.chunk(
        { content: `\`\`\`html\n<video src='${plan.resultUrl}' controls></video>\n\`\`\`` },
        "STOP",
      ),
    );
    add(d, DONE);
    return steps;
  }

  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    compactChunk(plan.model, id, created, delta, finish);
  add(0, chunk({ role: "assistant", content: "" }));

  switch (plan.style) {
    case "markdown": {
      add(0, PING);
      add(d * QUEUED_AT, chunk({ content: "> 排队中......\n" }));
      for (const p of progress) add(p.at, chunk({ content: `>🏃 进度：${p.percent}%\n` }));
      const ping = pingInterval(plan.speed);
      for (let at = ping; at < d; at += ping) add(at, PING);
      add(
        d,
        chunk(
          { content: `\n\nvideo generated successful,[click here](${plan.resultUrl})` },
          "stop",
        ),
      );
      break;
    }
    case "blockquote": {
      const params = { prompt: plan.prompt, orientation: orientation(plan.model) };
      add(0, chunk({ content: `\`\`\`json\n${JSON.stringify(params, null, 2)}\n\`\`\`\n\n` }));
      add(0, chunk({ content: `> ID: \`${plan.taskId}\`\n` }));
      add(d * QUEUED_AT, chunk({ content: "> 排队中" }));
      add(d * QUEUED_AT, chunk({ content: "......\n" }));
      add(d * 0.1, chunk({ content: "> 生成中." }));
      add(d * 0.1, chunk({ content: "\n" }));
      for (const p of progress) {
        add(p.at, chunk({ content: `>🏃 进度 ${p.percent}` }));
        add(p.at, chunk({ content: "..\n" }));
      }
      add(d, chunk({ content: "> 生成完成 ✅\n" }));
      add(d, chunk({ content: `> sid: s_${plan.taskId.slice(-12)}\n` }));
      add(d, chunk({ content: `\n[在线播放](${plan.resultUrl})\n` }, "stop"));
      break;
    }
    case "output": {
      const wm = (stage: string) => ({ stage, attempt: 1, can_cancel: stage !== "completed" });
      add(d * QUEUED_AT, chunk({ content: "排队中...\n", wm: wm("queued") }));
      for (const p of progress)
        add(p.at, chunk({ content: `进度: ${p.percent}%\n`, wm: wm("generating") }));
      add(
        d,
        chunk(
          {
            content: "",
            output: [{ url: plan.resultUrl, type: "video", task_id: plan.taskId }],
            wm: wm("completed"),
          },
          "stop",
        ),
      );
      break;
    }
    case "html": {
      add(d * QUEUED_AT, chunk({ content: "Queued...\n" }));
      for (const p of progress) add(p.at, chunk({ content: `Progress: ${p.percent}%\n` }));
      add(
        d,
        chunk(
          { content: `\`\`\`html\n<video src='${plan.resultUrl}' controls></video>\n\`\`\`` },
          "stop",
        ),
      );
      break;
    }
  }
  add(d, DONE);
  return steps.sort((a, b) => a.at - b.at);
}

/** Scripts of the failure transcripts (sora2api shapes, reference §4 Transcript B). */
export function failureScript(
  kind: "stream_error" | "content_policy",
  plan: ChatPlan,
  now: number,
): Step[] {
  const s2a = new S2AChunks(`chatcmpl-${now}`, Math.floor(now / 1000));
  const d = plan.durationMs;
  const steps: Step[] = [
    {
      at: 0,
      text: s2a.chunk({
        reasoning: "**Generation Process Begins**\n\nInitializing generation request...\n",
      }),
    },
  ];
  if (kind === "stream_error") {
    steps.push({
      at: d * 0.1,
      text: s2a.chunk({
        reasoning:
          "**生成失败，正在重试**\n\n第 1 次重试（共 3 次）...\n\n失败原因：API request failed: 400 - sentinel_block\n\n",
      }),
    });
    const upstream = JSON.stringify({
      error: {
        message: "Request blocked by sentinel",
        type: "invalid_request_error",
        code: "sentinel_block",
      },
    });
    steps.push({
      at: d * 0.2,
      text: sse(
        pyJson({
          error: {
            message: `API request failed: 400 - ${upstream}`,
            type: "server_error",
            param: null,
            code: null,
          },
        }),
      ),
    });
  } else {
    steps.push({
      at: d * 0.1,
      text: s2a.chunk({ reasoning: "\n**Video Generation Progress**: 12% (processing)\n" }),
    });
    steps.push({
      at: d * 0.2,
      text: s2a.chunk({
        reasoning:
          "**Content Policy Violation**\n\nThe prompt was flagged by the content moderation system.\n",
      }),
    });
    steps.push({
      at: d * 0.2,
      text: s2a.chunk({ content: `❌ 生成失败: ${CHAT_FAILURE_REASON}` }, "STOP"),
    });
  }
  steps.push({ at: d * 0.2, text: DONE });
  return steps;
}
