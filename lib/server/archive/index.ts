import "server-only";
import { getConfig, sharedModeSecrets } from "../config";
import { registerSecret } from "../redact";
import { LocalArchiveStorage } from "./local";
import { S3ArchiveStorage, createS3Client } from "./s3";
import type { ArchiveStorage } from "./types";

export { archiveKey, ArchiveWriteError } from "./types";
export type { ArchiveKind, ArchiveStorage, ObjectInfo, StoredObject } from "./types";

const STORAGE_KEY = Symbol.for("sora-studio.archive-storage");

/** The process-wide archive: the S3 bucket when S3_BUCKET is set, else `DATA_DIR/videos`. */
export function getArchiveStorage(): ArchiveStorage {
  const holder = globalThis as { [STORAGE_KEY]?: ArchiveStorage };
  if (!holder[STORAGE_KEY]) {
    const config = getConfig();
    const s3 = config.shared.s3;
    for (const secret of sharedModeSecrets(config.shared)) registerSecret(secret);
    holder[STORAGE_KEY] = s3
      ? new S3ArchiveStorage(createS3Client(s3), s3.bucket)
      : new LocalArchiveStorage(config.dataDir);
  }
  return holder[STORAGE_KEY];
}
