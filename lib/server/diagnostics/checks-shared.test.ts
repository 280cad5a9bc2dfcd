import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loopbackPort,
  s3Env,
  startRedis,
  startS3,
  type RedisHandle,
  type S3Handle,
} from "@/tests/helpers/engines";
import { parseConfig } from "../config";
import { checkArchive, checkStore } from "./checks-shared";
import { RunContext, type DiagnosticsTarget } from "./context";

let redis: RedisHandle;
let s3: S3Handle;
let dataDir: string;

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-diag-storage-"));
});
afterAll(async () => {
  await Promise.all([redis?.stop(), s3?.stop()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function context(env: Record<string, string>): RunContext {
  const config = parseConfig({ DATA_DIR: dataDir, ...env });
  const target: DiagnosticsTarget = {
    baseUrl: "http://127.0.0.1:1",
    apiKey: undefined,
    rawApiKey: undefined,
    fallbackBaseUrls: [],
    models: ["sora-2"],
    protocol: "videos",
    storage: { dataDir: config.dataDir, shared: config.shared },
  };
  return new RunContext(target, { locale: "en", timeoutMs: 8000 });
}

describe("store check", () => {
  it("passes on the embedded SQLite store", async () => {
    const outcome = await checkStore(context({}));
    expect(outcome).toMatchObject({ status: "pass" });
    expect(outcome.observed).toContain("SQLite");
  });

  it("measures a reachable Redis", async () => {
    const outcome = await checkStore(context({ REDIS_URL: redis.url }));
    expect(outcome.status).toBe("pass");
    expect(outcome.observed).toMatch(/answered PING in \d+ ms \(version 7\./);
  });

  it("fails with its own code, a hint and no password when Redis is unreachable", async () => {
    const port = await loopbackPort();
    const outcome = await checkStore(
      context({ REDIS_URL: `redis://default:hunter2hunter2@127.0.0.1:${port}` }),
    );
    expect(outcome).toMatchObject({ status: "fail", code: "store_unreachable" });
    expect(outcome.hint).toContain("REDIS_URL");
    expect(JSON.stringify(outcome)).not.toContain("hunter2hunter2");
  });
});

describe("archive check", () => {
  it("writes and reads back on local disk", async () => {
    const outcome = await checkArchive(context({}));
    expect(outcome.status).toBe("pass");
    expect(fs.readdirSync(path.join(dataDir, "videos"))).toEqual([]);
  });

  it("writes, reads back and deletes a tiny object in the bucket", async () => {
    const outcome = await checkArchive(context(s3Env(s3)));
    expect(outcome.status).toBe("pass");
    expect(outcome.observed).toContain(`bucket ${s3.bucket}`);
  });

  it("fails with its own code when the bucket refuses", async () => {
    const outcome = await checkArchive(context({ ...s3Env(s3), S3_BUCKET: "no-such-bucket" }));
    expect(outcome).toMatchObject({ status: "fail", code: "archive_unwritable" });
    expect(outcome.hint).toContain("S3_BUCKET");
  });

  it("warns on Vercel without a bucket", async () => {
    const outcome = await checkArchive(context({ VERCEL: "1" }));
    expect(outcome).toMatchObject({ status: "warn", code: "archive_ephemeral" });
  });
});
