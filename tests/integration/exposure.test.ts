import { describe, expect, it } from "vitest";
import { setupStack } from "../helpers/stack";

describe("a live key on a server reachable beyond loopback without ACCESS_PASSWORD", () => {
  // The harness starts `next start -H 127.0.0.1` but leaves HOSTNAME unset, as a bare `next start`
  // (listening on every interface) would: the app cannot tell it is private, so it must warn.
  const stack = setupStack();

  it("warns in the server log and on /diagnostics", async () => {
    expect(stack.app.log).toMatch(
      /\[Server\] WARN listening beyond loopback without ACCESS_PASSWORD/,
    );
    const page = await stack.client.request("/diagnostics", {
      headers: { "accept-language": "en" },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain("anyone who can reach it can spend your key");
    stack.expectNoKeyLeak();
  });
});
