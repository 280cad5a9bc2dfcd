import { describe, expect, it } from "vitest";
import type { Job } from "@/lib/contracts/job";
import type { CreateJobVariables } from "@/hooks/use-jobs";
import { createJobChannel } from "./generator-actions";

const variables = { prompt: "a cat", model: "sora-2" } as CreateJobVariables;
const job = (id: string) => ({ id }) as Job;

describe("createJobChannel", () => {
  it("holds a submit sent before the jobs panel attached, then sends it once", async () => {
    const channel = createJobChannel();
    const sent: CreateJobVariables[] = [];
    const pending = channel.createJob(variables);
    channel.attachCreate(async (v) => {
      sent.push(v);
      return job("j1");
    });
    await expect(pending).resolves.toEqual({ id: "j1" });
    expect(sent).toEqual([variables]);
  });

  it("sends through the attached create and passes its failure on", async () => {
    const channel = createJobChannel();
    channel.attachCreate(async () => {
      throw new Error("refused");
    });
    await expect(channel.createJob(variables)).rejects.toThrow("refused");
  });

  it("after a detach, waits for the next panel instead of the old one", async () => {
    const channel = createJobChannel();
    const calls: string[] = [];
    const detach = channel.attachCreate(async () => {
      calls.push("old");
      return job("old");
    });
    detach();
    const pending = channel.createJob(variables);
    channel.attachCreate(async () => {
      calls.push("new");
      return job("new");
    });
    await expect(pending).resolves.toEqual({ id: "new" });
    expect(calls).toEqual(["new"]);
  });
});
