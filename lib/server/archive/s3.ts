import "server-only";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { S3Config } from "../config";
import { byteCounter, sizeRefusal } from "./byte-count";
import {
  ArchiveWriteError,
  archiveKey,
  type ArchiveStorage,
  type ObjectInfo,
  type StoredObject,
} from "./types";

/** Presigned links live this long: enough to start playback and seek, short enough to not be shared. */
export const PRESIGNED_URL_TTL_S = 5 * 60;
/** Multipart parts of this size, at most two in flight: ~16 MB of memory per upload whatever the video's size. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof NotFound ||
    (error instanceof S3ServiceException &&
      (error.name === "NotFound" ||
        error.name === "NoSuchKey" ||
        error.$metadata.httpStatusCode === 404))
  );
}

export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: config.credentials,
    // The SDK retries throttling and 5xx itself; the archive adds its own download retries on top.
    maxAttempts: 3,
  });
}

/**
 * Videos in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO …): streamed multipart upload,
 * size verified with HeadObject afterwards; browsers fetch from the bucket through presigned links.
 */
export class S3ArchiveStorage implements ArchiveStorage {
  readonly kind = "s3" as const;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  localFile(): undefined {
    return undefined;
  }

  async put(
    jobId: string,
    body: Readable,
    options: { signal: AbortSignal; expectedBytes?: number; contentType?: string },
  ): Promise<StoredObject> {
    const key = archiveKey(jobId);
    const counter = byteCounter();
    body.once("error", (error) => counter.stream.destroy(error));
    body.pipe(counter.stream);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: counter.stream,
        ContentType: options.contentType ?? "video/mp4",
      },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort().catch(() => undefined);
    options.signal.addEventListener("abort", abort, { once: true });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      if (options.signal.aborted) throw options.signal.reason ?? error;
      throw new ArchiveWriteError(
        "write_failed",
        `video upload broke after ${counter.bytes()} bytes`,
        {
          cause: error,
        },
      );
    } finally {
      options.signal.removeEventListener("abort", abort);
    }
    const bytes = counter.bytes();
    const refusal = sizeRefusal(bytes, options.expectedBytes);
    const stored = await this.stat(key);
    if (refusal || stored?.bytes !== bytes) {
      await this.removeKey(key);
      throw (
        refusal ??
        new ArchiveWriteError(
          "size_mismatch",
          `the bucket holds ${stored?.bytes ?? "no"} bytes of the ${bytes} uploaded`,
        )
      );
    }
    return { key, bytes };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        bytes: head.ContentLength ?? 0,
        modifiedAt: head.LastModified ?? new Date(0),
        etag: head.ETag ?? "",
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async remove(jobId: string): Promise<void> {
    await this.removeKey(archiveKey(jobId));
  }

  private async removeKey(key: string) {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  downloadUrl(key: string, options: { disposition: string; contentType: string }): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentType: options.contentType,
        ResponseContentDisposition: options.disposition,
      }),
      { expiresIn: PRESIGNED_URL_TTL_S },
    );
  }

  async probe(): Promise<{ writeMs: number; readMs: number }> {
    const key = `diagnostics/probe-${randomBytes(6).toString("hex")}.txt`;
    const payload = randomBytes(16).toString("hex");
    const started = performance.now();
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: payload,
        ContentType: "text/plain",
      }),
    );
    const written = performance.now();
    try {
      const read = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = await read.Body?.transformToString();
      if (text !== payload) throw new Error("the probe object read back differently");
      return { writeMs: written - started, readMs: performance.now() - written };
    } finally {
      await this.removeKey(key).catch(() => undefined);
    }
  }
}
