import { describe, expect, it } from "vitest";
import { errorEnvelopeSchema } from "@/lib/contracts/errors";
import { readBody, readJsonBody, readJsonOrForm } from "./body";
import { AppError } from "./errors";

/** A body of `chunks` × 64 KB that counts how much of it was pulled. */
function endlessBody(chunks: number) {
  const pulled = { bytes: 0 };
  let left = chunks;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left-- <= 0) return controller.close();
      pulled.bytes += 65_536;
      controller.enqueue(new Uint8Array(65_536));
    },
  });
  return { stream, pulled };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}) {
  return new Request("http://127.0.0.1/api/x", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (error) {
    if (!AppError.isInstance(error)) throw error;
    const body = await error.toResponse("en", "req_test").json();
    expect(errorEnvelopeSchema.parse(body).error.code).toBe("bad_request");
    return error.httpStatus;
  }
}

describe("readBody", () => {
  it("stops pulling a huge body just past its limit (413)", async () => {
    const { stream, pulled } = endlessBody(800); // 50 MB
    expect(await statusOf(readBody(post(stream), 100_000))).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(100_000 + 2 * 65_536);
  });

  it("refuses a declared Content-Length over the limit without reading", async () => {
    const { stream, pulled } = endlessBody(800);
    const request = post(stream, { "content-length": String(50 * 1024 * 1024) });
    expect(await statusOf(readBody(request, 1000))).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(65_536);
  });

  it("returns a body within the limit whole", async () => {
    expect((await readBody(post("hello"), 5)).byteLength).toBe(5);
  });
});

describe("readJsonBody and readJsonOrForm", () => {
  it("requires application/json (415) before reading anything", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", ""]) {
      const request = post('{"generate":true}', type ? { "content-type": type } : {});
      expect(await statusOf(readJsonBody(request, 4096)), type).toBe(415);
    }
    expect(await readJsonBody(post('{"a":1}', { "content-type": "application/json" }), 99)).toEqual(
      {
        a: 1,
      },
    );
    expect(await readJsonBody(post(null), 99, { allowEmpty: true })).toBeUndefined();
  });

  it("parses forms only after the cap", async () => {
    const big = `password=${"a".repeat(20_000)}`;
    const form = post(big, { "content-type": "application/x-www-form-urlencoded" });
    expect(await statusOf(readJsonOrForm(form, 16_384))).toBe(413);
    const small = post("password=x", { "content-type": "application/x-www-form-urlencoded" });
    const parsed = await readJsonOrForm(small, 16_384);
    expect(parsed.kind === "form" && parsed.value.get("password")).toBe("x");
    expect(await statusOf(readJsonOrForm(post("x", { "content-type": "text/plain" }), 99))).toBe(
      415,
    );
  });
});
