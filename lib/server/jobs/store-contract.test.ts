import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { startRedis, type RedisHandle } from "@/tests/helpers/engines";
import { RedisJobStore } from "./redis-store";
import { SqliteJobStore } from "./store";
import { describeJobStoreContract } from "./store.contract";

const dirs: string[] = [];
let redis: RedisHandle;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describeJobStoreContract("SQLite (one file, two connections)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-contract-"));
  dirs.push(dir);
  const file = path.join(dir, "sora-studio.db");
  return {
    open: async () => new SqliteJobStore(file, { pollMs: 20 }),
    async expireIdempotencyKey(key) {
      const raw = new Database(file);
      raw.prepare("UPDATE idempotency_keys SET created_at = 0 WHERE key = ?").run(key);
      raw.close();
    },
  };
});

describeJobStoreContract("Redis (one server, two connections)", async () => {
  // A fresh prefix per test keeps tests apart on one server.
  const prefix = `t${randomBytes(4).toString("hex")}:`;
  return {
    open: async () =>
      new RedisJobStore({ redis: new Redis(redis.url), prefix, ownsConnection: true }),
    async expireIdempotencyKey(key) {
      const client = new Redis(redis.url);
      const digest = createHash("sha256").update(key).digest("hex");
      await client.del(`${prefix}idem:${digest}`);
      await client.quit();
    },
  };
});
