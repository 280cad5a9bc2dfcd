import { describe, expect, it } from "vitest";
import type { JobEvent } from "@/lib/contracts/job";
import { sampleJob } from "./test-fixtures";
import { applyJobEvent, MAX_NOTES, trackJob } from "./tracked-job";

const retry = (seq: number, attempt: number): JobEvent => ({
  seq,
  type: "retry",
  data: {
    attempt,
    maxRetries: 2,
    delayMs: 3000,
    error: { code: "upstream_unavailable", status: 503, message: "busy" },
  },
});

describe("applyJobEvent", () => {
  it("follows a job from snapshot to completion", () => {
    let t = trackJob(sampleJob({ state: "queued", lastSeq: 1 }));
    t = applyJobEvent(t, { seq: 1, type: "job", data: sampleJob({ state: "queued" }) });
    t = applyJobEvent(t, { seq: 2, type: "state", data: { state: "running" } });
    t = applyJobEvent(t, { seq: 3, type: "progress", data: { percent: 45, message: "进度 45%" } });
    expect(t.job).toMatchObject({ state: "running", progress: 45, progressMessage: "进度 45%" });
    const done = sampleJob({
      state: "completed",
      progress: 100,
      video: { url: "/api/videos/job_test123/content", contentType: "video/mp4", archived: true },
    });
    t = applyJobEvent(t, { seq: 4, type: "completed", data: { job: done } });
    expect(t.job.state).toBe("completed");
    expect(t.job.video?.url).toBe("/api/videos/job_test123/content");
    expect(t.lastSeq).toBe(4);
  });

  it("ignores replayed events but always takes the snapshot", () => {
    let t = { ...trackJob(sampleJob({ progress: 60 })), lastSeq: 5 };
    t = applyJobEvent(t, { seq: 3, type: "progress", data: { percent: 30 } });
    expect(t.job.progress).toBe(60);
    t = applyJobEvent(t, { seq: 5, type: "job", data: sampleJob({ progress: 61 }) });
    expect(t.job.progress).toBe(61);
    expect(t.lastSeq).toBe(5);
  });

  it("keeps a finished snapshot finished while older events replay after it", () => {
    let t = trackJob(sampleJob({ state: "running" }));
    t = applyJobEvent(t, {
      seq: 0,
      type: "job",
      data: sampleJob({ state: "completed", progress: 100 }),
    });
    t = applyJobEvent(t, { seq: 4, type: "state", data: { state: "running" } });
    t = applyJobEvent(t, { seq: 5, type: "progress", data: { percent: 20 } });
    expect(t.job).toMatchObject({ state: "completed", progress: 100 });
    expect(t.lastSeq).toBe(5);
  });

  it("never shows progress going backwards", () => {
    let t = trackJob(sampleJob({ progress: 50 }));
    t = applyJobEvent(t, { seq: 2, type: "progress", data: { percent: 40 } });
    expect(t.job.progress).toBe(50);
  });

  it("keeps retry and failover notes once, in order, bounded", () => {
    let t = trackJob(sampleJob());
    t = applyJobEvent(t, retry(3, 2));
    t = applyJobEvent(t, retry(2, 1));
    t = applyJobEvent(t, {
      seq: 4,
      type: "failover",
      data: { fromHost: "a.example", toHost: "b.example" },
    });
    expect(t.notes.map((n) => n.seq)).toEqual([3, 4]);
    // seq 2 arrived after seq 3 had been applied: it is a replay and ignored.
    let fresh = trackJob(sampleJob());
    for (let seq = 1; seq <= MAX_NOTES + 5; seq += 1) fresh = applyJobEvent(fresh, retry(seq, 1));
    expect(fresh.notes).toHaveLength(MAX_NOTES);
    expect(fresh.notes.at(-1)?.seq).toBe(MAX_NOTES + 5);
    expect(t.notes[0]).toMatchObject({
      kind: "retry",
      attempt: 2,
      maxRetries: 2,
      code: "upstream_unavailable",
      status: 503,
    });
  });

  it("a reconnect hint only moves the sequence", () => {
    const t = applyJobEvent(trackJob(sampleJob()), {
      seq: 9,
      type: "reconnect",
      data: { afterMs: 100 },
    });
    expect(t.lastSeq).toBe(9);
    expect(t.job).toEqual(sampleJob());
  });
});
