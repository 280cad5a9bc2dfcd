import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { AppServer, REPO_ROOT, fakeApiKey, startSim, type SimHandle } from "./app";
import { makePng } from "@/simulator/png";
import { ApiClient, findKeyLeaks } from "./client";
import { readLeakSurfaces } from "./key-leak";
import { startEngines, type Engines } from "./engines";
import { storedState, type StoredState } from "./stored";

/**
 * `SORA_TEST_STORE=shared` (the `shared` project of vitest.config.ts) runs every suite
 * built on setupStack in shared mode: a fresh redis-server and S3 bucket per file, the app
 * configured with REDIS_URL and S3_* (a matrix over the store, not a second copy of the tests).
 */
const SHARED_STORE = process.env.SORA_TEST_STORE === "shared";

export const SAMPLE_MP4 = fs.readFileSync(path.join(REPO_ROOT, "simulator/assets/sample.mp4"));

export interface Stack {
  readonly key: string;
  readonly sim: SimHandle;
  /** Only with `fallback: true`. */
  readonly fallbackSim: SimHandle;
  readonly app: AppServer;
  readonly client: ApiClient;
  /** What the app stored, read from wherever it keeps it (SQLite + DATA_DIR, or Redis + bucket). */
  readonly stored: StoredState;
  /** Every text the app returned plus its log, scanned for the key. */
  expectNoKeyLeak(): void;
}

/**
 * One simulator and one `next start` for a test file (fresh DATA_DIR), torn down afterwards.
 * `env` adds to the app's environment (small timeouts and so on).
 */
export interface StackOptions {
  speed?: number;
  env?: Record<string, string>;
  /** Server-wide fault of the primary simulator. */
  fault?: string;
  /** Start a second, healthy simulator and configure it as SORA_FALLBACK_BASE_URLS. */
  fallback?: boolean;
  /** The upstream key (default: a random `sk-` key made at run time). */
  apiKey?: string;
  /** `next start -H` (default 127.0.0.1). */
  bindHost?: string;
}

export function setupStack(options: StackOptions = {}): Stack {
  const key = options.apiKey ?? fakeApiKey();
  let sim: SimHandle | undefined;
  let fallbackSim: SimHandle | undefined;
  let app: AppServer | undefined;
  let engines: Engines | undefined;
  const client = new ApiClient(() => {
    if (!app) throw new Error("app not started");
    return app.url;
  });
  beforeAll(async () => {
    sim = await startSim({ speed: options.speed ?? 50, fault: options.fault });
    if (SHARED_STORE) engines = await startEngines();
    const env = { ...engines?.env(), ...options.env };
    if (options.fallback) {
      fallbackSim = await startSim({ speed: options.speed ?? 50 });
      env.SORA_FALLBACK_BASE_URLS = fallbackSim.url;
    }
    app = await new AppServer({
      simUrl: sim.url,
      apiKey: key,
      env,
      bindHost: options.bindHost,
    }).start();
    // Load the routes once, so no test pays for the first request's module loading.
    await client.request("/api/models");
    await client.request("/api/videos?limit=1");
  });
  afterAll(async () => {
    // The file's closing leak scan: health, the diagnostics report (JSON and SSE) and the model
    // list are read once more and scanned with everything the tests read and the server logged.
    if (app) {
      const surfaces = await readLeakSurfaces(app.url, { password: options.env?.ACCESS_PASSWORD });
      const texts = [...surfaces.map((s) => s.text), ...client.transcript.texts, app.log];
      expect(findKeyLeaks(key, texts)).toEqual([]);
    }
    await app?.stop();
    await sim?.close();
    await fallbackSim?.close();
    await engines?.stop();
    app?.removeData();
  });
  return {
    key,
    get sim() {
      if (!sim) throw new Error("simulator not started");
      return sim;
    },
    get fallbackSim() {
      if (!fallbackSim) throw new Error("no fallback simulator");
      return fallbackSim;
    },
    get app() {
      if (!app) throw new Error("app not started");
      return app;
    },
    client,
    stored: storedState(
      () => {
        if (!app) throw new Error("app not started");
        return app.dataDir;
      },
      () => engines,
    ),
    expectNoKeyLeak() {
      const texts = [...client.transcript.texts, app?.log ?? ""];
      expect(texts.join("").length).toBeGreaterThan(0);
      expect(findKeyLeaks(key, texts)).toEqual([]);
    },
  };
}

/** A unique prompt per call, so the simulator's per-prompt create counters are per submit. */
let promptCounter = 0;
export function uniquePrompt(text: string): string {
  promptCounter++;
  return `${text} #${Date.now().toString(36)}${promptCounter}`;
}

export { makePng };

/** A file part for FormData; the declared type is whatever the test wants to claim. */
export function fileBlob(bytes: Uint8Array, type = ""): Blob {
  return new Blob([new Uint8Array(bytes)], { type });
}

export function dataUrl(bytes: Buffer, mime = "image/png"): string {
  return `data:${mime};base64,${bytes.toString("base64")}`;
}
