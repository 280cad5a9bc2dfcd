import { describe, expect, it } from "vitest";
import { parseDirectives, parseFaultList } from "./faults";
import { startSimulator } from "./server";
import {
  KEY,
  TEST_SPEED,
  api,
  stats,
  useSimulator,
  videoForm,
  waitFor,
  type ApiInit,
} from "./test-support";

/**
 * The documented answers, written out literally (not imported from the implementation) so a
 * change to a body is a visible change to this spec. `rid` is the response's x-request-id.
 */
interface FaultCase {
  fault: string;
  status: number;
  headers?: Record<string, string>;
  body: (model: string, rid: string) => string;
}

const JSON_CT = "application/json; charset=utf-8";

const createFaults: FaultCase[] = [
  {
    fault: "no_channel",
    status: 503,
    body: (m, rid) =>
      `{"error":{"message":"No available channel for model ${m} under group default (distributor) (request id: ${rid})","type":"new_api_error","code":"model_not_found"}}`,
  },
  {
    fault: "no_channel_zh",
    status: 503,
    body: (m, rid) =>
      `{"error":{"message":"当前分组 default 下对于模型 ${m} 无可用渠道 (request id: ${rid})","type":"one_api_error"}}`,
  },
  {
    fault: "upstream_503",
    status: 503,
    body: (_m, rid) =>
      `{"error":{"message":"bad response status code 503 (request id: ${rid})","type":"upstream_error","param":"503","code":"bad_response_status_code"}}`,
  },
  {
    fault: "overloaded",
    status: 503,
    body: () =>
      `{"error":{"message":"Our servers are currently overloaded. Please try again later.","type":"server_error","param":null,"code":"server_is_overloaded"}}`,
  },
  {
    fault: "saturated",
    status: 429,
    headers: { "retry-after": "2" },
    body: () =>
      `{"code":"fail_to_fetch_task","message":"当前分组上游负载已饱和，请稍后再试","data":null}`,
  },
  {
    fault: "saturated_ms",
    status: 429,
    headers: { "retry-after-ms": "1500" },
    body: () =>
      `{"code":"fail_to_fetch_task","message":"当前分组上游负载已饱和，请稍后再试","data":null}`,
  },
  {
    fault: "chat_saturated",
    status: 429,
    body: (_m, rid) =>
      `{"error":{"message":"当前分组上游负载已饱和，请稍后再试 (request id: ${rid})","type":"upstream_error","param":"","code":"rate_limit_exceeded"}}`,
  },
  {
    fault: "invalid_key",
    status: 401,
    body: () =>
      `{"error":{"message":"Incorrect API key provided: sk-sim***est.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`,
  },
  {
    fault: "invalid_key_relay",
    status: 401,
    body: (_m, rid) =>
      `{"error":{"message":"无效的令牌 (request id: ${rid})","type":"new_api_error","code":""}}`,
  },
  {
    fault: "relay_quota",
    status: 403,
    body: (_m, rid) =>
      `{"error":{"message":"用户额度不足, 剩余额度: ＄0.000000 (request id: ${rid})","type":"new_api_error","param":"","code":"insufficient_user_quota"}}`,
  },
  {
    fault: "quota",
    status: 429,
    body: () =>
      `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`,
  },
  {
    fault: "credit_exhausted",
    status: 429,
    body: () =>
      `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"credit_balance_exhausted"}}`,
  },
  {
    fault: "payment_required",
    status: 402,
    body: () =>
      `{"error":{"message":"Insufficient balance: 0.00 USD available, 0.40 USD required","type":"insufficient_quota","code":"insufficient_balance"}}`,
  },
  {
    fault: "no_access",
    status: 403,
    body: (m, rid) =>
      `{"error":{"message":"This token has no access to model ${m} (request id: ${rid})","type":"new_api_error","code":"access_denied"}}`,
  },
  {
    fault: "bad_seconds",
    status: 400,
    body: () =>
      `{"error":{"message":"Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead.","type":"invalid_request_error","param":"seconds","code":null}}`,
  },
  {
    fault: "content_policy_400",
    status: 400,
    body: () =>
      `{"error":{"message":"Your request was blocked by our moderation system.","type":"invalid_request_error","param":"prompt","code":"moderation_blocked"}}`,
  },
];

const endpoints = [
  {
    name: "POST /v1/videos (multipart)",
    model: "sora-2",
    send: (base: string, prompt: string, init: ApiInit = {}) =>
      api(base, "/v1/videos", {
        method: "POST",
        body: videoForm({ prompt, model: "sora-2", seconds: "4" }),
        ...init,
      }),
  },
  {
    name: "POST /v1/chat/completions",
    model: "sora_video2",
    send: (base: string, prompt: string, init: ApiInit = {}) =>
      api(base, "/v1/chat/completions", {
        json: { model: "sora_video2", stream: true, messages: [{ role: "user", content: prompt }] },
        ...init,
      }),
  },
  {
    name: "POST /v1/video/generations",
    model: "sora-2",
    send: (base: string, prompt: string, init: ApiInit = {}) =>
      api(base, "/v1/video/generations", { json: { model: "sora-2", prompt }, ...init }),
  },
];

describe("create-time faults", () => {
  const sim = useSimulator();

  for (const endpoint of endpoints) {
    describe(endpoint.name, () => {
      it.each(createFaults)("[[sim:$fault]] → $status with the documented body", async (c) => {
        const res = await endpoint.send(sim.url, `a red fox [[sim:${c.fault}]]`);
        const rid = res.headers.get("x-request-id") ?? "";
        expect(rid).toMatch(/^sim-\d+-[0-9a-f]{8}$/);
        expect(res.status).toBe(c.status);
        expect(res.headers.get("content-type")).toBe(JSON_CT);
        for (const [name, value] of Object.entries(c.headers ?? {})) {
          expect(res.headers.get(name)).toBe(value);
        }
        expect(await res.text()).toBe(c.body(endpoint.model, rid));
        const s = await stats(sim.url);
        expect(s.creates.total).toEqual({ attempts: 1, accepted: 0 });
        expect(s.jobs).toBe(0);
      });

      it.each([
        [504, "Gateway time-out"],
        [524, "A timeout occurred"],
      ])("[[sim:gateway_%i]] → Cloudflare HTML page", async (status, title) => {
        const res = await endpoint.send(sim.url, `a red fox [[sim:gateway_${status}]]`);
        expect(res.status).toBe(status);
        expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
        expect(res.headers.get("server")).toBe("cloudflare");
        const ray = res.headers.get("cf-ray") ?? "";
        expect(ray).toMatch(/^[0-9a-f]{16}-LAX$/);
        const html = await res.text();
        expect(html).toContain(`<title>example.com | ${status}: ${title}</title>`);
        expect(html).toContain(`Error code ${status}`);
        expect(html).toContain(`Cloudflare Ray ID: <strong>${ray.slice(0, 16)}</strong>`);
      });

      it("[[sim:hang]] accepts the request and never answers", async () => {
        const started = Date.now();
        const outcome = await endpoint
          .send(sim.url, "a red fox [[sim:hang]]", { signal: AbortSignal.timeout(300) })
          .then((res) => `answered ${res.status}`)
          .catch((e: unknown) => (e as Error).name);
        expect(outcome).toBe("TimeoutError");
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
        const s = await stats(sim.url);
        expect(s.creates.total).toEqual({ attempts: 1, accepted: 0 });
        expect(s.faults).toEqual({ hang: 1 });
      });
    });
  }
});

describe("choosing faults", () => {
  const sim = useSimulator();
  const create = (prompt: string, init: ApiInit = {}) =>
    api(sim.url, "/v1/videos", {
      method: "POST",
      body: videoForm({ prompt, seconds: "4" }),
      ...init,
    });

  it("a counted directive fails the first N creates of that exact prompt, then succeeds", async () => {
    const prompt = "a lighthouse [[sim:upstream_503*2]]";
    expect((await create(prompt)).status).toBe(503);
    expect((await create(prompt)).status).toBe(503);
    const third = await create(prompt);
    expect(third.status).toBe(200);
    expect(((await third.json()) as { status: string }).status).toBe("queued");
    expect((await create(`${prompt} `)).status).toBe(503);
    const s = await stats(sim.url);
    expect(s.creates.byPrompt[prompt]).toEqual({ attempts: 3, accepted: 1 });
    expect(s.creates.byPrompt[`${prompt} `]).toEqual({ attempts: 1, accepted: 0 });
    expect(s.creates.total).toEqual({ attempts: 4, accepted: 1 });
    expect(s.faults.upstream_503).toBe(3);
  });

  it("the x-sim-fault header selects a fault without touching the prompt", async () => {
    const res = await create("a lighthouse", { headers: { "x-sim-fault": "quota" } });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "insufficient_quota",
    );
  });

  it("an unknown directive is a 400 that names it", async () => {
    const res = await create("a lighthouse [[sim:no_chanel]]");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: "Unknown simulator directive: [[sim:no_chanel]]. See simulator/README.md.",
        type: "invalid_request_error",
        param: "prompt",
        code: "sim_unknown_directive",
      },
    });
  });

  it("--fault applies to every create of the server", async () => {
    const wide = await startSimulator({
      port: 0,
      quiet: true,
      speed: TEST_SPEED,
      fault: "no_channel_zh",
    });
    try {
      const res = await api(wide.url, "/v1/chat/completions", {
        json: { model: "sora_video2-landscape", messages: [{ role: "user", content: "hi" }] },
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /^当前分组 default 下对于模型 sora_video2-landscape 无可用渠道 \(request id: sim-/,
      );
    } finally {
      await wide.close();
    }
  });

  it("close() ends hanging and stalled connections instead of waiting for them", async () => {
    const own = await startSimulator({ port: 0, quiet: true, speed: TEST_SPEED });
    const hanging = api(own.url, "/v1/videos", {
      body: videoForm({ prompt: "[[sim:hang]]" }),
    }).catch((e: unknown) => e);
    const stalled = await api(own.url, "/v1/chat/completions", {
      json: { stream: true, messages: [{ role: "user", content: "[[sim:stall_ping]]" }] },
    });
    const draining = stalled.text().catch((e: unknown) => e);
    await waitFor(async () =>
      (await stats(own.url)).creates.total.attempts === 2 ? true : undefined,
    );
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await hanging).toBeInstanceOf(Error);
    expect(await draining).toBeInstanceOf(Error);
  });

  it("rejects an unknown --fault at start", async () => {
    await expect(startSimulator({ port: 0, quiet: true, fault: "nope" })).rejects.toThrow(
      "unknown fault: nope",
    );
  });
});

describe("keys", () => {
  const sim = useSimulator();
  const models = (authorization: string | null) =>
    fetch(`${sim.url}/v1/models`, { headers: authorization ? { authorization } : {} });

  it("accepts any sk- key with or without Bearer", async () => {
    expect((await models(`Bearer ${KEY}`)).status).toBe(200);
    expect((await models(KEY)).status).toBe(200);
  });

  it("without a key answers new-api's 未提供令牌", async () => {
    const res = await models(null);
    const rid = res.headers.get("x-request-id");
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(
      `{"error":{"code":"","message":"未提供令牌(request id:${rid})","type":"new_api_error"}}`,
    );
  });

  it("a key without the sk- prefix is 无效的令牌", async () => {
    const res = await models("Bearer abc123");
    const rid = res.headers.get("x-request-id");
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(
      `{"error":{"message":"无效的令牌 (request id: ${rid})","type":"new_api_error","code":""}}`,
    );
  });

  it("a key containing 'invalid' gets OpenAI's invalid_api_key with the key masked", async () => {
    const res = await models("Bearer sk-invalid-0123456789");
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(
      `{"error":{"message":"Incorrect API key provided: sk-inv***789.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`,
    );
  });

  it("a key containing 'expired' is 该令牌已过期", async () => {
    const res = await models("Bearer sk-expired-demo");
    const rid = res.headers.get("x-request-id");
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(
      `{"error":{"message":"该令牌已过期 (request id: ${rid})","type":"new_api_error","code":""}}`,
    );
  });

  it("'exhausted' and 'noaccess' keys authenticate but cannot generate", async () => {
    for (const key of ["sk-exhausted-demo", "sk-noaccess-demo"]) {
      expect((await api(sim.url, "/v1/models", { key })).status).toBe(200);
    }
    const exhausted = await api(sim.url, "/v1/videos", {
      key: "sk-exhausted-demo",
      body: videoForm({ prompt: "x" }),
    });
    expect(exhausted.status).toBe(403);
    expect(((await exhausted.json()) as { error: { code: string } }).error.code).toBe(
      "insufficient_user_quota",
    );
    const noaccess = await api(sim.url, "/v1/chat/completions", {
      key: "sk-noaccess-demo",
      json: { model: "sora_video2-15s", messages: [{ role: "user", content: "x" }] },
    });
    const rid = noaccess.headers.get("x-request-id");
    expect(noaccess.status).toBe(403);
    expect(await noaccess.text()).toBe(
      `{"error":{"message":"This token has no access to model sora_video2-15s (request id: ${rid})","type":"new_api_error","code":"access_denied"}}`,
    );
  });

  it("billing shows the exhausted key's balance at zero", async () => {
    const sub = await (await api(sim.url, "/v1/dashboard/billing/subscription")).json();
    const usage = await (await api(sim.url, "/v1/dashboard/billing/usage")).json();
    expect(sub).toMatchObject({ object: "billing_subscription", hard_limit_usd: 100 });
    expect(usage).toEqual({ object: "list", total_usage: 1234 });
    const key = "sk-exhausted-demo";
    const subX = (await (
      await api(sim.url, "/dashboard/billing/subscription", { key })
    ).json()) as {
      hard_limit_usd: number;
    };
    const usageX = (await (await api(sim.url, "/v1/dashboard/billing/usage", { key })).json()) as {
      total_usage: number;
    };
    expect(usageX.total_usage).toBe(subX.hard_limit_usd * 100);
  });
});

describe("directive parsing", () => {
  it.each([
    ["plain prompt", { faults: [], outages: {}, problems: [] }],
    ["x [[sim:stall]] y", { faults: [{ name: "stall" }], outages: {}, problems: [] }],
    ["[[sim:poll_503*2]]", { faults: [{ name: "poll_503", count: 2 }], outages: {}, problems: [] }],
    [
      "[[sim:style=reasoning]][[sim:speed=2.5]][[sim:reset]]",
      { faults: [{ name: "reset" }], style: "reasoning", speed: 2.5, outages: {}, problems: [] },
    ],
    [
      "[[sim:poll_outage=30000]] [[sim:content_outage=500]] [[sim:content_outage=x]]",
      {
        faults: [],
        outages: { poll: 30000, content: 500 },
        problems: ["[[sim:content_outage=x]]"],
      },
    ],
    [
      "[[sim:style=fancy]] [[sim:nope]]",
      { faults: [], outages: {}, problems: ["[[sim:style=fancy]]", "[[sim:nope]]"] },
    ],
  ])("%s", (prompt, expected) => {
    expect(parseDirectives(prompt)).toEqual(expected);
  });

  it("parses comma-separated fault lists", () => {
    expect(parseFaultList("quirks, poll_503*1,bogus")).toEqual({
      faults: [{ name: "quirks" }, { name: "poll_503", count: 1 }],
      problems: ["bogus"],
    });
  });
});

describe("echo_key: a relay that repeats the presented key in full", () => {
  const sim = useSimulator();
  const echoSim = useSimulator({ fault: "echo_key" });
  const token = `relay-token-${Date.now().toString(36)}-abcdefghij`;

  it("--fault echo_key: the 401 for a non-sk key carries the whole key", async () => {
    const res = await api(echoSim.url, "/v1/models", { key: token });
    const rid = res.headers.get("x-request-id");
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(
      `{"error":{"message":"无效的令牌 (request id: ${rid}) (token: ${token})","type":"new_api_error","code":""}}`,
    );
    expect((await stats(echoSim.url)).faults).toEqual({ echo_key: 1 });
  });

  it("also in other error bodies (a 400 of a valid key), and not in successes", async () => {
    const bad = await api(echoSim.url, "/v1/videos", { body: videoForm({ prompt: "" }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain(`(token: ${KEY})`);
    const ok = await api(echoSim.url, "/v1/models");
    expect(await ok.text()).not.toContain(KEY);
  });

  it("per request: the x-sim-fault header or a prompt directive", async () => {
    const viaHeader = await api(sim.url, "/v1/models", {
      key: token,
      headers: { "x-sim-fault": "echo_key" },
    });
    expect(await viaHeader.text()).toContain(token);
    const plain = await api(sim.url, "/v1/models", { key: token });
    expect(await plain.text()).not.toContain(token);
    const viaPrompt = await api(sim.url, "/v1/videos", {
      body: videoForm({ prompt: "x [[sim:echo_key]] [[sim:no_channel]]" }),
    });
    expect(viaPrompt.status).toBe(503);
    expect(((await viaPrompt.json()) as { error: { message: string } }).error.message).toContain(
      `(token: ${KEY})`,
    );
  });
});

describe("media_url: the relay hands out a link to somewhere else", () => {
  const sim = useSimulator();
  const elsewhere = "http://127.0.0.1:9/secret.json";
  const finished = async (path: string) =>
    waitFor(async () => {
      const body = (await (await api(sim.url, path)).json()) as Record<string, unknown>;
      const status = String(body.status ?? (body.data as Record<string, unknown>)?.status);
      return /completed|SUCCESS/.test(status) ? body : undefined;
    });

  it("[[sim:media_url=…]] on /v1/videos: /content redirects there; with content_json it is the {url}", async () => {
    const created = (await (
      await api(sim.url, "/v1/videos", {
        body: videoForm({ prompt: `a [[sim:media_url=${elsewhere}]]` }),
      })
    ).json()) as { id: string };
    await finished(`/v1/videos/${created.id}`);
    const content = await api(sim.url, `/v1/videos/${created.id}/content`, { redirect: "manual" });
    expect(content.status).toBe(302);
    expect(content.headers.get("location")).toBe(elsewhere);

    const json = (await (
      await api(sim.url, "/v1/videos", {
        body: videoForm({ prompt: `b [[sim:media_url=${elsewhere}]] [[sim:content_json]]` }),
      })
    ).json()) as { id: string };
    await finished(`/v1/videos/${json.id}`);
    expect(await (await api(sim.url, `/v1/videos/${json.id}/content`)).json()).toEqual({
      url: elsewhere,
    });
  });

  it("tasks and chat results carry the link", async () => {
    const task = (await (
      await api(sim.url, "/v1/video/generations", {
        json: { model: "veo-3-fast", prompt: `c [[sim:media_url=${elsewhere}]]` },
      })
    ).json()) as { task_id: string };
    const done = (await finished(`/v1/video/generations/${task.task_id}`)) as {
      data: { result_url: string };
    };
    expect(done.data.result_url).toBe(elsewhere);
    const chat = await api(sim.url, "/v1/chat/completions", {
      json: {
        model: "sora_video2",
        stream: false,
        messages: [{ role: "user", content: `d [[sim:media_url=${elsewhere}]]` }],
      },
    });
    expect(await chat.text()).toContain(elsewhere);
  });

  it("the server option applies to every job, and a bad URL is refused at start", async () => {
    const other = await startSimulator({
      port: 0,
      speed: TEST_SPEED,
      quiet: true,
      mediaUrl: elsewhere,
    });
    try {
      const created = (await (
        await api(other.url, "/v1/videos", { body: videoForm({ prompt: "e" }) })
      ).json()) as { id: string };
      const location = await waitFor(async () => {
        const res = await api(other.url, `/v1/videos/${created.id}/content`, {
          redirect: "manual",
        });
        return res.status === 302 ? res.headers.get("location") : undefined;
      });
      expect(location).toBe(elsewhere);
    } finally {
      await other.close();
    }
    await expect(startSimulator({ port: 0, mediaUrl: "ftp://x" })).rejects.toThrow(
      "invalid media URL",
    );
  });
});
