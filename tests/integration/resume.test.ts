import { describe, expect, it } from "vitest";
import { jobSchema } from "@/lib/contracts/job";
import { TERMINAL, type SseEvent } from "../helpers/client";
import { SAMPLE_MP4, uniquePrompt, setupStack } from "../helpers/stack";

const stack = setupStack({ speed: 50 });
/** A second app that hands every stream over after 1.5 s, as it would before Vercel's limit. */
const handover = setupStack({ speed: 50, env: { SORA_SSE_RECONNECT_MS: "1500" } });

/** ~4 s at the simulator: long enough to cut the stream mid-way, several times. */
const SLOW = "[[sim:speed=5]]";

function ids(events: SseEvent[]): number[] {
  return events.filter((e) => e.id !== undefined).map((e) => Number(e.id));
}

describe("resume from Last-Event-ID", () => {
  it("reconnecting after a cut delivers the rest with no gap and no duplicate", async () => {
    const created = await stack.client.createJob({
      prompt: uniquePrompt(`resume ${SLOW}`),
      model: "sora-2",
    });
    const id: string = created.json.job.id;

    const first = await stack.client.sse(`/api/videos/${id}/events`, {}, { stopAfter: 4 });
    expect(first.ended).toBe(false);
    expect(first.events[0]?.event).toBe("job");
    expect(ids(first.events)).toEqual([1, 2, 3, 4]);

    const rest = await stack.client.sse(
      `/api/videos/${id}/events`,
      { headers: { "last-event-id": "4" } },
      { until: TERMINAL },
    );
    // The snapshot comes first and carries no id, so it moves nobody's Last-Event-ID.
    expect(rest.events[0]?.event).toBe("job");
    expect(rest.events[0]?.id).toBeUndefined();
    const snapshot = jobSchema.parse(rest.events[0]?.data);
    expect(snapshot.lastSeq).toBeGreaterThanOrEqual(4);
    expect(rest.events.slice(1).every((e) => e.id !== undefined)).toBe(true);

    const all = [...ids(first.events), ...ids(rest.events)];
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect(rest.events.at(-1)?.event).toBe("completed");
  });

  it("?after= works like the header, and many random cuts still add up to the whole log", async () => {
    const created = await stack.client.createJob({
      prompt: uniquePrompt(`cuts ${SLOW}`),
      model: "sora_video2",
    });
    const id: string = created.json.job.id;
    const seen: number[] = [];
    let last = 0;
    let done = false;
    for (let round = 0; !done && round < 50; round++) {
      const { events } = await stack.client.sse(
        `/api/videos/${id}/events?after=${last}`,
        {},
        { stopAfter: 2 + (round % 3), until: TERMINAL },
      );
      if (last > 0) expect(events[0]).toMatchObject({ event: "job", id: undefined });
      seen.push(...ids(events));
      last = seen.at(-1) ?? last;
      done = events.some(TERMINAL);
    }
    expect(done).toBe(true);
    expect(seen).toEqual(seen.map((_, i) => i + 1));

    const replay = await stack.client.sse(`/api/videos/${id}/events`, {}, { until: TERMINAL });
    expect(ids(replay.events)).toEqual(seen);
  });

  it("dropping the POST stream does not stop the job", async () => {
    const prompt = uniquePrompt(`dropped ${SLOW}`);
    const { events } = await stack.client.createAndFollow(
      { prompt, model: "sora-2" },
      { stopAfter: 2 },
    );
    const id = (events[0]?.data as { id: string }).id;
    const rest = await stack.client.sse(
      `/api/videos/${id}/events?after=2`,
      {},
      { until: TERMINAL, timeoutMs: 20_000 },
    );
    expect(rest.events.at(-1)?.event).toBe("completed");
    const content = await stack.client.bytes(`/api/videos/${id}/content`);
    expect(content.body.equals(SAMPLE_MP4)).toBe(true);
    expect((await stack.sim.stats()).creates.byPrompt[prompt]).toEqual({
      attempts: 1,
      accepted: 1,
    });
  });

  it("deleting a running job ends its live streams with state canceled", async () => {
    const created = await stack.client.createJob({
      prompt: uniquePrompt(`delete me ${SLOW}`),
      model: "sora-2",
    });
    const id: string = created.json.job.id;
    // No `until`: the reader keeps reading, so only the server closing the stream ends it
    // (a stream left open would time out and fail the test).
    let live!: () => void;
    const firstEvent = new Promise<void>((resolve) => (live = resolve));
    const following = stack.client.sse(
      `/api/videos/${id}/events`,
      {},
      { timeoutMs: 10_000, onEvent: () => live() },
    );
    await firstEvent;
    const deleted = await stack.client.request(`/api/videos/${id}`, { method: "DELETE" });
    expect(deleted.json).toEqual({ deleted: true, id });
    const { events, ended } = await following;
    expect(events.at(-1)).toMatchObject({ event: "state", data: { state: "canceled" } });
    expect(ended).toBe(true);
  });
});

describe("reconnect hand-over (maxDuration platforms)", () => {
  it("ends streams with `reconnect` before the limit; resuming each time adds up to the whole job", async () => {
    const prompt = uniquePrompt(`handover ${SLOW}`);
    let response = await handover.client.createAndFollow(
      { prompt, model: "sora-2" },
      { until: TERMINAL },
    );
    const seen: number[] = ids(response.events);
    let reconnects = 0;
    while (!response.events.some(TERMINAL)) {
      expect(response.events.at(-1)).toMatchObject({ event: "reconnect", data: { afterMs: 0 } });
      expect(response.ended).toBe(true);
      reconnects++;
      const id = (response.events.find((e) => e.event === "job")?.data as { id: string }).id;
      response = await handover.client.sse(
        `/api/videos/${id}/events`,
        { headers: { "last-event-id": String(seen.at(-1)) } },
        { until: TERMINAL },
      );
      seen.push(...ids(response.events));
    }
    expect(reconnects).toBeGreaterThan(0);
    expect(seen).toEqual(seen.map((_, i) => i + 1));
    expect((await handover.sim.stats()).creates.byPrompt[prompt]).toEqual({
      attempts: 1,
      accepted: 1,
    });
  });
});

describe("key leak", () => {
  it("leaks the key nowhere: responses, SSE frames, server log", () => {
    stack.expectNoKeyLeak();
    handover.expectNoKeyLeak();
  });
});
