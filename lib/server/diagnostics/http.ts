import "server-only";
import { z } from "zod";
import { readJsonBody } from "../body";
import { AppError, badRequest } from "../errors";
import type { ApiContext } from "../route-handler";
import { sseResponse } from "../sse";
import { claimRunSlot, runConfiguredDiagnostics } from "./service";

const postBodySchema = z.object({ generate: z.boolean().optional() }).strict();
const MAX_BODY_BYTES = 4096;

async function generateFromBody(request: Request): Promise<boolean> {
  const json = await readJsonBody(request, MAX_BODY_BYTES, { allowEmpty: true });
  if (json === undefined) return false;
  const parsed = postBodySchema.safeParse(json);
  if (!parsed.success) {
    throw badRequest("invalidField", { field: String(parsed.error.issues[0]?.path[0] ?? "body") });
  }
  return parsed.data.generate === true;
}

/**
 * `GET|POST /api/diagnostics`: the report as JSON, or with `Accept: text/event-stream` one `check`
 * event per finished check and a final `report` event. The key never leaves the server: reports
 * carry only its masked form, and frames are scrubbed by the SSE writer.
 */
export async function diagnosticsResponse(
  request: Request,
  ctx: ApiContext,
  options: { generate?: boolean; fromBody?: boolean },
): Promise<Response> {
  const generate = options.fromBody ? await generateFromBody(request) : (options.generate ?? false);
  const release = claimRunSlot(generate);
  if (!release) {
    throw new AppError("rate_limited", {
      detail: { key: "diagnosticsBusy" },
      headers: { "retry-after": "5" },
    });
  }
  const wantsStream = (request.headers.get("accept") ?? "").includes("text/event-stream");
  if (!wantsStream) {
    try {
      const report = await runConfiguredDiagnostics({
        locale: ctx.locale,
        generate,
        signal: request.signal,
      });
      return Response.json(report, {
        headers: { "cache-control": "no-store", "x-request-id": ctx.requestId },
      });
    } finally {
      release();
    }
  }
  return sseResponse({
    signal: request.signal,
    headers: { "x-request-id": ctx.requestId },
    start: async (channel) => {
      let seq = 0;
      try {
        const report = await runConfiguredDiagnostics({
          locale: ctx.locale,
          generate,
          signal: channel.signal,
          onCheck: (check) => channel.send({ id: ++seq, event: "check", data: check }),
        });
        channel.send({ id: ++seq, event: "report", data: report });
      } catch (error) {
        const appError = AppError.isInstance(error)
          ? error
          : new AppError("internal_error", { cause: error });
        channel.send({
          id: ++seq,
          event: "error",
          data: { error: appError.toApiError(ctx.locale, ctx.requestId) },
        });
      } finally {
        release();
        channel.close();
      }
    },
  });
}
