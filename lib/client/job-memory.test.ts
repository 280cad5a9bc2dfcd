import { describe, expect, it, vi } from "vitest";
import {
  FOLLOW_KEY,
  JobMemory,
  MAX_REMEMBERED_JOBS,
  MAX_WORKSPACE_JOBS,
  WORKSPACE_KEY,
} from "./job-memory";
import type { KeyValueStorage } from "./local-storage";

function memoryStorage(
  initial: Record<string, string> = {},
): KeyValueStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (key) => data[key] ?? null,
    setItem: (key, value) => {
      data[key] = value;
    },
  };
}

describe("JobMemory", () => {
  it("keeps the workspace newest first, without duplicates, and notifies", () => {
    const storage = memoryStorage();
    const memory = new JobMemory(storage);
    const listener = vi.fn();
    memory.subscribe(listener);
    memory.addToWorkspace("a");
    memory.addToWorkspace("b");
    memory.addToWorkspace("a");
    expect(memory.workspaceIds()).toEqual(["a", "b"]);
    expect(JSON.parse(storage.data[WORKSPACE_KEY] ?? "[]")).toEqual(["a", "b"]);
    memory.replaceInWorkspace("b", "c");
    expect(memory.workspaceIds()).toEqual(["c", "a"]);
    memory.removeFromWorkspace("a");
    expect(memory.workspaceIds()).toEqual(["c"]);
    expect(listener).toHaveBeenCalledTimes(5);
    // Same array while nothing changes (useSyncExternalStore).
    expect(memory.workspaceIds()).toBe(memory.workspaceIds());
  });

  it("survives a reload and bounds its size", () => {
    const storage = memoryStorage();
    const first = new JobMemory(storage);
    for (let i = 0; i < MAX_WORKSPACE_JOBS + 3; i += 1) first.addToWorkspace(`job_${i}`);
    for (let i = 0; i < MAX_REMEMBERED_JOBS + 3; i += 1)
      first.remember(`job_${i}`, { lastSeq: i, notes: [] }, 1000 + i);
    const second = new JobMemory(storage);
    expect(second.workspaceIds()).toHaveLength(MAX_WORKSPACE_JOBS);
    expect(second.workspaceIds()[0]).toBe(`job_${MAX_WORKSPACE_JOBS + 2}`);
    expect(second.remembered(`job_${MAX_REMEMBERED_JOBS + 2}`)?.lastSeq).toBe(
      MAX_REMEMBERED_JOBS + 2,
    );
    expect(second.remembered("job_0")).toBeUndefined();
    expect(Object.keys(JSON.parse(storage.data[FOLLOW_KEY] ?? "{}"))).toHaveLength(
      MAX_REMEMBERED_JOBS,
    );
    second.forget(`job_${MAX_REMEMBERED_JOBS + 2}`);
    expect(second.remembered(`job_${MAX_REMEMBERED_JOBS + 2}`)).toBeUndefined();
  });

  it("tolerates corrupt storage and no storage", () => {
    const memory = new JobMemory(
      memoryStorage({ [WORKSPACE_KEY]: "{oops", [FOLLOW_KEY]: "[1,2]" }),
    );
    expect(memory.workspaceIds()).toEqual([]);
    expect(memory.remembered("x")).toBeUndefined();
    const none = new JobMemory(null);
    none.addToWorkspace("a");
    expect(none.workspaceIds()).toEqual(["a"]);
  });
});
