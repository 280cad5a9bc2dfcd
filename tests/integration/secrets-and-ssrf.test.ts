import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeApiKey } from "../helpers/app";
import { TERMINAL, findKeyLeaks } from "../helpers/client";
import { readLeakSurfaces } from "../helpers/key-leak";
import { setupStack, uniquePrompt } from "../helpers/stack";

/**
 * Issue 11, items 2, 6 and 7 written as the attacks: a relay that echoes the key in full, and a
 * relay that points the video at an internal service.
 */

/** Not `sk-` shaped: the scrubber must recognise the key by what it is, not by its shape. */
const relayKey = () => fakeApiKey("relay_");

describe("a relay that echoes a non-sk key in full in its errors", () => {
  const key = relayKey();
  const stack = setupStack({ apiKey: key, fault: "echo_key" });

  it("the job's SSE, snapshot, list, reports, health and log hold no 8-character piece of the key", async () => {
    const { events } = await stack.client.createAndFollow(
      { prompt: uniquePrompt("a fox"), model: "sora-2" },
      { until: TERMINAL },
    );
    const failed = events.at(-1);
    expect(failed?.event).toBe("failed");
    const job = (
      failed?.data as { job: { id: string; error: { code: string; upstreamMessage?: string } } }
    ).job;
    expect(job.error.code).toBe("invalid_api_key");
    // The relay's text arrives (with the key masked), so the scan below had something to catch.
    expect(job.error.upstreamMessage).toContain("无效的令牌");
    expect(job.error.upstreamMessage).toContain("token: relay_");

    const snapshot = await stack.client.request(`/api/videos/${job.id}`);
    expect(snapshot.status).toBe(200);
    await stack.client.request("/api/videos?limit=5");
    const surfaces = await readLeakSurfaces(stack.app.url);
    const report = JSON.parse(
      surfaces
        .find((s) => s.name === "/api/diagnostics")
        ?.text.split("\n")
        .slice(1)
        .join("\n") ?? "{}",
    ) as { checks: { id: string; status: string; observed: string }[] };
    expect(report.checks.find((c) => c.id === "auth")?.status).toBe("fail");

    const stats = await stack.sim.stats();
    expect(stats.faults.echo_key).toBeGreaterThanOrEqual(3);
    const texts = [...surfaces.map((s) => s.text), ...stack.client.transcript.texts, stack.app.log];
    expect(findKeyLeaks(key, texts)).toEqual([]);
  });
});

describe("a relay that points the video at an internal service (SSRF)", () => {
  let secret: Server;
  let secretUrl = "";
  const secretHits: string[] = [];
  beforeAll(async () => {
    secret = createServer((req, res) => {
      secretHits.push(req.url ?? "");
      res.writeHead(200, { "content-type": "video/mp4" });
      res.end("INTERNAL-SECRET-TOKEN");
    });
    await new Promise<void>((resolve) => secret.listen(0, "127.0.0.1", resolve));
    secretUrl = `http://127.0.0.1:${(secret.address() as AddressInfo).port}/admin/secret`;
  });
  afterAll(() => new Promise<void>((resolve) => secret.close(() => resolve())));

  const stack = setupStack();

  /** Follows a job to its end, then asks for its video; the secret service must see nothing. */
  async function attack(directives: string, model: string) {
    const { events } = await stack.client.createAndFollow(
      { prompt: uniquePrompt(`a fox ${directives.replace("URL", secretUrl)}`), model },
      { until: TERMINAL },
    );
    const last = events.at(-1);
    const job = (last?.data as { job: { id: string; error?: { code: string } } }).job;
    if (last?.event === "failed") expect(job.error?.code).toBe("destination_refused");
    else expect(last?.event).toBe("completed");
    const content = await stack.client.request(`/api/videos/${job.id}/content`, {
      headers: { "accept-language": "en" },
    });
    expect(content.text).not.toContain("INTERNAL-SECRET");
    expect(content.status).toBe(502);
    expect(content.json?.error?.code).toBe("destination_refused");
    expect(content.json?.error?.retryable).toBe(false);
    expect(content.json?.error?.message).toContain("will not go");
    expect(content.json?.error?.admin).toContain("SORA_ALLOWED_MEDIA_HOSTS");
    return content;
  }

  it.each([
    ["a /content redirect to another loopback port", "[[sim:media_url=URL]]"],
    ["a /content JSON {url} pointing there", "[[sim:media_url=URL]] [[sim:content_json]]"],
    ["a poll answer's metadata.url pointing there", "[[sim:media_url=URL]] [[sim:quirks]]"],
  ])("%s is refused", async (_name, directives) => {
    await attack(directives, "sora-2");
    expect(secretHits).toEqual([]);
  });

  it("a chat result link pointing there is refused", async () => {
    await attack("[[sim:media_url=URL]]", "sora_video2");
    expect(secretHits).toEqual([]);
    // The refusal is logged once per attempt, never retried into a loop.
    expect(stack.app.log).toMatch(/destination_refused/);
  });

  it("the simulator's own /files links (the configured relay's origin) still work", async () => {
    const { events } = await stack.client.createAndFollow(
      { prompt: uniquePrompt("a calm sea [[sim:content_json]]"), model: "sora-2" },
      { until: TERMINAL },
    );
    const job = (events.at(-1)?.data as { job: { id: string; video?: { archived: boolean } } }).job;
    expect(events.at(-1)?.event).toBe("completed");
    expect(job.video?.archived).toBe(true);
    const video = await stack.client.bytes(`/api/videos/${job.id}/content`);
    expect(video.status).toBe(200);
    expect(video.headers.get("content-type")).toMatch(/^video\//);
    expect(secretHits).toEqual([]);
  });
});
