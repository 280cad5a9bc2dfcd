import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";

/*
 * Real shared-mode engines on loopback for tests and benches: Debian's `redis-server` as a plain
 * child process and `s3rver` (an S3-compatible server) in-process, each on a free port with its own
 * temporary directory, torn down by stop(). No mocks: the app talks to them through ioredis and the
 * AWS SDK exactly as it would to hosted Redis and S3.
 */

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN || "/usr/bin/redis-server";
/** s3rver accepts these credentials (any signature made with them verifies). */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** A port the OS just handed out on loopback (closed again before the engine binds it). */
export async function loopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not listen on ${port} within 10 s:\n${log()}`);
}

export interface RedisHandle {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** `redis-server` on a free loopback port, no persistence, in a temporary directory. */
export async function startRedis(): Promise<RedisHandle> {
  if (!fs.existsSync(REDIS_SERVER)) {
    throw new Error(
      `${REDIS_SERVER} not found: install Debian's redis-server (apt-get install -y redis-server)`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sora-redis-"));
  const port = await loopbackPort();
  const output: string[] = [];
  const child = spawn(
    REDIS_SERVER,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (c: Buffer) => output.push(c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => output.push(c.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitForPort(port, child, () => output.join(""));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface S3Handle {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where s3rver keeps objects (`<bucket>/<key>._S3rver_object`). */
  directory: string;
  stop(): Promise<void>;
}

/**
 * s3rver reads a suffix range (`bytes=-50`) as `bytes=0-50` and chokes on ranges S3 ignores; real
 * S3 answers the last 50 bytes, or the whole body. A pass-through front gives tests S3's
 * behaviour (suffix ranges rewritten from the object's size on disk). Everything else, including
 * the signed Host, is forwarded unchanged.
 */
function suffixRangeFront(directory: string, innerPort: number): http.Server {
  return http.createServer((req, res) => {
    const headers = { ...req.headers };
    // Like S3 (RFC 9110): several ranges, a reversed or malformed one are ignored → whole body.
    const single = /^bytes=(\d*)-(\d*)$/.exec(String(headers.range ?? ""));
    const [, first = "", last = ""] = single ?? [];
    const reversed = first !== "" && last !== "" && Number(last) < Number(first);
    if (headers.range !== undefined && (!single || (first === "" && last === "") || reversed)) {
      delete headers.range;
    }
    const suffix = /^bytes=-(\d+)$/.exec(String(headers.range ?? ""));
    if (suffix) {
      const [bucket = "", ...key] = decodeURIComponent(
        new URL(req.url ?? "/", "http://s3").pathname,
      )
        .slice(1)
        .split("/");
      const name = `${key.pop() ?? ""}._S3rver_object`;
      const size = fs.statSync(path.join(directory, bucket, ...key, name), {
        throwIfNoEntry: false,
      })?.size;
      if (size !== undefined) headers.range = `bytes=${Math.max(0, size - Number(suffix[1]))}-`;
    }
    const inner = http.request(
      { host: "127.0.0.1", port: innerPort, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    inner.on("error", () => res.destroy());
    req.pipe(inner);
  });
}

/** An S3-compatible server (s3rver) on a free loopback port with one empty bucket. */
export async function startS3(bucket = "sora-videos"): Promise<S3Handle> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "sora-s3-"));
  const innerPort = await loopbackPort();
  const server = new S3rver({
    address: "127.0.0.1",
    port: innerPort,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  await server.run();
  const front = suffixRangeFront(directory, innerPort);
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const { port } = front.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: "us-east-1",
    ...S3RVER_CREDENTIALS,
    directory,
    async stop() {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface Engines {
  redis: RedisHandle;
  s3: S3Handle;
  /** The app's environment for shared mode on these engines. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startEngines(): Promise<Engines> {
  const [redis, s3] = await Promise.all([startRedis(), startS3()]);
  return {
    redis,
    s3,
    env: () => sharedModeEnv(redis, s3),
    async stop() {
      await Promise.all([redis.stop(), s3.stop()]);
    },
  };
}

export function sharedModeEnv(redis: RedisHandle, s3: S3Handle): Record<string, string> {
  return { REDIS_URL: redis.url, ...s3Env(s3) };
}

/** The S3_* settings that point the archive at `s3`. */
export function s3Env(s3: S3Handle): Record<string, string> {
  return {
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
  };
}
