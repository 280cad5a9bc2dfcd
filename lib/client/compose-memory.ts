import { browserStorage, readJson, writeJson, type KeyValueStorage } from "./local-storage";

/**
 * What the compose form keeps in this browser (localStorage): the draft being written (prompt,
 * model, duration, frame — so a reload loses nothing) and the last prompts submitted. The reference
 * image and the number of variations are not kept: an image can be megabytes, and a reload should
 * not silently turn the next click into four paid jobs.
 */
export const DRAFT_KEY = "sora-studio.draft.v1";
export const RECENT_PROMPTS_KEY = "sora-studio.recent-prompts.v1";
export const MAX_RECENT_PROMPTS = 8;
export const MAX_VARIATIONS = 4;

export interface PickedImage {
  /** Changes with every pick, so the same file picked twice is prepared again. */
  key: number;
  file: File;
}

export interface Draft {
  prompt: string;
  model?: string;
  seconds?: string;
  size?: string;
  image: PickedImage | null;
  /** How many jobs one click creates (1–4): each its own job with its own idempotency key. */
  count: number;
}

export const EMPTY_DRAFT: Draft = { prompt: "", image: null, count: 1 };

type StoredDraft = Pick<Draft, "prompt" | "model" | "seconds" | "size">;

const optionalString = (v: unknown) => v === undefined || typeof v === "string";

function isStoredDraft(value: unknown): value is StoredDraft | null {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.prompt === "string" &&
    optionalString(v.model) &&
    optionalString(v.seconds) &&
    optionalString(v.size)
  );
}

/** Only the draft's own fields of what was stored. */
function storedFields(stored: StoredDraft | null): StoredDraft | null {
  if (!stored) return null;
  const { prompt, model, seconds, size } = stored;
  return { prompt, model, seconds, size };
}

/** Newest first, without repeats (compared trimmed), at most MAX_RECENT_PROMPTS. */
export function addRecentPrompt(list: readonly string[], prompt: string): string[] {
  const trimmed = prompt.trim();
  if (!trimmed) return [...list];
  return [trimmed, ...list.filter((p) => p.trim() !== trimmed)].slice(0, MAX_RECENT_PROMPTS);
}

/** A variation count from anything: whole, 1 … MAX_VARIATIONS. */
export function clampVariations(count: number): number {
  if (!Number.isFinite(count)) return 1;
  return Math.min(MAX_VARIATIONS, Math.max(1, Math.round(count)));
}

export class ComposeMemory {
  private listeners = new Set<() => void>();
  private draft: Draft | null = null;
  private recent: string[] | null = null;

  constructor(private readonly storage: KeyValueStorage) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Stable identity between changes (useSyncExternalStore snapshot). */
  getDraft = (): Draft => {
    this.draft ??= {
      ...EMPTY_DRAFT,
      ...storedFields(readJson(this.storage, DRAFT_KEY, null, isStoredDraft)),
    };
    return this.draft;
  };

  updateDraft = (update: (draft: Draft) => Draft): void => {
    const previous = this.getDraft();
    const next = update(previous);
    if (next === previous) return;
    this.draft = { ...next, count: clampVariations(next.count) };
    const stored: StoredDraft = {
      prompt: next.prompt,
      model: next.model,
      seconds: next.seconds,
      size: next.size,
    };
    writeJson(this.storage, DRAFT_KEY, stored);
    this.emit();
  };

  recentPrompts = (): string[] => {
    this.recent ??= readJson<unknown[]>(this.storage, RECENT_PROMPTS_KEY, [], Array.isArray)
      .filter((p): p is string => typeof p === "string")
      .slice(0, MAX_RECENT_PROMPTS);
    return this.recent;
  };

  rememberPrompt(prompt: string): void {
    this.recent = addRecentPrompt(this.recentPrompts(), prompt);
    writeJson(this.storage, RECENT_PROMPTS_KEY, this.recent);
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

let browserMemory: ComposeMemory | null = null;

/** The page's single compose memory, bound to localStorage (in memory when that is unavailable). */
export function composeMemory(): ComposeMemory {
  if (typeof window === "undefined") return new ComposeMemory(browserStorage());
  browserMemory ??= new ComposeMemory(browserStorage());
  return browserMemory;
}
