import "server-only";
import { badRequest } from "./errors";
import { formatBytes } from "./media/image";

/** Bodies of small JSON and form endpoints (login, logout, diagnostics). */
export const SMALL_BODY_BYTES = 16 * 1024;

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaTypeOf(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export function isJsonMediaType(type: string): boolean {
  return type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);
}

/**
 * The request body, read chunk by chunk and abandoned as soon as it passes `limit` bytes (413 with
 * the envelope): a client cannot make the server hold more than `limit` of it, whatever it sends
 * or declares. Every route reads its body through here, before parsing anything.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => badRequest("bodyTooLarge", { max: formatBytes(limit) }, 413);
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    await request.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw badRequest("malformedJson");
  }
}

/**
 * A JSON endpoint's body: `application/json` is required (415 otherwise — a cross-site form or a
 * `text/plain` fetch cannot send it without a preflight), then capped, then parsed.
 * An empty body is `undefined` when `allowEmpty` (a bare `curl -X POST`).
 */
export async function readJsonBody(
  request: Request,
  limit: number,
  options: { allowEmpty?: boolean } = {},
): Promise<unknown> {
  const type = mediaTypeOf(request);
  const declaredEmpty = request.headers.get("content-length") === "0" || !request.body;
  if (options.allowEmpty && !type && declaredEmpty) return undefined;
  if (!isJsonMediaType(type)) throw badRequest("contentType", undefined, 415);
  const body = await readBody(request, limit);
  if (body.byteLength === 0 && options.allowEmpty) return undefined;
  return parseJson(body);
}

/** A JSON or form body (urlencoded or multipart), capped before parsing; 415 for anything else. */
export async function readJsonOrForm(
  request: Request,
  limit: number,
): Promise<{ kind: "json"; value: unknown } | { kind: "form"; value: FormData }> {
  const type = mediaTypeOf(request);
  if (isJsonMediaType(type))
    return { kind: "json", value: parseJson(await readBody(request, limit)) };
  if (type !== "application/x-www-form-urlencoded" && type !== "multipart/form-data") {
    throw badRequest("contentType", undefined, 415);
  }
  const body = await readBody(request, limit);
  try {
    const form = await new Response(body as BodyInit, {
      headers: { "content-type": request.headers.get("content-type") ?? type },
    }).formData();
    return { kind: "form", value: form };
  } catch {
    throw badRequest("invalidField", { field: "form" });
  }
}
