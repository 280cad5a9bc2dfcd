/** Seconds for a retry delay: "3", "0.3", "12" (one decimal below 10 s, none when whole). */
export function formatDelaySeconds(delayMs: number): string {
  const seconds = Math.max(0, delayMs) / 1000;
  if (seconds >= 10) return String(Math.round(seconds));
  const rounded = Math.round(seconds * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

/** Elapsed time as m:ss (or h:mm:ss past an hour). */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, "0");
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, "0")}:${ss}`;
  return `${minutes}:${ss}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

export { stripDirectives } from "@/lib/media/video-file-name";

export function excerpt(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`;
}

export type DurationUnit = "ms" | "s" | "min" | "minS" | "h" | "hMin";

/**
 * A duration in the largest unit that reads well: 350 ms, 20 s (20039 ms), 3.4 s, 2 min 5 s,
 * 45 min, 1 h 5 min. Seconds keep one decimal below a minute, without a trailing ".0".
 */
export function durationParts(ms: number): { unit: DurationUnit; values: Record<string, string> } {
  const value = Math.max(0, ms);
  if (value < 1000) return { unit: "ms", values: { n: String(Math.round(value)) } };
  if (value < 59_950) {
    const seconds = Math.round(value / 100) / 10;
    return {
      unit: "s",
      values: { n: Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1) },
    };
  }
  const totalSeconds = Math.round(value / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    return s === 0
      ? { unit: "min", values: { m: String(m) } }
      : { unit: "minS", values: { m: String(m), s: String(s) } };
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return m === 0
    ? { unit: "h", values: { h: String(h) } }
    : { unit: "hMin", values: { h: String(h), m: String(m) } };
}

/** The one way durations are written: `t` translates `common.duration.*` (see durationParts). */
export function formatDuration(
  ms: number,
  t: (key: `duration.${DurationUnit}`, values: Record<string, string>) => string,
): string {
  const { unit, values } = durationParts(ms);
  return t(`duration.${unit}`, values);
}

/**
 * A translator whose numeric `{ms}` value reads as a duration ("20 秒", not "20039 毫秒"): messages
 * that take `{ms}` name no unit of their own. The diagnostics checks and the text report use it.
 */
export function withReadableMs<V extends Record<string, unknown>>(
  t: (key: string, values?: V) => string,
  formatMs: (ms: number) => string,
): (key: string, values?: V) => string {
  return (key, values) =>
    t(key, typeof values?.ms === "number" ? { ...values, ms: formatMs(values.ms) } : values);
}

/** "$0.40", "¥1.20": the narrow symbol in every language (an estimate is prefixed by the caller). */
export function formatMoney(value: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      currencyDisplay: "narrowSymbol",
      minimumFractionDigits: 2,
      maximumFractionDigits: value !== 0 && Math.abs(value) < 0.1 ? 3 : 2,
    }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}
