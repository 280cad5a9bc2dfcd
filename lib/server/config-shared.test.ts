import { describe, expect, it } from "vitest";
import { parseConfig, sharedModeSecrets } from "./config";
import { problemsFor } from "./config-test-support";

describe("shared-mode configuration", () => {
  it("is off by default: no Redis, no bucket", () => {
    expect(parseConfig({}).shared).toEqual({
      redisUrl: undefined,
      s3: undefined,
      cronSecret: undefined,
      vercel: false,
    });
  });

  it("parses Redis, S3 and the cron secret", () => {
    const cronSecret = "c".repeat(24);
    const config = parseConfig({
      REDIS_URL: "rediss://default:pw-123456789@eu1.example.upstash.io:6379",
      S3_BUCKET: "sora-videos",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: "AKIDEXAMPLE",
      S3_SECRET_ACCESS_KEY: "secret-secret-secret",
      S3_FORCE_PATH_STYLE: "true",
      CRON_SECRET: cronSecret,
      VERCEL: "1",
    });
    expect(config.shared).toEqual({
      redisUrl: "rediss://default:pw-123456789@eu1.example.upstash.io:6379",
      s3: {
        bucket: "sora-videos",
        endpoint: "http://127.0.0.1:9000",
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-secret-secret" },
        forcePathStyle: true,
      },
      cronSecret,
      vercel: true,
    });
    expect(sharedModeSecrets(config.shared).sort()).toEqual(
      [cronSecret, "pw-123456789", "pw-123456789", "secret-secret-secret"].sort(),
    );
  });

  it.each([
    ["REDIS_URL", "http://localhost:6379", "redis://"],
    ["REDIS_URL", "localhost:6379", "redis://"],
    ["S3_ENDPOINT", "minio:9000", "http(s) URL"],
    ["S3_BUCKET", "Bad_Bucket", "bucket name"],
    ["S3_FORCE_PATH_STYLE", "maybe", "true or false"],
    ["CRON_SECRET", "short", "at least 16"],
  ])("%s=%j is refused naming the variable and the expected form", (name, value, expected) => {
    const [problem, ...rest] = problemsFor({ [name]: value });
    expect(rest).toEqual([]);
    expect(problem).toContain(`${name}:`);
    expect(problem).toContain(expected);
  });

  it("never echoes a Redis URL (it may carry a password) or the secrets", () => {
    const problems = problemsFor({
      REDIS_URL: "memcached://user:hunter2hunter2@host",
      CRON_SECRET: "tiny-secret",
    });
    expect(problems.join("\n")).not.toContain("hunter2hunter2");
    expect(problems.join("\n")).not.toContain("tiny-secret");
  });

  it("wants the S3 key id and secret together", () => {
    expect(problemsFor({ S3_BUCKET: "sora-videos", S3_ACCESS_KEY_ID: "AKIDEXAMPLE" })[0]).toMatch(
      /^S3_SECRET_ACCESS_KEY: expected together with S3_ACCESS_KEY_ID/,
    );
  });
});
