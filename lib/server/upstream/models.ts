import "server-only";
import { registerSecret } from "../redact";
import { normalizeBaseUrl } from "./base-url";
import { UpstreamError } from "./classify";
import { resolveDeps, type UpstreamDeps } from "./deps";
import { openUpstream } from "./request";

function shutdownDate(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) {
    return new Date(value > 1e12 ? value : value * 1000).toISOString().slice(0, 10);
  }
  if (typeof value === "string" && value.trim()) return value.trim();
  return undefined;
}

/** `GET /v1/models` of the primary base URL (or `target`): ids and shutdown dates. One attempt. */
export async function listRelayModels(
  signal?: AbortSignal,
  target?: { baseUrl: string; apiKey: string },
  deps?: Partial<UpstreamDeps>,
): Promise<{ id: string; shutdownDate?: string }[]> {
  const resolved = resolveDeps(deps);
  const baseUrl = normalizeBaseUrl(target?.baseUrl ?? resolved.config.baseUrl);
  if (target) registerSecret(target.apiKey);
  const call = await openUpstream({
    operation: "models",
    url: `${baseUrl}/models`,
    baseUrl,
    apiKey: target ? target.apiKey : resolved.config.apiKey,
    headers: { accept: "application/json" },
    attempt: 1,
    signal: signal ?? new AbortController().signal,
    deps: resolved,
  });
  if (!call.response.ok) throw await call.failFromStatus();
  const text = await call.readText().catch((error: unknown) => {
    call.finish({ error });
    throw error;
  });
  let list: unknown;
  try {
    const json = JSON.parse(text) as { data?: unknown };
    list = Array.isArray(json) ? json : json.data;
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list)) {
    const error = new UpstreamError("protocol_error", {
      params: { host: call.host },
      status: call.response.status,
      upstreamMessage: `not a model list: ${text.slice(0, 300)}`,
    });
    call.finish({ error });
    throw error;
  }
  call.finish({ status: call.response.status });
  const models: { id: string; shutdownDate?: string }[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) continue;
    const entry = item as Record<string, unknown>;
    if (typeof entry.id !== "string" || !entry.id) continue;
    const date = shutdownDate(entry.shutdown_date ?? entry.shutdownDate);
    models.push(date ? { id: entry.id, shutdownDate: date } : { id: entry.id });
  }
  return models;
}
