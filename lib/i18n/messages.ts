import type { Locale } from "./config";
import zhCommon from "./messages/zh-CN/common.json";
import zhErrors from "./messages/zh-CN/errors.json";
import zhGenerator from "./messages/zh-CN/generator.json";
import zhDiagnostics from "./messages/zh-CN/diagnostics.json";
import zhDiagnosis from "./messages/zh-CN/diagnosis.json";
import enCommon from "./messages/en/common.json";
import enErrors from "./messages/en/errors.json";
import enGenerator from "./messages/en/generator.json";
import enDiagnostics from "./messages/en/diagnostics.json";
import enDiagnosis from "./messages/en/diagnosis.json";

/**
 * One file per area so that the generator and diagnostics can grow their texts independently.
 * Top-level namespaces: common (layout, shared words), errors, generator, diagnostics, diagnosis
 * (a failed job's own diagnosis and the relay weather).
 */
export const MESSAGES = {
  "zh-CN": {
    ...zhCommon,
    errors: zhErrors,
    generator: zhGenerator,
    diagnostics: zhDiagnostics,
    diagnosis: zhDiagnosis,
  },
  en: {
    ...enCommon,
    errors: enErrors,
    generator: enGenerator,
    diagnostics: enDiagnostics,
    diagnosis: enDiagnosis,
  },
} satisfies Record<Locale, unknown>;

export type Messages = (typeof MESSAGES)["zh-CN"];
