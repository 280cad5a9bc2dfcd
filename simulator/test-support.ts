import { afterAll, beforeAll, beforeEach } from "vitest";
import { startSimulator, type SimStats, type Simulator, type SimulatorOptions } from "./server";

export type { SimStats };

export { makePng } from "./png";

export const KEY = "sk-sim-test";
/** Fast enough for tests: a job takes 20 s / 80 = 250 ms. */
export const TEST_SPEED = 80;

/** Starts one simulator for the file and resets its state before every test. */
export function useSimulator(options: SimulatorOptions = {}): { readonly url: string } {
  let sim: Simulator | undefined;
  const handle = {
    get url() {
      if (!sim) throw new Error("simulator not started");
      return sim.url;
    },
  };
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: TEST_SPEED, quiet: true, ...options });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    if (sim) await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
  });
  return handle;
}

export interface ApiInit extends RequestInit {
  /** null = no Authorization header at all. */
  key?: string | null;
  json?: unknown;
}

export function api(base: string, path: string, init: ApiInit = {}): Promise<Response> {
  const { key = KEY, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== null) headers.set("authorization", `Bearer ${key}`);
  if (json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${base}${path}`, {
    ...rest,
    method: rest.method ?? (json !== undefined || rest.body ? "POST" : "GET"),
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
}

export function videoForm(fields: Record<string, string | Blob>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return form;
}

export async function stats(base: string): Promise<SimStats> {
  return (await (await fetch(`${base}/__sim/stats`)).json()) as SimStats;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 5_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** `data:` payloads of an SSE body, in order (comments and blank lines dropped). */
export function sseData(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => line.slice("data: ".length));
}

export function dataUrl(body: Buffer, mime: string): string {
  return `data:${mime};base64,${body.toString("base64")}`;
}
