// Datepart keywords known at translation time (they are keywords in T-SQL, never expressions), with
// the same table as the runtime's tsql_datepart_name(), so invalid ones are refused statically.

export type Datepart =
  | "year" | "quarter" | "month" | "dayofyear" | "day" | "week" | "weekday" | "hour" | "minute"
  | "second" | "millisecond" | "microsecond" | "nanosecond" | "tzoffset" | "iso_week";

const NAMES: Record<string, Datepart> = {
  year: "year", yy: "year", yyyy: "year",
  quarter: "quarter", qq: "quarter", q: "quarter",
  month: "month", mm: "month", m: "month",
  dayofyear: "dayofyear", dy: "dayofyear", y: "dayofyear",
  day: "day", dd: "day", d: "day",
  week: "week", wk: "week", ww: "week",
  weekday: "weekday", dw: "weekday", w: "weekday",
  hour: "hour", hh: "hour",
  minute: "minute", mi: "minute", n: "minute",
  second: "second", ss: "second", s: "second",
  millisecond: "millisecond", ms: "millisecond",
  microsecond: "microsecond", mcs: "microsecond",
  nanosecond: "nanosecond", ns: "nanosecond",
  tzoffset: "tzoffset", tz: "tzoffset",
  iso_week: "iso_week", isowk: "iso_week", isoww: "iso_week",
};

/** Every spelling accepted, for tests and completion. */
export const DATEPART_SPELLINGS: readonly string[] = Object.keys(NAMES);

/** The canonical datepart for a T-SQL datepart keyword or abbreviation (case-insensitive), or undefined. */
export function canonicalDatepart(keyword: string): Datepart | undefined {
  return Object.hasOwn(NAMES, keyword.trim().toLowerCase()) ? NAMES[keyword.trim().toLowerCase()] : undefined;
}

/** Dateparts each T-SQL function accepts (TSQL-SEMANTICS.md §6.1–6.3). */
export const DATEPARTS_BY_FUNCTION: Readonly<Record<"DATEDIFF" | "DATEADD" | "DATEPART" | "DATENAME", ReadonlySet<Datepart>>> = {
  DATEDIFF: new Set<Datepart>(["year", "quarter", "month", "dayofyear", "day", "week", "weekday", "hour", "minute", "second", "millisecond", "microsecond", "nanosecond"]),
  DATEADD: new Set<Datepart>(["year", "quarter", "month", "dayofyear", "day", "week", "weekday", "hour", "minute", "second", "millisecond", "microsecond", "nanosecond"]),
  DATEPART: new Set<Datepart>(["year", "quarter", "month", "dayofyear", "day", "week", "weekday", "hour", "minute", "second", "millisecond", "microsecond", "nanosecond", "tzoffset", "iso_week"]),
  DATENAME: new Set<Datepart>(["year", "quarter", "month", "dayofyear", "day", "week", "weekday", "hour", "minute", "second", "millisecond", "microsecond", "nanosecond", "iso_week"]),
};
