import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "./classify";
import {
  checkDestination,
  isPublicAddress,
  pinnedAgent,
  refusedAtConnect,
  upstreamFetch,
} from "./destination";
import { fakeLookup, testConfig } from "./test-support";

describe("isPublicAddress", () => {
  it.each([
    ["127.0.0.1", false],
    ["127.8.9.10", false],
    ["10.1.2.3", false],
    ["172.16.0.1", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false], // cloud metadata
    ["100.100.100.200", false], // Alibaba metadata (CGNAT range)
    ["0.0.0.0", false],
    ["255.255.255.255", false],
    ["224.0.0.1", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["fd00:ec2::254", false], // AWS metadata over IPv6
    ["::ffff:127.0.0.1", false], // IPv4-mapped loopback
    ["::ffff:a9fe:a9fe", false], // IPv4-mapped metadata, hex form
    ["::127.0.0.1", false],
    ["2002:7f00:1::1", false], // 6to4 wrapping 127.0.0.1
    ["not-an-ip", false],
    ["93.184.215.14", true],
    ["8.8.8.8", true],
    ["2606:4700:4700::1111", true],
  ])("%s → %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe("checkDestination", () => {
  const config = testConfig({
    SORA_BASE_URL: "http://127.0.0.1:4010/v1",
    SORA_FALLBACK_BASE_URLS: "https://backup.example/v1",
    SORA_ALLOWED_MEDIA_HOSTS: "media.lan, 10.0.0.9:9000",
  });
  const policy = (dns: Record<string, string> = {}) => ({
    config,
    baseUrl: "http://127.0.0.1:4010/v1",
    lookup: fakeLookup(dns),
  });
  const refusedCode = async (url: string, dns?: Record<string, string>) => {
    try {
      await checkDestination(url, policy(dns));
      return "allowed";
    } catch (error) {
      expect(error).toBeInstanceOf(UpstreamError);
      return (error as UpstreamError).code;
    }
  };

  it("lets the configured relays' own origins through unpinned, even on loopback", async () => {
    expect(await checkDestination("http://127.0.0.1:4010/files/a.mp4", policy())).toBeUndefined();
    expect(await checkDestination("https://backup.example/x.mp4", policy())).toBeUndefined();
  });

  it("refuses another port, scheme or address of the same loopback host", async () => {
    expect(await refusedCode("http://127.0.0.1:4011/secret")).toBe("destination_refused");
    expect(await refusedCode("http://localhost:4010/secret", { localhost: "127.0.0.1" })).toBe(
      "destination_refused",
    );
    expect(await refusedCode("http://[::ffff:127.0.0.1]:4010/")).toBe("destination_refused");
    expect(await refusedCode("http://2130706433:4011/")).toBe("destination_refused");
  });

  it("refuses names that resolve to private or metadata addresses", async () => {
    expect(await refusedCode("https://cdn.example/v.mp4", { "cdn.example": "10.0.0.5" })).toBe(
      "destination_refused",
    );
    expect(await refusedCode("http://169.254.169.254/latest/meta-data/")).toBe(
      "destination_refused",
    );
    expect(await refusedCode("https://v6.example/", { "v6.example": "fd00::1" })).toBe(
      "destination_refused",
    );
    expect(await refusedCode("file:///etc/passwd")).toBe("destination_refused");
  });

  it("pins public destinations and lets SORA_ALLOWED_MEDIA_HOSTS through", async () => {
    expect(await checkDestination("https://cdn.example/v.mp4", policy())).toBe(pinnedAgent());
    expect(
      await checkDestination("http://media.lan/v.mp4", policy({ "media.lan": "192.168.1.20" })),
    ).toBeUndefined();
    expect(await checkDestination("http://10.0.0.9:9000/v.mp4", policy())).toBeUndefined();
    expect(await refusedCode("http://10.0.0.9:9001/v.mp4")).toBe("destination_refused");
  });

  it("a refusal is never retried", async () => {
    try {
      await checkDestination("http://10.0.0.1/", policy());
      expect.unreachable();
    } catch (error) {
      expect((error as UpstreamError).shouldRetry).toBe(false);
      expect((error as UpstreamError).retryable).toBe(false);
    }
  });
});

describe("the pinned connection", () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end("internal secret");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("re-checks the address at connect time: a name that resolves to loopback never connects", async () => {
    // What a DNS rebinding looks like after a public first answer: the connection itself resolves.
    const url = `http://localhost:${port}/`;
    const error = await upstreamFetch(url, { dispatcher: pinnedAgent() } as RequestInit).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusedAtConnect(error, url)?.code).toBe("destination_refused");
    expect(hits).toBe(0);
    // Control: the same server is reachable without the pinned agent.
    expect(await (await fetch(url)).text()).toBe("internal secret");
    expect(hits).toBe(1);
  });
});
