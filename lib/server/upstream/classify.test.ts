import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ErrorCode } from "@/lib/contracts/errors";
import {
  classifyJobFailure,
  classifyUpstreamError,
  createMayHaveBeenAccepted,
  isCreateRetryable,
  isIdempotentRetryable,
  UpstreamTimeout,
} from "./classify";

interface Row {
  name: string;
  status: number;
  body: string;
  headers?: Record<string, string>;
  operation?: "create" | "poll" | "content" | "models" | "stream";
  code: ErrorCode;
  /** May the create be sent again automatically? */
  retryCreate: boolean;
  /** May a create that ended like this have been accepted anyway? (default false) */
  mayBeBilled?: boolean;
  requestId?: string;
}

const html524 =
  "<html><head><title>example.com | 524: A timeout occurred</title></head><body>…</body></html>";

/** Bodies copied verbatim from reference/upstream-protocols.md §3 and §7 (with their elisions). */
const REFERENCE_ROWS: Row[] = [
  // §3 OpenAI
  {
    name: "OpenAI 401 bad key",
    status: 401,
    body: '{"error":{"message":"Incorrect API key provided: sk-…","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}',
    code: "invalid_api_key",
    retryCreate: false,
  },
  {
    name: "OpenAI 429 out of quota",
    status: 429,
    body: '{"error":{"message":"You exceeded your current quota, please check your plan and billing details. …","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}',
    code: "insufficient_quota",
    retryCreate: false,
  },
  {
    name: "OpenAI 503 overloaded",
    status: 503,
    body: '{"error":{"message":"Our servers are currently overloaded. Please try again later.","type":"server_error","param":null,"code":"server_is_overloaded"}}',
    code: "upstream_unavailable",
    retryCreate: true,
  },
  // §3 new-api
  {
    name: "new-api token without model access (403)",
    status: 403,
    body: '{"error":{"message":"This token has no access to model sora-2 (request id: 20250101000000000000001)","type":"new_api_error","code":"access_denied"}}',
    code: "forbidden",
    retryCreate: false,
    requestId: "20250101000000000000001",
  },
  {
    name: "new-api 未提供令牌 (issue #2363, verbatim)",
    status: 401,
    body: '{"error":{"code":"","message":"未提供令牌(request id:2025…)","type":"new_api_error"}}',
    code: "invalid_api_key",
    retryCreate: false,
  },
  {
    name: "new-api zh no channel",
    status: 503,
    body: '{"error":{"message":"分组 default 下模型 sora_video2 无可用渠道（distributor）","type":"new_api_error","code":"model_not_found"}}',
    code: "no_available_channel",
    retryCreate: false,
  },
  {
    name: "new-api failed to get channel",
    status: 503,
    body: '{"error":{"message":"Failed to get available channel for model sora_video2 (distributor): …","type":"new_api_error","code":"model_not_found"}}',
    code: "no_available_channel",
    retryCreate: false,
  },
  {
    name: "new-api token exhausted",
    status: 401,
    body: '{"error":{"message":"该令牌额度已用尽 TokenStatusExhausted[sk-xx***yy]","type":"new_api_error","code":""}}',
    code: "insufficient_quota",
    retryCreate: false,
  },
  {
    name: "new-api 预扣费额度失败 (403)",
    status: 403,
    body: '{"error":{"message":"预扣费额度失败, 用户剩余额度: …, 需要预扣费额度: …","type":"new_api_error","param":"","code":"insufficient_user_quota"}}',
    code: "insufficient_quota",
    retryCreate: false,
  },
  {
    name: "yunwu saturated (task route 429)",
    status: 429,
    body: '{"code":"do_response_failed","message":"当前分组上游负载已饱和，请稍后再试"}',
    code: "rate_limited",
    retryCreate: true,
  },
  // §3 one-api
  {
    name: "one-api expired token",
    status: 401,
    body: '{"error":{"message":"该令牌已过期","type":"one_api_error"}}',
    code: "invalid_api_key",
    retryCreate: false,
  },
  {
    name: "one-api user quota (403)",
    status: 403,
    body: '{"error":{"message":"user quota is not enough","type":"one_api_error","code":"insufficient_user_quota"}}',
    code: "insufficient_quota",
    retryCreate: false,
  },
  // §3 CDN pages
  {
    name: "Cloudflare 504 page",
    status: 504,
    body: "<html><head><title>504: Gateway time-out</title></head><body></body></html>",
    headers: { "content-type": "text/html" },
    code: "gateway_timeout",
    retryCreate: false,
  },
  // §7 fault table
  {
    name: "§7 relay: no channel",
    status: 503,
    body: '{"error":{"message":"No available channel for model sora_video2 under group default (distributor) (request id: 20250101000000000000000)","type":"new_api_error","code":"model_not_found"}}',
    code: "no_available_channel",
    retryCreate: false,
    requestId: "20250101000000000000000",
  },
  {
    name: "§7 one-api: no channel",
    status: 503,
    body: '{"error":{"message":"当前分组 default 下对于模型 sora_video2 无可用渠道 (request id: 2025…)","type":"one_api_error"}}',
    code: "no_available_channel",
    retryCreate: false,
  },
  {
    name: "§7 upstream 503 passed through",
    status: 503,
    body: '{"error":{"message":"bad response status code 503 (request id: …)","type":"upstream_error","param":"503","code":"bad_response_status_code"}}',
    code: "upstream_unavailable",
    retryCreate: true,
  },
  {
    name: "§7 task route: saturated (retry-after 2)",
    status: 429,
    body: '{"code":"fail_to_fetch_task","message":"当前分组上游负载已饱和，请稍后再试","data":null}',
    headers: { "retry-after": "2" },
    code: "rate_limited",
    retryCreate: true,
  },
  {
    name: "§7 chat route: saturated",
    status: 429,
    body: '{"error":{"message":"当前分组上游负载已饱和，请稍后再试 (request id: …)","type":"upstream_error","param":"","code":"rate_limit_exceeded"}}',
    code: "rate_limited",
    retryCreate: true,
  },
  {
    name: "§7 invalid key (OpenAI)",
    status: 401,
    body: '{"error":{"message":"Incorrect API key provided: sk-abc***xyz.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}',
    code: "invalid_api_key",
    retryCreate: false,
  },
  {
    name: "§7 invalid key (relay)",
    status: 401,
    body: '{"error":{"message":"无效的令牌 (request id: …)","type":"new_api_error","code":""}}',
    code: "invalid_api_key",
    retryCreate: false,
  },
  {
    name: "§7 relay quota (403)",
    status: 403,
    body: '{"error":{"message":"用户额度不足, 剩余额度: ＄0.000000 (request id: …)","type":"new_api_error","param":"","code":"insufficient_user_quota"}}',
    code: "insufficient_quota",
    retryCreate: false,
  },
  {
    name: "§7 OpenAI quota (429)",
    status: 429,
    body: '{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}',
    code: "insufficient_quota",
    retryCreate: false,
  },
  {
    name: "§7 OpenAI quota variant credit_balance_exhausted",
    status: 429,
    body: '{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"credit_balance_exhausted"}}',
    code: "insufficient_quota",
    retryCreate: false,
  },
  {
    name: "§7 402 (some relays)",
    status: 402,
    body: '{"error":{"message":"Insufficient balance: …","type":"insufficient_quota","code":"insufficient_balance"}}',
    code: "insufficient_quota",
    retryCreate: false,
  },
  {
    name: "§7 gateway timeout 524",
    status: 524,
    body: html524,
    headers: { "content-type": "text/html" },
    code: "gateway_timeout",
    retryCreate: false,
  },
  {
    name: "§7 gateway timeout 504 (same page)",
    status: 504,
    body: html524,
    headers: { "content-type": "text/html" },
    code: "gateway_timeout",
    retryCreate: false,
  },
  {
    name: "§7 bad seconds",
    status: 400,
    body: `{"error":{"message":"Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead.","type":"invalid_request_error","param":"seconds","code":null}}`,
    code: "bad_request",
    retryCreate: false,
  },
  {
    name: "§7 error inside a 200 stream (sentinel_block)",
    status: 200,
    operation: "stream",
    body: '{"error": {"message": "API request failed: 400 - …sentinel_block…", "type": "server_error", "param": null, "code": null}}',
    code: "generation_failed",
    retryCreate: false,
  },
];

/** Shapes beyond the reference's literal bodies that the rules must still cover. */
const EXTRA_ROWS: Row[] = [
  {
    name: "OpenAI 429 rate limit",
    status: 429,
    body: '{"error":{"message":"Rate limit reached for requests per min. Please try again in 2s.","type":"requests","param":null,"code":"rate_limit_exceeded"}}',
    code: "rate_limited",
    retryCreate: true,
  },
  {
    name: "OpenAI 404 unknown model",
    status: 404,
    body: '{"error":{"message":"The model `sora-3` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}',
    code: "model_not_found",
    retryCreate: false,
  },
  {
    name: "moderation 400",
    status: 400,
    body: '{"error":{"message":"Your request was blocked by our moderation system.","type":"invalid_request_error","param":"prompt","code":"moderation_blocked"}}',
    code: "content_policy",
    retryCreate: false,
  },
  {
    name: "404 on create without model words: wrong endpoint",
    status: 404,
    body: '{"error":{"message":"Invalid URL (POST /v1/videos)","type":"invalid_request_error","param":null,"code":null}}',
    code: "protocol_error",
    retryCreate: false,
  },
  {
    name: "404 on poll: unknown job",
    status: 404,
    operation: "poll",
    body: `{"error":{"message":"Video with id 'video_x' not found.","type":"invalid_request_error","param":null,"code":"video_not_found"}}`,
    code: "generation_failed",
    retryCreate: false,
  },
  {
    name: "413",
    status: 413,
    body: "request entity too large",
    code: "bad_request",
    retryCreate: false,
  },
  { name: "415", status: 415, body: "", code: "bad_request", retryCreate: false },
  {
    name: "422",
    status: 422,
    body: '{"detail":"field required"}',
    code: "bad_request",
    retryCreate: false,
  },
  {
    name: "500 is not provably unaccepted",
    status: 500,
    body: '{"error":{"message":"internal error","type":"server_error"}}',
    code: "upstream_unavailable",
    retryCreate: false,
  },
  {
    name: "502 Cloudflare page",
    status: 502,
    body: "<!DOCTYPE html><html><head><title>example.com | 502: Bad gateway</title></head></html>",
    headers: { "content-type": "text/html" },
    code: "upstream_unavailable",
    // The relay may have forwarded the create before the proxy gave up: never resent.
    retryCreate: false,
    mayBeBilled: true,
  },
  {
    name: "503 empty body",
    status: 503,
    body: "",
    code: "upstream_unavailable",
    retryCreate: true,
  },
  {
    name: "HTML page on a 200",
    status: 200,
    operation: "create",
    body: "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
    headers: { "content-type": "text/html" },
    code: "protocol_error",
    retryCreate: false,
  },
  {
    name: "x-should-retry: true on a 500",
    status: 500,
    body: "{}",
    headers: { "x-should-retry": "true" },
    code: "upstream_unavailable",
    retryCreate: true,
  },
  {
    name: "x-should-retry: false on a 503",
    status: 503,
    body: "{}",
    headers: { "x-should-retry": "false" },
    code: "upstream_unavailable",
    retryCreate: false,
  },
  {
    name: "x-should-retry: true never resubmits a 524",
    status: 524,
    body: html524,
    headers: { "x-should-retry": "true" },
    code: "gateway_timeout",
    retryCreate: false,
  },
  {
    name: "task route wrapping an upstream quota body",
    status: 403,
    body: JSON.stringify({
      code: "fail_to_fetch_task",
      message: '{"error":{"message":"quota exhausted","code":"insufficient_user_quota"}}',
      data: null,
    }),
    code: "insufficient_quota",
    retryCreate: false,
  },
];

describe("classifyUpstreamError: reference bodies", () => {
  it.each([...REFERENCE_ROWS, ...EXTRA_ROWS])("$name → $code", (row) => {
    const error = classifyUpstreamError({
      status: row.status,
      headers: new Headers(row.headers),
      body: row.body,
      operation: row.operation ?? "create",
      model: "sora_video2",
      host: "relay.example",
    });
    expect(error.code).toBe(row.code);
    expect(isCreateRetryable(error)).toBe(row.retryCreate);
    if (row.operation === undefined || row.operation === "create") {
      expect(createMayHaveBeenAccepted(error)).toBe(
        row.mayBeBilled ?? (row.code === "gateway_timeout" || row.code === "protocol_error"),
      );
    }
    expect(error.options.status).toBe(row.status);
    expect(error.options.params).toEqual({ model: "sora_video2", host: "relay.example" });
    expect(error.options.upstreamMessage).toBeTruthy();
    if (row.requestId) expect(error.options.upstreamRequestId).toBe(row.requestId);
  });

  it("reads the request id from the x-request-id header first, then the message", () => {
    const body =
      '{"error":{"message":"无效的令牌 (request id: 2025112600000012345)","type":"new_api_error","code":""}}';
    const fromHeader = classifyUpstreamError({
      status: 401,
      headers: new Headers({ "x-request-id": "req_header_1" }),
      body,
      operation: "create",
    });
    expect(fromHeader.options.upstreamRequestId).toBe("req_header_1");
    const fromMessage = classifyUpstreamError({ status: 401, body, operation: "create" });
    expect(fromMessage.options.upstreamRequestId).toBe("2025112600000012345");
    const compact = classifyUpstreamError({
      status: 401,
      body: '{"error":{"code":"","message":"未提供令牌(request id:20251126ABC)","type":"new_api_error"}}',
      operation: "create",
    });
    expect(compact.options.upstreamRequestId).toBe("20251126ABC");
  });

  it("falls back to the Cloudflare ray id for HTML pages", () => {
    const error = classifyUpstreamError({
      status: 524,
      headers: new Headers({ "content-type": "text/html", "cf-ray": "8a1b2c3d4e5f-LAX" }),
      body: html524,
      operation: "create",
    });
    expect(error.options.upstreamRequestId).toBe("8a1b2c3d4e5f-LAX");
    expect(error.options.upstreamMessage).toBe("example.com | 524: A timeout occurred");
  });

  it.each([
    {
      header: "retry-after-ms",
      value: "1500",
      body: '{"code":"fail_to_fetch_task","message":"当前分组上游负载已饱和，请稍后再试","data":null}',
      retryAfterMs: 1500,
    },
    { header: "Retry-After", value: "2", body: "", retryAfterMs: 2000 },
  ])("keeps $header for the retry loop", ({ header, value, body, retryAfterMs }) => {
    const error = classifyUpstreamError({
      status: 429,
      headers: new Headers({ [header]: value }),
      body,
      operation: "create",
    });
    expect(error.retryAfterMs).toBe(retryAfterMs);
  });
});

describe("classifyUpstreamError: the key never survives", () => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const fakeKey = `sk-${Array.from(randomBytes(48), (b) => alphabet[b % alphabet.length]).join("")}`;

  it.each([
    {
      status: 401,
      body: JSON.stringify({
        error: { message: `Incorrect API key provided: ${fakeKey}.`, code: "invalid_api_key" },
      }),
    },
    {
      status: 403,
      body: JSON.stringify({ code: "x", message: `token ${fakeKey} is disabled`, data: null }),
    },
    { status: 500, body: `upstream said: Authorization: Bearer ${fakeKey}` },
    { status: 502, body: `<html><head><title>bad gateway ${fakeKey}</title></head></html>` },
  ])("status $status", ({ status, body }) => {
    const error = classifyUpstreamError({ status, body, operation: "create" });
    const text = `${error.options.upstreamMessage ?? ""} ${error.message}`;
    expect(text).not.toContain(fakeKey);
    expect(text).not.toContain(fakeKey.slice(10, 18));
  });
});

describe("classifyUpstreamError: thrown errors", () => {
  const fetchFailed = (code: string) =>
    Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code }),
    });

  it.each([
    { code: "ECONNREFUSED", operation: "create", expected: "network_error", retryCreate: true },
    { code: "ENOTFOUND", operation: "create", expected: "network_error", retryCreate: true },
    { code: "EAI_AGAIN", operation: "create", expected: "network_error", retryCreate: true },
    { code: "ECONNRESET", operation: "create", expected: "interrupted", retryCreate: false },
    { code: "UND_ERR_SOCKET", operation: "create", expected: "interrupted", retryCreate: false },
    { code: "ECONNRESET", operation: "poll", expected: "network_error", retryCreate: false },
    {
      code: "CERT_HAS_EXPIRED",
      operation: "create",
      expected: "network_error",
      retryCreate: false,
    },
  ] as const)("$code on $operation → $expected", ({ code, operation, expected, retryCreate }) => {
    const error = classifyUpstreamError({
      error: fetchFailed(code),
      operation,
      host: "relay.example",
    });
    expect(error.code).toBe(expected);
    expect(isCreateRetryable(error)).toBe(retryCreate);
    expect(error.options.upstreamMessage).toContain(code);
  });

  it("a reset after the stream started is interrupted", () => {
    const error = classifyUpstreamError({
      error: fetchFailed("UND_ERR_SOCKET"),
      operation: "stream",
      streamStarted: true,
    });
    expect(error.code).toBe("interrupted");
  });

  it("our own timeouts are `timeout`: never resubmitted, but polls may retry", () => {
    const error = classifyUpstreamError({
      error: new UpstreamTimeout("headers", 500),
      operation: "create",
    });
    expect(error.code).toBe("timeout");
    expect(isCreateRetryable(error)).toBe(false);
    expect(isIdempotentRetryable(error)).toBe(true);
  });
});

describe("classifyJobFailure", () => {
  it("moderation codes → content_policy", () => {
    const error = classifyJobFailure(
      { code: "moderation_blocked", message: "Your request was blocked by our moderation system." },
      { host: "relay.example" },
    );
    expect(error.code).toBe("content_policy");
    expect(error.options.upstreamMessage).toBe(
      "Your request was blocked by our moderation system.",
    );
  });

  it("anything else → generation_failed", () => {
    expect(classifyJobFailure({ message: "Upstream API timeout" }, {}).code).toBe(
      "generation_failed",
    );
  });
});

describe("isIdempotentRetryable", () => {
  it.each([
    { status: 503, body: "", retry: true },
    { status: 429, body: "", retry: true },
    { status: 504, body: "", retry: true },
    { status: 401, body: "", retry: false },
    { status: 404, body: "", retry: false },
    {
      status: 503,
      body: '{"error":{"message":"No available channel for model m under group default (distributor)","code":"model_not_found"}}',
      retry: false,
    },
  ])("poll answered $status → $retry", ({ status, body, retry }) => {
    expect(isIdempotentRetryable(classifyUpstreamError({ status, body, operation: "poll" }))).toBe(
      retry,
    );
  });
});
