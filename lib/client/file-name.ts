import { stripDirectives } from "./format";

const pad = (n: number) => String(n).padStart(2, "0");

/** `20260314-0935` in local time. */
export function fileTimestamp(date: Date): string {
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}` +
    `-${pad(date.getHours())}${pad(date.getMinutes())}`
  );
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
  return slug.replace(/^[-.]+/, "");
}

/** `<YYYYMMDD-HHmm>-<start of prompt>.mp4` */
export function videoFileName(prompt: string, createdAt: string | Date): string {
  const date = typeof createdAt === "string" ? new Date(createdAt) : createdAt;
  const stamp = Number.isNaN(date.getTime()) ? "video" : fileTimestamp(date);
  const slug = promptSlug(prompt);
  return slug ? `${stamp}-${slug}.mp4` : `${stamp}.mp4`;
}
