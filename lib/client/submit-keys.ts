import { newIdempotencyKey } from "./api";

/**
 * The `Idempotency-Key` of each submit: a fresh one per new submission, the same one when the very
 * same request is sent again after no answer came back (so a lost reply can never pay twice).
 */
export class SubmitKeys {
  private unanswered: { body: string; key: string } | null = null;

  constructor(private readonly newKey: () => string = newIdempotencyKey) {}

  /** The key for sending `body` (the request as JSON) now. */
  keyFor(body: string): string {
    const key = this.unanswered?.body === body ? this.unanswered.key : this.newKey();
    this.unanswered = { body, key };
    return key;
  }

  /** The server answered (a job, or an error of its own): that submission is settled. */
  answered(): void {
    this.unanswered = null;
  }
}
