import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppServer, fakeApiKey, startSim, type SimHandle } from "../helpers/app";
import { ApiClient, TERMINAL } from "../helpers/client";
import { startEngines, type Engines } from "../helpers/engines";
import { uniquePrompt } from "../helpers/stack";

/*
 * Two instances on one store (one DATA_DIR on SQLite; one Redis + bucket in the shared project)
 * with a lease far longer than the test may run: a job moves from A to B only if A gives its
 * lease back when it is told to stop (SIGTERM), not because the lease ran out.
 */
const LEASE_TTL_MS = 10 * 60_000;
const SLOW = "[[sim:speed=5]]";

let engines: Engines | undefined;
let sim: SimHandle;
let a: AppServer;
let b: AppServer;
const onA = new ApiClient(() => a.url);
const onB = new ApiClient(() => b.url);

beforeAll(async () => {
  if (process.env.SORA_TEST_STORE === "shared") engines = await startEngines();
  sim = await startSim({ speed: 50 });
  const key = fakeApiKey();
  const env = { ...engines?.env(), SORA_LEASE_TTL_MS: String(LEASE_TTL_MS) };
  a = await new AppServer({ simUrl: sim.url, apiKey: key, env }).start();
  b = await new AppServer({ simUrl: sim.url, apiKey: key, env, dataDir: a.dataDir }).start();
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await sim?.close();
  await engines?.stop();
  a?.removeData();
});

describe("SIGTERM hands the process's jobs over at once", () => {
  it("a videos job running on A completes on B right after A is stopped", async () => {
    const created = await onA.createJob({
      prompt: uniquePrompt(`handover ${SLOW}`),
      model: "sora-2",
    });
    expect(created.status).toBe(202);
    const id: string = created.json.job.id;
    await onB.sse(`/api/videos/${id}/events`, {}, { until: (e) => e.event === "progress" });
    await a.kill("SIGTERM");
    expect(a.log).toMatch(/shutting down: leases released/);
    const { events } = await onB.sse(`/api/videos/${id}/events`, {}, { until: TERMINAL });
    expect(events.at(-1)?.event, JSON.stringify(events.slice(-2))).toBe("completed");
    const stats = await sim.stats();
    expect(Object.values(stats.creates.byPrompt).map((c) => c.accepted)).toEqual([1]);
  });
});
