import { describe, expect, it } from "vitest";
import { ERROR_CODES, errorEnvelopeSchema } from "@/lib/contracts/errors";
import { AppError, badRequest, renderError, toAppError } from "./errors";

describe("AppError.toResponse", () => {
  it("serialises the envelope with the code's status, localized text and request id", async () => {
    const error = new AppError("no_available_channel", {
      params: { model: "sora_video2", host: "relay.example" },
      status: 503,
      upstreamMessage: "No available channel for model sora_video2 under group default",
      upstreamRequestId: "2025010100000000",
      attempts: 1,
    });
    const response = error.toResponse("en", "req_1");
    expect(response.status).toBe(503);
    expect(response.headers.get("x-request-id")).toBe("req_1");
    const body = errorEnvelopeSchema.parse(await response.json());
    expect(body.error).toMatchObject({
      code: "no_available_channel",
      retryable: false,
      status: 503,
      requestId: "req_1",
      upstreamRequestId: "2025010100000000",
      attempts: 1,
    });
    expect(body.error.message).toBe("The relay cannot serve sora_video2 at the moment");
    expect(body.error.hint).toContain("enable a channel for sora_video2");
    // Operator steps live apart from the words for the person at the page.
    expect(body.error.admin).toContain("in your group");
    expect(body.error.hint).not.toMatch(/SORA_|\.env/);
    expect(body.error.consoleUrl).toMatch(/^https?:\/\//);
  });

  it("tells a deadline, a silent stream and an unanswered request apart", () => {
    const deadline = renderError(
      { code: "timeout", detail: { key: "jobDeadlineMayExist", params: { minutes: 10 } } },
      "zh-CN",
    );
    expect(deadline.message).toBe("视频没有在 10 分钟内完成");
    expect(deadline.message).not.toMatch(/没有响应|SORA_/);
    expect(deadline.admin).toContain("SORA_JOB_DEADLINE_MS");
    expect(deadline.admin).not.toMatch(/IDLE|REQUEST_TIMEOUT/);
    const idle = renderError({ code: "timeout", detail: { key: "idleTimeout" } }, "en");
    expect(idle.admin).toContain("SORA_STREAM_IDLE_TIMEOUT_MS");
    expect(idle.admin).not.toContain("SORA_JOB_DEADLINE_MS");
    const request = renderError({ code: "timeout" }, "en");
    expect(request.admin).toContain("SORA_REQUEST_TIMEOUT_MS");
    expect(request.admin).not.toContain("IDLE");
  });

  it("keeps configuration names out of every title and next step", () => {
    for (const locale of ["en", "zh-CN"] as const) {
      for (const code of ERROR_CODES) {
        const rendered = renderError({ code, params: { model: "m", host: "h" } }, locale);
        expect(`${rendered.message} ${rendered.hint}`).not.toMatch(/SORA_|DATA_DIR|\.env|npm /);
      }
    }
  });

  it("speaks Chinese by default texts and uses a detail for precise validation errors", async () => {
    const response = badRequest("promptTooLong", { max: 4000 }).toResponse("zh-CN", "req_2");
    expect(response.status).toBe(400);
    const body = errorEnvelopeSchema.parse(await response.json());
    expect(body.error.message).toBe("提示词太长（最多 4000 个字符）。");
    expect(body.error.hint).toBe("按提示修改后再提交。");
  });

  it("honours an explicit HTTP status (413, 415, 416)", () => {
    expect(badRequest("bodyTooLarge", { max: "10 MB" }, 413).toResponse("en", "r").status).toBe(
      413,
    );
  });

  it("scrubs keys out of upstream messages", () => {
    const key = ["sk", "leak", "q".repeat(30)].join("-");
    const error = new AppError("invalid_api_key", { upstreamMessage: `Incorrect API key ${key}` });
    expect(error.toStored().upstreamMessage).not.toContain(key);
  });
});

describe("renderError", () => {
  it.each(ERROR_CODES)("has a message and hint for %s in both languages", (code) => {
    for (const locale of ["zh-CN", "en"] as const) {
      const rendered = renderError({ code, params: { model: "m", host: "h" } }, locale);
      expect(rendered.message.length).toBeGreaterThan(3);
      expect(rendered.hint.length).toBeGreaterThan(3);
      expect(rendered.message).not.toContain("errors.");
    }
  });
});

describe("toAppError", () => {
  it("keeps AppErrors and wraps anything else as internal_error", () => {
    const known = new AppError("timeout");
    expect(toAppError(known)).toBe(known);
    expect(toAppError(new Error("boom")).code).toBe("internal_error");
  });
});

describe("AppError across bundle chunks", () => {
  it("is recognised by AppError.isInstance when created by another copy of the class", () => {
    const foreign = Object.assign(new Error("no_available_channel"), {
      [Symbol.for("sora-studio.app-error")]: true,
      code: "no_available_channel",
    });
    expect(AppError.isInstance(foreign)).toBe(true);
    expect(AppError.isInstance(new Error("plain"))).toBe(false);
    expect(AppError.isInstance(new AppError("timeout"))).toBe(true);
    expect(AppError.isInstance(null)).toBe(false);
  });
});
