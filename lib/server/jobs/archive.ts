import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { ArchiveWriteError, archiveKey, getArchiveStorage, type ArchiveStorage } from "../archive";
import { getConfig } from "../config";
import { AppError, toAppError } from "../errors";
import { serverLog } from "../log";
import { fetchVideoContent } from "../upstream/content";
import type { RetryInfo, VideoSource } from "../upstream/types";

export interface ArchiveResult {
  /** `videos/<id>.mp4`: relative to DATA_DIR, or the object's key in the S3 bucket. */
  archivePath: string;
  bytes: number;
}

export function archiveRelativePath(jobId: string): string {
  return path.join("videos", `${jobId}.mp4`);
}

export function archiveFile(jobId: string): string {
  return path.join(getConfig().dataDir, archiveRelativePath(jobId));
}

const PART_PATTERN = /^(job_[0-9a-f]+)\.mp4\.[0-9a-f]+\.part$/;

/**
 * The file-system calls an archive makes, replaceable in tests to inject a full disk or a failed
 * fsync (nothing else may replace them).
 */
export const archiveIo = {
  createWriteStream: (file: string): Writable => fs.createWriteStream(file, { flags: "wx" }),
  sync: (handle: fs.promises.FileHandle): Promise<void> => handle.sync(),
};

async function removeParts(jobId: string, except?: string) {
  const dir = path.dirname(archiveFile(jobId));
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => PART_PATTERN.exec(name)?.[1] === jobId)
      .map((name) => path.join(dir, name))
      .filter((file) => file !== except)
      .map((file) => rm(file, { force: true })),
  );
}

/** Removes a job's archived video (file or bucket object) and any half-written download. */
export async function removeArchive(jobId: string): Promise<void> {
  const storage = getArchiveStorage();
  if (storage.kind === "s3") return storage.remove(jobId);
  await Promise.all([rm(archiveFile(jobId), { force: true }), removeParts(jobId)]);
}

/**
 * Boot sweep: deletes `.part` files left by a process that died mid-download. A part whose job is
 * leased right now belongs to a live download (another process on the same DATA_DIR) and stays.
 */
export async function sweepOrphanParts(isBeingWorked: (jobId: string) => Promise<boolean>) {
  const dir = path.join(getConfig().dataDir, "videos");
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const jobId = PART_PATTERN.exec(name)?.[1];
    if (!name.endsWith(".part")) continue;
    if (jobId && (await isBeingWorked(jobId))) continue;
    await rm(path.join(dir, name), { force: true });
    removed++;
  }
  if (removed > 0) serverLog.info("removed unfinished downloads", { count: removed });
  return removed;
}

/** A download that broke or came out the wrong size: the network's fault, worth another try. */
class BodyError extends AppError {}

const DISK_FULL_CODES = new Set(["ENOSPC", "EDQUOT"]);

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** Our own disk refused the bytes: a full disk has its own code; anything else says so. */
function storageError(error: unknown): AppError {
  const errno = errnoOf(error);
  if (errno && DISK_FULL_CODES.has(errno)) {
    return new AppError("disk_full", { upstreamMessage: `${errno} while saving`, cause: error });
  }
  return new AppError("internal_error", {
    detail: { key: "archiveWriteFailed" },
    upstreamMessage: `${errno ?? "error"} while saving the video`,
    cause: error,
  });
}

export function isStorageError(error: unknown): boolean {
  return (
    AppError.isInstance(error) &&
    (error.code === "disk_full" || error.options.detail?.key === "archiveWriteFailed")
  );
}

/** Counts bytes and remembers whether a failure came from our disk rather than the network. */
function countingWriter(
  target: Writable,
  onBytes: (n: number) => void,
  failed: { disk?: unknown },
) {
  target.on("error", (error) => {
    failed.disk ??= error;
  });
  return async function* (chunks: AsyncIterable<Uint8Array>) {
    for await (const chunk of chunks) {
      onBytes(chunk.byteLength);
      yield chunk;
    }
  };
}

async function fsyncDirectory(dir: string) {
  const handle = await fs.promises.open(dir, "r").catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

/**
 * One download into a private `<id>.mp4.<random>.part`: streamed (never whole in memory),
 * fsynced, its size checked against Content-Length and against what reached the disk, then renamed
 * into place (and the directory fsynced). On any failure the part is deleted: there is never a half
 * file under the final name.
 */
async function downloadOnce(jobId: string, source: VideoSource, signal: AbortSignal) {
  const response = await fetchVideoContent(source, signal);
  const type = response.headers.get("content-type") ?? "";
  if (!response.body || /text\/html|application\/json/i.test(type)) {
    await response.body?.cancel().catch(() => undefined);
    throw new AppError("protocol_error", {
      upstreamMessage: `video content answered ${type || "without a body"}`,
    });
  }
  // A compressed answer's Content-Length counts the compressed bytes (fetch decoded them).
  const encoded = response.headers.has("x-upstream-content-encoding");
  const declaredHeader = response.headers.get("content-length");
  const declared = encoded || declaredHeader === null ? undefined : Number(declaredHeader);
  const storage = getArchiveStorage();
  if (storage.kind === "s3") return uploadOnce(storage, jobId, response.body, declared, signal);
  const file = archiveFile(jobId);
  const part = `${file}.${randomBytes(6).toString("hex")}.part`;
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
  } catch (error) {
    await response.body.cancel().catch(() => undefined);
    throw storageError(error);
  }
  let bytes = 0;
  const failed: { disk?: unknown } = {};
  try {
    let writer: Writable;
    try {
      writer = archiveIo.createWriteStream(part);
    } catch (error) {
      await response.body.cancel().catch(() => undefined);
      throw storageError(error);
    }
    try {
      await pipeline(
        Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
        countingWriter(writer, (n) => (bytes += n), failed),
        writer,
        { signal },
      );
    } catch (error) {
      if (signal.aborted) throw error;
      if (failed.disk !== undefined || errnoOf(error)) throw storageError(failed.disk ?? error);
      throw new BodyError("network_error", {
        upstreamMessage: `video download broke after ${bytes} bytes`,
        cause: error,
      });
    }
    if (
      bytes === 0 ||
      (declared !== undefined && Number.isFinite(declared) && bytes !== declared)
    ) {
      throw new BodyError("network_error", {
        upstreamMessage: `video download has ${bytes} bytes, expected ${declared ?? "more than 0"}`,
      });
    }
    let onDisk: number;
    try {
      const handle = await fs.promises.open(part, "r+");
      try {
        await archiveIo.sync(handle);
        onDisk = (await handle.stat()).size;
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw storageError(error);
    }
    if (onDisk !== bytes) {
      throw storageError(new Error(`${onDisk} of ${bytes} bytes reached the disk`));
    }
    await rename(part, file).catch((error: unknown) => {
      throw storageError(error);
    });
    await fsyncDirectory(path.dirname(file));
    // Parts of this job left by a worker that died are now garbage (we hold the lease).
    await removeParts(jobId, part);
    return bytes;
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
}

/**
 * Shared mode: the body streams into the bucket as a multipart upload (a few parts in memory at
 * most), kept only once the stored size matches. A broken or short body is the network's fault.
 */
async function uploadOnce(
  storage: ArchiveStorage,
  jobId: string,
  body: ReadableStream<Uint8Array>,
  declared: number | undefined,
  signal: AbortSignal,
): Promise<number> {
  try {
    const stored = await storage.put(
      jobId,
      Readable.fromWeb(body as NodeReadableStream<Uint8Array>),
      { signal, expectedBytes: Number.isFinite(declared) ? declared : undefined },
    );
    return stored.bytes;
  } catch (error) {
    if (signal.aborted || !(error instanceof ArchiveWriteError)) throw error;
    throw new BodyError("network_error", { upstreamMessage: error.message, cause: error });
  }
}

/**
 * Streams a finished video into `DATA_DIR/videos/` (or the S3 bucket in shared mode). fetchVideoContent retries until the body
 * starts; a body that breaks midway or comes out the wrong size is downloaded again on its own
 * budget. A disk error is not retried here (the caller decides: a full disk is not weather).
 */
export async function archiveVideo(
  jobId: string,
  source: VideoSource,
  options: { signal: AbortSignal; onRetry?: (info: RetryInfo) => void },
): Promise<ArchiveResult> {
  const { maxRetries, retryBaseDelayMs, retryJitterMs } = getConfig();
  // Only the lease holder archives: a part left for this job belongs to a holder that died (the boot
  // sweep keeps parts whose lease had not yet expired).
  await removeParts(jobId);
  for (let attempt = 1; ; attempt++) {
    try {
      const bytes = await downloadOnce(jobId, source, options.signal);
      return { archivePath: archiveKey(jobId), bytes };
    } catch (error) {
      if (options.signal.aborted || !(error instanceof BodyError) || attempt > maxRetries) {
        throw toAppError(error);
      }
      const delayMs = Math.round(retryBaseDelayMs * attempt + Math.random() * retryJitterMs);
      serverLog.warn("video download broke; downloading again", {
        job: jobId,
        attempt,
        maxRetries,
        delayMs,
        reason: error.options.upstreamMessage,
      });
      options.onRetry?.({ attempt, maxRetries, delayMs, error });
      await sleep(delayMs, undefined, { signal: options.signal });
    }
  }
}
