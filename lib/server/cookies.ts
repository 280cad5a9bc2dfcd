import "server-only";

/**
 * The value of one cookie of a request, or undefined. The only cookie parser of the server: a value
 * that is not valid percent-encoding (`a=%E0%A4%A`) is taken as written instead of throwing.
 */
export function readCookie(source: { headers: Headers }, name: string): string | undefined {
  const header = source.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    const raw = part
      .slice(separator + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}
