import type { Job } from "@/lib/contracts/job";

/** A valid job snapshot for unit tests of the browser helpers. */
export function sampleJob(overrides: Partial<Job> = {}): Job {
  return {
    id: "job_test123",
    createdAt: "2026-03-14T09:35:12.000Z",
    updatedAt: "2026-03-14T09:35:12.000Z",
    state: "running",
    prompt: "a cat surfing a wave at sunset",
    model: "sora_video2",
    protocol: "chat",
    hasImage: false,
    progress: 0,
    attempts: 1,
    lastSeq: 1,
    ...overrides,
  };
}

/** An SSE body as the server writes it. */
export function sseBody(text: string, chunkSize = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

export function frame(seq: number, type: string, data: unknown): string {
  return `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
