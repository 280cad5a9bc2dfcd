import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addressFromHops,
  CLIENT_ADDRESS_HEADER,
  installClientAddressHook,
  limiterKey,
  normalizeAddress,
} from "./client-address";

describe("addressFromHops", () => {
  it.each([
    // [X-Forwarded-For, socket, TRUST_PROXY, client]
    [undefined, "127.0.0.1", 0, "127.0.0.1"],
    ["6.6.6.6", "127.0.0.1", 0, "127.0.0.1"],
    ["6.6.6.6, 7.7.7.7", "::ffff:10.0.0.2", 0, "10.0.0.2"],
    ["203.0.113.9", "10.0.0.2", 1, "203.0.113.9"],
    ["6.6.6.6, 203.0.113.9", "10.0.0.2", 1, "203.0.113.9"],
    ["6.6.6.6, 203.0.113.9, 10.0.0.3", "10.0.0.2", 2, "203.0.113.9"],
    [undefined, "10.0.0.2", 1, "10.0.0.2"],
    ["not-an-ip", "10.0.0.2", 1, "unknown"],
    ["[2001:db8::1]:443", "10.0.0.2", 1, "2001:db8::1"],
  ] as const)("%j via %s, %i hops → %s", (forwarded, socket, hops, expected) => {
    expect(addressFromHops(forwarded, socket, hops)).toBe(expected);
  });
});

describe("normalizeAddress and limiterKey", () => {
  it("normalizes forms of one address", () => {
    expect(normalizeAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeAddress("192.0.2.1:5555")).toBe("192.0.2.1");
    expect(normalizeAddress("[::1]:80")).toBe("::1");
    expect(normalizeAddress("evil")).toBeUndefined();
  });

  it("counts IPv6 clients per /64, IPv4 per address", () => {
    expect(limiterKey("2001:db8:1:2:aaaa::1")).toBe(limiterKey("2001:db8:1:2:ffff:1:2:3"));
    expect(limiterKey("2001:db8:1:2::1")).not.toBe(limiterKey("2001:db8:1:3::1"));
    expect(limiterKey("::1")).toBe("0:0:0:0::/64");
    expect(limiterKey("192.0.2.1")).toBe("192.0.2.1");
  });
});

describe("installClientAddressHook on a real HTTP server", () => {
  let server: http.Server;
  let url = "";

  beforeAll(async () => {
    installClientAddressHook(0);
    server = http.createServer((request, response) => {
      response.end(String(request.headers[CLIENT_ADDRESS_HEADER]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("writes the socket's address over anything the client sent", async () => {
    const answer = await fetch(url, {
      headers: {
        "x-forwarded-for": "6.6.6.6",
        "x-real-ip": "7.7.7.7",
        [CLIENT_ADDRESS_HEADER]: "8.8.8.8",
      },
    });
    expect(await answer.text()).toBe("127.0.0.1");
  });
});
