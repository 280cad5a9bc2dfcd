import "server-only";
import fs from "node:fs";
import path from "node:path";
import { contentDisposition, videoFileName } from "@/lib/media/video-file-name";
import { getArchiveStorage, type ArchiveStorage } from "../archive";
import { getConfig } from "../config";
import { AppError } from "../errors";
import { serverLog } from "../log";
import { fetchVideoContent } from "../upstream/content";
import { VIDEO_CONTENT_TYPE } from "./snapshot";
import { getJobRunner } from "./runner";
import { getJobStore } from "./store";
import type { JobRecord } from "./types";

export type ByteRange = { start: number; end: number };

/**
 * The Range header per RFC 9110 §14: one `bytes=` range against a known size (`a-b`, `a-`, `-n`).
 * Null — serve the whole body with 200 — when there is no Range header, when its unit is not
 * `bytes`, when it asks for several ranges, or when the range is not valid syntax (all of which a
 * server may ignore); "invalid" (416) only for a valid range that lies outside the body.
 */
export function parseRange(header: string | null, size: number): ByteRange | null | "invalid" {
  if (header === null) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return null;
  if (first.length > 15 || last.length > 15) return first === "" ? null : "invalid";
  if (first !== "" && last !== "" && Number(last) < Number(first)) return null;
  if (size <= 0) return "invalid";
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) return "invalid";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return "invalid";
  return { start, end };
}

/** A Range header worth passing upstream: exactly one `bytes=` range; anything else is dropped. */
function singleByteRange(header: string | null): string | undefined {
  if (header === null) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  return `bytes=${match[1]}-${match[2]}`;
}

function rangeNotSatisfiable(size?: number): AppError {
  return new AppError("bad_request", {
    detail: { key: "invalidRange" },
    httpStatus: 416,
    headers: size === undefined ? {} : { "Content-Range": `bytes */${size}` },
  });
}

function disposition(job: JobRecord): string {
  return contentDisposition(videoFileName(job.prompt, job.createdAt));
}

function serveArchive(request: Request, job: JobRecord, file: string, stat: fs.Stats): Response {
  const size = stat.size;
  const etag = `"${size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers: Record<string, string> = {
    "Accept-Ranges": "bytes",
    "Content-Type": VIDEO_CONTENT_TYPE,
    "Content-Disposition": disposition(job),
    ETag: etag,
    "Last-Modified": stat.mtime.toUTCString(),
    "Cache-Control": "private, max-age=86400",
  };
  if (request.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  const ifRange = request.headers.get("if-range");
  const rangeHeader = ifRange !== null && ifRange !== etag ? null : request.headers.get("range");
  const range = parseRange(rangeHeader, size);
  if (range === "invalid") throw rangeNotSatisfiable(size);
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  headers["Content-Length"] = String(size === 0 ? 0 : end - start + 1);
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
  const status = range ? 206 : 200;
  if (request.method === "HEAD" || size === 0) return new Response(null, { status, headers });
  return new Response(fileRangeStream(file, start, end), { status, headers });
}

const READ_CHUNK_BYTES = 512 * 1024;

/**
 * Bytes start..end of a file as a pull-based web stream: at most two chunks are read ahead of the
 * client, so memory stays flat whatever the file size. (Readable.toWeb over createReadStream
 * moved a third of the bytes per second and buffered more.)
 */
function fileRangeStream(file: string, start: number, end: number): ReadableStream<Uint8Array> {
  let handle: fs.promises.FileHandle | undefined;
  let position = start;
  const close = async () => {
    const open = handle;
    handle = undefined;
    await open?.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async start() {
        handle = await fs.promises.open(file, "r");
      },
      async pull(controller) {
        const remaining = end - position + 1;
        if (!handle || remaining <= 0) {
          await close();
          controller.close();
          return;
        }
        const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, remaining));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) {
          await close();
          controller.error(new Error(`${file} ended ${remaining} bytes early`));
          return;
        }
        position += bytesRead;
        controller.enqueue(new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead));
      },
      cancel: close,
    },
    { highWaterMark: 2 },
  );
}

/**
 * Shared mode: the bytes come from the bucket, not from this server. GET answers 302 to a
 * short-lived presigned URL (Range then works against the storage directly); HEAD, which a
 * presigned GET cannot answer, is answered here from the object's metadata. Undefined when the
 * object is missing or not the size that was archived.
 */
async function serveFromBucket(
  request: Request,
  job: JobRecord,
  key: string,
  storage: ArchiveStorage,
): Promise<Response | undefined> {
  const info = await storage.stat(key);
  if (!info || (job.videoBytes !== undefined && info.bytes !== job.videoBytes)) return undefined;
  if (request.method === "HEAD") {
    const headers: Record<string, string> = {
      "Accept-Ranges": "bytes",
      "Content-Type": VIDEO_CONTENT_TYPE,
      "Content-Disposition": disposition(job),
      "Content-Length": String(info.bytes),
      "Last-Modified": info.modifiedAt.toUTCString(),
      "Cache-Control": "private, no-store",
    };
    if (info.etag) headers.ETag = info.etag;
    const range = parseRange(request.headers.get("range"), info.bytes);
    if (range === "invalid") throw rangeNotSatisfiable(info.bytes);
    if (!range) return new Response(null, { status: 200, headers });
    headers["Content-Length"] = String(range.end - range.start + 1);
    headers["Content-Range"] = `bytes ${range.start}-${range.end}/${info.bytes}`;
    return new Response(null, { status: 206, headers });
  }
  // An unsatisfiable range is answered here, like the local archive does; the rest is the bucket's.
  if (parseRange(request.headers.get("range"), info.bytes) === "invalid") {
    throw rangeNotSatisfiable(info.bytes);
  }
  const url = await storage.downloadUrl(key, {
    disposition: disposition(job),
    contentType: VIDEO_CONTENT_TYPE,
  });
  if (!url) return undefined;
  // The link itself is a short-lived credential: never cached, never sent as a referrer.
  return new Response(null, {
    status: 302,
    headers: {
      Location: url,
      "Cache-Control": "private, no-store",
      "Referrer-Policy": "no-referrer",
    },
  });
}

const PASSED_HEADERS = [
  "content-length",
  "content-range",
  "accept-ranges",
  "etag",
  "last-modified",
];

/** While there is no archive, the bytes come straight from the upstream link (Range passed on). */
async function proxyUpstream(request: Request, job: JobRecord): Promise<Response> {
  if (!job.source) throw new AppError("not_found", { detail: { key: "videoNotReady" } });
  const range = singleByteRange(request.headers.get("range"));
  const upstream = await fetchVideoContent(
    job.source,
    request.signal,
    range ? { range } : undefined,
  );
  const headers: Record<string, string> = {
    "Content-Type": /^video\//i.test(upstream.headers.get("content-type") ?? "")
      ? (upstream.headers.get("content-type") as string)
      : VIDEO_CONTENT_TYPE,
    "Content-Disposition": disposition(job),
    "Cache-Control": "private, no-store",
  };
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  headers["accept-ranges"] ??= "bytes";
  if (request.method === "HEAD") {
    await upstream.body?.cancel().catch(() => undefined);
    return new Response(null, { status: upstream.status, headers });
  }
  return new Response(upstream.body, { status: upstream.status, headers });
}

/**
 * `GET|HEAD /api/videos/:id/content`: the archive with Range support when the file on disk has the
 * recorded size, else the upstream link (and the reconciler is asked to archive it).
 */
export async function serveJobContent(request: Request, jobId: string): Promise<Response> {
  const job = await getJobStore().getJob(jobId);
  // Deleted with undo: gone for everyone until restored.
  if (!job || job.purgeAt !== undefined) throw new AppError("not_found");
  const storage = getArchiveStorage();
  if (job.archived && job.archivePath && storage.kind === "s3") {
    const answer = await serveFromBucket(request, job, job.archivePath, storage);
    if (answer) return answer;
    serverLog.warn("archived video is missing or damaged; trying the upstream link", {
      job: job.id,
      expectedBytes: job.videoBytes,
      bucket: true,
    });
  } else if (job.archived && job.archivePath) {
    const file = path.join(getConfig().dataDir, job.archivePath);
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (stat?.isFile() && (job.videoBytes === undefined || stat.size === job.videoBytes)) {
      return serveArchive(request, job, file, stat);
    }
    serverLog.warn("archived video is missing or damaged; trying the upstream link", {
      job: job.id,
      expectedBytes: job.videoBytes,
      foundBytes: stat?.size,
    });
  } else if (job.state === "completed") {
    getJobRunner().nudge(job.id);
  }
  return proxyUpstream(request, job);
}
