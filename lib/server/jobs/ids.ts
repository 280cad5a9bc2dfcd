import "server-only";
import { randomBytes } from "node:crypto";
import { AppError, badRequest } from "../errors";

const JOB_ID_PATTERN = /^job_[0-9a-f]{24}$/;

export function newJobId(): string {
  return `job_${randomBytes(12).toString("hex")}`;
}

export function isJobId(value: unknown): value is string {
  return typeof value === "string" && JOB_ID_PATTERN.test(value);
}

/** Route parameter check: anything that is not one of our ids (traversal, SQL text) is a 400. */
export function assertJobId(value: string): string {
  if (!isJobId(value)) throw badRequest("invalidId");
  return value;
}

export function jobNotFound(): AppError {
  return new AppError("not_found");
}
