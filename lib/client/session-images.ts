/**
 * Reference images of jobs submitted from this page, kept in memory only (they can be megabytes)
 * so that Retry can resend them. After a reload the Retry button asks for the image again.
 */
const images = new Map<string, string>();
const MAX_IMAGES = 8;

export function rememberSessionImage(jobId: string, dataUrl: string): void {
  images.set(jobId, dataUrl);
  while (images.size > MAX_IMAGES) {
    const oldest = images.keys().next().value;
    if (oldest === undefined) break;
    images.delete(oldest);
  }
}

export function sessionImage(jobId: string): string | undefined {
  return images.get(jobId);
}
