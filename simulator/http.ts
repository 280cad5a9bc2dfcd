import type { IncomingMessage, ServerResponse } from "node:http";
import { bodies, echoKeyInto, jsonAnswer, type ErrorAnswer } from "./fault-answers";
import { parseFaultList, type FaultDirective, type FaultName } from "./faults";
import type { SimState } from "./state";

/*
 * Request plumbing every protocol handler shares: the per-request context, answering (with the
 * `echo_key` fault applied to error bodies), capped body readers (JSON or multipart), and the
 * faults a request asks for in its `x-sim-fault` header.
 */

export interface Ctx {
  sim: SimState;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
  /** Method and route pattern, e.g. `GET /v1/videos/{id}`. */
  route: string;
  apiKey: string;
  signal: AbortSignal;
  /** `echo_key` is active: error bodies repeat the presented key in full. */
  echoKey: boolean;
}

/** Thrown by a handler to answer with `answer` (the server catches it). */
export class BadRequest extends Error {
  constructor(readonly answer: ErrorAnswer) {
    super("bad request");
  }
}

const MAX_BODY_BYTES = 25 * 1024 * 1024;

export function answer(ctx: Ctx, raw: ErrorAnswer): void {
  const answer = ctx.echoKey && raw.status >= 400 ? echoKeyInto(raw, ctx.apiKey) : raw;
  if (answer !== raw) ctx.sim.countFault("echo_key");
  const payload = Buffer.from(answer.body, "utf8");
  ctx.res.writeHead(answer.status, { ...answer.headers, "content-length": payload.length });
  ctx.res.end(ctx.req.method === "HEAD" ? undefined : payload);
}

export function json(
  ctx: Ctx,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  answer(ctx, jsonAnswer(status, body, headers));
}

/** The relay's 503 for a read (poll or download) that finds its upstream away. */
export function upstream503(ctx: Ctx, model: string): void {
  answer(ctx, bodies.upstream503({ requestId: ctx.requestId, model, apiKey: "" }));
}

/** A relay without this route: new-api style gateways answer an unknown path with 404. */
export function routeMissing(ctx: Ctx): void {
  json(ctx, 404, {
    error: {
      message: `Invalid URL (${ctx.req.method} ${ctx.url.pathname})`,
      type: "invalid_request_error",
    },
  });
}

export function missingParameter(param: string): ErrorAnswer {
  return bodies.invalidRequest(
    400,
    `Missing required parameter: '${param}'.`,
    param,
    "missing_required_parameter",
  );
}

/** The faults named in this request's `x-sim-fault` header (and any it could not parse). */
export function headerFaults(req: IncomingMessage): {
  faults: FaultDirective[];
  problems: string[];
} {
  const value = req.headers["x-sim-fault"];
  return parseFaultList(Array.isArray(value) ? value.join(",") : value);
}

/** A fault the server was started with or the request's header names. */
export function faultActive(ctx: Pick<Ctx, "sim" | "req">, name: FaultName): boolean {
  return [...ctx.sim.settings.serverFaults, ...headerFaults(ctx.req).faults].some(
    (f) => f.name === name,
  );
}

async function readBody(ctx: Ctx): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new BadRequest(
        bodies.invalidRequest(
          413,
          "Request body too large (max 25 MB).",
          null,
          "request_too_large",
        ),
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readJson(ctx: Ctx): Promise<Record<string, unknown>> {
  const raw = await readBody(ctx);
  try {
    const value: unknown = JSON.parse(raw.toString("utf8") || "{}");
    if (value && typeof value === "object" && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // answered below
  }
  throw new BadRequest(
    bodies.invalidRequest(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      null,
      null,
    ),
  );
}

/** Multipart (what the official SDK sends) or JSON; values keep their wire types. */
export async function readForm(
  ctx: Ctx,
): Promise<{ fields: Record<string, unknown>; file: { body: Buffer; mime: string } | null }> {
  const contentType = ctx.req.headers["content-type"] ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    return { fields: await readJson(ctx), file: null };
  }
  const raw = await readBody(ctx);
  let form: FormData;
  try {
    form = await new Request(ctx.url, {
      method: "POST",
      headers: { "content-type": contentType },
      body: new Uint8Array(raw),
    }).formData();
  } catch {
    throw new BadRequest(
      bodies.invalidRequest(400, "Could not parse multipart form data.", null, null),
    );
  }
  const fields: Record<string, unknown> = {};
  let file: { body: Buffer; mime: string } | null = null;
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") fields[name] = value;
    else if (name === "input_reference") {
      file = { body: Buffer.from(await value.arrayBuffer()), mime: value.type };
    }
  }
  return { fields, file };
}
