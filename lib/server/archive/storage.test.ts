import { contentDisposition, videoFileName } from "@/lib/media/video-file-name";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type S3Handle } from "@/tests/helpers/engines";
import { LocalArchiveStorage } from "./local";
import { S3ArchiveStorage, createS3Client } from "./s3";
import { ArchiveWriteError, archiveKey, type ArchiveStorage } from "./types";

const VIDEO = fs.readFileSync(path.join(__dirname, "../../../simulator/assets/sample.mp4"));

/** A body delivered in small chunks, optionally breaking after `breakAfter` bytes. */
function chunked(bytes: Buffer, breakAfter?: number): Readable {
  return Readable.from(
    (async function* () {
      for (let at = 0; at < bytes.length; at += 4096) {
        if (breakAfter !== undefined && at >= breakAfter) throw new Error("connection reset");
        yield bytes.subarray(at, at + 4096);
      }
    })(),
  );
}

let s3: S3Handle;
let dataDir: string;
beforeAll(async () => {
  s3 = await startS3();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-archive-unit-"));
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const storages: [string, () => ArchiveStorage][] = [
  ["local", () => new LocalArchiveStorage(dataDir)],
  [
    "s3",
    () =>
      new S3ArchiveStorage(
        createS3Client({
          bucket: s3.bucket,
          endpoint: s3.endpoint,
          region: s3.region,
          credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
          forcePathStyle: true,
        }),
        s3.bucket,
      ),
  ],
];

/** The test video stored as `jobId` in the S3 archive. */
async function videoInS3(jobId: string) {
  const [, make] = storages[1] as [string, () => ArchiveStorage];
  const storage = make();
  const { key } = await storage.put(jobId, chunked(VIDEO), {
    signal: new AbortController().signal,
  });
  return { storage, key };
}

/** Reads an object back the way a browser would: the presigned link (S3) or the file (local). */
async function readBack(storage: ArchiveStorage, key: string, range?: string) {
  const url = await storage.downloadUrl(key, { disposition: "inline", contentType: "video/mp4" });
  if (url === undefined) {
    const file = storage.localFile(key);
    return { status: 200, bytes: file ? fs.readFileSync(file) : Buffer.alloc(0) };
  }
  const response = await fetch(url, { headers: range ? { Range: range } : {} });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe.each(storages)("%s archive storage", (kind, make) => {
  it("streams a video in, verifies its size, serves it back and removes it", async () => {
    const storage = make();
    expect(storage.kind).toBe(kind);
    const jobId = `job_${kind}_ok`;
    const signal = new AbortController().signal;
    const stored = await storage.put(jobId, chunked(VIDEO), {
      signal,
      expectedBytes: VIDEO.length,
    });
    expect(stored).toEqual({ key: archiveKey(jobId), bytes: VIDEO.length });
    expect((await storage.stat(stored.key))?.bytes).toBe(VIDEO.length);
    const whole = await readBack(storage, stored.key);
    expect(whole.bytes.equals(VIDEO)).toBe(true);
    await storage.remove(jobId);
    expect(await storage.stat(stored.key)).toBeUndefined();
  });

  it("refuses a body whose length differs from the declared one and keeps nothing", async () => {
    const storage = make();
    const jobId = `job_${kind}_short`;
    const put = storage.put(jobId, chunked(VIDEO), {
      signal: new AbortController().signal,
      expectedBytes: VIDEO.length + 10,
    });
    await expect(put).rejects.toMatchObject({ name: "ArchiveWriteError", reason: "size_mismatch" });
    expect(await storage.stat(archiveKey(jobId))).toBeUndefined();
  });

  it("reports a body that breaks midway as a failed write and keeps nothing", async () => {
    const storage = make();
    const jobId = `job_${kind}_broken`;
    const error = await storage
      .put(jobId, chunked(VIDEO, 8192), { signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveWriteError);
    expect((error as ArchiveWriteError).reason).toBe("write_failed");
    expect(await storage.stat(archiveKey(jobId))).toBeUndefined();
  });

  it("writes, reads back and deletes a probe object", async () => {
    const result = await make().probe();
    expect(result.writeMs).toBeGreaterThanOrEqual(0);
    expect(result.readMs).toBeGreaterThanOrEqual(0);
  });
});

describe("S3 presigned links", () => {
  it("honour Range directly against the bucket and expire", async () => {
    const { storage, key } = await videoInS3("job_s3_range");
    const part = await readBack(storage, key, "bytes=100-199");
    expect(part.status).toBe(206);
    expect(part.bytes.equals(VIDEO.subarray(100, 200))).toBe(true);
    const url = new URL(
      (await storage.downloadUrl(key, { disposition: "inline", contentType: "video/mp4" })) ?? "",
    );
    expect(Number(url.searchParams.get("X-Amz-Expires"))).toBeLessThanOrEqual(300);
    // The bucket answers with the file name the content route chose (CJK kept).
    const disposition = contentDisposition(videoFileName("灯塔 at dusk", "2026-12-03T08:00:00Z"));
    const named = await fetch(
      (await storage.downloadUrl(key, { disposition, contentType: "video/mp4" })) ?? "",
    );
    await named.body?.cancel();
    expect(named.headers.get("content-disposition")).toBe(disposition);
    expect(disposition).toContain(encodeURIComponent("灯塔-at-dusk-2026-12-03.mp4"));
    await storage.remove("job_s3_range");
  });
});

describe("the test bucket behaves like S3", () => {
  it("answers a suffix range with the last bytes and ignores ranges S3 ignores", async () => {
    const { storage, key } = await videoInS3("job_s3_suffix");
    const tail = await readBack(storage, key, "bytes=-50");
    expect(tail.status).toBe(206);
    expect(tail.bytes.equals(VIDEO.subarray(VIDEO.length - 50))).toBe(true);
    for (const ignored of ["bytes=0-1,5-9", "bytes=9-1", "bytes=x-y"]) {
      const whole = await readBack(storage, key, ignored);
      expect(whole.status, ignored).toBe(200);
      expect(whole.bytes.equals(VIDEO)).toBe(true);
    }
    await storage.remove("job_s3_suffix");
  });
});
