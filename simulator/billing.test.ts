import { describe, expect, it } from "vitest";
import { api, stats, useSimulator, waitFor } from "./test-support";

describe("billing", () => {
  const sim = useSimulator();

  async function usedCents(): Promise<number> {
    const body = (await (await api(sim.url, "/v1/dashboard/billing/usage")).json()) as {
      total_usage: number;
    };
    return body.total_usage;
  }

  it("adds $0.40 of usage per completed video, not before completion", async () => {
    const before = await usedCents();
    expect(before).toBe(1234);
    const created = (await (
      await api(sim.url, "/v1/videos", { json: { prompt: "a cat", seconds: "4" } })
    ).json()) as { id: string };
    expect(await usedCents()).toBe(before);
    await waitFor(async () => {
      const video = (await (await api(sim.url, `/v1/videos/${created.id}`)).json()) as {
        status: string;
      };
      return video.status === "completed" ? true : undefined;
    });
    expect(await usedCents()).toBe(before + 40);
  });

  it("billing_unavailable: both billing routes answer 404 Invalid URL", async () => {
    const headers = { "x-sim-fault": "billing_unavailable" };
    for (const path of ["/v1/dashboard/billing/subscription", "/v1/dashboard/billing/usage"]) {
      const res = await api(sim.url, path, { headers });
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("Invalid URL");
    }
    expect((await stats(sim.url)).faults.billing_unavailable).toBe(2);
    expect((await api(sim.url, "/v1/dashboard/billing/subscription")).status).toBe(200);
  });
});
