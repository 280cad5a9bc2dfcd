import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { priceTableSchema, type PriceTable } from "@/lib/contracts/cost";
import { operatorModelsFileSchema, type OperatorModelEntry } from "@/lib/contracts/models";
import { registerSecret } from "./redact";

/** Strips what people paste around keys: spaces, newlines, quotes, a `Bearer ` prefix. */
export function cleanApiKey(raw: string): string {
  return raw
    .trim()
    .replace(/^["'“”‘’`]+|["'“”‘’`]+$/g, "")
    .trim()
    .replace(/^bearer\s+/i, "")
    .trim();
}

/** `NAME=` and `NAME=  ` (as .env files leave them) mean unset, for every variable at once. */
function dropBlankValues(env: unknown): unknown {
  if (typeof env !== "object" || env === null) return env;
  return Object.fromEntries(
    Object.entries(env).filter(([, value]) => !(typeof value === "string" && value.trim() === "")),
  );
}

/** A URL with one of `schemes` (`"https:"`) and a host. */
const urlWithScheme = (schemes: readonly string[], message: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        const url = new URL(value);
        return schemes.includes(url.protocol) && url.hostname !== "";
      } catch {
        return false;
      }
    }, message);

const httpUrl = (example: string) =>
  urlWithScheme(["http:", "https:"], `expected an http(s) URL such as ${example}`);

/** A whole number; `expected` words every complaint unless `tooSmall` says more. */
function wholeNumber(expected: string, range: { min: number; max?: number; tooSmall?: string }) {
  const atLeast = z.coerce
    .number({ error: expected })
    .int(expected)
    .min(range.min, range.tooSmall ?? expected);
  return range.max === undefined ? atLeast : atLeast.max(range.max, expected);
}

const milliseconds = (min: number) =>
  wholeNumber("expected a whole number of milliseconds", {
    min,
    tooSmall: `expected at least ${min} ms`,
  });

const byteCount = wholeNumber("expected a number of bytes", {
  min: 1024,
  tooSmall: "expected at least 1024 bytes",
});

const count = (min: number) =>
  wholeNumber("expected a whole number", { min, tooSmall: `expected at least ${min}` });

/** One of `values`, in any letter case. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .toLowerCase()
    .pipe(z.enum(values, { error: `expected one of ${values.join(", ")}` }));

/** Comma-separated entries, blanks between commas ignored; none when unset. */
const commaList = <T extends z.ZodType<unknown, string>>(entry: T) =>
  z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(entry))
    .default(() => []);

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"], { error: "expected true or false" }))
  .transform((v) => v === "true" || v === "1" || v === "yes");

// ---- Shared mode (Redis + S3-compatible storage; Vercel, several servers) ----

const redisUrl = urlWithScheme(
  ["redis:", "rediss:"],
  "expected redis://[user:password@]host:port[/db] or rediss://… (TLS)",
);

const sharedModeEnv = {
  REDIS_URL: redisUrl.optional(),
  S3_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected a bucket name such as sora-videos")
    .optional(),
  S3_ENDPOINT: httpUrl("https://<account>.r2.cloudflarestorage.com").optional(),
  S3_REGION: z.string().trim().default("auto"),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: booleanFlag.default(false),
  /** Vercel sends it as `Authorization: Bearer <CRON_SECRET>` to cron routes. */
  CRON_SECRET: z.string().min(16, "expected a random string of at least 16 characters").optional(),
};

export interface S3Config {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  /** Both or neither; neither = the SDK's default credential chain (AWS roles). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
}

export interface SharedModeConfig {
  /** Set ⇒ jobs, event logs, leases, idempotency keys and rate limits live in Redis. */
  redisUrl: string | undefined;
  /** Set ⇒ archived videos live in this bucket instead of DATA_DIR/videos. */
  s3: S3Config | undefined;
  cronSecret: string | undefined;
  /** Running on Vercel (VERCEL is set by the platform). */
  vercel: boolean;
}

type SharedModeEnv = z.output<z.ZodObject<typeof sharedModeEnv>>;

function sharedModeConfig(e: SharedModeEnv & { VERCEL?: string }): SharedModeConfig {
  const { S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = e;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new ConfigError([
      `${accessKeyId ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID"}: expected together with ${
        accessKeyId ? "S3_ACCESS_KEY_ID" : "S3_SECRET_ACCESS_KEY"
      } (or neither, for the SDK's default credentials)`,
    ]);
  }
  return {
    redisUrl: e.REDIS_URL,
    s3: e.S3_BUCKET
      ? {
          bucket: e.S3_BUCKET,
          endpoint: e.S3_ENDPOINT,
          region: e.S3_REGION,
          credentials:
            accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
        }
      : undefined,
    cronSecret: e.CRON_SECRET,
    vercel: Boolean(e.VERCEL),
  };
}

/** Secrets of the shared-mode settings, for the scrubber: the S3 secret key, the Redis password. */
export function sharedModeSecrets(shared: SharedModeConfig): string[] {
  const secrets = [shared.s3?.credentials?.secretAccessKey, shared.cronSecret];
  if (shared.redisUrl) {
    const password = new URL(shared.redisUrl).password;
    if (password) secrets.push(password, decodeURIComponent(password));
  }
  return secrets.filter((s): s is string => Boolean(s));
}

// ---- end of shared mode ----

/** Variables whose values never appear in a configuration error. */
const SECRET_VARIABLES = new Set([
  "SORA_API_KEY",
  "ACCESS_PASSWORD",
  "SESSION_SECRET",
  "S3_SECRET_ACCESS_KEY",
  "CRON_SECRET",
  "REDIS_URL",
]);

const envSchema = z.preprocess(
  dropBlankValues,
  z.object({
    SORA_API_KEY: z.string().optional(),
    SORA_BASE_URL: httpUrl("https://api.example.com/v1").default("https://api.openai.com"),
    SORA_FALLBACK_BASE_URLS: commaList(httpUrl("https://backup.example.com/v1")),
    SORA_CONSOLE_URL: httpUrl("https://relay.example.com/console").optional(),
    SORA_DEFAULT_MODEL: z.string().trim().default("sora_video2"),
    SORA_API_STYLE: oneOf(["auto", "videos", "chat", "generations"]).default("auto"),
    SORA_MAX_RETRIES: wholeNumber("expected a whole number from 0 to 10", {
      min: 0,
      max: 10,
    }).default(2),
    /** First retry delay; the n-th waits n × this, plus jitter (3 s, 6 s by default). */
    SORA_RETRY_BASE_DELAY_MS: milliseconds(0).default(3000),
    SORA_RETRY_JITTER_MS: milliseconds(0).default(1000),
    /** After acceptance, polls and downloads back off exponentially up to this wait. */
    SORA_RETRY_MAX_DELAY_MS: milliseconds(50).default(30_000),
    SORA_REQUEST_TIMEOUT_MS: milliseconds(100).default(60_000),
    SORA_STREAM_IDLE_TIMEOUT_MS: milliseconds(100).default(180_000),
    SORA_JOB_DEADLINE_MS: milliseconds(1000).default(45 * 60_000),
    SORA_POLL_INTERVAL_MS: milliseconds(10).default(2000),
    /** A job's lease: how long a worker owns it without renewing (another process takes over after). */
    SORA_LEASE_TTL_MS: milliseconds(200).default(15_000),
    /** How often the reconciler looks for jobs nobody is advancing. */
    SORA_RECONCILE_INTERVAL_MS: milliseconds(50).default(5000),
    /** A running job is "stalled" only after at least this long without progress (and 1.5 × p90). */
    SORA_STALL_FLOOR_MS: milliseconds(100).default(120_000),
    /** JSON array of extra/overriding model catalogue entries (docs/models.md). */
    SORA_MODELS_FILE: z.string().optional(),
    /** JSON object: model id or family → {perSecond?, perVideo?, currency} (estimates, job costs). */
    SORA_PRICES: z.string().optional(),
    SORA_MAX_IMAGE_BYTES: byteCount.default(10 * 1024 * 1024),
    /** Jobs one client IP may create per hour, and all clients together (0 = no limit). */
    SORA_RATE_LIMIT_PER_IP: count(0).default(60),
    SORA_RATE_LIMIT_GLOBAL: count(0).default(300),
    // --- relay-provided URLs and media (issue 11: SSRF, caps) ---
    /** Hosts (`name` or `name:port`) relay-provided media URLs may reach even on private addresses. */
    SORA_ALLOWED_MEDIA_HOSTS: commaList(
      z
        .string()
        .toLowerCase()
        .regex(
          /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/,
          "expected host names such as cdn.example.internal or 10.0.0.5:9000, comma-separated",
        ),
    ),
    /** Largest video archived or proxied from the relay (default 2 GB). */
    SORA_MAX_VIDEO_BYTES: byteCount.default(2 * 1024 ** 3),
    // --- end relay-provided URLs and media ---
    DATA_DIR: z.string().default("./data"),
    ACCESS_PASSWORD: z.string().optional(),
    LOG_LEVEL: oneOf(["debug", "info", "warn", "error", "silent"]).default("info"),
    /** SSE streams end with a `reconnect` event after this long (Vercel's maxDuration minus margin). */
    SORA_SSE_RECONNECT_MS: milliseconds(1000).optional(),
    VERCEL: z.string().optional(),
    /** production, preview or development (set by Vercel). */
    VERCEL_ENV: z.string().optional(),
    /** Set by `npm start` when it started the built-in simulator because no key was configured. */
    SORA_DEMO_MODE: z.string().optional(),
    /** Time factor of the built-in simulator (1: a job takes ~20 s); also used by the in-app one. */
    SIM_SPEED: z.coerce
      .number({ error: "expected a number > 0" })
      .positive("expected a number > 0")
      .max(1000)
      .default(1),
    HOSTNAME: z.string().optional(),
    PORT: z.string().optional(),
    npm_package_version: z.string().optional(),
    ...sharedModeEnv,
    // --- Exposure and access (issue 11): who may reach the server, and how it tells them apart. ---
    /** Reverse proxies in front of the server whose X-Forwarded-For entries are trusted (0 = none). */
    TRUST_PROXY: wholeNumber("expected the number of proxy hops to trust (0 = none)", {
      min: 0,
      max: 10,
    }).default(0),
    /** The public origin users open (https://studio.example.com); its host is accepted in `Host`. */
    PUBLIC_URL: httpUrl("https://studio.example.com").optional(),
    /** Further host names the server answers to, comma-separated (IP addresses and localhost always). */
    ALLOWED_HOSTS: commaList(
      z
        .string()
        .toLowerCase()
        .regex(/^(\*\.)?[a-z0-9.-]+$/, "expected host names such as studio.example.com"),
    ),
    VERCEL_URL: z.string().optional(),
    VERCEL_PROJECT_PRODUCTION_URL: z.string().optional(),
    VERCEL_BRANCH_URL: z.string().optional(),
    /** Signs sessions; shared by every instance of a multi-instance deployment (else kept in DATA_DIR). */
    SESSION_SECRET: z
      .string()
      .min(32, "expected at least 32 characters (e.g. openssl rand -hex 32)")
      .optional(),
    /** Serve a real key beyond loopback without ACCESS_PASSWORD anyway (e.g. a private network). */
    ALLOW_UNPROTECTED_PUBLIC_BIND: z.string().optional(),
    /** Open event streams one client may hold, and all clients together. */
    SORA_MAX_STREAMS_PER_CLIENT: count(1).default(16),
    SORA_MAX_STREAMS: count(1).default(200),
    // --- end of exposure and access ---
  }),
);

type Env = z.output<typeof envSchema>;

/**
 * The environment as the app's configuration. Runs only on a valid environment; a bad
 * SORA_MODELS_FILE or SORA_PRICES, or half an S3 key pair, throws ConfigError from the transform.
 */
const configSchema = envSchema.transform(toAppConfig);

export type AppConfig = z.output<typeof configSchema>;
export type ApiStyle = AppConfig["apiStyle"];
export type LogLevel = AppConfig["logLevel"];

function toAppConfig(e: Env) {
  const configuredKey = e.SORA_API_KEY ? cleanApiKey(e.SORA_API_KEY) || undefined : undefined;
  const demo = configuredKey ? undefined : inAppDemoUpstream(e);
  return {
    /** Key as used on the wire (cleaned), or undefined when none is configured. */
    apiKey: demo?.apiKey ?? configuredKey,
    /** Key exactly as configured, for diagnostics to warn about stray characters. Never logged. */
    rawApiKey: e.SORA_API_KEY,
    baseUrl: demo?.baseUrl ?? e.SORA_BASE_URL,
    /** Where people top up and manage channels: SORA_CONSOLE_URL, else the base URL's origin. */
    consoleUrl: consoleUrlOf(e.SORA_CONSOLE_URL, e.SORA_BASE_URL),
    fallbackBaseUrls: demo ? [] : e.SORA_FALLBACK_BASE_URLS,
    defaultModel: e.SORA_DEFAULT_MODEL,
    apiStyle: e.SORA_API_STYLE,
    maxRetries: e.SORA_MAX_RETRIES,
    retryBaseDelayMs: e.SORA_RETRY_BASE_DELAY_MS,
    retryJitterMs: e.SORA_RETRY_JITTER_MS,
    retryMaxDelayMs: e.SORA_RETRY_MAX_DELAY_MS,
    requestTimeoutMs: e.SORA_REQUEST_TIMEOUT_MS,
    streamIdleTimeoutMs: e.SORA_STREAM_IDLE_TIMEOUT_MS,
    jobDeadlineMs: e.SORA_JOB_DEADLINE_MS,
    pollIntervalMs: e.SORA_POLL_INTERVAL_MS,
    leaseTtlMs: e.SORA_LEASE_TTL_MS,
    reconcileIntervalMs: e.SORA_RECONCILE_INTERVAL_MS,
    stallFloorMs: e.SORA_STALL_FLOOR_MS,
    maxImageBytes: e.SORA_MAX_IMAGE_BYTES,
    rateLimitPerIp: e.SORA_RATE_LIMIT_PER_IP,
    rateLimitGlobal: e.SORA_RATE_LIMIT_GLOBAL,
    /** Hosts (lower case, optional `:port`) relay-provided URLs may reach whatever their address. */
    allowedMediaHosts: e.SORA_ALLOWED_MEDIA_HOSTS,
    maxVideoBytes: e.SORA_MAX_VIDEO_BYTES,
    dataDir: path.resolve(e.DATA_DIR),
    accessPassword: e.ACCESS_PASSWORD,
    logLevel: e.LOG_LEVEL,
    demoMode: demo !== undefined || e.SORA_DEMO_MODE === "1" || e.SORA_DEMO_MODE === "true",
    /**
     * Vercel without a key: demo mode on the simulator served by the app itself
     * (/api/demo-upstream, reached over the deployment's own public URL), stateless per job id.
     */
    inAppDemo: demo !== undefined,
    simSpeed: e.SIM_SPEED,
    /**
     * Set on Vercel (or by SORA_SSE_RECONNECT_MS): streams hand over to a resumed one before the
     * limit. Routes declare maxDuration = 300 s; 20 s are left to say goodbye.
     */
    sseReconnectMs: e.SORA_SSE_RECONNECT_MS ?? (e.VERCEL ? 280_000 : undefined),
    /** The bind address; `next start -H` (see parseConfig) wins over HOSTNAME. */
    hostname: e.HOSTNAME,
    version: e.npm_package_version ?? "0.1.0",
    /** Entries of SORA_MODELS_FILE, validated (empty when unset). */
    operatorModels: readModelsFile(e.SORA_MODELS_FILE),
    /** SORA_PRICES, validated (empty when unset). */
    prices: parsePrices(e.SORA_PRICES),
    shared: sharedModeConfig(e),
    // --- Exposure and access (issue 11) ---
    /** Proxy hops whose X-Forwarded-For entries are trusted; 0: the connection's address. */
    trustProxy: e.TRUST_PROXY,
    /** Host names (lowercase, no port) the server answers to besides IP addresses and localhost. */
    allowedHosts: [
      ...e.ALLOWED_HOSTS,
      ...[e.PUBLIC_URL, e.VERCEL_URL, e.VERCEL_PROJECT_PRODUCTION_URL, e.VERCEL_BRANCH_URL]
        .map(hostOf)
        .filter((host): host is string => Boolean(host)),
    ],
    /** On Vercel: the platform's own client-address header is trusted. */
    onVercel: Boolean(e.VERCEL),
    sessionSecret: e.SESSION_SECRET,
    allowUnprotectedPublicBind: isTruthy(e.ALLOW_UNPROTECTED_PUBLIC_BIND),
    maxStreamsPerClient: e.SORA_MAX_STREAMS_PER_CLIENT,
    maxStreams: e.SORA_MAX_STREAMS,
    // --- end of exposure and access ---
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment into the app's configuration; throws ConfigError naming each bad variable. */
export function parseConfig(
  env: Record<string, string | undefined>,
  argv: readonly string[] = [],
): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const value = SECRET_VARIABLES.has(name) ? undefined : env[name];
      return `${name}: ${issue.message}${value === undefined ? "" : ` (got "${value}")`}`;
    });
    throw new ConfigError(problems);
  }
  const boundTo = argvHostname(argv);
  return boundTo ? { ...parsed.data, hostname: boundTo } : parsed.data;
}

/**
 * Vercel with no key: the app is its own upstream at `<public origin>/api/demo-upstream` (the
 * production domain in production: deployment URLs may sit behind Vercel's deployment protection).
 * Its key is derived, the same on every instance; it only opens that fake upstream.
 */
function inAppDemoUpstream(e: Env): { apiKey: string; baseUrl: string } | undefined {
  if (!e.VERCEL) return undefined;
  const host =
    e.VERCEL_ENV === "production"
      ? (e.VERCEL_PROJECT_PRODUCTION_URL ?? e.VERCEL_URL)
      : (e.VERCEL_BRANCH_URL ?? e.VERCEL_URL);
  const origin = e.PUBLIC_URL ?? (host ? `https://${host}` : undefined);
  if (!origin) return undefined;
  const seed = `sora-studio demo upstream\n${e.SESSION_SECRET ?? origin}`;
  const apiKey = `sk-demo-${createHash("sha256").update(seed).digest("hex").slice(0, 40)}`;
  return { apiKey, baseUrl: `${origin.replace(/\/+$/, "")}/api/demo-upstream` };
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

/** `studio.example.com` from a URL or a bare host (Vercel's variables carry no scheme). */
function hostOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return new URL(/^https?:\/\//i.test(value) ? value : `https://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The address `next start -H <host>` binds (it does not export it to the environment). */
function argvHostname(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "-H" || arg === "--hostname") return argv[i + 1];
    if (arg.startsWith("--hostname=")) return arg.slice("--hostname=".length);
  }
  return undefined;
}

/** The relay's console without credentials: the configured page, else the base URL's origin. */
function consoleUrlOf(configured: string | undefined, baseUrl: string): string {
  const url = new URL(configured ?? baseUrl);
  url.username = "";
  url.password = "";
  return configured ? url.toString() : url.origin;
}

/** SORA_MODELS_FILE: read once at start-up; a broken file stops the start like any bad variable. */
function readModelsFile(file: string | undefined): OperatorModelEntry[] {
  if (!file) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.resolve(file), "utf8"));
  } catch (error) {
    const reason = error instanceof SyntaxError ? "not valid JSON" : "cannot be read";
    throw new ConfigError([`SORA_MODELS_FILE: ${file} ${reason}`]);
  }
  const parsed = operatorModelsFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues
        .slice(0, 10)
        .map((issue) => `SORA_MODELS_FILE: [${issue.path.join(".")}] ${issue.message}`),
    );
  }
  return parsed.data;
}

const PRICES_EXAMPLE = `{"sora-2":{"perSecond":0.1,"currency":"USD"},"kling":{"perVideo":1.2,"currency":"CNY"}}`;

/** SORA_PRICES: a JSON object, model id or family name → price; anything else stops the start. */
function parsePrices(raw: string | undefined): PriceTable {
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError([
      `SORA_PRICES: expected a JSON object such as ${PRICES_EXAMPLE} (not valid JSON)`,
    ]);
  }
  const parsed = priceTableSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.slice(0, 10).map((issue) => {
        const where = issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
        const message =
          issue.code === "invalid_type" && issue.path.length === 0
            ? `expected a JSON object such as ${PRICES_EXAMPLE}`
            : issue.message.startsWith("expected")
              ? issue.message
              : `expected {perSecond?, perVideo?, currency} (${issue.message})`;
        return `SORA_PRICES: ${message}${where}`;
      }),
    );
  }
  return parsed.data;
}

const CONFIG_KEY = Symbol.for("sora-studio.config");
type ConfigHolder = { [CONFIG_KEY]?: AppConfig };

/** The configuration of this process, parsed once from process.env (the only reader of it). */
export function getConfig(): AppConfig {
  const holder = globalThis as ConfigHolder;
  if (!holder[CONFIG_KEY]) {
    holder[CONFIG_KEY] = parseConfig(process.env, process.argv);
    registerConfigSecrets(holder[CONFIG_KEY]);
  }
  return holder[CONFIG_KEY];
}

/** Password of a `https://user:secret@relay` URL, if one was pasted that way. */
function urlPassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every secret a configuration holds, registered with the process-wide scrubber the moment the
 * configuration is read: the key as used and as pasted, credentials inside base URLs, the password.
 */
export function registerConfigSecrets(config: AppConfig): void {
  registerSecret(config.apiKey);
  registerSecret(config.rawApiKey);
  registerSecret(config.accessPassword);
  registerSecret(config.sessionSecret);
  for (const url of [config.baseUrl, ...config.fallbackBaseUrls]) registerSecret(urlPassword(url));
}

/** For the diagnostics CLI, which may target another base URL or key. */
export function readEnv(name: string): string | undefined {
  return process.env[name];
}

const PROXY_VARIABLES = [
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
] as const;

export interface NetworkEnv {
  /** Proxy variables that are set, credentials removed from their values. */
  proxies: { name: string; value: string }[];
  /** NODE_EXTRA_CA_CERTS (a path), when set. */
  extraCaCerts?: string;
  /** NODE_TLS_REJECT_UNAUTHORIZED=0 switches certificate checks off for the whole process. */
  tlsRejectUnauthorized?: string;
}

/** Network-related variables for diagnostics (proxies in use, CA settings); no secrets. */
export function networkEnv(): NetworkEnv {
  const proxies: NetworkEnv["proxies"] = [];
  for (const name of PROXY_VARIABLES) {
    const value = process.env[name]?.trim();
    if (value) proxies.push({ name, value: value.replace(/\/\/[^/@]*@/, "//") });
  }
  return {
    proxies,
    extraCaCerts: process.env.NODE_EXTRA_CA_CERTS?.trim() || undefined,
    tlsRejectUnauthorized: process.env.NODE_TLS_REJECT_UNAUTHORIZED?.trim() || undefined,
  };
}

/** The configuration from this process's environment plus overrides (the diagnostics CLI's flags). */
export function configFromEnvironment(
  overrides: Record<string, string | undefined> = {},
): AppConfig {
  const config = parseConfig({ ...process.env, ...overrides });
  registerConfigSecrets(config);
  return config;
}
