import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { failureOf } from "../upstream/test-support";

// Hoisted with the mock: errors.ts (imported above) reads the configuration module too.
const dataDir = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeOs = require("node:os") as typeof import("node:os");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeFs = require("node:fs") as typeof import("node:fs");
  return nodeFs.mkdtempSync(`${nodeOs.tmpdir()}/archive-test-`);
});

vi.mock("../config", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../config")>();
  const config = actual.parseConfig({
    DATA_DIR: dataDir,
    SORA_MAX_RETRIES: "1",
    SORA_RETRY_BASE_DELAY_MS: "1",
    SORA_RETRY_JITTER_MS: "0",
    LOG_LEVEL: "silent",
  });
  return { ...actual, getConfig: () => config };
});
vi.mock("../upstream/content", () => ({ fetchVideoContent: vi.fn() }));

const upstream = await import("../upstream/content");
const { archiveIo, archiveVideo, sweepOrphanParts } = await import("./archive");

const fetchContent = vi.mocked(upstream.fetchVideoContent);
const JOB = "job_0123456789abcdef01234567";
const SOURCE = { baseUrl: "http://relay.test", upstreamId: "video_1" };
const VIDEO = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
const videosDir = path.join(dataDir, "videos");
const original = { ...archiveIo };

/** An answer whose body and Content-Length need not agree (what fetch hands us after the wire). */
function answer(body: Buffer, headers: Record<string, string> = {}) {
  return new Response(new Uint8Array(body), {
    headers: { "content-type": "video/mp4", "content-length": String(body.length), ...headers },
  });
}

function filesLeft(): string[] {
  return fs.existsSync(videosDir) ? fs.readdirSync(videosDir) : [];
}

const signal = () => new AbortController().signal;

beforeEach(() => {
  fetchContent.mockReset();
  fs.rmSync(videosDir, { recursive: true, force: true });
});
afterEach(() => Object.assign(archiveIo, original));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe("archiveVideo integrity", () => {
  it("writes the exact bytes under the final name and leaves no part behind", async () => {
    fetchContent.mockImplementation(async () => answer(VIDEO));
    const result = await archiveVideo(JOB, SOURCE, { signal: signal() });
    expect(result).toEqual({ archivePath: path.join("videos", `${JOB}.mp4`), bytes: VIDEO.length });
    expect(fs.readFileSync(path.join(videosDir, `${JOB}.mp4`)).equals(VIDEO)).toBe(true);
    expect(filesLeft()).toEqual([`${JOB}.mp4`]);
  });

  it.each([
    ["shorter", VIDEO.subarray(0, 4000)],
    ["longer", Buffer.concat([VIDEO, Buffer.from("trailing junk")])],
  ])(
    "a body %s than its Content-Length is retried, then refused; no half file",
    async (_, body) => {
      fetchContent.mockImplementation(async () =>
        answer(body, { "content-length": String(VIDEO.length) }),
      );
      const onRetry = vi.fn();
      const error = await failureOf(archiveVideo(JOB, SOURCE, { signal: signal(), onRetry }));
      expect(error.code).toBe("network_error");
      expect(error.options.upstreamMessage).toMatch(
        new RegExp(`has ${body.length} bytes, expected ${VIDEO.length}`),
      );
      expect(onRetry).toHaveBeenCalledTimes(1);
      expect(fetchContent).toHaveBeenCalledTimes(2);
      expect(filesLeft()).toEqual([]);
    },
  );

  it("a content-encoded answer is archived as decoded bytes (its Content-Length counts the compressed ones)", async () => {
    fetchContent.mockImplementation(async () =>
      answer(VIDEO, { "content-length": "1234", "x-upstream-content-encoding": "gzip" }),
    );
    const result = await archiveVideo(JOB, SOURCE, { signal: signal() });
    expect(result.bytes).toBe(VIDEO.length);
    expect(fs.readFileSync(path.join(videosDir, `${JOB}.mp4`)).equals(VIDEO)).toBe(true);
  });

  it("an empty content-encoded answer is refused", async () => {
    fetchContent.mockImplementation(async () =>
      answer(Buffer.alloc(0), { "content-length": "20", "x-upstream-content-encoding": "gzip" }),
    );
    expect((await failureOf(archiveVideo(JOB, SOURCE, { signal: signal() }))).code).toBe(
      "network_error",
    );
    expect(filesLeft()).toEqual([]);
  });

  it("a failed fsync is never followed by the rename: no part, no final file, and it says why", async () => {
    fetchContent.mockImplementation(async () => answer(VIDEO));
    archiveIo.sync = async () => {
      throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
    };
    const error = await failureOf(archiveVideo(JOB, SOURCE, { signal: signal() }));
    expect(error.code).toBe("internal_error");
    expect(error.options.detail?.key).toBe("archiveWriteFailed");
    expect(error.options.upstreamMessage).toMatch(/EIO/);
    // A disk error is not retried as if the network were at fault.
    expect(fetchContent).toHaveBeenCalledTimes(1);
    expect(filesLeft()).toEqual([]);
  });

  it("a full disk is disk_full (not a network error), with no part left", async () => {
    fetchContent.mockImplementation(async () => answer(VIDEO));
    archiveIo.createWriteStream = (file: string) => {
      let written = 0;
      const real = fs.createWriteStream(file);
      return new Writable({
        write(chunk: Buffer, _enc, callback) {
          written += chunk.length;
          if (written > 1000) {
            callback(
              Object.assign(new Error("ENOSPC: no space left on device, write"), {
                code: "ENOSPC",
              }),
            );
            return;
          }
          real.write(chunk, callback);
        },
        final(callback) {
          real.end(callback);
        },
        destroy(error, callback) {
          real.destroy();
          callback(error);
        },
      });
    };
    const error = await failureOf(archiveVideo(JOB, SOURCE, { signal: signal() }));
    expect(error.code).toBe("disk_full");
    expect(fetchContent).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(filesLeft()).toEqual([]));
  });

  it("the boot sweep removes orphan parts but keeps a part a live process is writing", async () => {
    fs.mkdirSync(videosDir, { recursive: true });
    const orphan = `${JOB}.mp4.aaaaaaaaaaaa.part`;
    const live = "job_ffffffffffffffffffffffff.mp4.bbbbbbbbbbbb.part";
    const legacy = `${JOB}.mp4.part`;
    for (const name of [orphan, live, legacy, `${JOB}.mp4`]) {
      fs.writeFileSync(path.join(videosDir, name), "x");
    }
    const removed = await sweepOrphanParts(async (id) => id === "job_ffffffffffffffffffffffff");
    expect(removed).toBe(2);
    expect(filesLeft().sort()).toEqual([`${JOB}.mp4`, live].sort());
  });
});
