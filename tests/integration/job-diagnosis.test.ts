import { describe, expect, it } from "vitest";
import { diagnosisSchema, relayWeatherSchema, type Diagnosis } from "@/lib/contracts/diagnosis";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { jobSchema, type Job } from "@/lib/contracts/job";
import { fakeApiKey } from "../helpers/app";
import { TERMINAL } from "../helpers/client";
import { setupStack, uniquePrompt, type Stack } from "../helpers/stack";

/*
 * Issue 14: a failed job diagnoses itself. The primary simulator has no channel for `sora-2-pro`
 * (other models route); a second, healthy simulator is the configured fallback.
 */
const stack = setupStack({
  speed: 50,
  fallback: true,
  env: { SORA_RETRY_BASE_DELAY_MS: "50", SORA_RETRY_JITTER_MS: "10" },
});

/** A key the simulator authenticates but whose balance is used up (made at run time). */
const exhaustedKey = `${fakeApiKey()}exhausted`;
const exhausted = setupStack({ speed: 50, apiKey: exhaustedKey });

const NO_CHANNEL_MODEL = "sora-2-pro";

async function createAndFinish(s: Stack, body: Record<string, unknown>): Promise<Job> {
  const { events } = await s.client.createAndFollow(body as { prompt: string }, {
    until: TERMINAL,
  });
  return jobSchema.parse((events.at(-1)?.data as { job: unknown }).job);
}

async function diagnose(s: Stack, id: string, lang = "en"): Promise<Diagnosis> {
  const res = await s.client.request(`/api/videos/${id}/diagnosis`, {
    headers: { "accept-language": lang },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return diagnosisSchema.parse(res.json);
}

async function acceptedCreates(s: Stack, withFallback = true): Promise<number> {
  const primary = (await s.sim.stats()).creates.total.accepted;
  const fallback = withFallback ? (await s.fallbackSim.stats()).creates.total.accepted : 0;
  return primary + fallback;
}

describe("a failed job's diagnosis", () => {
  it("switch_model is the first candidate that the probe shows routed, not merely the first listed", async () => {
    // sora-2 is the first candidate for sora-2-pro; without a channel too, the next one routes.
    await fetch(`${stack.sim.url}/__sim/no-channel?models=${NO_CHANNEL_MODEL},sora-2`, {
      method: "POST",
    });
    const failed = await createAndFinish(stack, {
      prompt: uniquePrompt("two models down"),
      model: NO_CHANNEL_MODEL,
    });
    expect(failed.error?.code).toBe("no_available_channel");
    const before = await acceptedCreates(stack);
    const diagnosis = await diagnose(stack, failed.id);
    expect(diagnosis.actions.find((a) => a.kind === "switch_model")).toEqual({
      kind: "switch_model",
      model: "veo-3-fast",
    });
    expect(diagnosis.evidence.find((e) => e.checkId === "api.call:sora-2")?.status).toBe("fail");
    expect(await acceptedCreates(stack)).toBe(before);
  });

  it("no channel: names no_available_channel, offers a routing model and the fallback, bills nothing", async () => {
    await fetch(`${stack.sim.url}/__sim/no-channel?models=${NO_CHANNEL_MODEL}`, { method: "POST" });
    const failed = await createAndFinish(stack, {
      prompt: uniquePrompt("a lighthouse at dusk"),
      model: NO_CHANNEL_MODEL,
    });
    expect(failed.state).toBe("failed");
    expect(failed.error?.code).toBe("no_available_channel");

    const before = await acceptedCreates(stack);
    const diagnosis = await diagnose(stack, failed.id);
    expect(diagnosis.rootCause).toMatchObject({
      checkId: "api.call",
      code: "no_available_channel",
    });
    expect(diagnosis.rootCause.message).toContain(NO_CHANNEL_MODEL);
    expect(diagnosis.evidence.find((e) => e.checkId === "api.call")?.status).toBe("fail");
    const switchTo = diagnosis.actions.find((a) => a.kind === "switch_model");
    // The first candidate with the same capabilities that the probe shows routed.
    expect(switchTo).toEqual({ kind: "switch_model", model: "sora-2" });
    const fallbackHost = new URL(stack.fallbackSim.url).host;
    expect(diagnosis.actions).toContainEqual({ kind: "use_fallback", host: fallbackHost });
    expect(diagnosis.actions.some((a) => a.kind === "fix_config")).toBe(false);
    // Unbilled: the probes were all rejected at validation or before.
    expect(await acceptedCreates(stack)).toBe(before);

    // Localized (zh-CN by default), and cached per job.
    const zh = await diagnose(stack, failed.id, "zh-CN");
    expect(zh.rootCause.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await diagnose(stack, failed.id)).cached).toBe(true);

    // The actions work: the same prompt on the offered model, and on the offered fallback.
    const switched = await createAndFinish(stack, {
      prompt: failed.prompt,
      model: "sora-2",
      retryOf: failed.id,
    });
    expect(switched).toMatchObject({ state: "completed", retryOf: failed.id });
    const viaFallback = await createAndFinish(stack, {
      prompt: failed.prompt,
      model: NO_CHANNEL_MODEL,
      retryOf: failed.id,
      fallbackHost,
    });
    expect(viaFallback).toMatchObject({ state: "completed", upstreamHost: fallbackHost });
    await fetch(`${stack.sim.url}/__sim/no-channel?models=`, { method: "POST" });
  });

  it("a fallbackHost that is not a configured fallback is refused before any upstream call", async () => {
    const prompt = uniquePrompt("elsewhere");
    for (const host of ["evil.example", new URL(stack.sim.url).host]) {
      const res = await stack.client.createJob({ prompt, model: "sora-2", fallbackHost: host });
      expect(res.status).toBe(400);
      expect(errorEnvelopeSchema.parse(res.json).error.code).toBe("bad_request");
    }
    expect((await stack.sim.stats()).creates.byPrompt[prompt]).toBeUndefined();
  });

  it("after a burst of 503s: the weather turns saturated, the diagnosis offers wait, success clears it", async () => {
    // Both relays answer 503 to this prompt: every create (retries and failover included) fails.
    const failed = await createAndFinish(stack, {
      prompt: uniquePrompt("[[sim:upstream_503*20]] a storm"),
      model: "sora-2",
    });
    expect(failed.error?.code).toBe("upstream_unavailable");
    const weather = relayWeatherSchema.parse(
      (await stack.client.request("/api/relay-weather")).json,
    );
    expect(weather.status).toBe("saturated");
    expect(weather.failed).toBeGreaterThan(weather.creates / 2);

    const before = await acceptedCreates(stack);
    const diagnosis = await diagnose(stack, failed.id);
    const wait = diagnosis.actions.find((a) => a.kind === "wait");
    expect(wait).toMatchObject({ kind: "wait" });
    if (wait?.kind !== "wait") throw new Error("no wait action");
    expect(wait.minutes).toBeGreaterThanOrEqual(5);
    expect(wait.minutes).toBeLessThanOrEqual(10);
    expect(wait.reason).toMatch(/503/);
    expect(await acceptedCreates(stack)).toBe(before);

    const ok = await createAndFinish(stack, { prompt: uniquePrompt("calm sea"), model: "sora-2" });
    expect(ok.state).toBe("completed");
    const after = relayWeatherSchema.parse((await stack.client.request("/api/relay-weather")).json);
    expect(after.status).toBe("ok");
  });

  it("only a failed or stalled job can be diagnosed", async () => {
    const ok = await createAndFinish(stack, { prompt: uniquePrompt("sunrise"), model: "sora-2" });
    const res = await stack.client.request(`/api/videos/${ok.id}/diagnosis`);
    expect(res.status).toBe(409);
    expect(errorEnvelopeSchema.parse(res.json).error.code).toBe("bad_request");
  });
});

describe("an exhausted balance", () => {
  it("names insufficient_quota and offers fix_config with the key variable, billing nothing", async () => {
    const failed = await createAndFinish(exhausted, {
      prompt: uniquePrompt("a paid fox"),
      model: "sora-2",
    });
    expect(failed.error?.code).toBe("insufficient_quota");
    const before = await acceptedCreates(exhausted, false);
    const diagnosis = await diagnose(exhausted, failed.id);
    expect(diagnosis.rootCause.code).toBe("insufficient_quota");
    expect(["quota", "api.call"]).toContain(diagnosis.rootCause.checkId);
    const fix = diagnosis.actions.find((a) => a.kind === "fix_config");
    expect(fix).toMatchObject({ kind: "fix_config", variable: "SORA_API_KEY" });
    expect(diagnosis.actions.some((a) => a.kind === "switch_model")).toBe(false);
    expect(await acceptedCreates(exhausted, false)).toBe(before);
    expect(JSON.stringify(diagnosis)).not.toContain(exhaustedKey);
  });
});
