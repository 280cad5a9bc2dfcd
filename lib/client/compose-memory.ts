import type { KeyValueStorage } from "./job-memory";

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

function parseStoredDraft(raw: string | null): StoredDraft | null {
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null) return null;
    const v = value as Record<string, unknown>;
    if (typeof v.prompt !== "string") return null;
    if (!optionalString(v.model) || !optionalString(v.seconds) || !optionalString(v.size))
      return null;
    return {
      prompt: v.prompt,
      model: v.model as string | undefined,
      seconds: v.seconds as string | undefined,
      size: v.size as string | undefined,
    };
  } catch {
    return null;
  }
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

function read(storage: KeyValueStorage, key: string): string | null {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

function write(storage: KeyValueStorage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or a full quota: the form works, only the memory across reloads is lost.
  }
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
    this.draft ??= { ...EMPTY_DRAFT, ...parseStoredDraft(read(this.storage, DRAFT_KEY)) };
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
    write(this.storage, DRAFT_KEY, stored);
    this.emit();
  };

  recentPrompts = (): string[] => {
    if (!this.recent) {
      try {
        const value: unknown = JSON.parse(read(this.storage, RECENT_PROMPTS_KEY) ?? "[]");
        this.recent = Array.isArray(value)
          ? value.filter((p): p is string => typeof p === "string").slice(0, MAX_RECENT_PROMPTS)
          : [];
      } catch {
        this.recent = [];
      }
    }
    return this.recent;
  };

  rememberPrompt(prompt: string): void {
    this.recent = addRecentPrompt(this.recentPrompts(), prompt);
    write(this.storage, RECENT_PROMPTS_KEY, this.recent);
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function inMemoryStorage(): KeyValueStorage {
  const data = new Map<string, string>();
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
  };
}

let browserMemory: ComposeMemory | null = null;

/** The page's single compose memory, bound to localStorage (in memory when that is unavailable). */
export function composeMemory(): ComposeMemory {
  if (typeof window === "undefined") return new ComposeMemory(inMemoryStorage());
  if (!browserMemory) {
    let storage: KeyValueStorage;
    try {
      storage = window.localStorage;
    } catch {
      storage = inMemoryStorage();
    }
    browserMemory = new ComposeMemory(storage);
  }
  return browserMemory;
}
