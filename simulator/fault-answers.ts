import type { FaultName } from "./faults";

/**
 * The exact upstream answers the simulator gives: error bodies of relays and OpenAI (copied from
 * reference/upstream-protocols.md §3 and §7), the answer of each create-time fault, and the
 * `echo_key` fault that repeats the key into any error body.
 */

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FaultContext {
  model: string;
  requestId: string;
  apiKey: string;
}

/** An answer with a JSON body (what every JSON reply of the simulator is). */
export const jsonAnswer = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ErrorAnswer => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(body),
});

/** OpenAI's own masking, e.g. `sk-abc***xyz`. */
export function maskKeyLikeOpenAI(key: string): string {
  return key.length > 9 ? `${key.slice(0, 6)}***${key.slice(-3)}` : "sk-***";
}

export const bodies = {
  noChannel: (c: FaultContext) =>
    jsonAnswer(503, {
      error: {
        message: `No available channel for model ${c.model} under group default (distributor) (request id: ${c.requestId})`,
        type: "new_api_error",
        code: "model_not_found",
      },
    }),
  noChannelZh: (c: FaultContext) =>
    jsonAnswer(503, {
      error: {
        message: `当前分组 default 下对于模型 ${c.model} 无可用渠道 (request id: ${c.requestId})`,
        type: "one_api_error",
      },
    }),
  upstream503: (c: FaultContext) =>
    jsonAnswer(503, {
      error: {
        message: `bad response status code 503 (request id: ${c.requestId})`,
        type: "upstream_error",
        param: "503",
        code: "bad_response_status_code",
      },
    }),
  overloaded: () =>
    jsonAnswer(503, {
      error: {
        message: "Our servers are currently overloaded. Please try again later.",
        type: "server_error",
        param: null,
        code: "server_is_overloaded",
      },
    }),
  saturatedTask: (headers: Record<string, string>) =>
    jsonAnswer(
      429,
      { code: "fail_to_fetch_task", message: "当前分组上游负载已饱和，请稍后再试", data: null },
      headers,
    ),
  saturatedChat: (c: FaultContext) =>
    jsonAnswer(429, {
      error: {
        message: `当前分组上游负载已饱和，请稍后再试 (request id: ${c.requestId})`,
        type: "upstream_error",
        param: "",
        code: "rate_limit_exceeded",
      },
    }),
  invalidKey: (c: FaultContext) =>
    jsonAnswer(401, {
      error: {
        message: `Incorrect API key provided: ${maskKeyLikeOpenAI(c.apiKey)}.`,
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    }),
  relayToken: (message: string, c: Pick<FaultContext, "requestId">) =>
    jsonAnswer(401, {
      error: {
        message: `${message} (request id: ${c.requestId})`,
        type: "new_api_error",
        code: "",
      },
    }),
  /** new-api's auth middleware, verbatim from new-api issue #2363 (note the missing space). */
  missingToken: (c: Pick<FaultContext, "requestId">) =>
    jsonAnswer(401, {
      error: { code: "", message: `未提供令牌(request id:${c.requestId})`, type: "new_api_error" },
    }),
  relayQuota: (c: FaultContext) =>
    jsonAnswer(403, {
      error: {
        message: `用户额度不足, 剩余额度: ＄0.000000 (request id: ${c.requestId})`,
        type: "new_api_error",
        param: "",
        code: "insufficient_user_quota",
      },
    }),
  quota: (code: "insufficient_quota" | "credit_balance_exhausted") =>
    jsonAnswer(429, {
      error: {
        message: "You exceeded your current quota, please check your plan and billing details.",
        type: "insufficient_quota",
        param: null,
        code,
      },
    }),
  paymentRequired: () =>
    jsonAnswer(402, {
      error: {
        message: "Insufficient balance: 0.00 USD available, 0.40 USD required",
        type: "insufficient_quota",
        code: "insufficient_balance",
      },
    }),
  noAccess: (c: FaultContext) =>
    jsonAnswer(403, {
      error: {
        message: `This token has no access to model ${c.model} (request id: ${c.requestId})`,
        type: "new_api_error",
        code: "access_denied",
      },
    }),
  badSeconds: () =>
    jsonAnswer(400, {
      error: {
        message:
          "Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead.",
        type: "invalid_request_error",
        param: "seconds",
        code: null,
      },
    }),
  moderation: () =>
    jsonAnswer(400, {
      error: {
        message: "Your request was blocked by our moderation system.",
        type: "invalid_request_error",
        param: "prompt",
        code: "moderation_blocked",
      },
    }),
  invalidRequest: (status: number, message: string, param: string | null, code: string | null) =>
    jsonAnswer(status, { error: { message, type: "invalid_request_error", param, code } }),
  cloudflare: (status: 504 | 524, rayId: string) => ({
    status,
    headers: {
      "content-type": "text/html; charset=UTF-8",
      server: "cloudflare",
      "cf-ray": `${rayId}-LAX`,
    },
    body: cloudflarePage(status, rayId),
  }),
};

function cloudflarePage(status: 504 | 524, rayId: string): string {
  const title = status === 524 ? "A timeout occurred" : "Gateway time-out";
  return [
    "<!DOCTYPE html>",
    '<html lang="en-US">',
    `<head><title>example.com | ${status}: ${title}</title>`,
    '<meta charset="UTF-8" /></head>',
    "<body>",
    `<div id="cf-error-details"><h1>${title}</h1><span>Error code ${status}</span>`,
    `<p>Visit <a href="https://www.cloudflare.com/">cloudflare.com</a> for more information.</p>`,
    `<p>Cloudflare Ray ID: <strong>${rayId}</strong></p></div>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export type CreateFaultAnswer = ErrorAnswer | "hang";

export function createFaultAnswer(
  name: FaultName,
  c: FaultContext,
  rayId: string,
): CreateFaultAnswer | null {
  switch (name) {
    case "no_channel":
      return bodies.noChannel(c);
    case "no_channel_zh":
      return bodies.noChannelZh(c);
    case "upstream_503":
      return bodies.upstream503(c);
    case "overloaded":
      return bodies.overloaded();
    case "saturated":
      return bodies.saturatedTask({ "retry-after": "2" });
    case "saturated_ms":
      return bodies.saturatedTask({ "retry-after-ms": "1500" });
    case "chat_saturated":
      return bodies.saturatedChat(c);
    case "invalid_key":
      return bodies.invalidKey(c);
    case "invalid_key_relay":
      return bodies.relayToken("无效的令牌", c);
    case "relay_quota":
      return bodies.relayQuota(c);
    case "quota":
      return bodies.quota("insufficient_quota");
    case "credit_exhausted":
      return bodies.quota("credit_balance_exhausted");
    case "payment_required":
      return bodies.paymentRequired();
    case "no_access":
      return bodies.noAccess(c);
    case "gateway_504":
      return bodies.cloudflare(504, rayId);
    case "gateway_524":
      return bodies.cloudflare(524, rayId);
    case "bad_seconds":
      return bodies.badSeconds();
    case "content_policy_400":
      return bodies.moderation();
    case "hang":
    case "create_reply_lost":
      return "hang";
    default:
      return null;
  }
}

/**
 * `echo_key`: a careless relay that repeats the presented token, in full, in every error body it
 * sends (JSON `error.message` / `message`, or appended to a text body).
 */
export function echoKeyInto(answer: ErrorAnswer, key: string): ErrorAnswer {
  if (!key) return answer;
  const suffix = ` (token: ${key})`;
  try {
    const json = JSON.parse(answer.body) as Record<string, unknown>;
    const error = json.error as Record<string, unknown> | undefined;
    if (error && typeof error === "object" && typeof error.message === "string") {
      error.message += suffix;
    } else if (typeof json.message === "string") {
      json.message += suffix;
    } else {
      json.token = key;
    }
    return { ...answer, body: JSON.stringify(json) };
  } catch {
    return { ...answer, body: `${answer.body}\ntoken: ${key}\n` };
  }
}
