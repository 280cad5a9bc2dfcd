/**
 * Every schema the browser checks our API's answers and event frames with, in one module that the
 * API client, the SSE readers and the SWR hooks `import()` with their first call: zod and the
 * schemas stay off the pages' first load, and every answer is still validated.
 */
export { balanceSchema } from "@/lib/contracts/cost";
export { diagnosisSchema, relayWeatherSchema } from "@/lib/contracts/diagnosis";
export { diagnosticsEventDataSchemas, incidentsResponseSchema } from "@/lib/contracts/diagnostics";
export { errorEnvelopeSchema } from "@/lib/contracts/errors";
export { timingResponseSchema } from "@/lib/contracts/eta";
export { jobAnswerSchema, jobListSchema, jobSchema, parseJobEvent } from "@/lib/contracts/job";
export { modelsResponseSchema } from "@/lib/contracts/models";

/** This module's shape, for the callers that `import()` it. */
export type ApiSchemas = typeof import("./api-schemas");
