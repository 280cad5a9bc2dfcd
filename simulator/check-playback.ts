/**
 * Proves the committed sample plays in a real browser: starts the simulator, finishes a chat
 * generation, and loads its result URL into a <video> in headless Chromium.
 * Run: npx tsx simulator/check-playback.ts   (CHROMIUM_PATH overrides /usr/bin/chromium)
 */
import { chromium } from "@playwright/test";
import { startSimulator } from "./server";

async function main(): Promise<void> {
  const sim = await startSimulator({ port: 0, speed: 50, quiet: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"],
  });
  try {
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-sim-demo", "content-type": "application/json" },
      body: JSON.stringify({ model: "sora_video2", messages: [{ role: "user", content: "play" }] }),
    });
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    const url = /\((http[^)]+\.mp4)\)/.exec(body.choices[0]?.message.content ?? "")?.[1];
    if (!url) throw new Error("no video URL in the answer");

    const page = await browser.newPage();
    await page.setContent(`<video id="v" src="${url}" muted playsinline preload="auto"></video>`);
    // a string, not a function: tsx's keepNames helpers do not exist inside the page
    const result = (await page.evaluate(`new Promise((resolve) => {
      const video = document.getElementById("v");
      const report = (event) => resolve({
        event,
        readyState: video.readyState,
        duration: video.duration,
        width: video.videoWidth,
        height: video.videoHeight,
        error: video.error ? video.error.message : null,
        canPlayH264: video.canPlayType('video/mp4; codecs="avc1.42E01E"'),
      });
      const play = () => video.play().then(() => report("playing"), (e) => report("play() failed: " + e));
      if (video.error) report("error");
      else if (video.readyState >= 2) play();
      else video.addEventListener("loadeddata", play);
      video.addEventListener("error", () => report("error"));
      setTimeout(() => report("timeout"), 10000);
    })`)) as Record<string, unknown>;
    console.log(JSON.stringify(result));
    const ok =
      result.event === "playing" &&
      (result.readyState as number) >= 2 &&
      (result.duration as number) > 0;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
    await sim.close();
  }
}

void main();
