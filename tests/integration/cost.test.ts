import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { balanceSchema } from "@/lib/contracts/cost";
import { isTerminalState, jobListSchema, jobSchema, type Job } from "@/lib/contracts/job";
import { modelsResponseSchema } from "@/lib/contracts/models";
import { AppServer, fakeApiKey, startSim } from "../helpers/app";
import { findKeyLeaks, TERMINAL } from "../helpers/client";
import { setupStack, uniquePrompt } from "../helpers/stack";

/*
 * Cost (issue 13): SORA_PRICES drives each job's `cost` (and the estimate the page shows from the
 * prices on /api/models); `GET /api/balance` reads the relay's billing endpoints, cached, and
 * drops after a job (the simulator adds $0.40 of usage per completed video).
 */
const PRICES = {
  "sora-2": { perSecond: 0.1, currency: "USD" },
  "sora-2-pro": { perVideo: 1.2, currency: "CNY" },
  kling: { perSecond: 0.2, currency: "CNY" },
  "veo-3.1": { perSecond: 0.5, currency: "USD" },
  "veo-3.1-fast-generate-preview": { perVideo: 0.75, currency: "USD" },
  "sora-chat": { perVideo: 0.3, currency: "cny" },
  wan: { perVideo: 5, currency: "CNY" },
};
const modelsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sora-prices-")), "models.json");
fs.writeFileSync(
  modelsFile,
  JSON.stringify([
    {
      id: "wan2.2-t2v-plus",
      family: "wan",
      acceptsImage: false,
      price: { perVideo: 0.9, currency: "CNY" },
    },
  ]),
);

const stack = setupStack({
  speed: 50,
  env: { SORA_PRICES: JSON.stringify(PRICES), SORA_MODELS_FILE: modelsFile },
});

async function created(body: Record<string, unknown>): Promise<Job> {
  const answer = await stack.client.createJob({ prompt: uniquePrompt("a red kite"), ...body });
  expect(answer.status).toBe(202);
  return jobSchema.parse(answer.json.job);
}

async function balance(client = stack.client) {
  const answer = await client.request("/api/balance");
  expect(answer.status).toBe(200);
  return { text: answer.text, balance: balanceSchema.parse(answer.json) };
}

describe("prices", () => {
  it.each([
    ["per second, by model id", { model: "sora-2", seconds: "8" }, 0.8, "USD"],
    ["per video, by model id", { model: "sora-2-pro", seconds: "12" }, 1.2, "CNY"],
    ["per second, by family", { model: "kling-v2-6", seconds: "10" }, 2, "CNY"],
    [
      "a model's own entry wins over its family",
      { model: "veo-3.1-fast-generate-preview", seconds: "8" },
      0.75,
      "USD",
    ],
    ["chat models: their family, duration implied", { model: "sora_video2" }, 0.3, "CNY"],
    ["SORA_MODELS_FILE's price wins over the family's", { model: "wan2.2-t2v-plus" }, 0.9, "CNY"],
  ])("%s", async (_name, body, amount, currency) => {
    const job = await created(body);
    expect(job.cost).toEqual({ amount, currency, estimated: true });
    const again = jobSchema.parse((await stack.client.request(`/api/videos/${job.id}`)).json);
    expect(again.cost).toEqual(job.cost);
  });

  it("a model without a price has no cost", async () => {
    const job = await created({ model: "MiniMax-Hailuo-2.3" });
    expect(job.cost).toBeUndefined();
  });

  it("the models list carries each model's price for the estimate", async () => {
    const { models } = modelsResponseSchema.parse((await stack.client.request("/api/models")).json);
    const price = (id: string) => models.find((m) => m.id === id)?.price;
    expect(price("sora-2")).toEqual({ perSecond: 0.1, currency: "USD" });
    expect(price("kling-v2-6")).toEqual({ perSecond: 0.2, currency: "CNY" });
    expect(price("veo-3.1-fast-generate-preview")).toEqual({ perVideo: 0.75, currency: "USD" });
    expect(price("sora_video2-15s")).toEqual({ perVideo: 0.3, currency: "CNY" });
    expect(price("wan2.2-t2v-plus")).toEqual({ perVideo: 0.9, currency: "CNY" });
    expect(price("luma-ray-2")).toBeUndefined();
  });
});

/** Jobs of earlier tests that finish reset the balance cache: wait until none is running. */
async function settled() {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { jobs } = jobListSchema.parse((await stack.client.request("/api/videos?limit=50")).json);
    if (jobs.every((job) => isTerminalState(job.state))) return;
    if (Date.now() > deadline) throw new Error("earlier jobs never finished");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("balance", () => {
  it("answers from the billing endpoints, cached, and drops after a job", async () => {
    await settled();
    const first = await balance();
    expect(first.balance).toMatchObject({ available: true, currency: "USD", unlimited: false });
    const before = first.balance.available ? (first.balance.remaining ?? NaN) : NaN;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThanOrEqual(100 - 12.34);

    // Cached: a second read does not ask the relay again, and nothing billable is ever sent.
    const statsBefore = await stack.sim.stats();
    await balance();
    const statsAfter = await stack.sim.stats();
    expect(statsAfter.requests["GET /v1/dashboard/billing/subscription"]).toBe(
      statsBefore.requests["GET /v1/dashboard/billing/subscription"],
    );
    expect(statsAfter.creates.total).toEqual(statsBefore.creates.total);

    const { events } = await stack.client.createAndFollow(
      { prompt: uniquePrompt("a paper lantern"), model: "sora-2", seconds: "4" },
      { until: TERMINAL },
    );
    const done = jobSchema.parse((events.at(-1)?.data as { job: unknown }).job);
    expect(done).toMatchObject({ state: "completed", cost: { amount: 0.4, estimated: true } });

    const after = await balance();
    expect(after.balance.available && after.balance.remaining).toBeCloseTo(before - 0.4, 2);
    for (const text of [first.text, after.text]) {
      expect(findKeyLeaks(stack.key, [text])).toEqual([]);
      expect(text).not.toMatch(/sk-|authorization|bearer/i);
    }
  });

  it("is unavailable (and the header hidden) when the relay has no billing endpoints", async () => {
    const sim = await startSim({ speed: 50, fault: "billing_unavailable" });
    const app = await new AppServer({ simUrl: sim.url, apiKey: fakeApiKey() }).start();
    try {
      const answer = await fetch(`${app.url}/api/balance`);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ available: false });
      expect((await sim.stats()).faults.billing_unavailable).toBeGreaterThanOrEqual(1);
    } finally {
      await app.stop();
      await sim.close();
      app.removeData();
    }
  });
});

describe("bad SORA_PRICES", () => {
  it.each([
    ["{not json", "SORA_PRICES: expected a JSON object such as"],
    [`{"sora-2":{"perSecond":0.1}}`, "at sora-2.currency"],
    [`{"sora-2":{"currency":"USD"}}`, "SORA_PRICES: expected perSecond and/or perVideo at sora-2"],
  ])("%s stops the start with a clear message", async (value, message) => {
    const app = new AppServer({
      simUrl: "http://127.0.0.1:9",
      apiKey: fakeApiKey(),
      env: { SORA_PRICES: value },
    });
    try {
      await expect(app.start()).rejects.toThrow(message);
    } finally {
      await app.stop();
      app.removeData();
    }
  });
});
