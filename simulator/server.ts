import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  BILLING,
  DEFAULT_CHAT_MODEL,
  DEFAULT_VIDEO_MODEL,
  MODELS,
  VIDEO_SECONDS,
  VIDEO_SIZES,
  quoteList,
} from "./catalog";
import {
  SSE_HEADERS,
  chatCompletionBody,
  MALFORMED_JSON_LINE,
  pyJson,
  sleep,
  writeChatStream,
  type ChatPlan,
} from "./chat-stream";
import {
  bodies,
  createFaultAnswer,
  parseDirectives,
  echoKeyInto,
  parseFaultList,
  parseMediaUrl,
  selectFaults,
  type ActiveFaults,
  type Outages,
  type ChatStyle,
  type ErrorAnswer,
  type FaultDirective,
  type FaultName,
  type StreamFault,
} from "./faults";
import {
  fileUrl,
  jobDuration,
  jobState,
  randomId,
  renderTask,
  renderTaskSubmit,
  renderVideo,
  ulidLike,
  type Job,
  type JobKind,
} from "./jobs";
import {
  decodeDataUrl,
  imageInfo,
  loadAssets,
  serveMedia,
  type ImageInfo,
  type MediaAssets,
} from "./media";

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

/** What `GET /__sim/stats` answers: the one shape tests and benchmarks read. */
export interface SimStats {
  /** Requests by route, e.g. `GET /v1/videos/{id}`. */
  requests: Record<string, number>;
  creates: {
    total: { attempts: number; accepted: number };
    byPrompt: Record<string, { attempts: number; accepted: number }>;
  };
  bytesServed: number;
  uploads: UploadRecord[];
  jobs: number;
  /** Polls and downloads per job id (video/task jobs). */
  perJob: Record<
    string,
    { polls: number; downloads: number; deleted?: boolean; minPollGapMs?: number }
  >;
  faults: Record<string, number>;
}

export interface UploadRecord {
  endpoint: string;
  prompt: string;
  model: string;
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

interface Counter {
  attempts: number;
  accepted: number;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
  route: string;
  apiKey: string;
  signal: AbortSignal;
  /** `echo_key` is active: error bodies repeat the presented key in full. */
  echoKey: boolean;
}

interface Admission {
  faults: ActiveFaults;
  outages: Outages;
  /** create_reply_lost: accept the job, then drop the connection instead of answering. */
  loseReply: boolean;
  speed: number;
  style: ChatStyle | undefined;
  mediaUrl: string | undefined;
  counter: Counter;
}

const MAX_BODY_BYTES = 25 * 1024 * 1024;
const REAL_PATTERNS: Array<[RegExp, string]> = [
  [/^\/v1\/videos\/[^/]+\/content$/, "/v1/videos/{id}/content"],
  [/^\/v1\/videos\/[^/]+\/remix$/, "/v1/videos/{id}/remix"],
  [/^\/v1\/videos\/[^/]+$/, "/v1/videos/{id}"],
  [/^\/v1\/video\/generations\/[^/]+$/, "/v1/video/generations/{id}"],
  [/^\/files\/[^/]+$/, "/files/{name}"],
];

class BadRequest extends Error {
  constructor(readonly answer: ErrorAnswer) {
    super("bad request");
  }
}

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
  const assets = loadAssets(options.assetsDir);
  const sim = new SimulatorState(
    assets,
    speed,
    serverFaults.faults,
    options.quiet ?? false,
    mediaUrl,
    options.noChannelModels ?? [],
  );
  const server = createServer((req, res) => void sim.handle(req, res));
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
        sim.shutdown();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class SimulatorState {
  baseUrl = "";
  private requestSeq = 0;
  private jobSeq = 0;
  private requests = new Map<string, number>();
  private total: Counter = { attempts: 0, accepted: 0 };
  private byPrompt = new Map<string, Counter>();
  private faultsApplied = new Map<string, number>();
  private bytesServed = 0;
  private uploads: UploadRecord[] = [];
  private jobs = new Map<string, Job>();
  private files = new Map<string, Job>();
  private live = new Set<AbortController>();

  constructor(
    private readonly assets: MediaAssets,
    private readonly speed: number,
    private readonly serverFaults: FaultDirective[],
    private readonly quiet: boolean,
    private readonly mediaUrl: string | undefined,
    private readonly configuredNoChannel: string[],
  ) {
    this.noChannel = new Set(configuredNoChannel);
  }

  /** Models without a channel: creates for them answer the `no_channel` 503. */
  private noChannel: Set<string>;

  shutdown(): void {
    for (const controller of this.live) controller.abort();
    this.live.clear();
  }

  private reset(): void {
    this.requests.clear();
    this.total = { attempts: 0, accepted: 0 };
    this.byPrompt.clear();
    this.faultsApplied.clear();
    this.bytesServed = 0;
    this.uploads = [];
    this.jobs.clear();
    this.files.clear();
    this.noChannel = new Set(this.configuredNoChannel);
  }

  private stats(): SimStats {
    return {
      requests: Object.fromEntries(this.requests),
      creates: { total: { ...this.total }, byPrompt: Object.fromEntries(this.byPrompt) },
      bytesServed: this.bytesServed,
      uploads: this.uploads,
      jobs: this.jobs.size,
      perJob: Object.fromEntries(
        [...this.jobs.values()].map((j) => [
          j.id,
          {
            polls: j.polls,
            downloads: j.downloads,
            ...(j.deleted ? { deleted: true } : {}),
            ...(j.minPollGapMs === undefined ? {} : { minPollGapMs: j.minPollGapMs }),
          },
        ]),
      ),
      faults: Object.fromEntries(this.faultsApplied),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = `sim-${++this.requestSeq}-${randomId(4)}`;
    res.setHeader("x-request-id", requestId);
    const url = new URL(req.url ?? "/", this.baseUrl || "http://127.0.0.1");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/{2,}/g, "/");
    const pattern = REAL_PATTERNS.find(([re]) => re.test(path))?.[1] ?? path;
    const route = `${method} ${pattern}`;
    const controller = new AbortController();
    this.live.add(controller);
    res.on("close", () => {
      controller.abort();
      this.live.delete(controller);
      // successful reads (polls, downloads, stats) would drown the log during a demo
      const routine = (method === "GET" || method === "HEAD") && res.statusCode < 300;
      if (!this.quiet && !routine) {
        process.stderr.write(`[sim] ${route} → ${res.statusCode} ${Date.now() - started}ms\n`);
      }
    });
    if (!path.startsWith("/__sim/")) this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
    const echoKey = [
      ...this.serverFaults,
      ...parseFaultList(headerValue(req.headers["x-sim-fault"])).faults,
    ].some((f) => f.name === "echo_key");
    const ctx: Ctx = {
      req,
      res,
      url,
      requestId,
      route,
      apiKey: "",
      signal: controller.signal,
      echoKey,
    };
    try {
      await this.dispatch(ctx, method, path);
    } catch (error) {
      if (error instanceof BadRequest) {
        this.answer(ctx, error.answer);
        return;
      }
      if (!res.headersSent) {
        this.json(ctx, 500, {
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

  private async dispatch(ctx: Ctx, method: string, path: string): Promise<void> {
    const segments = path.split("/").slice(1).map(safeDecode);
    if (path === "/__sim/health" && method === "GET") return this.json(ctx, 200, { ok: true });
    if (path === "/__sim/stats" && method === "GET") return this.json(ctx, 200, this.stats());
    if (path === "/__sim/reset" && method === "POST") {
      this.reset();
      return this.json(ctx, 200, { ok: true });
    }
    if (path === "/__sim/no-channel" && method === "POST") {
      const models = (ctx.url.searchParams.get("models") ?? "").split(",");
      this.noChannel = new Set(models.map((m) => m.trim()).filter(Boolean));
      return this.json(ctx, 200, { models: [...this.noChannel] });
    }
    if (
      segments[0] === "files" &&
      segments.length === 2 &&
      (method === "GET" || method === "HEAD")
    ) {
      return this.serveFile(ctx, segments[1] ?? "");
    }

    // one-api also serves the billing endpoints without the /v1 prefix
    const v1 =
      segments[0] === "v1" ? segments.slice(1) : segments[0] === "dashboard" ? segments : [];
    const route = matchRoute(method, v1);
    if (!route) return this.notFound(ctx, method, path);
    if ((route.name === "subscription" || route.name === "usage") && this.billingOff(ctx)) {
      this.countFault("billing_unavailable");
      return this.notFound(ctx, method, path);
    }
    if (!this.authenticate(ctx)) return;
    switch (route.name) {
      case "models":
        return this.json(ctx, 200, { object: "list", data: MODELS });
      case "subscription":
        return this.json(ctx, 200, this.subscription(ctx.apiKey));
      case "usage":
        return this.json(ctx, 200, this.usage(ctx.apiKey));
      case "createVideo":
        return this.createVideo(ctx);
      case "listVideos":
        return this.listVideos(ctx);
      case "getVideo":
        return this.getVideo(ctx, route.id);
      case "deleteVideo":
        return this.deleteVideo(ctx, route.id);
      case "videoContent":
        return this.videoContent(ctx, route.id);
      case "remix":
        return this.remix(ctx, route.id);
      case "chat":
        return this.chat(ctx);
      case "createTask":
        return this.createTask(ctx);
      case "getTask":
        return this.getTask(ctx, route.id);
    }
  }

  // ---- plumbing --------------------------------------------------------------------------

  private json(
    ctx: Ctx,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.answer(ctx, {
      status,
      headers: { "content-type": "application/json; charset=utf-8", ...headers },
      body: JSON.stringify(body),
    });
  }

  private answer(ctx: Ctx, raw: ErrorAnswer): void {
    const answer = ctx.echoKey && raw.status >= 400 ? echoKeyInto(raw, ctx.apiKey) : raw;
    if (answer !== raw) this.countFault("echo_key");
    const payload = Buffer.from(answer.body, "utf8");
    ctx.res.writeHead(answer.status, { ...answer.headers, "content-length": payload.length });
    ctx.res.end(ctx.req.method === "HEAD" ? undefined : payload);
  }

  private notFound(ctx: Ctx, method: string, path: string): void {
    this.answer(ctx, bodies.invalidRequest(404, `Invalid URL (${method} ${path})`, null, null));
  }

  private authenticate(ctx: Ctx): boolean {
    const header = ctx.req.headers.authorization?.trim() ?? "";
    const key = header.replace(/^bearer\s+/i, "").trim();
    ctx.apiKey = key;
    const c = { requestId: ctx.requestId, model: "", apiKey: key };
    if (!key) this.answer(ctx, bodies.missingToken(c));
    else if (!key.startsWith("sk-")) this.answer(ctx, bodies.relayToken("无效的令牌", c));
    else if (key.includes("invalid")) this.answer(ctx, bodies.invalidKey(c));
    else if (key.includes("expired")) this.answer(ctx, bodies.relayToken("该令牌已过期", c));
    else return true;
    return false;
  }

  private async readBody(ctx: Ctx): Promise<Buffer> {
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

  private async readJson(ctx: Ctx): Promise<Record<string, unknown>> {
    const raw = await this.readBody(ctx);
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
  private async readForm(
    ctx: Ctx,
  ): Promise<{ fields: Record<string, unknown>; file: { body: Buffer; mime: string } | null }> {
    const contentType = ctx.req.headers["content-type"] ?? "";
    if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
      return { fields: await this.readJson(ctx), file: null };
    }
    const raw = await this.readBody(ctx);
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

  private recordUpload(ctx: Ctx, prompt: string, model: string, info: ImageInfo): void {
    this.uploads.push({ endpoint: ctx.route, prompt, model, ...info });
  }

  private countFault(name: FaultName | "poll_outage" | "content_outage"): void {
    this.faultsApplied.set(name, (this.faultsApplied.get(name) ?? 0) + 1);
  }

  // ---- creates -----------------------------------------------------------------------------

  /**
   * Counts the create, then applies (in relay order) the key's own limits and the create-time
   * faults. Returns null when the request has been answered (or deliberately left hanging).
   */
  private admit(ctx: Ctx, prompt: string, model: string): Admission | null {
    const counter = this.byPrompt.get(prompt) ?? { attempts: 0, accepted: 0 };
    this.byPrompt.set(prompt, counter);
    const priorCreates = counter.attempts;
    counter.attempts++;
    this.total.attempts++;

    const directives = parseDirectives(prompt);
    const headerFaults = parseFaultList(headerValue(ctx.req.headers["x-sim-fault"]));
    const problems = [...directives.problems, ...headerFaults.problems];
    if (problems.length > 0) {
      throw new BadRequest(
        bodies.invalidRequest(
          400,
          `Unknown simulator directive: ${problems.join(", ")}. See simulator/README.md.`,
          "prompt",
          "sim_unknown_directive",
        ),
      );
    }
    const c = { model, requestId: ctx.requestId, apiKey: ctx.apiKey };
    if (ctx.apiKey.includes("noaccess")) throw new BadRequest(bodies.noAccess(c));
    if (ctx.apiKey.includes("exhausted")) throw new BadRequest(bodies.relayQuota(c));
    if (this.noChannel.has(model)) {
      this.countFault("no_channel");
      const answer = createFaultAnswer("no_channel", c, randomId(8));
      if (answer !== "hang" && answer !== null) this.answer(ctx, answer);
      return null;
    }

    const faults = selectFaults(
      [...headerFaults.faults, ...directives.faults, ...this.serverFaults],
      priorCreates,
    );
    if (faults.echo) ctx.echoKey = true;
    const loseReply = faults.create?.name === "create_reply_lost";
    if (loseReply) this.countFault("create_reply_lost");
    if (faults.create && !loseReply) {
      this.countFault(faults.create.name);
      const answer = createFaultAnswer(faults.create.name, c, randomId(8));
      if (answer !== "hang" && answer !== null) this.answer(ctx, answer);
      return null;
    }
    return {
      faults,
      outages: directives.outages,
      loseReply,
      speed: directives.speed ?? this.speed,
      style: directives.style,
      mediaUrl: directives.mediaUrl ?? this.mediaUrl,
      counter,
    };
  }

  private accept(admission: Admission): void {
    admission.counter.accepted++;
    this.total.accepted++;
    const { stream, job, dialect } = admission.faults;
    for (const directive of [stream, job, dialect]) if (directive) this.countFault(directive.name);
  }

  private newJob(
    kind: JobKind,
    id: string,
    fields: Partial<Job> & Pick<Job, "model" | "prompt">,
    speed: number,
  ): Job {
    const job: Job = {
      kind,
      id,
      fileKey: randomId(12),
      seq: ++this.jobSeq,
      seconds: "4",
      size: "720x1280",
      createdAtMs: Date.now(),
      durationMs: jobDuration(speed),
      speed,
      remixedFrom: null,
      faults: {},
      polls: 0,
      downloads: 0,
      outages: {},
      deleted: false,
      ...fields,
    };
    this.jobs.set(job.id, job);
    this.files.set(job.fileKey, job);
    return job;
  }

  private videoId(model: string, faults: ActiveFaults): string {
    if (faults.dialect?.name === "nonsora") return `task_${randomId(32)}`;
    return faults.dialect?.name === "quirks"
      ? `${model}:task_${ulidLike()}`
      : `video_${randomId(20)}`;
  }

  /** new-api serves any model on /v1/videos; a non-Sora one answers in its converted dialect. */
  private videoFaults(model: string, faults: ActiveFaults): ActiveFaults {
    const withJob = videoJobFaults(faults);
    if (withJob.dialect || /^sora/i.test(model)) return withJob;
    return { ...withJob, dialect: { name: "nonsora" } };
  }

  private async createVideo(ctx: Ctx): Promise<void> {
    const { fields, file } = await this.readForm(ctx);
    const prompt = typeof fields.prompt === "string" ? fields.prompt : "";
    const model =
      typeof fields.model === "string" && fields.model ? fields.model : DEFAULT_VIDEO_MODEL;
    const image = file
      ? imageInfo(file.body, file.mime || undefined)
      : this.jsonReference(fields.input_reference);
    if (image) this.recordUpload(ctx, prompt, model, image);

    const admission = this.admit(ctx, prompt, model);
    if (!admission) return;
    if (!prompt.trim()) throw new BadRequest(missingParameter("prompt"));
    const faults = this.videoFaults(model, admission.faults);
    const nonSora = faults.dialect?.name === "nonsora";
    // Non-Sora channels take their own durations and frames; only Sora's are checked strictly.
    const seconds = nonSora ? String(Number(fields.seconds) || 8) : validateSeconds(fields.seconds);
    const size =
      nonSora && typeof fields.size === "string" ? fields.size : validateSize(fields.size);
    if (image?.width && image.height && `${image.width}x${image.height}` !== size) {
      throw new BadRequest(
        bodies.invalidRequest(
          400,
          "Inpaint image must match the requested width and height",
          null,
          null,
        ),
      );
    }
    this.accept(admission);
    const job = this.newJob(
      "video",
      this.videoId(model, faults),
      {
        model,
        prompt,
        seconds,
        size,
        faults,
        mediaUrl: admission.mediaUrl,
        outages: admission.outages,
      },
      admission.speed,
    );
    // The relay took (and billed) the job, but its answer never reaches the caller.
    if (admission.loseReply) return void ctx.res.destroy();
    this.json(ctx, nonSora ? 202 : 200, renderVideo(job, this.renderCtx()), this.pollAfter(job));
  }

  private jsonReference(value: unknown): ImageInfo | null {
    const ref =
      typeof value === "string"
        ? value
        : value && typeof value === "object"
          ? (value as Record<string, unknown>).image_url
          : undefined;
    if (typeof ref !== "string") return null;
    const decoded = decodeDataUrl(ref);
    return decoded ? imageInfo(decoded.body, decoded.mime) : null;
  }

  private async remix(ctx: Ctx, sourceId: string): Promise<void> {
    const { fields } = await this.readForm(ctx);
    const prompt = typeof fields.prompt === "string" ? fields.prompt : "";
    const source = this.findJob(sourceId, "video");
    if (source?.faults.remix?.name === "remix_unsupported") {
      // A relay without the route: new-api style gateways answer an unknown path with 404.
      this.countFault("remix_unsupported");
      return this.json(ctx, 404, {
        error: { message: `Invalid URL (POST ${ctx.url.pathname})`, type: "invalid_request_error" },
      });
    }
    const admission = this.admit(ctx, prompt, source?.model ?? DEFAULT_VIDEO_MODEL);
    if (!admission) return;
    if (!source) return this.videoNotFound(ctx, sourceId);
    if (!prompt.trim()) throw new BadRequest(missingParameter("prompt"));
    const faults = videoJobFaults(admission.faults);
    this.accept(admission);
    const job = this.newJob(
      "video",
      this.videoId(source.model, faults),
      {
        model: source.model,
        prompt,
        seconds: source.seconds,
        size: source.size,
        remixedFrom: source.id,
        faults,
        outages: admission.outages,
      },
      admission.speed,
    );
    if (admission.loseReply) return void ctx.res.destroy();
    this.json(ctx, 200, renderVideo(job, this.renderCtx()), this.pollAfter(job));
  }

  private async createTask(ctx: Ctx): Promise<void> {
    const body = await this.readJson(ctx);
    const prompt = typeof body.prompt === "string" ? body.prompt : "";
    const model = typeof body.model === "string" && body.model ? body.model : DEFAULT_VIDEO_MODEL;
    const decoded = typeof body.image === "string" ? decodeDataUrl(body.image) : null;
    if (decoded) this.recordUpload(ctx, prompt, model, imageInfo(decoded.body, decoded.mime));
    const admission = this.admit(ctx, prompt, model);
    if (!admission) return;
    if (!prompt.trim()) {
      return this.json(ctx, 400, {
        code: "invalid_request",
        message: "prompt is required",
        data: null,
      });
    }
    const width = Number(body.width ?? 0);
    const height = Number(body.height ?? 0);
    const duration = Number(body.duration ?? 0);
    // dto.VideoRequest: duration is a float64, width/height ints; a string is a 400 in Go's decoder.
    for (const [field, value] of [
      ["duration", body.duration],
      ["width", body.width],
      ["height", body.height],
    ] as const) {
      if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
        return this.json(ctx, 400, {
          code: "invalid_request",
          message: `json: cannot unmarshal ${typeof value} into Go struct field VideoRequest.${field}`,
          data: null,
        });
      }
    }
    const size = width > 0 && height > 0 ? `${width}x${height}` : "720x1280";
    const faults = videoJobFaults(admission.faults);
    this.accept(admission);
    const job = this.newJob(
      "task",
      `task_${randomId(16)}`,
      {
        model,
        prompt,
        size,
        seconds: duration > 0 ? String(duration) : "4",
        faults,
        mediaUrl: admission.mediaUrl,
        outages: admission.outages,
      },
      admission.speed,
    );
    if (admission.loseReply) return void ctx.res.destroy();
    this.json(ctx, 200, renderTaskSubmit(job));
  }

  private async chat(ctx: Ctx): Promise<void> {
    const body = await this.readJson(ctx);
    const model = typeof body.model === "string" && body.model ? body.model : DEFAULT_CHAT_MODEL;
    const { prompt, imageUrls } = readChatMessages(body.messages);
    let hasImage = false;
    for (const url of imageUrls) {
      hasImage = true;
      const decoded = decodeDataUrl(url);
      if (decoded) this.recordUpload(ctx, prompt, model, imageInfo(decoded.body, decoded.mime));
    }
    const admission = this.admit(ctx, prompt, model);
    if (!admission) return;
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      throw new BadRequest(missingParameter("messages"));
    }
    if (!prompt.trim() && !hasImage) {
      throw new BadRequest(
        bodies.invalidRequest(400, "The last user message has no text prompt.", "messages", null),
      );
    }
    const fault = chatStreamFault(admission.faults);
    this.accept(admission);
    const job = this.newJob(
      "chat",
      `chatcmpl-${randomId(12)}`,
      {
        model,
        prompt,
        faults: { content: admission.faults.content },
        mediaUrl: admission.mediaUrl,
        outages: admission.outages,
      },
      admission.speed,
    );
    // Accepted, then the connection drops before the first byte of the answer.
    if (admission.loseReply) return void ctx.res.destroy();
    const plan: ChatPlan = {
      style: admission.style ?? "markdown",
      fault,
      model,
      prompt,
      hasImage,
      resultUrl: fileUrl(job, this.baseUrl),
      taskId: `task_${ulidLike()}`,
      durationMs: job.durationMs,
      speed: admission.speed,
    };

    if (body.stream === true) {
      ctx.res.writeHead(200, SSE_HEADERS);
      ctx.res.flushHeaders();
      await writeChatStream(ctx.res, plan, ctx.signal);
      return;
    }
    if (fault === "stall" || fault === "stall_ping") return;
    if (!(await sleep(fault === "reset" ? plan.durationMs / 2 : plan.durationMs, ctx.signal)))
      return;
    if (fault === "reset") {
      ctx.res.socket?.destroy();
      return;
    }
    if (fault === "malformed_json") {
      return this.answer(ctx, {
        status: 200,
        headers: { "content-type": "application/json" },
        body: MALFORMED_JSON_LINE.slice("data: ".length).trim(),
      });
    }
    if (fault === "stream_error") {
      return this.answer(ctx, {
        status: 200,
        headers: { "content-type": "application/json" },
        body: pyJson({
          error: {
            message: "API request failed: 400 - sentinel_block",
            type: "server_error",
            param: null,
            code: null,
          },
        }),
      });
    }
    this.json(ctx, 200, chatCompletionBody(plan, Date.now()));
  }

  // ---- reads -------------------------------------------------------------------------------

  private renderCtx() {
    return { now: Date.now(), baseUrl: this.baseUrl };
  }

  private pollAfter(job: Job): Record<string, string> {
    return { "openai-poll-after-ms": String(Math.max(50, Math.round(1000 / job.speed))) };
  }

  private findJob(id: string, kind: JobKind): Job | undefined {
    const job = this.jobs.get(id);
    return job && job.kind === kind && !job.deleted ? job : undefined;
  }

  private videoNotFound(ctx: Ctx, id: string): void {
    this.answer(
      ctx,
      bodies.invalidRequest(404, `Video with id '${id}' not found.`, null, "video_not_found"),
    );
  }

  /** poll_503: uncounted = every other poll (1st, 3rd, …) fails; `*N` = the first N polls fail. */
  private pollFails(ctx: Ctx, job: Job): boolean {
    const index = job.polls++;
    const now = Date.now();
    job.firstPollAtMs ??= now;
    if (job.lastPollAtMs !== undefined) {
      job.minPollGapMs = Math.min(job.minPollGapMs ?? Infinity, now - job.lastPollAtMs);
    }
    job.lastPollAtMs = now;
    if (job.outages.poll !== undefined && now < job.firstPollAtMs + job.outages.poll) {
      this.countFault("poll_outage");
      return true;
    }
    const header = parseFaultList(headerValue(ctx.req.headers["x-sim-fault"])).faults;
    const directive = job.faults.poll ?? header.find((f) => f.name === "poll_503");
    if (!directive) return false;
    const fails = directive.count === undefined ? index % 2 === 0 : index < directive.count;
    if (fails) this.countFault("poll_503");
    return fails;
  }

  private getVideo(ctx: Ctx, id: string): void {
    const job = this.findJob(id, "video");
    if (!job) return this.videoNotFound(ctx, id);
    if (this.pollFails(ctx, job)) {
      return this.answer(
        ctx,
        bodies.upstream503({ requestId: ctx.requestId, model: job.model, apiKey: "" }),
      );
    }
    this.json(ctx, 200, renderVideo(job, this.renderCtx()), this.pollAfter(job));
  }

  private getTask(ctx: Ctx, id: string): void {
    const job = this.findJob(id, "task");
    if (!job) {
      return this.json(ctx, 400, { code: "task_not_exist", message: "task_not_exist", data: null });
    }
    if (this.pollFails(ctx, job)) {
      return this.answer(
        ctx,
        bodies.upstream503({ requestId: ctx.requestId, model: job.model, apiKey: "" }),
      );
    }
    this.json(ctx, 200, renderTask(job, this.renderCtx()), this.pollAfter(job));
  }

  private listVideos(ctx: Ctx): void {
    const params = ctx.url.searchParams;
    const order = params.get("order") === "asc" ? "asc" : "desc";
    const limit = Math.min(100, Math.max(1, Number(params.get("limit")) || 20));
    const after = params.get("after");
    const all = [...this.jobs.values()]
      .filter((j) => j.kind === "video" && !j.deleted)
      .sort((a, b) => (order === "asc" ? a.seq - b.seq : b.seq - a.seq));
    const start = after ? all.findIndex((j) => j.id === after) + 1 : 0;
    if (after && start === 0) {
      throw new BadRequest(
        bodies.invalidRequest(400, `No video found with id '${after}'.`, "after", "invalid_value"),
      );
    }
    const page = all.slice(start, start + limit);
    const ctxRender = this.renderCtx();
    this.json(ctx, 200, {
      object: "list",
      data: page.map((j) => renderVideo(j, ctxRender)),
      has_more: start + limit < all.length,
      first_id: page[0]?.id ?? null,
      last_id: page[page.length - 1]?.id ?? null,
    });
  }

  private deleteVideo(ctx: Ctx, id: string): void {
    const job = this.findJob(id, "video");
    if (!job) return this.videoNotFound(ctx, id);
    if (job.faults.cancel?.name === "delete_unsupported") {
      // A relay without the route: new-api style gateways answer an unknown path with 404.
      this.countFault("delete_unsupported");
      return this.json(ctx, 404, {
        error: {
          message: `Invalid URL (DELETE ${ctx.url.pathname})`,
          type: "invalid_request_error",
        },
      });
    }
    job.deleted = true;
    this.json(ctx, 200, { id: job.id, object: "video.deleted", deleted: true });
  }

  private videoContent(ctx: Ctx, id: string): void {
    const job = this.findJob(id, "video");
    if (!job) return this.videoNotFound(ctx, id);
    const variant = ctx.url.searchParams.get("variant") ?? "video";
    if (!["video", "thumbnail", "spritesheet"].includes(variant)) {
      throw new BadRequest(
        bodies.invalidRequest(
          400,
          `Invalid value: '${variant}'. Supported values are: 'video', 'thumbnail', and 'spritesheet'.`,
          "variant",
          "invalid_value",
        ),
      );
    }
    const state = jobState(job, Date.now());
    if (state.status !== "completed") {
      throw new BadRequest(
        bodies.invalidRequest(
          404,
          `Video '${id}' is not ready: status is ${state.status}.`,
          null,
          "video_not_ready",
        ),
      );
    }
    const kind = variant === "video" ? "video" : "thumbnail";
    if (job.faults.dialect?.name === "nonsora" && !job.faults.content) {
      // A relay without a content proxy for this channel: the link is in metadata.url only.
      throw new BadRequest(
        bodies.invalidRequest(404, `Video '${id}' has no content here.`, null, "not_found"),
      );
    }
    if (job.faults.content?.name === "content_json") {
      return this.json(ctx, 200, { url: fileUrl(job, this.baseUrl, kind) });
    }
    if (job.faults.dialect?.name === "quirks") {
      const url = fileUrl(job, this.baseUrl, kind);
      return this.json(ctx, 200, { video_url: url, url });
    }
    if (job.mediaUrl && kind === "video") {
      return this.answer(ctx, {
        status: 302,
        headers: { location: job.mediaUrl, "content-type": "text/plain; charset=utf-8" },
        body: "",
      });
    }
    this.sendMedia(ctx, job, kind);
  }

  private serveFile(ctx: Ctx, name: string): void {
    const match = /^([0-9a-f]+)\.(mp4|jpg)$/.exec(name);
    const job = match ? this.files.get(match[1] ?? "") : undefined;
    if (!match || !job || job.deleted || jobState(job, Date.now()).status !== "completed") {
      return this.answer(ctx, {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: "404 page not found",
      });
    }
    ctx.res.setHeader("access-control-allow-origin", "*");
    this.sendMedia(ctx, job, match[2] === "mp4" ? "video" : "thumbnail");
  }

  /** content_reset: uncounted = every download is cut; `*N` = the first N downloads are cut. */
  private sendMedia(ctx: Ctx, job: Job, kind: "video" | "thumbnail"): void {
    const asset = this.assets[kind];
    const completedAt = jobState(job, Date.now()).completedAtMs ?? 0;
    if (job.outages.content !== undefined && Date.now() < completedAt + job.outages.content) {
      this.countFault("content_outage");
      return this.answer(
        ctx,
        bodies.upstream503({ requestId: ctx.requestId, model: job.model, apiKey: "" }),
      );
    }
    let resetAfterBytes: number | undefined;
    if (ctx.req.method !== "HEAD") {
      const index = job.downloads++;
      const directive = job.faults.content;
      if (
        directive?.name === "content_reset" &&
        (directive.count === undefined || index < directive.count)
      ) {
        resetAfterBytes = Math.floor(asset.body.length / 3);
        this.countFault("content_reset");
      }
    }
    serveMedia(ctx.req, ctx.res, asset, {
      resetAfterBytes,
      onBytes: (n) => {
        this.bytesServed += n;
      },
    });
  }

  private subscription(key: string): Record<string, unknown> {
    const plan = key.includes("exhausted") ? BILLING.exhausted : BILLING.normal;
    return {
      object: "billing_subscription",
      has_payment_method: true,
      soft_limit_usd: plan.hardLimitUsd,
      hard_limit_usd: plan.hardLimitUsd,
      system_hard_limit_usd: plan.hardLimitUsd,
      access_until: 0,
    };
  }

  /** Usage grows by BILLING.perVideoUsd per completed video, so a client can see its balance drop. */
  private usage(key: string): Record<string, unknown> {
    if (key.includes("exhausted")) {
      return { object: "list", total_usage: BILLING.exhausted.usedUsd * 100 };
    }
    const now = Date.now();
    let videos = 0;
    for (const job of this.jobs.values()) {
      if (jobState(job, now).status === "completed") videos++;
    }
    const usedUsd = BILLING.normal.usedUsd + videos * BILLING.perVideoUsd;
    return { object: "list", total_usage: Math.round(usedUsd * 100 * 100) / 100 };
  }

  /** `billing_unavailable` (server flag or header): the relay has no billing endpoints (404). */
  private billingOff(ctx: Ctx): boolean {
    return [
      ...this.serverFaults,
      ...parseFaultList(headerValue(ctx.req.headers["x-sim-fault"])).faults,
    ].some((f) => f.name === "billing_unavailable");
  }
}

type Route =
  | {
      name:
        "models" | "subscription" | "usage" | "createVideo" | "listVideos" | "chat" | "createTask";
    }
  | { name: "getVideo" | "deleteVideo" | "videoContent" | "remix" | "getTask"; id: string };

function matchRoute(method: string, s: string[]): Route | null {
  const [a, b, c] = s;
  const n = s.length;
  if (method === "GET" && n === 1 && a === "models") return { name: "models" };
  if (method === "GET" && n === 3 && a === "dashboard" && b === "billing") {
    if (c === "subscription") return { name: "subscription" };
    if (c === "usage") return { name: "usage" };
  }
  if (a === "videos" && n === 1) {
    if (method === "POST") return { name: "createVideo" };
    if (method === "GET") return { name: "listVideos" };
  }
  if (a === "videos" && n === 2 && b) {
    if (method === "GET") return { name: "getVideo", id: b };
    if (method === "DELETE") return { name: "deleteVideo", id: b };
  }
  if (a === "videos" && n === 3 && b) {
    if (c === "content" && (method === "GET" || method === "HEAD")) {
      return { name: "videoContent", id: b };
    }
    if (c === "remix" && method === "POST") return { name: "remix", id: b };
  }
  if (method === "POST" && n === 2 && a === "chat" && b === "completions") return { name: "chat" };
  if (a === "video" && b === "generations") {
    if (method === "POST" && n === 2) return { name: "createTask" };
    if (method === "GET" && n === 3 && c) return { name: "getTask", id: c };
  }
  return null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

function missingParameter(param: string): ErrorAnswer {
  return bodies.invalidRequest(
    400,
    `Missing required parameter: '${param}'.`,
    param,
    "missing_required_parameter",
  );
}

/** `seconds` must be a STRING, like the real API; an integer gets the exact upstream message. */
function validateSeconds(value: unknown): string {
  if (value === undefined || value === null || value === "") return "4";
  if (typeof value === "number") throw new BadRequest(bodies.badSeconds());
  if (typeof value !== "string") {
    throw new BadRequest(
      bodies.invalidRequest(
        400,
        `Invalid type for 'seconds': expected one of '4', '8', or '12', but got ${typeof value} instead.`,
        "seconds",
        null,
      ),
    );
  }
  if (!VIDEO_SECONDS.includes(value)) {
    throw new BadRequest(
      bodies.invalidRequest(
        400,
        `Invalid value: '${value}'. Supported values are: ${quoteList(VIDEO_SECONDS)}.`,
        "seconds",
        "invalid_value",
      ),
    );
  }
  return value;
}

function validateSize(value: unknown): string {
  if (value === undefined || value === null || value === "") return "720x1280";
  if (typeof value !== "string" || !VIDEO_SIZES.includes(value)) {
    throw new BadRequest(
      bodies.invalidRequest(
        400,
        `Invalid value: '${String(value)}'. Supported values are: ${quoteList(VIDEO_SIZES)}.`,
        "size",
        "invalid_value",
      ),
    );
  }
  return value;
}

/** On the videos protocol a stream-style content_policy means the job fails. */
function videoJobFaults(faults: ActiveFaults): ActiveFaults {
  if (faults.stream?.name === "content_policy" && !faults.job) {
    return { ...faults, job: { name: "job_failed" } };
  }
  return faults;
}

/** On the chat protocol job_failed / job_stuck become their stream equivalents. */
function chatStreamFault(faults: ActiveFaults): StreamFault | undefined {
  const stream = faults.stream?.name as StreamFault | undefined;
  if (stream) return stream;
  if (faults.job?.name === "job_failed") return "content_policy";
  if (faults.job?.name === "job_stuck") return "stall_ping";
  return undefined;
}

function readChatMessages(messages: unknown): { prompt: string; imageUrls: string[] } {
  if (!Array.isArray(messages)) return { prompt: "", imageUrls: [] };
  const user = [...messages]
    .reverse()
    .find((m): m is Record<string, unknown> => !!m && typeof m === "object" && m.role === "user");
  if (!user) return { prompt: "", imageUrls: [] };
  if (typeof user.content === "string") return { prompt: user.content, imageUrls: [] };
  const texts: string[] = [];
  const imageUrls: string[] = [];
  if (Array.isArray(user.content)) {
    for (const part of user.content as Array<Record<string, unknown>>) {
      if (part?.type === "text" && typeof part.text === "string") texts.push(part.text);
      if (part?.type === "image_url") {
        const ref = part.image_url;
        const url =
          typeof ref === "string" ? ref : (ref as Record<string, unknown> | undefined)?.url;
        if (typeof url === "string") imageUrls.push(url);
      }
    }
  }
  return { prompt: texts.join("\n"), imageUrls };
}
