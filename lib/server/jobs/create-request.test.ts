import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";

vi.mock("../config", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../config")>();
  const config = actual.parseConfig({
    SORA_API_KEY: "sk-test-fake-key-123456",
    SORA_MAX_IMAGE_BYTES: "4096",
  });
  return { ...actual, getConfig: () => config };
});
vi.mock("../upstream/models", () => ({
  listRelayModels: async () => [{ id: "sora-2-relay-only" }, { id: "gpt-4o" }],
}));
vi.mock("./store", async () => {
  const { SqliteJobStore } = await vi.importActual<typeof import("./store")>("./store");
  const store = new SqliteJobStore(":memory:");
  return { getJobStore: () => store };
});

const { parseCreateVideoRequest, maxBodyBytes } = await import("./create-request");

function jsonRequest(body: unknown, headers: Record<string, string> = {}) {
  return new Request("http://app.test/api/videos", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function rejection(request: Request): Promise<AppError> {
  try {
    await parseCreateVideoRequest(request);
  } catch (error) {
    if (AppError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

function png(width: number, height: number): string {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`;
}

describe("parseCreateVideoRequest", () => {
  it("fills the model's defaults", async () => {
    await expect(
      parseCreateVideoRequest(jsonRequest({ prompt: " a cat " })),
    ).resolves.toMatchObject({
      prompt: "a cat",
      model: "sora_video2",
      protocol: "chat",
      seconds: "10",
      size: "704x1280",
    });
    await expect(
      parseCreateVideoRequest(jsonRequest({ prompt: "a", model: "sora-2" })),
    ).resolves.toMatchObject({
      protocol: "videos",
      seconds: "4",
      size: "720x1280",
    });
  });

  it("takes the frame size from the image when none is asked for", async () => {
    const input = await parseCreateVideoRequest(
      jsonRequest({ prompt: "a", model: "sora-2", image: png(1280, 720) }),
    );
    expect(input).toMatchObject({
      size: "1280x720",
      image: { mime: "image/png", width: 1280, height: 720 },
    });
  });

  it("accepts video models only the relay lists, never its chat models", async () => {
    await expect(
      parseCreateVideoRequest(jsonRequest({ prompt: "a", model: "sora-2-relay-only" })),
    ).resolves.toMatchObject({ model: "sora-2-relay-only", protocol: "videos" });
    expect(
      (await rejection(jsonRequest({ prompt: "a", model: "gpt-4o" }))).options.detail?.key,
    ).toBe("modelUnknown");
  });

  it("refuses a declared body over the limit without reading it", async () => {
    const body = new ReadableStream({
      pull() {
        throw new Error("the body must not be read");
      },
    });
    const request = new Request("http://app.test/api/videos", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-length": String(maxBodyBytes(4096) + 1),
      },
      body,
      duplex: "half",
    } as RequestInit);
    const error = await rejection(request);
    expect(error.options.detail?.key).toBe("bodyTooLarge");
    expect(error.httpStatus).toBe(413);
  });

  it("answers any JSON body with a valid input or a 4xx, never anything else", async () => {
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 2 }),
    );
    const body = fc.record(
      {
        prompt: fc.oneof(
          field,
          fc.string({ minLength: 1, maxLength: 50 }),
          fc.string({ minLength: 3990, maxLength: 4010 }),
        ),
        model: fc.oneof(
          field,
          fc.constantFrom("sora-2", "sora-2-pro", "sora_video2", "sora_video2-15s", "nope"),
        ),
        seconds: fc.oneof(field, fc.constantFrom("4", "8", "10", "12", "15", 4, 10)),
        size: fc.oneof(field, fc.constantFrom("720x1280", "1280x720", "704x1280", "1x1")),
        image: fc.oneof(
          field,
          fc.constantFrom(png(720, 1280), png(0, 0), "data:image/png;base64,AAAA"),
        ),
        retryOf: field,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, fc.jsonValue()), async (value) => {
        try {
          const input = await parseCreateVideoRequest(jsonRequest(value));
          expect(input.prompt.trim()).toBe(input.prompt);
          expect(input.prompt.length).toBeGreaterThan(0);
          expect(input.prompt.length).toBeLessThanOrEqual(4000);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          const status = (error as AppError).httpStatus;
          expect(status >= 400 && status < 500, `status ${status}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
