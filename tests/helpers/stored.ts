import fs from "node:fs";
import path from "node:path";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import type { Engines } from "./engines";

/**
 * A test's view of what the app persisted, whichever store it runs on: the SQLite file and
 * DATA_DIR/videos by default, Redis and the bucket in shared mode (SORA_TEST_STORE=shared).
 * Tests that damage the archive behind the app's back do it through here.
 */
export interface StoredState {
  jobCount(): Promise<number>;
  archiveExists(jobId: string): Promise<boolean>;
  /** Cuts the archived video to its first `bytes` bytes. */
  truncateArchive(jobId: string, bytes: number): Promise<void>;
  removeArchive(jobId: string): Promise<void>;
}

const videoKey = (jobId: string) => `videos/${jobId}.mp4`;

function s3Client(engines: Engines): S3Client {
  const { s3 } = engines;
  return new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

export function storedState(
  dataDir: () => string,
  engines: () => Engines | undefined,
): StoredState {
  const file = (jobId: string) => path.join(dataDir(), videoKey(jobId));
  return {
    async jobCount() {
      const shared = engines();
      if (shared) {
        const redis = new Redis(shared.redis.url);
        try {
          return await redis.zcard("sora:jobs");
        } finally {
          await redis.quit();
        }
      }
      const db = new Database(path.join(dataDir(), "sora-studio.db"), {
        readonly: true,
        fileMustExist: true,
      });
      try {
        return (db.prepare("SELECT COUNT(*) AS n FROM jobs").get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    async archiveExists(jobId) {
      const shared = engines();
      if (!shared) return fs.existsSync(file(jobId));
      const head = { Bucket: shared.s3.bucket, Key: videoKey(jobId) };
      return s3Client(shared)
        .send(new HeadObjectCommand(head))
        .then(
          () => true,
          () => false,
        );
    },
    async truncateArchive(jobId, bytes) {
      const shared = engines();
      if (!shared) return fs.truncateSync(file(jobId), bytes);
      const client = s3Client(shared);
      const object = { Bucket: shared.s3.bucket, Key: videoKey(jobId) };
      const whole = await client.send(new GetObjectCommand(object));
      const body = Buffer.from((await whole.Body?.transformToByteArray()) ?? []);
      await client.send(new PutObjectCommand({ ...object, Body: body.subarray(0, bytes) }));
    },
    async removeArchive(jobId) {
      const shared = engines();
      if (!shared) return fs.rmSync(file(jobId));
      await s3Client(shared).send(
        new DeleteObjectCommand({ Bucket: shared.s3.bucket, Key: videoKey(jobId) }),
      );
    },
  };
}
