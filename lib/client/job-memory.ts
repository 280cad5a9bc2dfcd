import {
  browserStorage,
  inMemoryStorage,
  readJson,
  writeJson,
  type KeyValueStorage,
} from "./local-storage";
import type { JobNote } from "./tracked-job";

/**
 * What the browser remembers across reloads (localStorage): the jobs of the "current" panel and,
 * per followed job, the last event sequence seen and its retry/failover notes, so a reload resumes
 * the stream where it stopped.
 */
export const WORKSPACE_KEY = "sora-studio.workspace.v1";
export const FOLLOW_KEY = "sora-studio.follow.v1";
export const MAX_WORKSPACE_JOBS = 24;
export const MAX_REMEMBERED_JOBS = 60;

export interface RememberedJob {
  lastSeq: number;
  notes: JobNote[];
  /** ms since epoch, used to forget the oldest entries first. */
  at: number;
}

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === "string");
const isRecord = (v: unknown): v is Record<string, RememberedJob> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export class JobMemory {
  private listeners = new Set<() => void>();
  private workspace: string[] | null = null;
  private readonly storage: KeyValueStorage;

  /** Without storage (private mode, tests) it remembers for the lifetime of the page only. */
  constructor(storage: KeyValueStorage | null) {
    this.storage = storage ?? inMemoryStorage();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Stable array identity between changes (useSyncExternalStore snapshot). */
  workspaceIds = (): string[] => {
    this.workspace ??= readJson(this.storage, WORKSPACE_KEY, [], isStringArray);
    return this.workspace;
  };

  /** Another tab changed localStorage. */
  reload(): void {
    this.workspace = null;
    this.emit();
  }

  addToWorkspace(id: string): void {
    const next = [id, ...this.workspaceIds().filter((x) => x !== id)].slice(0, MAX_WORKSPACE_JOBS);
    this.setWorkspace(next);
  }

  replaceInWorkspace(oldId: string, newId: string): void {
    const ids = this.workspaceIds().filter((x) => x !== newId);
    const index = ids.indexOf(oldId);
    if (index < 0) return this.addToWorkspace(newId);
    const next = [...ids];
    next.splice(index, 1);
    this.setWorkspace([newId, ...next].slice(0, MAX_WORKSPACE_JOBS));
  }

  removeFromWorkspace(id: string): void {
    if (!this.workspaceIds().includes(id)) return;
    this.setWorkspace(this.workspaceIds().filter((x) => x !== id));
  }

  remembered(id: string): RememberedJob | undefined {
    return readJson(this.storage, FOLLOW_KEY, {}, isRecord)[id];
  }

  remember(id: string, entry: Omit<RememberedJob, "at">, now = Date.now()): void {
    const all = readJson(this.storage, FOLLOW_KEY, {}, isRecord);
    all[id] = { ...entry, at: now };
    const kept = Object.entries(all)
      .sort(([, a], [, b]) => (b.at ?? 0) - (a.at ?? 0))
      .slice(0, MAX_REMEMBERED_JOBS);
    writeJson(this.storage, FOLLOW_KEY, Object.fromEntries(kept));
  }

  forget(id: string): void {
    const all = readJson(this.storage, FOLLOW_KEY, {}, isRecord);
    if (!(id in all)) return;
    delete all[id];
    writeJson(this.storage, FOLLOW_KEY, all);
  }

  private setWorkspace(ids: string[]): void {
    this.workspace = ids;
    writeJson(this.storage, WORKSPACE_KEY, ids);
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

let browserMemory: JobMemory | null = null;

/** The page's single memory, bound to localStorage (null storage on the server). */
export function jobMemory(): JobMemory {
  if (typeof window === "undefined") return new JobMemory(null);
  if (!browserMemory) {
    const memory = new JobMemory(browserStorage());
    window.addEventListener("storage", (event) => {
      if (event.key === WORKSPACE_KEY) memory.reload();
    });
    browserMemory = memory;
  }
  return browserMemory;
}
