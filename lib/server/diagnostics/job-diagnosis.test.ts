import { beforeEach, describe, expect, it } from "vitest";
import { describeModel } from "@/lib/contracts/models";
import { recordUpstreamCall, upstreamState } from "../upstream/records";
import { hasSameCapabilities, relayWeather } from "./job-diagnosis";

function create(status: number, errorCode?: string, model = "sora-2", at = Date.now()) {
  recordUpstreamCall(
    { startedAt: at, operation: "create", host: "relay.test", attempt: 1, model },
    { status, errorCode },
  );
}

describe("relay weather", () => {
  beforeEach(() => {
    const state = upstreamState();
    state.calls.length = 0;
    state.errors.length = 0;
  });

  it("is saturated when most recent creates got 503/429, and ok once a create succeeds", () => {
    for (let i = 0; i < 8; i++) create(i % 2 ? 429 : 503, "upstream_unavailable");
    expect(relayWeather()).toMatchObject({ status: "saturated", creates: 8, failed: 8 });
    create(200);
    expect(relayWeather().status).toBe("ok");
  });

  it("ignores creates older than 15 minutes and no-channel answers (a model's problem)", () => {
    const old = Date.now() - 16 * 60_000;
    for (let i = 0; i < 5; i++) create(503, "upstream_unavailable", "sora-2", old);
    expect(relayWeather().status).toBe("ok");
    for (let i = 0; i < 4; i++) create(503, "no_available_channel", "sora-2-pro");
    const weather = relayWeather();
    expect(weather.status).not.toBe("saturated");
    expect(weather.noChannelModels).toEqual(["sora-2-pro"]);
    create(200, undefined, "sora-2-pro");
    expect(relayWeather().noChannelModels).toEqual([]);
  });
});

describe("same capabilities", () => {
  const job = { hasImage: true, seconds: "8" };
  it("keeps the image and the duration of the failed job, and offers only catalogue models", () => {
    expect(hasSameCapabilities(job, describeModel("sora-2"))).toBe(true);
    // Another protocol is fine: the new job resolves its own.
    expect(hasSameCapabilities(job, describeModel("veo-3-fast"))).toBe(true);
    // sora_video2 makes 10 s only.
    expect(hasSameCapabilities(job, describeModel("sora_video2"))).toBe(false);
    // A relay-only model's capabilities are unknown.
    expect(hasSameCapabilities(job, describeModel("luma-ray-2", true))).toBe(false);
    expect(hasSameCapabilities({ ...job, seconds: "15" }, describeModel("sora-2"))).toBe(false);
    expect(
      hasSameCapabilities(job, { ...describeModel("sora-2"), shutdownDate: "2000-01-01" }),
    ).toBe(false);
  });
});
