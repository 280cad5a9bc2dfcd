import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { api, dataUrl, makePng, sseData, stats, useSimulator } from "./test-support";

const SAMPLE = readFileSync(new URL("./assets/sample.mp4", import.meta.url));
const FILE_URL = /http:\/\/127\.0\.0\.1:\d+\/files\/[0-9a-f]{24}\.mp4/;

interface Collected {
  text: string;
  ended: boolean;
  error: Error | null;
}

/** Reads an SSE body until it ends, fails, or `windowMs` passes (then cancels it). */
async function collect(res: Response, windowMs = 5_000): Promise<Collected> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + windowMs;
  for (;;) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(0, remaining));
    });
    try {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === "timeout") {
        await reader.cancel();
        return { text, ended: false, error: null };
      }
      if (next.done) return { text, ended: true, error: null };
      text += decoder.decode(next.value, { stream: true });
    } catch (error) {
      return { text, ended: false, error: error as Error };
    } finally {
      clearTimeout(timer);
    }
  }
}

describe("chat completions protocol", () => {
  const sim = useSimulator();
  const chat = (content: unknown, extra: Record<string, unknown> = {}) =>
    api(sim.url, "/v1/chat/completions", {
      json: { model: "sora_video2", stream: true, messages: [{ role: "user", content }], ...extra },
    });

  it("streams Transcript C by default: PING, blockquote progress, markdown link, [DONE]", async () => {
    const res = await chat("a paper crane");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    const { text, ended } = await collect(res);
    expect(ended).toBe(true);
    expect(text).toContain("\n: PING\n\n");
    const data = sseData(text);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map(
      (d) =>
        JSON.parse(d) as {
          choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
        },
    );
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(content).toContain("> 排队中......\n");
    expect(content).toMatch(/>🏃 进度：\d+%\n/);
    expect(content).toMatch(
      new RegExp(`video generated successful,\\[click here\\]\\(${FILE_URL.source}\\)$`),
    );
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    const url = FILE_URL.exec(content)?.[0] ?? "";
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(SAMPLE)).toBe(true);
    expect((await stats(sim.url)).creates.total).toEqual({ attempts: 1, accepted: 1 });
  });

  it("reasoning style is sora2api's: python spacing, reasoning_content progress, <video> and STOP", async () => {
    const png = makePng(704, 1280);
    const res = await chat([
      { type: "text", text: "a koi pond [[sim:style=reasoning]]" },
      { type: "image_url", image_url: { url: dataUrl(png, "image/png") } },
    ]);
    const data = sseData((await collect(res)).text);
    expect(data[0]).toMatch(
      /^\{"id": "chatcmpl-\d+", "object": "chat.completion.chunk", "created": \d+, "model": "sora", "choices": \[\{"index": 0, "delta": \{"role": "assistant", "content": null, "reasoning_content": "\*\*Image Upload Begins\*\*/,
    );
    expect(
      data.some((d) =>
        d.includes('"reasoning_content": "\\n**Video Generation Progress**: 45% (processing)\\n"'),
      ),
    ).toBe(true);
    const last = JSON.parse(data.at(-2) ?? "{}") as {
      choices: Array<{
        delta: { content: string };
        finish_reason: string;
        native_finish_reason: string;
      }>;
    };
    expect(last.choices[0]?.delta.content).toMatch(
      new RegExp(`^\`\`\`html\\n<video src='${FILE_URL.source}' controls></video>\\n\`\`\`$`),
    );
    expect(last.choices[0]).toMatchObject({ finish_reason: "STOP", native_finish_reason: "STOP" });
    expect(data.at(-1)).toBe("[DONE]");
    expect((await stats(sim.url)).uploads).toEqual([
      {
        endpoint: "POST /v1/chat/completions",
        prompt: "a koi pond [[sim:style=reasoning]]",
        model: "sora_video2",
        mime: "image/png",
        bytes: png.length,
        width: 704,
        height: 1280,
      },
    ]);
  });

  it.each([
    [
      "blockquote",
      /> ID: `task_01k[0-9a-z]{23}`\n> 排队中......\n> 生成中.\n>🏃 进度 9..\n[\s\S]*> 生成完成 ✅\n> sid: s_[0-9a-z]{12}\n\n\[在线播放\]\(URL\)\n$/,
    ],
    ["html", /Queued...\nProgress: 9%\n[\s\S]*```html\n<video src='URL' controls><\/video>\n```$/],
  ])("%s style", async (style, pattern) => {
    const data = sseData((await collect(await chat(`a kite [[sim:style=${style}]]`))).text);
    const content = data
      .slice(0, -1)
      .map(
        (d) =>
          (JSON.parse(d) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta
            .content ?? "",
      )
      .join("");
    expect(content).toMatch(new RegExp(pattern.source.replace("URL", FILE_URL.source)));
  });

  it("output style puts the URL in delta.output[]", async () => {
    const data = sseData((await collect(await chat("a kite [[sim:style=output]]"))).text);
    const final = JSON.parse(data.at(-2) ?? "{}") as {
      choices: Array<{ delta: { output: Array<Record<string, string>> } }>;
    };
    const [output] = final.choices[0]?.delta.output ?? [];
    expect(output).toEqual({
      url: expect.stringMatching(FILE_URL),
      type: "video",
      task_id: expect.stringMatching(/^task_01k/),
    });
  });

  it("stream:false waits for the video and answers a chat.completion with [下载视频](url)", async () => {
    const res = await api(sim.url, "/v1/chat/completions", {
      json: { model: "sora_video2", messages: [{ role: "user", content: "no stream" }] },
    });
    const body = (await res.json()) as {
      id: string;
      object: string;
      choices: Array<{ message: { content: string } }>;
    };
    expect(body.id).toMatch(/^foaicmpl-/);
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message.content).toMatch(
      new RegExp(`^\\[下载视频\\]\\(${FILE_URL.source}\\)\\n\\n$`),
    );
  });

  describe("stream faults", () => {
    it("stall: two chunks, then silence (no PING, no [DONE])", async () => {
      const { text, ended } = await collect(await chat("[[sim:stall]]"), 600);
      expect(ended).toBe(false);
      expect(sseData(text)).toHaveLength(2);
      expect(text).not.toContain("PING");
      expect((await stats(sim.url)).creates.total).toEqual({ attempts: 1, accepted: 1 });
    });

    it("stall_ping: two chunks, then only ': PING' every 10 s / speed", async () => {
      const { text, ended } = await collect(await chat("[[sim:stall_ping]]"), 600);
      expect(ended).toBe(false);
      expect(sseData(text)).toHaveLength(2);
      // 10 s / 80 = 125 ms between pings
      expect(text.split(": PING\n\n").length - 1).toBeGreaterThanOrEqual(2);
      expect(text.endsWith(": PING\n\n")).toBe(true);
    });

    it("reset: the socket is destroyed after three chunks, without [DONE]", async () => {
      const { text, error } = await collect(await chat("[[sim:reset]]"));
      expect(error).not.toBeNull();
      expect(sseData(text)).toHaveLength(3);
      expect(text).not.toContain("[DONE]");
    });

    it("malformed_json: a truncated JSON data line, then the stream closes", async () => {
      const { text, ended } = await collect(await chat("[[sim:malformed_json]]"));
      expect(ended).toBe(true);
      expect(text.endsWith('\n\ndata: {"id": "chatcmpl-1", "choices": [\n\n')).toBe(true);
    });

    it("malformed_done: the video URL, then a [DONE] written with literal backslash-n", async () => {
      const { text, ended } = await collect(await chat("[[sim:malformed_done]]"));
      expect(ended).toBe(true);
      expect(text).toMatch(FILE_URL);
      expect(text.endsWith("\n\ndata: [DONE]\\n\\n")).toBe(true);
      expect(text).not.toContain("data: [DONE]\n");
    });

    it("stream_error: HTTP 200 carrying sora2api's sentinel_block error, then [DONE]", async () => {
      const res = await chat("[[sim:stream_error]]");
      expect(res.status).toBe(200);
      const data = sseData((await collect(res)).text);
      expect(data.at(-1)).toBe("[DONE]");
      expect(data.at(-2)).toBe(
        '{"error": {"message": "API request failed: 400 - {\\"error\\":{\\"message\\":\\"Request blocked by sentinel\\",\\"type\\":\\"invalid_request_error\\",\\"code\\":\\"sentinel_block\\"}}", "type": "server_error", "param": null, "code": null}}',
      );
      expect(data[1]).toContain("**生成失败，正在重试**");
    });

    it("content_policy: Transcript B's ending with ❌ 生成失败 and STOP", async () => {
      const data = sseData((await collect(await chat("[[sim:content_policy]]"))).text);
      expect(data.at(-1)).toBe("[DONE]");
      expect(data.some((d) => d.includes("**Content Policy Violation**"))).toBe(true);
      const last = JSON.parse(data.at(-2) ?? "{}") as {
        choices: Array<{ delta: { content: string }; finish_reason: string }>;
      };
      expect(last.choices[0]?.delta.content).toMatch(/^❌ 生成失败: /);
      expect(last.choices[0]?.finish_reason).toBe("STOP");
    });

    it("job_stuck on the chat protocol behaves like stall_ping", async () => {
      const { text, ended } = await collect(await chat("[[sim:job_stuck]]"), 500);
      expect(ended).toBe(false);
      expect(text.endsWith(": PING\n\n")).toBe(true);
    });
  });
});
