import { describe, expect, it } from "vitest";
import { parseConfig } from "../config";
import { checkSharedMode } from "./startup";

const S3 = { S3_BUCKET: "sora-videos", S3_ACCESS_KEY_ID: "id", S3_SECRET_ACCESS_KEY: "secret" };

describe("checkSharedMode", () => {
  it("refuses Vercel without REDIS_URL and warns without a bucket, naming the variables", () => {
    const { errors, warnings } = checkSharedMode(parseConfig({ VERCEL: "1" }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("REDIS_URL");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("S3_BUCKET");
  });

  it("accepts Vercel with Redis and S3", () => {
    const config = parseConfig({ VERCEL: "1", REDIS_URL: "redis://127.0.0.1:6379", ...S3 });
    expect(checkSharedMode(config)).toEqual({ errors: [], warnings: [] });
  });

  it("leaves one machine with SQLite alone", () => {
    expect(checkSharedMode(parseConfig({}))).toEqual({ errors: [], warnings: [] });
  });
});
