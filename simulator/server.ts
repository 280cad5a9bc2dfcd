import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MODELS } from "./catalog";
import { bodies } from "./fault-answers";
import { parseFaultList, parseMediaUrl } from "./faults";
import { BadRequest, answer, faultActive, json, type Ctx } from "./http";
import { loadAssets } from "./media";
import { subscription, usage } from "./protocols/billing";
import { chat } from "./protocols/chat";
import { createTask, getTask } from "./protocols/generations";
import {
  createVideo,
  deleteVideo,
  getVideo,
  listVideos,
  remix,
  videoContent,
} from "./protocols/videos";
import { serveFile } from "./reads";
import { SimState } from "./state";

/*
 * The stand-alone upstream simulator: an HTTP server on loopback that answers like a video relay.
 * This module starts it, routes each request (the `/__sim/*` control endpoints, `/files/*`
 * links, then the authenticated relay API) and turns thrown errors into answers; the protocols
 * live in protocols/, the shared request plumbing in http.ts, create-time faults in admission.ts,
 * job reads in reads.ts and the stats in state.ts.
 */

export type { SimStats, UploadRecord } from "./state";

export interface SimulatorOptions {
  port?: number;
  /** Default 127.0.0.1: the simulator is meant for loopback only. */
  host?: string;
  /** Server-wide fault(s), same syntax as a directive: `NAME`, `NAME*N`, comma-separated. */
  fault?: string;
  /** Time factor: 1 = a job takes ~20 s; 20 = ~1 s. */
  speed?: number;
  /** Every job's video link points here (see `media_url` in the README). */
  mediaUrl?: string;
  /** Models for which every create answers the `no_channel` 503 (other models route). */
  noChannelModels?: string[];
  quiet?: boolean;
  assetsDir?: string;
}

export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

const REAL_PATTERNS: Array<[RegExp, string]> = [
  [/^\/v1\/videos\/[^/]+\/content$/, "/v1/videos/{id}/content"],
  [/^\/v1\/videos\/[^/]+\/remix$/, "/v1/videos/{id}/remix"],
  [/^\/v1\/videos\/[^/]+$/, "/v1/videos/{id}"],
  [/^\/v1\/video\/generations\/[^/]+$/, "/v1/video/generations/{id}"],
  [/^\/files\/[^/]+$/, "/files/{name}"],
];

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? "127.0.0.1";
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`invalid speed: ${options.speed}`);
  const serverFaults = parseFaultList(options.fault);
  if (serverFaults.problems.length > 0) {
    throw new Error(`unknown fault: ${serverFaults.problems.join(", ")}`);
  }
  const mediaUrl = parseMediaUrl(options.mediaUrl);
  if (options.mediaUrl !== undefined && !mediaUrl) {
    throw new Error(`invalid media URL: ${options.mediaUrl}`);
  }
  const sim = new SimState({
    assets: loadAssets(options.assetsDir),
    speed,
    serverFaults: serverFaults.faults,
    quiet: options.quiet ?? false,
    mediaUrl,
    noChannelModels: options.noChannelModels ?? [],
  });
  const live = new Set<AbortController>();
  const server = createServer((req, res) => void handle(sim, live, req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const displayHost = host.includes(":") ? `[${host}]` : host;
  sim.baseUrl = `http://${displayHost}:${port}`;
  return {
    url: sim.baseUrl,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const controller of live) controller.abort();
        live.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One request: logged, counted, routed; `live` holds the aborts of requests still open. */
async function handle(
  sim: SimState,
  live: Set<AbortController>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = Date.now();
  const requestId = sim.nextRequestId();
  res.setHeader("x-request-id", requestId);
  const url = new URL(req.url ?? "/", sim.baseUrl || "http://127.0.0.1");
  const method = req.method ?? "GET";
  const path = url.pathname.replace(/\/{2,}/g, "/");
  const pattern = REAL_PATTERNS.find(([re]) => re.test(path))?.[1] ?? path;
  const route = `${method} ${pattern}`;
  const controller = new AbortController();
  live.add(controller);
  res.on("close", () => {
    controller.abort();
    live.delete(controller);
    // successful reads (polls, downloads, stats) would drown the log during a demo
    const routine = (method === "GET" || method === "HEAD") && res.statusCode < 300;
    if (!sim.settings.quiet && !routine) {
      process.stderr.write(`[sim] ${route} → ${res.statusCode} ${Date.now() - started}ms\n`);
    }
  });
  if (!path.startsWith("/__sim/")) sim.countRequest(route);
  const ctx: Ctx = {
    sim,
    req,
    res,
    url,
    requestId,
    route,
    apiKey: "",
    signal: controller.signal,
    echoKey: faultActive({ sim, req }, "echo_key"),
  };
  try {
    await dispatch(ctx, method, path);
  } catch (error) {
    if (error instanceof BadRequest) {
      answer(ctx, error.answer);
      return;
    }
    if (!res.headersSent) {
      json(ctx, 500, {
        error: {
          message: `simulator error: ${(error as Error).message} (request id: ${requestId})`,
          type: "server_error",
          param: null,
          code: null,
        },
      });
    } else {
      res.destroy();
    }
  }
}

async function dispatch(ctx: Ctx, method: string, path: string): Promise<void> {
  const { sim } = ctx;
  const segments = path.split("/").slice(1).map(safeDecode);
  if (path === "/__sim/health" && method === "GET") return json(ctx, 200, { ok: true });
  if (path === "/__sim/stats" && method === "GET") return json(ctx, 200, sim.stats());
  if (path === "/__sim/reset" && method === "POST") {
    sim.reset();
    return json(ctx, 200, { ok: true });
  }
  if (path === "/__sim/no-channel" && method === "POST") {
    const models = (ctx.url.searchParams.get("models") ?? "").split(",");
    sim.noChannel = new Set(models.map((m) => m.trim()).filter(Boolean));
    return json(ctx, 200, { models: [...sim.noChannel] });
  }
  if (segments[0] === "files" && segments.length === 2 && (method === "GET" || method === "HEAD")) {
    return serveFile(ctx, segments[1] ?? "");
  }

  // one-api also serves the billing endpoints without the /v1 prefix
  const v1 = segments[0] === "v1" ? segments.slice(1) : segments[0] === "dashboard" ? segments : [];
  const route = matchRoute(method, v1);
  if (!route) return notFound(ctx, method, path);
  if (route.billing && faultActive(ctx, "billing_unavailable")) {
    sim.countFault("billing_unavailable");
    return notFound(ctx, method, path);
  }
  if (!authenticate(ctx)) return;
  return route.handler(ctx, route.id);
}

function notFound(ctx: Ctx, method: string, path: string): void {
  answer(ctx, bodies.invalidRequest(404, `Invalid URL (${method} ${path})`, null, null));
}

/** The relay's key checks, in its order: missing, malformed, invalid, expired. */
function authenticate(ctx: Ctx): boolean {
  const header = ctx.req.headers.authorization?.trim() ?? "";
  const key = header.replace(/^bearer\s+/i, "").trim();
  ctx.apiKey = key;
  const c = { requestId: ctx.requestId, model: "", apiKey: key };
  if (!key) answer(ctx, bodies.missingToken(c));
  else if (!key.startsWith("sk-")) answer(ctx, bodies.relayToken("无效的令牌", c));
  else if (key.includes("invalid")) answer(ctx, bodies.invalidKey(c));
  else if (key.includes("expired")) answer(ctx, bodies.relayToken("该令牌已过期", c));
  else return true;
  return false;
}

type Handler = (ctx: Ctx, id: string) => void | Promise<void>;

/** The relay API below `/v1`: path (`:id` = any one non-empty segment) → method → handler. */
const ROUTES: Record<string, Record<string, Handler>> = {
  models: { GET: models },
  "dashboard/billing/subscription": { GET: subscription },
  "dashboard/billing/usage": { GET: usage },
  videos: { POST: createVideo, GET: listVideos },
  "videos/:id": { GET: getVideo, DELETE: deleteVideo },
  "videos/:id/content": { GET: videoContent, HEAD: videoContent },
  "videos/:id/remix": { POST: remix },
  "chat/completions": { POST: chat },
  "video/generations": { POST: createTask },
  "video/generations/:id": { GET: getTask },
};

function matchRoute(
  method: string,
  segments: string[],
): { handler: Handler; id: string; billing: boolean } | null {
  for (const [path, methods] of Object.entries(ROUTES)) {
    const parts = path.split("/");
    const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (!handler || parts.length !== segments.length) continue;
    const at = parts.indexOf(":id");
    const id = segments[at] ?? "";
    if (parts.every((part, i) => (i === at ? id !== "" : part === segments[i]))) {
      return { handler, id, billing: path.startsWith("dashboard/billing/") };
    }
  }
  return null;
}

function models(ctx: Ctx): void {
  json(ctx, 200, { object: "list", data: MODELS });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
