import fs from "node:fs";
import http from "node:http";

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One request with headers exactly as given — `Host` included, which fetch will not forge —
 * as an attacker's browser or script would send them.
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: options.method ?? "GET", headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

/** Resident memory of a process, in bytes (Linux). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

/**
 * Sends `totalBytes` of `body` without a Content-Length (chunked, so no declared size to refuse
 * on) while sampling the server's RSS; resolves with the answer and the largest growth seen.
 */
export async function floodBody(
  baseUrl: string,
  path: string,
  pid: number,
  options: { totalBytes: number; headers?: Record<string, string> },
): Promise<{ status: number; text: string; rssGrowth: number }> {
  const before = rssBytes(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, 20);
  const chunk = Buffer.alloc(1024 * 1024, "a");
  const send = () =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      let status = 0;
      const chunks: Buffer[] = [];
      const settle = () => resolve({ status, text: Buffer.concat(chunks).toString("utf8") });
      const request = http.request(
        new URL(path, baseUrl),
        { method: "POST", headers: { ...options.headers, "transfer-encoding": "chunked" } },
        (response) => {
          status = response.statusCode ?? 0;
          response.on("data", (c: Buffer) => chunks.push(c));
          response.on("end", settle);
        },
      );
      // The server answers and drops the connection before the upload ends — that is the point —
      // so a reset after the answer arrived is expected; one before it is handled below.
      request.on("error", (error) => (status ? settle() : reject(error)));
      let sent = 0;
      const pump = () => {
        while (sent < options.totalBytes && !status) {
          sent += chunk.length;
          if (!request.write(chunk)) {
            request.once("drain", pump);
            return;
          }
        }
        request.end();
      };
      pump();
    });
  try {
    // The server answers 413 and closes while our upload is in flight; the kernel then resets the
    // connection, and a reset can overtake the answer already on the wire (the race HTTP's
    // "lingering close" exists for). Such a reset says nothing about the server: send again, at
    // most five times. A server that never answers still fails.
    let answer: { status: number; text: string } | undefined;
    for (let attempt = 1; !answer; attempt++) {
      answer = await send().catch((error: NodeJS.ErrnoException) => {
        if (attempt < 5 && (error.code === "ECONNRESET" || error.code === "EPIPE"))
          return undefined;
        throw error;
      });
    }
    peak = Math.max(peak, rssBytes(pid));
    return { ...answer, rssGrowth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}
