import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createInAppSimulator } from "./in-app";

const ASSETS = fileURLToPath(new URL("./assets", import.meta.url));
const SAMPLE = readFileSync(new URL("./assets/sample.mp4", import.meta.url));
const BASE = "https://studio.example/api/demo-upstream";

/** Two "instances": separate handlers that share nothing but the clock. */
const a = createInAppSimulator({ speed: 20, assetsDir: ASSETS });
const b = createInAppSimulator({ speed: 20, assetsDir: ASSETS });

const call = (sim: typeof a, path: string, init?: RequestInit) =>
  sim(new Request(`${BASE}${path}`, init), path, BASE);

describe("in-app simulator (Vercel demo mode)", () => {
  it("a video created on one instance is polled to completion and downloaded on another", async () => {
    const form = new FormData();
    form.set("prompt", "a paper boat");
    form.set("model", "sora-2");
    form.set("seconds", "8");
    form.set("size", "1280x720");
    const created = (await (
      await call(a, "/v1/videos", { method: "POST", body: form })
    ).json()) as {
      id: string;
      status: string;
      seconds: string;
      size: string;
    };
    expect(created).toMatchObject({ status: "queued", seconds: "8", size: "1280x720" });
    let polled: { status: string; progress: number } | undefined;
    const seen: number[] = [];
    for (let i = 0; i < 60 && polled?.status !== "completed"; i++) {
      polled = await (await call(b, `/v1/videos/${created.id}`)).json();
      seen.push(polled!.progress);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(polled?.status).toBe("completed");
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    const content = await call(a, `/v1/videos/${created.id}/content`);
    expect(Buffer.from(await content.arrayBuffer()).equals(SAMPLE)).toBe(true);
    const range = await call(b, `/v1/videos/${created.id}/content`, {
      headers: { range: "bytes=0-99" },
    });
    expect(range.status).toBe(206);
    expect((await range.arrayBuffer()).byteLength).toBe(100);
  });

  it("answers a forged or unknown id with 404 and links only back to itself", async () => {
    for (const path of [
      "/v1/videos/video_sim_bm90LWpzb24",
      "/v1/videos/video_other",
      "/files/nothing.mp4",
      "/v1/unknown",
    ]) {
      expect((await call(b, path)).status, path).toBe(404);
    }
    const task = (await (
      await call(a, "/v1/video/generations", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "veo-3-fast", prompt: "x", duration: 4 }),
      })
    ).json()) as { task_id: string };
    let data: { status: string; result_url: string } | undefined;
    for (let i = 0; i < 60 && data?.status !== "SUCCESS"; i++) {
      data = (
        (await (await call(b, `/v1/video/generations/${task.task_id}`)).json()) as {
          data: typeof data;
        }
      ).data;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(data?.result_url.startsWith(`${BASE}/files/`)).toBe(true);
    const file = await call(
      b,
      new URL(data!.result_url).pathname.replace("/api/demo-upstream", ""),
    );
    expect(file.status).toBe(200);
  });

  it("streams a chat generation to a result link on itself", async () => {
    const response = await call(a, "/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "sora_video2",
        stream: true,
        messages: [{ role: "user", content: "a cat" }],
      }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const text = await response.text();
    expect(text).toMatch(/进度|progress/i);
    expect(text).toContain(`${BASE}/files/`);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });
});
