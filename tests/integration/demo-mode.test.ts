import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobSchema } from "@/lib/contracts/job";
import { MESSAGES } from "@/lib/i18n/messages";
import { REPO_ROOT, freePort } from "../helpers/app";

/**
 * `npm start` with no key: the built-in simulator is started, the app is pointed at it with a
 * generated key, and a generation works end to end. (The build is already current in `npm test`.)
 */
describe("npm start without SORA_API_KEY (demo mode)", () => {
  let child: ChildProcess | undefined;
  let url = "";
  let output = "";
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-demo-"));

  beforeAll(async () => {
    const port = await freePort([3550, 3599]);
    const env: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (!name.startsWith("SORA_") && name !== "PORT" && name !== "DATA_DIR") env[name] = value;
    }
    Object.assign(env, {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATA_DIR: dataDir,
      SIM_SPEED: "40",
      SORA_POLL_INTERVAL_MS: "100",
    });
    child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts/start.mjs")], {
      cwd: REPO_ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start did not come up:\n${output}`)),
        90_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const match = /Sora Studio is running at (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          url = match[1];
          resolve();
        }
      };
      child?.stdout?.on("data", onData);
      child?.stderr?.on("data", onData);
      child?.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
    });
  });

  afterAll(() => {
    // The start script, the simulator and the server share one process group.
    if (child?.pid) process.kill(-child.pid, "SIGTERM");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("says so in the console and in a ribbon on every page", async () => {
    expect(output).toMatch(/demo mode on the built-in simulator \(http:\/\/127\.0\.0\.1:\d+\)/);
    for (const page of ["/", "/diagnostics"]) {
      const html = await (await fetch(`${url}${page}`)).text();
      expect(html).toContain("演示模式：使用内置模拟服务");
    }
    const health = await (await fetch(`${url}/api/health`)).json();
    expect(health.checks["config:mode"][0].observedValue).toBe("demo");
  });

  it("does not warn about billing before a diagnostic generation on the simulator", async () => {
    const html = await (await fetch(`${url}/diagnostics`)).text();
    const page = MESSAGES["zh-CN"].diagnostics.page;
    // The rendered dialog (the page also carries every message text for the browser).
    const rendered = (id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
    expect(rendered("diagnostics-generate-title")).toBe(page.generateTitleDemo);
    expect(rendered("diagnostics-generate-body")).not.toMatch(/计费|费用.*产生|costs money/);
    expect(rendered("diagnostics-generate-body")).toContain("不会产生任何费用");
  });

  it("generates a video on the simulator", async () => {
    const created = await fetch(`${url}/api/videos`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ prompt: "a lighthouse in the fog", model: "sora-2" }),
    });
    expect(created.status).toBe(202);
    const { job } = (await created.json()) as { job: { id: string } };
    let state = "";
    for (let i = 0; i < 200 && state !== "completed" && state !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = jobSchema.parse(await (await fetch(`${url}/api/videos/${job.id}`)).json()).state;
    }
    expect(state).toBe("completed");
    const video = await fetch(`${url}/api/videos/${job.id}/content`);
    expect(video.status).toBe(200);
    expect(video.headers.get("content-type")).toBe("video/mp4");
    expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});
