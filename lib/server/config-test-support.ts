import { ConfigError, parseConfig } from "./config";

/** The problems `parseConfig` reports for an environment (unit tests); throws if it accepts it. */
export function problemsFor(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
