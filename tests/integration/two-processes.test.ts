import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppServer, fakeApiKey, startSim, type SimHandle } from "../helpers/app";
import { ApiClient } from "../helpers/client";
import { SAMPLE_MP4, uniquePrompt } from "../helpers/stack";

/*
 * Two `next start` processes on one DATA_DIR (pm2 cluster, `next dev` beside `npm start`): leases
 * in the shared SQLite file decide who works each job. Lease TTL 1.5 s, reconcile every 250 ms.
 */
const LEASE_TTL_MS = 1500;
const key = fakeApiKey();
let sim: SimHandle;
let a: AppServer;
let b: AppServer;
const clientA = new ApiClient(() => a.url);
const clientB = new ApiClient(() => b.url);

beforeAll(async () => {
  sim = await startSim({ speed: 50 });
  a = await new AppServer({ simUrl: sim.url, apiKey: key }).start();
  b = await new AppServer({ simUrl: sim.url, apiKey: key, dataDir: a.dataDir }).start();
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await sim?.close();
  a?.removeData();
});

describe("two processes on one DATA_DIR", () => {
  it("each job is polled by one owner at a time; a SIGKILLed process's jobs are finished by the other", async () => {
    // ~10 s per job at the simulator, polled every 500 ms (the simulator's poll-after hint).
    const prompts = Array.from({ length: 6 }, (_, i) => uniquePrompt(`[[sim:speed=2]] pair ${i}`));
    const ids: string[] = [];
    for (const [i, prompt] of prompts.entries()) {
      const client = i % 2 === 0 ? clientA : clientB;
      const created = await client.createJob({ prompt, model: "sora-2" });
      expect(created.status).toBe(202);
      ids.push(created.json.job.id as string);
    }
    const fromA = ids.filter((_, i) => i % 2 === 0);
    await new Promise((r) => setTimeout(r, 3000));
    // Both reconcilers ran a dozen times: nobody took a job its creator holds.
    expect(a.log).not.toMatch(/job taken over/);
    expect(b.log).not.toMatch(/job taken over/);
    for (const id of ids) expect((await clientB.job(id)).state).toBe("running");

    await a.kill("SIGKILL");
    const killedAt = Date.now();
    const takenOver = new Map<string, number>();
    const deadline = Date.now() + 30_000;
    while (takenOver.size < fromA.length && Date.now() < deadline) {
      for (const id of fromA) {
        if (!takenOver.has(id) && b.log.includes(`job taken over job=${id} action=poll`)) {
          takenOver.set(id, Date.now() - killedAt);
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([...takenOver.keys()].sort()).toEqual([...fromA].sort());
    // Within the lease time plus one reconcile pass (and a generous margin for a busy machine).
    expect(Math.max(...takenOver.values())).toBeLessThan(LEASE_TTL_MS + 5000);

    for (const id of ids) {
      const end = Date.now() + 30_000;
      let job = await clientB.job(id);
      while (!(job.state === "completed" && job.video?.archived) && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        job = await clientB.job(id);
      }
      expect(job).toMatchObject({ state: "completed", video: { archived: true } });
      expect((await clientB.bytes(`/api/videos/${id}/content`)).body.equals(SAMPLE_MP4)).toBe(true);
    }

    const stats = await sim.stats();
    for (const prompt of prompts) {
      expect(stats.creates.byPrompt[prompt]).toEqual({ attempts: 1, accepted: 1 });
    }
    for (const id of ids) {
      const upstreamId = (await clientB.job(id)).upstreamId ?? "";
      const polls = stats.perJob[upstreamId];
      expect(polls?.polls).toBeGreaterThan(5);
      // One poller waits ~500 ms between polls; two at once would poll within moments.
      expect(polls?.minPollGapMs, id).toBeGreaterThanOrEqual(250);
    }
  }, 90_000);
});
