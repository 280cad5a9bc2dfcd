import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ApiRequestError,
  apiErrorMessage,
  createJob,
  deleteJob,
  fetchJobs,
  recheckJob,
  type ApiErrorFallbacks,
} from "./api";
import { sampleJob } from "./test-fixtures";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function stubFetch(response: Response) {
  const fetchMock = vi.fn(async () => response);
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

describe("api client", () => {
  it("creates a job with Accept: application/json and returns the validated job", async () => {
    const fetchMock = stubFetch(
      Response.json({ job: sampleJob({ state: "queued" }) }, { status: 202 }),
    );
    const job = await createJob({ prompt: "a cat", model: "sora_video2" });
    expect(job.state).toBe("queued");
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/videos");
    expect(new Headers(init.headers).get("accept")).toBe("application/json");
    expect(JSON.parse(String(init.body))).toEqual({ prompt: "a cat", model: "sora_video2" });
  });

  it("turns an error envelope into ApiRequestError with the localized error", async () => {
    stubFetch(
      Response.json(
        {
          error: {
            code: "bad_request",
            message: "提示词不能为空",
            hint: "修改后重试",
            retryable: false,
            requestId: "req_9",
          },
        },
        { status: 400 },
      ),
    );
    const error = await createJob({ prompt: " " }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect((error as ApiRequestError).httpStatus).toBe(400);
    expect((error as ApiRequestError).error?.message).toBe("提示词不能为空");
  });

  it("rejects answers that do not match the contract", async () => {
    stubFetch(Response.json({ jobs: "nope" }));
    await expect(fetchJobs(null)).rejects.toBeInstanceOf(ApiRequestError);
  });

  it("asks for the next page with the cursor", async () => {
    const fetchMock = stubFetch(Response.json({ jobs: [sampleJob()], nextCursor: null }));
    const page = await fetchJobs("abc", 5);
    expect(page.jobs).toHaveLength(1);
    const [url] = fetchMock.mock.calls[0] as unknown as [string];
    expect(url).toBe("/api/videos?limit=5&cursor=abc");
  });

  it("deleting an already deleted job is fine", async () => {
    stubFetch(Response.json({ error: { code: "not_found" } }, { status: 404 }));
    await expect(deleteJob("job_gone")).resolves.toBeUndefined();
  });

  it("sends an Idempotency-Key and resends a lost reply once with the same key", async () => {
    vi.spyOn(console, "groupCollapsed").mockImplementation(() => {});
    vi.spyOn(console, "info").mockImplementation(() => {});
    const fetchMock = vi
      .fn<(input: string, init: RequestInit) => Promise<Response>>()
      .mockRejectedValueOnce(new TypeError("Failed to fetch"))
      .mockResolvedValueOnce(
        Response.json({ job: sampleJob({ state: "queued" }) }, { status: 200 }),
      );
    vi.stubGlobal("fetch", fetchMock);
    const job = await createJob({ prompt: "a cat" }, { resendDelayMs: 0 });
    expect(job.state).toBe("queued");
    const keys = fetchMock.mock.calls.map(([, init]) =>
      new Headers(init.headers).get("idempotency-key"),
    );
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(keys[1]).toBe(keys[0]);
  });

  it("resends a cut 202 body and a proxy's bare 502, but never an answer of our server", async () => {
    vi.spyOn(console, "groupCollapsed").mockImplementation(() => {});
    vi.spyOn(console, "info").mockImplementation(() => {});
    const ok = () => Response.json({ job: sampleJob() }, { status: 202 });
    for (const lost of [
      new Response('{"job": {"id": "job_', { status: 202 }),
      new Response("<html>Bad Gateway</html>", { status: 502 }),
    ]) {
      const fetchMock = vi.fn().mockResolvedValueOnce(lost).mockResolvedValueOnce(ok());
      vi.stubGlobal("fetch", fetchMock);
      await expect(createJob({ prompt: "a cat" }, { resendDelayMs: 0 })).resolves.toMatchObject({
        id: "job_test123",
      });
      expect(fetchMock).toHaveBeenCalledTimes(2);
    }
    const envelope = {
      error: {
        code: "upstream_unavailable",
        message: "busy",
        hint: "later",
        retryable: true,
        requestId: "req_1",
      },
    };
    const fetchMock = vi.fn().mockResolvedValue(Response.json(envelope, { status: 503 }));
    vi.stubGlobal("fetch", fetchMock);
    await expect(createJob({ prompt: "a cat" }, { resendDelayMs: 0 })).rejects.toBeInstanceOf(
      ApiRequestError,
    );
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("gives each submit its own key", async () => {
    const fetchMock = vi.fn(async () => Response.json({ job: sampleJob() }, { status: 202 }));
    vi.stubGlobal("fetch", fetchMock);
    await createJob({ prompt: "a cat" });
    await createJob({ prompt: "a cat" });
    const calls = fetchMock.mock.calls as unknown as [string, RequestInit][];
    const keys = calls.map(([, init]) => new Headers(init.headers).get("idempotency-key"));
    expect(new Set(keys).size).toBe(2);
  });

  it("rechecks a job with POST and returns the job the server now knows", async () => {
    const fetchMock = stubFetch(
      Response.json({ job: sampleJob({ state: "running" }) }, { status: 202 }),
    );
    const job = await recheckJob("job_a/b");
    expect(job.state).toBe("running");
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/videos/job_a%2Fb/recheck");
    expect(init.method).toBe("POST");
  });
});

describe("apiErrorMessage", () => {
  const fallbacks: ApiErrorFallbacks = {
    unreachable: "无法连接到服务器",
    unreadable: (status) => `无法读取服务器的回答（${status}）`,
  };
  const envelope = (message: string, status: number) =>
    Response.json(
      { error: { code: "bad_request", message, hint: "h", retryable: false, requestId: "r" } },
      { status },
    );

  it.each([
    ["an envelope", () => envelope("提示词不能为空", 400), "提示词不能为空"],
    [
      "a proxy's bare 502",
      () => new Response("Bad Gateway", { status: 502 }),
      "无法读取服务器的回答（502）",
    ],
    [
      "a 200 that breaks the contract",
      () => Response.json({ jobs: "nope" }),
      "无法读取服务器的回答（200）",
    ],
  ])("says what failed for %s, in the caller's words", async (_, answer, expected) => {
    stubFetch(answer());
    const error = await fetchJobs(null).catch((e: unknown) => e);
    expect(apiErrorMessage(error, fallbacks)).toBe(expected);
  });

  it("says the server is unreachable when no answer came", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    const error = await fetchJobs(null).catch((e: unknown) => e);
    expect(apiErrorMessage(error, fallbacks)).toBe("无法连接到服务器");
  });

  it("reads the envelope of a failed delete like any other call", async () => {
    stubFetch(envelope("删除失败", 500));
    const error = await deleteJob("job_1").catch((e: unknown) => e);
    expect(apiErrorMessage(error, fallbacks)).toBe("删除失败");
  });
});
