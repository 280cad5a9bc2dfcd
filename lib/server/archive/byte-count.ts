import "server-only";
import { Transform } from "node:stream";
import { ArchiveWriteError } from "./types";

/** A pass-through stream that counts what goes through it, for the size check after a write. */
export function byteCounter(): { stream: Transform; bytes: () => number } {
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.byteLength;
      done(null, chunk);
    },
  });
  return { stream, bytes: () => bytes };
}

/** Why a written video of `bytes` is refused (empty, or not the size the relay announced). */
export function sizeRefusal(bytes: number, expected: number | undefined): ArchiveWriteError | null {
  if (bytes === 0) return new ArchiveWriteError("empty", "video download has 0 bytes");
  if (expected !== undefined && Number.isFinite(expected) && bytes !== expected) {
    return new ArchiveWriteError(
      "size_mismatch",
      `video download has ${bytes} bytes, expected ${expected}`,
    );
  }
  return null;
}
