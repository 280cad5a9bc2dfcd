import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobSchema, type Job } from "@/lib/contracts/job";
import { AppServer, fakeApiKey, startSim, type SimHandle } from "../helpers/app";
import { ApiClient } from "../helpers/client";
import { SAMPLE_MP4, uniquePrompt } from "../helpers/stack";

/*
 * Soak: dozens of jobs over every kind of simulator fault while two app processes share one
 * DATA_DIR and are SIGKILLed at random and restarted. At the end no job is stuck, none was paid
 * twice, every video the relay finished is archived byte-exact, and no job ended internal_error.
 * Length: SOAK_MS of chaos (default 60 s), then up to 90 s to settle. Run: `npm test -- soak`.
 */
const CHAOS_MS = Number(process.env.SOAK_MS ?? 60_000);
const key = fakeApiKey();
let sim: SimHandle;
const apps: AppServer[] = [];
const clients: ApiClient[] = [];

const V = "sora-2";
const C = "sora_video2";
/** Faults that end either way; chat jobs cut by a kill end interrupted, which is fine. */
const FAULTS: [string, string][] = [
  ["", V],
  ["", C],
  ["[[sim:upstream_503*2]]", V],
  ["[[sim:chat_saturated*1]]", C],
  ["[[sim:saturated*1]]", V],
  ["[[sim:no_channel]]", V],
  ["[[sim:gateway_524]]", C],
  ["[[sim:gateway_504]]", V],
  ["[[sim:quota]]", V],
  ["[[sim:reset]]", C],
  ["[[sim:stall]]", C],
  ["[[sim:malformed_done]]", C],
  ["[[sim:job_failed]]", V],
  ["[[sim:poll_503]]", V],
  ["[[sim:poll_outage=8000]]", V],
  ["[[sim:content_outage=8000]]", V],
  ["[[sim:content_reset*4]]", V],
  ["[[sim:content_json]]", V],
  ["[[sim:quirks]]", V],
  ["[[sim:create_reply_lost]]", V],
  ["[[sim:speed=3]]", V],
  ["[[sim:speed=3]]", C],
];

beforeAll(async () => {
  sim = await startSim({ speed: 20 });
  const env = {
    SORA_REQUEST_TIMEOUT_MS: "3000",
    SORA_STREAM_IDLE_TIMEOUT_MS: "3000",
    SORA_JOB_DEADLINE_MS: "60000",
    SORA_RETRY_MAX_DELAY_MS: "1000",
  };
  apps.push(await new AppServer({ simUrl: sim.url, apiKey: key, env }).start());
  apps.push(
    await new AppServer({ simUrl: sim.url, apiKey: key, env, dataDir: apps[0]!.dataDir }).start(),
  );
  for (const app of apps) clients.push(new ApiClient(() => app.url));
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.stop();
  await sim?.close();
  apps[0]?.removeData();
});

const alive = new Set([0, 1]);

function someClient(): ApiClient {
  const live = [...alive];
  return clients[live[Math.floor(Math.random() * live.length)] ?? 0]!;
}

/** Creates with an Idempotency-Key, resending it until some process answers. */
async function create(prompt: string, model: string, idempotencyKey: string): Promise<string> {
  for (;;) {
    try {
      const answer = await someClient().request("/api/videos", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "idempotency-key": idempotencyKey,
        },
        body: JSON.stringify({ prompt, model }),
      });
      if (answer.status === 200 || answer.status === 202) return answer.json.job.id as string;
    } catch {
      // The process died under us: the same key goes to the other one.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function snapshot(id: string): Promise<Job | undefined> {
  try {
    return jobSchema.parse((await someClient().request(`/api/videos/${id}`)).json);
  } catch {
    return undefined;
  }
}

describe("soak", () => {
  it(
    "random kills of processes sharing DATA_DIR: nothing stuck, nothing paid twice, every finished video archived",
    async () => {
      const started = Date.now();
      const jobs: { id: string; prompt: string; model: string }[] = [];
      let chaos = true;
      const killer = (async () => {
        while (chaos) {
          await new Promise((r) => setTimeout(r, 3000 + Math.random() * 4000));
          if (!chaos) break;
          const victim = Math.random() < 0.5 ? 0 : 1;
          if (alive.size < 2) continue;
          alive.delete(victim);
          await apps[victim]!.kill("SIGKILL");
          await new Promise((r) => setTimeout(r, 500 + Math.random() * 1500));
          await apps[victim]!.start();
          alive.add(victim);
        }
      })();
      let n = 0;
      while (Date.now() - started < CHAOS_MS) {
        const [directive, model] = FAULTS[n % FAULTS.length]!;
        const prompt = uniquePrompt(`soak ${n} ${directive}`);
        jobs.push({ id: await create(prompt, model, `soak-${n}-${started}`), prompt, model });
        n++;
        await new Promise((r) => setTimeout(r, 500));
      }
      chaos = false;
      await killer;

      const settleBy = Date.now() + 90_000;
      const final = new Map<string, Job>();
      while (final.size < jobs.length && Date.now() < settleBy) {
        for (const { id } of jobs) {
          if (final.has(id)) continue;
          const job = await snapshot(id);
          const settled =
            job && (job.state === "failed" || (job.state === "completed" && job.video?.archived));
          if (settled) final.set(id, job);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      const stuck = jobs.filter((j) => !final.has(j.id)).map((j) => j.prompt);
      expect(stuck, "jobs neither failed nor completed+archived").toEqual([]);

      const stats = await sim.stats();
      for (const { id, prompt } of jobs) {
        const job = final.get(id)!;
        const summary = `${prompt}: ${JSON.stringify({ state: job.state, error: job.error })}`;
        expect(stats.creates.byPrompt[prompt]?.accepted ?? 0, summary).toBeLessThanOrEqual(1);
        expect(job.error?.code, summary).not.toBe("internal_error");
        if (job.state === "completed") {
          const bytes = await someClient().bytes(`/api/videos/${id}/content`);
          expect(bytes.body.equals(SAMPLE_MP4), summary).toBe(true);
        }
        // A videos job the relay accepted is never lost to a kill.
        if (job.upstreamId && !/job_failed|quota/.test(prompt)) {
          expect(job.state, summary).toBe("completed");
        }
      }
      expect(jobs.length).toBeGreaterThanOrEqual(FAULTS.length);
    },
    CHAOS_MS + 240_000,
  );
});
