// zod-free: the browser's first load imports this (the schema in ./create-video.ts does not load with it).

export const PROMPT_MAX_CHARS = 4000;
