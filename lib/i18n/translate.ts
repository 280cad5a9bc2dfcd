import { createTranslator } from "use-intl/core";
import type { Locale } from "./config";
import { MESSAGES } from "./messages";

/** A translator usable outside React (route handlers, the job runner, the CLI). */
export function translator(locale: Locale) {
  return createTranslator({ locale, messages: MESSAGES[locale] });
}
