import { describe, expect, it } from "vitest";
import {
  addRecentPrompt,
  clampVariations,
  ComposeMemory,
  DRAFT_KEY,
  MAX_RECENT_PROMPTS,
  RECENT_PROMPTS_KEY,
} from "./compose-memory";
import type { KeyValueStorage } from "./local-storage";

function storage(
  initial: Record<string, string> = {},
): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
  };
}

describe("addRecentPrompt", () => {
  it("puts the newest first, once, and keeps at most the limit", () => {
    let list: string[] = [];
    for (let i = 0; i < MAX_RECENT_PROMPTS + 3; i++) list = addRecentPrompt(list, `prompt ${i}`);
    expect(list).toHaveLength(MAX_RECENT_PROMPTS);
    expect(list[0]).toBe(`prompt ${MAX_RECENT_PROMPTS + 2}`);
    list = addRecentPrompt(list, "  prompt 5 ");
    expect(list[0]).toBe("prompt 5");
    expect(list.filter((p) => p === "prompt 5")).toHaveLength(1);
    expect(addRecentPrompt(list, "   ")).toEqual(list);
  });
});

describe("clampVariations", () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 3],
    [4, 4],
    [9, 4],
    [Number.NaN, 1],
    [2.4, 2],
  ])("%d → %d", (input, output) => {
    expect(clampVariations(input)).toBe(output);
  });
});

describe("ComposeMemory", () => {
  it("keeps the draft's text and settings across a reload, but not the image or the count", () => {
    const store = storage();
    const before = new ComposeMemory(store);
    const file = new File([new Uint8Array([1])], "a.png", { type: "image/png" });
    before.updateDraft((d) => ({
      ...d,
      prompt: "a fox in the snow",
      model: "sora-2-pro",
      seconds: "8",
      size: "1792x1024",
      image: { key: 1, file },
      count: 3,
    }));
    expect(before.getDraft().count).toBe(3);
    const after = new ComposeMemory(store);
    expect(after.getDraft()).toEqual({
      prompt: "a fox in the snow",
      model: "sora-2-pro",
      seconds: "8",
      size: "1792x1024",
      image: null,
      count: 1,
    });
  });

  it("starts empty from a missing or damaged entry", () => {
    expect(new ComposeMemory(storage()).getDraft().prompt).toBe("");
    expect(new ComposeMemory(storage({ [DRAFT_KEY]: "{not json" })).getDraft().prompt).toBe("");
    expect(new ComposeMemory(storage({ [DRAFT_KEY]: '{"prompt":3}' })).getDraft().prompt).toBe("");
  });

  it("remembers submitted prompts for the next page load and tells listeners", () => {
    const store = storage();
    const memory = new ComposeMemory(store);
    let calls = 0;
    memory.subscribe(() => calls++);
    memory.rememberPrompt("first");
    memory.rememberPrompt("second");
    expect(calls).toBe(2);
    expect(JSON.parse(store.data.get(RECENT_PROMPTS_KEY) ?? "[]")).toEqual(["second", "first"]);
    expect(new ComposeMemory(store).recentPrompts()).toEqual(["second", "first"]);
  });

  it("keeps the snapshot's identity until something changes", () => {
    const memory = new ComposeMemory(storage());
    expect(memory.getDraft()).toBe(memory.getDraft());
    memory.updateDraft((d) => d);
    const same = memory.getDraft();
    memory.updateDraft((d) => ({ ...d, prompt: "x" }));
    expect(memory.getDraft()).not.toBe(same);
  });
});
