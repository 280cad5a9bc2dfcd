/**
 * The name a finished video is saved under, the same in the download link and in the content
 * route's Content-Disposition (local archive, upstream proxy and S3 presigned URLs alike).
 */

/** Simulator directives (`[[sim:…]]`) are test plumbing, not part of what the user wants to read. */
export function stripDirectives(prompt: string): string {
  return prompt
    .replace(/\[\[sim:[^\]]*\]\]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Start of the prompt, safe as a file name on Windows, macOS and Linux; CJK kept. */
export function promptSlug(prompt: string, maxChars = 40): string {
  const cleaned = stripDirectives(prompt)
    .normalize("NFC")
    // Characters Windows forbids, controls, and punctuation that makes names awkward to type.
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f[\]{}#%&$!@^`'=+,;~]/g, " ")
    .replace(/[。，、！？；：“”‘’（）《》【】]/g, " ")
    .trim()
    .replace(/\s+/g, "-");
  const slug = Array.from(cleaned)
    .slice(0, maxChars)
    .join("")
    .replace(/[-.]+$/g, "");
  return slug.replace(/^[-.]+/, "").toLowerCase();
}

/**
 * `<start of the prompt>-<YYYY-MM-DD>.mp4`, e.g. `a-lighthouse-at-dusk-2026-12-03.mp4`. The date is
 * the job's creation day in UTC, so the server and every browser name one video alike.
 */
export function videoFileName(prompt: string, createdAt: string | Date): string {
  const date = typeof createdAt === "string" ? new Date(createdAt) : createdAt;
  const day = Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 10);
  const parts = [promptSlug(prompt) || "video", day].filter(Boolean);
  return `${parts.join("-")}.mp4`;
}

/**
 * A Content-Disposition value for `fileName` (RFC 6266): an ASCII `filename` for old clients
 * and the exact UTF-8 name in `filename*`.
 */
export function contentDisposition(fileName: string, type: "inline" | "attachment" = "inline") {
  const ascii = fileName
    .replace(/[^\x20-\x7e]+/g, "")
    .replace(/["\\]/g, "")
    .replace(/^-+/, "");
  const fallback = ascii === ".mp4" || ascii === "" ? "video.mp4" : ascii;
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
