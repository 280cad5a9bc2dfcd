import { newIdempotencyKey } from "./api";

/**
 * The `Idempotency-Key` of each submit: a fresh one per new submission, the same one when the very
 * same request is sent again after no answer came back (so a lost reply can never pay twice).
 * Variations of one prompt are different submissions: the caller tells them apart in `body`.
 */
export class SubmitKeys {
  private unanswered = new Map<string, string>();

  constructor(private readonly newKey: () => string = newIdempotencyKey) {}

  /** The key for sending `body` (the request as JSON, plus whatever tells submissions apart) now. */
  keyFor(body: string): string {
    const key = this.unanswered.get(body) ?? this.newKey();
    this.unanswered.set(body, key);
    return key;
  }

  /** The server answered (a job, or an error of its own): that submission (or all) is settled. */
  answered(body?: string): void {
    if (body === undefined) this.unanswered.clear();
    else this.unanswered.delete(body);
  }
}
