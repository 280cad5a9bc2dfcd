import "server-only";
import type { Readable } from "node:stream";

/** Where a stored video sits: on this machine's disk, or in an S3-compatible bucket. */
export type ArchiveKind = "local" | "s3";

export interface StoredObject {
  /** The object's name in the archive (`videos/<id>.mp4`); also its path relative to DATA_DIR. */
  key: string;
  bytes: number;
}

export interface ObjectInfo {
  bytes: number;
  modifiedAt: Date;
  etag: string;
}

/** The write was refused or broke; nothing is left under the key. */
export class ArchiveWriteError extends Error {
  constructor(
    readonly reason: "size_mismatch" | "empty" | "write_failed",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ArchiveWriteError";
  }
}

/**
 * A narrow store of finished videos. Writes are all-or-nothing: a reader never sees a partly
 * written object, and a failed put leaves nothing behind. Callers own retries and deciding
 * when to download again.
 */
export interface ArchiveStorage {
  readonly kind: ArchiveKind;
  /**
   * Streams `body` under the job's key (never whole in memory). With `expectedBytes`, a body of
   * another length is refused. Resolves once the stored size has been verified.
   */
  put(
    jobId: string,
    body: Readable,
    options: { signal: AbortSignal; expectedBytes?: number; contentType?: string },
  ): Promise<StoredObject>;
  /** Size and date of the stored object; undefined when there is none. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Removes the object (and any half-written data); missing is fine. */
  remove(jobId: string): Promise<void>;
  /**
   * A short-lived URL the browser may GET directly (S3), or undefined when the app serves the
   * bytes itself (local disk).
   */
  downloadUrl(
    key: string,
    /** `disposition`: the Content-Disposition the download answers with (the file's name). */
    options: { disposition: string; contentType: string },
  ): Promise<string | undefined>;
  /** Absolute file of a key on local disk; undefined for remote storage. */
  localFile(key: string): string | undefined;
  /** Writes, reads back and deletes a tiny object (diagnostics). */
  probe(): Promise<{ writeMs: number; readMs: number }>;
}

export function archiveKey(jobId: string): string {
  return `videos/${jobId}.mp4`;
}
