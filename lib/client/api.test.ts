import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiRequestError, createJob, deleteJob, fetchJobs } from "./api";
import { sampleJob } from "./test-fixtures";

afterEach(() => vi.unstubAllGlobals());

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
});
