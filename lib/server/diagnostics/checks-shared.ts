import "server-only";
import path from "node:path";
import { Redis } from "ioredis";
import { LocalArchiveStorage } from "../archive/local";
import { S3ArchiveStorage, createS3Client } from "../archive/s3";
import type { ArchiveStorage } from "../archive/types";
import { scrubSecrets } from "../redact";
import type { Outcome, RunContext } from "./context";

/** Slower than this per round trip, Redis makes every event of every job noticeably late. */
const SLOW_STORE_MS = 150;
const PROBE_TIMEOUT_MS = 5_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const describeError = (error: unknown) =>
  scrubSecrets(error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** `host:port` of a Redis URL, never its password. */
function redisHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "?";
  }
}

/** The job store: SQLite needs nothing; Redis must answer, and soon. */
export async function checkStore(ctx: RunContext): Promise<Outcome> {
  const storage = ctx.target.storage;
  if (!storage) return ctx.skip(ctx.t("skip.noStorage"));
  const url = storage.shared.redisUrl;
  if (!url) return ctx.pass(ctx.t("observed.storeSqlite", { dir: storage.dataDir }));
  const host = redisHost(url);
  // Its own short-lived connection: a report must not wait behind the app's retries.
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectionName: "sora-studio:diagnostics",
  });
  client.on("error", () => undefined);
  const timeoutMs = Math.min(PROBE_TIMEOUT_MS, Math.max(500, ctx.remainingMs()));
  try {
    await withTimeout(client.connect(), timeoutMs);
    const started = performance.now();
    await withTimeout(client.ping(), timeoutMs);
    const ms = Math.round(performance.now() - started);
    const info = await withTimeout(client.info("server"), timeoutMs);
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "?";
    const observed = ctx.t("observed.storeRedis", { host, ms, version });
    if (ms > SLOW_STORE_MS) return ctx.problem("warn", "store_slow", observed, { ms });
    return ctx.pass(observed);
  } catch (error) {
    const observed = ctx.t("observed.storeFailed", { host, error: describeError(error) });
    return ctx.problem("fail", "store_unreachable", observed);
  } finally {
    client.disconnect();
  }
}

/** The archive: a tiny object is written, read back and deleted where videos go. */
export async function checkArchive(ctx: RunContext): Promise<Outcome> {
  const storage = ctx.target.storage;
  if (!storage) return ctx.skip(ctx.t("skip.noStorage"));
  const { s3, vercel } = storage.shared;
  const dir = path.join(storage.dataDir, "videos");
  const where = s3 ? `s3://${s3.bucket}` : dir;
  const archive: ArchiveStorage = s3
    ? new S3ArchiveStorage(createS3Client({ ...s3 }), s3.bucket)
    : new LocalArchiveStorage(storage.dataDir);
  const timeoutMs = Math.min(PROBE_TIMEOUT_MS, Math.max(500, ctx.remainingMs()));
  try {
    const started = performance.now();
    await withTimeout(archive.probe(), timeoutMs);
    const ms = Math.round(performance.now() - started);
    if (s3) {
      const endpoint = s3.endpoint ?? `AWS ${s3.region}`;
      return ctx.pass(ctx.t("observed.archiveS3", { bucket: s3.bucket, endpoint, ms }));
    }
    const observed = ctx.t("observed.archiveLocal", { dir, ms });
    if (vercel) return ctx.problem("warn", "archive_ephemeral", observed);
    return ctx.pass(observed);
  } catch (error) {
    const observed = ctx.t("observed.archiveFailed", { where, error: describeError(error) });
    return ctx.problem("fail", "archive_unwritable", observed, { where });
  }
}
