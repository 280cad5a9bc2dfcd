import { beforeAll, describe, expect, it } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { jobListSchema, type Job } from "@/lib/contracts/job";
import { EN, TERMINAL } from "../helpers/client";
import { setupStack, uniquePrompt } from "../helpers/stack";

const stack = setupStack({ env: { SORA_RECONCILE_INTERVAL_MS: "200" } });

/** A unique word per run, so the search and filters only ever see this file's jobs. */
const TAG = `zq${Date.now().toString(36)}`;

async function finished(prompt: string, model: string): Promise<Job> {
  const { events } = await stack.client.createAndFollow({ prompt, model }, { until: TERMINAL });
  return (events.at(-1)?.data as { job: Job }).job;
}

async function list(query: string): Promise<string[]> {
  const answer = await stack.client.request(`/api/videos?${query}`, { headers: EN });
  expect(answer.status).toBe(200);
  return jobListSchema.parse(answer.json).jobs.map((job) => job.id);
}

let lighthouse: Job;
let foggy: Job;
let cat: Job;

beforeAll(async () => {
  lighthouse = await finished(uniquePrompt(`A Lighthouse at dusk ${TAG}`), "sora-2");
  foggy = await finished(uniquePrompt(`[[sim:quota]] lighthouse in fog ${TAG}`), "sora-2");
  cat = await finished(uniquePrompt(`一只猫在灯塔上 ${TAG}`), "sora_video2");
  expect([lighthouse.state, foggy.state, cat.state]).toEqual(["completed", "failed", "completed"]);
});

describe("GET /api/videos narrowed by state, model and prompt text", () => {
  it("searches the prompt ignoring case, in any script", async () => {
    expect(await list(`q=${TAG}`)).toEqual([cat.id, foggy.id, lighthouse.id]);
    expect(await list(`q=LIGHTHOUSE+AT+DUSK+${TAG.toUpperCase()}`)).toEqual([lighthouse.id]);
    expect(await list(`q=${encodeURIComponent(`灯塔上 ${TAG}`)}`)).toEqual([cat.id]);
    expect(await list(`q=${encodeURIComponent(`nothing like ${TAG}`)}`)).toEqual([]);
  });

  it("filters by state and by model, combined with the search and with paging", async () => {
    expect(await list(`q=${TAG}&state=failed`)).toEqual([foggy.id]);
    expect(await list(`q=${TAG}&state=completed,canceled`)).toEqual([cat.id, lighthouse.id]);
    expect(await list(`q=${TAG}&model=sora-2`)).toEqual([foggy.id, lighthouse.id]);
    expect(await list(`q=${TAG}&model=sora-2&state=completed`)).toEqual([lighthouse.id]);
    const first = await stack.client.request(`/api/videos?q=${TAG}&model=sora-2&limit=1`);
    const page = jobListSchema.parse(first.json);
    expect(page.jobs.map((j) => j.id)).toEqual([foggy.id]);
    expect(page.nextCursor).toBeTruthy();
    expect(
      await list(`q=${TAG}&model=sora-2&limit=1&cursor=${encodeURIComponent(page.nextCursor!)}`),
    ).toEqual([lighthouse.id]);
  });

  it("says why a failed job failed, translated, in the listed snapshot", async () => {
    const answer = await stack.client.request(`/api/videos?q=${TAG}&state=failed`, {
      headers: { "accept-language": "zh-CN" },
    });
    const [job] = jobListSchema.parse(answer.json).jobs;
    expect(job?.error).toMatchObject({ code: "insufficient_quota", message: "中转站账户余额不足" });
  });

  it.each([
    ["state=finished", "The field state is not valid."],
    ["state=failed,nope", "The field state is not valid."],
    ["state=,", "The field state is not valid."],
    [`q=${"x".repeat(201)}`, "The field q is not valid."],
    [`model=${"m".repeat(201)}`, "The field model is not valid."],
    ["limit=0", "The field limit is not valid."],
    ["cursor=abc", "Invalid page cursor."],
  ])("?%s → 400 with the envelope", async (query, message) => {
    const answer = await stack.client.request(`/api/videos?${query}`, { headers: EN });
    expect(answer.status).toBe(400);
    const envelope = errorEnvelopeSchema.parse(answer.json);
    expect(envelope.error).toMatchObject({ code: "bad_request", message });
  });
});

describe("DELETE ?undo=1 and POST …/restore", () => {
  it("hides the job at once, restores it on undo, and removes it with its video after the window", async () => {
    const job = await finished(uniquePrompt(`a paper crane ${TAG}`), "sora-2");
    expect(await stack.stored.archiveExists(job.id)).toBe(true);

    const hidden = await stack.client.request(`/api/videos/${job.id}?undo=1`, { method: "DELETE" });
    expect(hidden.status).toBe(200);
    expect(hidden.json).toMatchObject({ deleted: true, id: job.id });
    expect(Date.parse(hidden.json.purgeAt) - Date.now()).toBeGreaterThan(5_000);
    expect(await list(`q=${TAG}`)).not.toContain(job.id);
    expect((await stack.client.request(`/api/videos/${job.id}`)).status).toBe(404);
    expect((await stack.client.bytes(`/api/videos/${job.id}/content`)).status).toBe(404);
    expect(await stack.stored.archiveExists(job.id)).toBe(true);

    const restored = await stack.client.request(`/api/videos/${job.id}/restore`, {
      method: "POST",
    });
    expect(restored.status).toBe(200);
    expect(restored.json.job).toMatchObject({ id: job.id, state: "completed" });
    expect((await list(`q=${TAG}`))[0]).toBe(job.id);
    expect((await stack.client.bytes(`/api/videos/${job.id}/content`)).status).toBe(200);

    await stack.client.request(`/api/videos/${job.id}?undo=1`, { method: "DELETE" });
    // The window (10 s) runs out; the reconciler (every 200 ms here) removes it for good.
    await expect
      .poll(() => stack.stored.archiveExists(job.id), { timeout: 20_000, interval: 250 })
      .toBe(false);
    const late = await stack.client.request(`/api/videos/${job.id}/restore`, { method: "POST" });
    expect(late.status).toBe(404);
  }, 30_000);

  it("rejects an unknown undo value without touching the job", async () => {
    const answer = await stack.client.request(`/api/videos/${lighthouse.id}?undo=yes`, {
      method: "DELETE",
      headers: EN,
    });
    expect(answer.status).toBe(400);
    expect(errorEnvelopeSchema.parse(answer.json).error.message).toBe(
      "The field undo is not valid.",
    );
    expect((await stack.client.request(`/api/videos/${lighthouse.id}`)).status).toBe(200);
  });
});

describe("downloads", () => {
  it("are named from the prompt and the day, CJK kept", async () => {
    const video = await stack.client.bytes(`/api/videos/${cat.id}/content`);
    expect(video.status).toBe(200);
    const disposition = video.headers.get("content-disposition") ?? "";
    const day = cat.createdAt.slice(0, 10);
    expect(disposition).toMatch(/^inline; filename="[^"]*\.mp4"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1] ?? "")).toMatch(
      new RegExp(`^一只猫在灯塔上-${TAG}-[0-9a-z]+-${day}\\.mp4$`),
    );
  });
});
