import "server-only";
import fs from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { getConfig } from "../config";
import { AppError, toAppError } from "../errors";
import { serverLog } from "../log";
import { fetchVideoContent } from "../upstream";
import type { RetryInfo, VideoSource } from "../upstream/types";

export interface ArchiveResult {
  /** Relative to DATA_DIR. */
  archivePath: string;
  bytes: number;
}

export function archiveRelativePath(jobId: string): string {
  return path.join("videos", `${jobId}.mp4`);
}

export function archiveFile(jobId: string): string {
  return path.join(getConfig().dataDir, archiveRelativePath(jobId));
}

/** Removes a job's archived video and any half-written download. */
export async function removeArchive(jobId: string): Promise<void> {
  const file = archiveFile(jobId);
  await Promise.all([rm(file, { force: true }), rm(`${file}.part`, { force: true })]);
}

class BodyError extends AppError {}

/** One download straight to `<id>.mp4.part`, renamed into place once its size checks out. */
async function downloadOnce(jobId: string, source: VideoSource, signal: AbortSignal) {
  const response = await fetchVideoContent(source, signal);
  const type = response.headers.get("content-type") ?? "";
  if (!response.body || /text\/html|application\/json/i.test(type)) {
    await response.body?.cancel().catch(() => undefined);
    throw new AppError("protocol_error", {
      upstreamMessage: `video content answered ${type || "without a body"}`,
    });
  }
  const declared = response.headers.has("content-encoding")
    ? undefined
    : Number(response.headers.get("content-length") ?? NaN);
  const file = archiveFile(jobId);
  const part = `${file}.part`;
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  let bytes = 0;
  try {
    await pipeline(
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          bytes += chunk.byteLength;
          yield chunk;
        }
      },
      fs.createWriteStream(part),
      { signal },
    );
  } catch (error) {
    await rm(part, { force: true });
    if (signal.aborted) throw error;
    throw new BodyError("network_error", {
      upstreamMessage: `video download broke after ${bytes} bytes`,
      cause: error,
    });
  }
  if (bytes === 0 || (declared !== undefined && Number.isFinite(declared) && bytes !== declared)) {
    await rm(part, { force: true });
    throw new BodyError("network_error", {
      upstreamMessage: `video download has ${bytes} bytes, expected ${declared ?? "more than 0"}`,
    });
  }
  await rename(part, file);
  return bytes;
}

/**
 * Streams a finished video into `DATA_DIR/videos/` (never whole in memory). fetchVideoContent
 * retries until the body starts; a body that breaks midway is downloaded again on its own budget.
 */
export async function archiveVideo(
  jobId: string,
  source: VideoSource,
  options: { signal: AbortSignal; onRetry?: (info: RetryInfo) => void },
): Promise<ArchiveResult> {
  const { maxRetries, retryBaseDelayMs, retryJitterMs } = getConfig();
  for (let attempt = 1; ; attempt++) {
    try {
      const bytes = await downloadOnce(jobId, source, options.signal);
      return { archivePath: archiveRelativePath(jobId), bytes };
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
