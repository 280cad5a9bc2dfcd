import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { byteCounter, sizeRefusal } from "./byte-count";
import {
  ArchiveWriteError,
  archiveKey,
  type ArchiveStorage,
  type ObjectInfo,
  type StoredObject,
} from "./types";

async function fsyncPath(file: string, flags: string) {
  const handle = await fs.promises.open(file, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Videos under `DATA_DIR/videos/`: written to `<id>.mp4.part`, flushed to disk, then renamed into
 * place, so a crash leaves either the whole file or none.
 */
export class LocalArchiveStorage implements ArchiveStorage {
  readonly kind = "local" as const;

  constructor(private readonly dataDir: string) {}

  localFile(key: string): string {
    return path.join(this.dataDir, key);
  }

  async put(
    jobId: string,
    body: Readable,
    options: { signal: AbortSignal; expectedBytes?: number },
  ): Promise<StoredObject> {
    const key = archiveKey(jobId);
    const file = this.localFile(key);
    const part = `${file}.part`;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const counter = byteCounter();
    try {
      await pipeline(body, counter.stream, fs.createWriteStream(part), { signal: options.signal });
      await fsyncPath(part, "r+");
    } catch (error) {
      await fs.promises.rm(part, { force: true });
      if (options.signal.aborted) throw error;
      throw new ArchiveWriteError(
        "write_failed",
        `video write broke after ${counter.bytes()} bytes`,
        {
          cause: error,
        },
      );
    }
    const bytes = counter.bytes();
    const refusal = sizeRefusal(bytes, options.expectedBytes);
    if (refusal) {
      await fs.promises.rm(part, { force: true });
      throw refusal;
    }
    await fs.promises.rename(part, file);
    // The rename itself must survive a power cut too.
    await fsyncPath(path.dirname(file), "r").catch(() => undefined);
    return { key, bytes };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const stat = await fs.promises.stat(this.localFile(key)).catch(() => undefined);
    if (!stat?.isFile()) return undefined;
    return {
      bytes: stat.size,
      modifiedAt: stat.mtime,
      etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
    };
  }

  async remove(jobId: string): Promise<void> {
    const file = this.localFile(archiveKey(jobId));
    await Promise.all([
      fs.promises.rm(file, { force: true }),
      fs.promises.rm(`${file}.part`, { force: true }),
    ]);
  }

  async downloadUrl(): Promise<undefined> {
    return undefined;
  }

  async probe(): Promise<{ writeMs: number; readMs: number }> {
    const dir = path.join(this.dataDir, "videos");
    const file = path.join(dir, `.probe-${randomBytes(6).toString("hex")}`);
    const payload = randomBytes(32);
    const started = performance.now();
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(file, payload);
    const written = performance.now();
    try {
      const read = await fs.promises.readFile(file);
      if (!read.equals(payload)) throw new Error("the probe file read back differently");
      return { writeMs: written - started, readMs: performance.now() - written };
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }
}
