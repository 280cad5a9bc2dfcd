import "server-only";
import { formatDuration, withReadableMs } from "@/lib/client/format";
import { loadEnvConfig } from "@next/env";
import type { DiagnosticsReport } from "@/lib/contracts/diagnostics";
import { reportToText } from "@/lib/diagnostics/report-text";
import type { Locale } from "@/lib/i18n/config";
import { translator } from "@/lib/i18n/translate";
import {
  cleanApiKey,
  ConfigError,
  configFromEnvironment,
  readEnv,
  type AppConfig,
} from "../config";
import { registerSecret, scrubSecrets } from "../redact";
import { DEFAULT_RUN_TIMEOUT_MS, type Translate } from "./context";
import { runDiagnostics } from "./engine";
import { effectiveConfig, targetFromConfig } from "./target";

export interface CliOptions {
  json: boolean;
  locale: Locale;
  baseUrl?: string;
  keyEnv?: string;
  timeoutMs: number;
  generate: boolean;
  help: boolean;
}

export type ParsedArgs =
  { ok: true; options: CliOptions } | { ok: false; locale: Locale; error: string };

export function localeFromLang(lang: string | undefined): Locale {
  const value = (lang ?? "").toLowerCase();
  if (value.startsWith("en")) return "en";
  return "zh-CN";
}

function parseLocale(value: string): Locale | null {
  const v = value.toLowerCase();
  if (v === "zh" || v === "zh-cn" || v === "zh_cn") return "zh-CN";
  if (v === "en" || v.startsWith("en-") || v.startsWith("en_")) return "en";
  return null;
}

/** The CLI's translator: the `diagnostics` namespace, durations readable ("20 秒"). */
export function diagnosticsT(locale: Locale): Translate {
  const t = translator(locale) as unknown as Translate;
  const readable = withReadableMs(t, (ms) => formatDuration(ms, t));
  return (key, values) => readable(`diagnostics.${key}`, values);
}

/** Flags of `npm run test:api`; `--name value` and `--name=value` both work. */
export function parseArgs(argv: string[], lang: string | undefined): ParsedArgs {
  const options: CliOptions = {
    json: false,
    locale: localeFromLang(lang),
    timeoutMs: DEFAULT_RUN_TIMEOUT_MS,
    generate: false,
    help: false,
  };
  // The language is read first so every other error is already in the chosen language.
  const langIndex = argv.findIndex((a) => a === "--lang" || a.startsWith("--lang="));
  if (langIndex >= 0) {
    const arg = argv[langIndex] ?? "";
    const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[langIndex + 1];
    const locale = value === undefined ? null : parseLocale(value);
    const t = diagnosticsT(options.locale);
    if (value === undefined || value.startsWith("--")) {
      return {
        ok: false,
        locale: options.locale,
        error: t("cli.missingValue", { option: "--lang" }),
      };
    }
    if (!locale) return { ok: false, locale: options.locale, error: t("cli.badLang", { value }) };
    options.locale = locale;
  }
  const t = diagnosticsT(options.locale);
  const fail = (error: string): ParsedArgs => ({ ok: false, locale: options.locale, error });

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") continue;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const takeValue = (): string | null => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) return null;
      i++;
      return next;
    };
    switch (name) {
      case "--json":
        options.json = true;
        break;
      case "--generate":
        options.generate = true;
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      case "--lang":
        if (inline === undefined) i++;
        break;
      case "--base-url": {
        const value = takeValue();
        if (value === null) return fail(t("cli.missingValue", { option: name }));
        options.baseUrl = value;
        break;
      }
      case "--key-env": {
        const value = takeValue();
        if (value === null || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
          return fail(t("cli.missingValue", { option: name }));
        }
        options.keyEnv = value;
        break;
      }
      case "--timeout": {
        const value = takeValue();
        if (value === null) return fail(t("cli.missingValue", { option: name }));
        const ms = Number(value);
        if (!Number.isInteger(ms) || ms < 1000) return fail(t("cli.badTimeout", { value }));
        options.timeoutMs = ms;
        break;
      }
      default:
        return fail(t("cli.unknownOption", { option: arg }));
    }
  }
  return { ok: true, options };
}

interface LoadedConfig {
  config: AppConfig;
  /** Raw values the app would refuse (the base URL check explains them). */
  rawBaseUrl?: string;
  rawFallbacks?: string[];
}

/**
 * The app's configuration plus the CLI's overrides. A base URL the app's config schema refuses is
 * still diagnosed (that is the point), so those two variables get a second, lenient chance.
 */
function loadConfig(options: CliOptions): LoadedConfig {
  const overrides: Record<string, string | undefined> = {};
  if (options.baseUrl !== undefined) overrides.SORA_BASE_URL = options.baseUrl;
  if (options.keyEnv) overrides.SORA_API_KEY = readEnv(options.keyEnv) ?? "";
  try {
    return { config: configFromEnvironment(overrides) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const urlProblems = error.problems.every(
      (p) => p.startsWith("SORA_BASE_URL:") || p.startsWith("SORA_FALLBACK_BASE_URLS:"),
    );
    if (!urlProblems) throw error;
    const rawBaseUrl = overrides.SORA_BASE_URL ?? readEnv("SORA_BASE_URL");
    const rawFallbacks = (readEnv("SORA_FALLBACK_BASE_URLS") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const config = configFromEnvironment({
      ...overrides,
      SORA_BASE_URL: undefined,
      SORA_FALLBACK_BASE_URLS: undefined,
    });
    return { config, rawBaseUrl: rawBaseUrl?.trim() || config.baseUrl, rawFallbacks };
  }
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  cwd: string;
}

/** `npm run test:api`: returns the exit code (0 nothing failed, 1 a check failed, 2 usage error). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv, readEnv("LANG"));
  if (!parsed.ok) {
    const t = diagnosticsT(parsed.locale);
    io.stderr(`${parsed.error}\n${t("cli.seeHelp")}\n`);
    return 2;
  }
  const { options } = parsed;
  const t = diagnosticsT(options.locale);
  if (options.help) {
    io.stdout(`${t("cli.usage")}\n`);
    return 0;
  }

  const { loadedEnvFiles } = loadEnvConfig(io.cwd, false, {
    info: () => undefined,
    error: (...args: unknown[]) => io.stderr(`${args.map(String).join(" ")}\n`),
  });
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`${t("cli.configError")}\n${error.problems.map((p) => `  - ${p}`).join("\n")}\n`);
    return 1;
  }
  const { config } = loaded;
  const keySource = options.keyEnv ?? "SORA_API_KEY";
  const target = targetFromConfig(config, keySource);
  if (options.keyEnv) {
    const raw = readEnv(options.keyEnv);
    target.rawApiKey = raw;
    target.apiKey = raw ? cleanApiKey(raw) || undefined : undefined;
    registerSecret(raw);
    registerSecret(target.apiKey);
  }
  if (loaded.rawBaseUrl !== undefined) target.baseUrl = loaded.rawBaseUrl;
  if (loaded.rawFallbacks !== undefined) target.fallbackBaseUrls = loaded.rawFallbacks;

  if (options.generate) io.stderr(`${t("cli.generateNotice")}\n`);
  const report: DiagnosticsReport = await runDiagnostics(target, {
    locale: options.locale,
    timeoutMs: options.timeoutMs,
    generate: options.generate,
    version: config.version,
    config: effectiveConfig(
      { ...config, apiKey: target.apiKey, fallbackBaseUrls: target.fallbackBaseUrls },
      {
        keySource,
        envFiles: loadedEnvFiles.map((f) => f.path),
        baseUrl: target.baseUrl,
      },
    ),
  });
  if (options.json) {
    // The report is scrubbed field by field (runDiagnostics); JSON text is not re-scrubbed because
    // masking could land next to a backslash escape.
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const noColor = Boolean(readEnv("NO_COLOR"));
    io.stdout(scrubSecrets(reportToText(report, t, { colour: io.isTTY && !noColor })));
  }
  return report.verdict.status === "fail" ? 1 : 0;
}
