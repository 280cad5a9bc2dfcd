/** The part of `Storage` the browser memories use (a Map stands in for it in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** A stored value, parsed and checked by `guard`; `fallback` when absent, unreadable or refused. */
export function readJson<T>(
  storage: KeyValueStorage,
  key: string,
  fallback: T,
  guard: (v: unknown) => v is T,
): T {
  try {
    const raw = storage.getItem(key);
    if (!raw) return fallback;
    const value: unknown = JSON.parse(raw);
    return guard(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

export function writeJson(storage: KeyValueStorage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or a full quota: the page works, only the memory across reloads is lost.
  }
}

export function inMemoryStorage(): KeyValueStorage {
  const data = new Map<string, string>();
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
  };
}

/** `localStorage`, or memory for this page when the browser refuses it (or on the server). */
export function browserStorage(): KeyValueStorage {
  if (typeof window === "undefined") return inMemoryStorage();
  try {
    return window.localStorage;
  } catch {
    return inMemoryStorage();
  }
}
