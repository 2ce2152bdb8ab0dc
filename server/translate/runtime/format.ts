// Translation-time check of FORMAT patterns, mirroring what tsql_format() accepts, so the translator
// can refuse (TR9013) instead of emitting a call that raises on every row.

export type FormatCheck = { ok: true } | { ok: false; reason: string };

const NUMERIC_STANDARD = /^[NnCcPpDdFf][0-9]{0,2}$/;
const DATE_STANDARD = new Set(["d", "D", "t", "T", "f", "F", "g", "G", "M", "m", "Y", "y", "s"]);

/** Culture argument of FORMAT: only en-US (or omitted / NULL). */
export function formatCultureSupported(culture: string | null | undefined): FormatCheck {
  if (culture === null || culture === undefined || culture.toLowerCase() === "en-us") return { ok: true };
  return { ok: false, reason: `FORMAT culture '${culture}' (only en-US is reproduced)` };
}

/**
 * Whether tsql_format accepts `fmt` for a value of the given kind (TSQL-SEMANTICS.md §7.3). For
 * numbers, C and P of negative values and D of non-integers are still refused at run time.
 */
export function formatPatternSupported(fmt: string, kind: "number" | "datetime"): FormatCheck {
  const no = (reason: string): FormatCheck => ({ ok: false, reason: `FORMAT pattern '${fmt}': ${reason}` });
  if (kind === "number") {
    if (NUMERIC_STANDARD.test(fmt)) return { ok: true };
    if (/[%‰;\\'"]/.test(fmt)) return no("percent, per-mille, section, escape or quoted parts are not reproduced");
    if (/[Ee][-+]?0/.test(fmt)) return no("exponent notation is not reproduced");
    if (!/[0#]/.test(fmt)) return no("not a supported standard or custom numeric format");
    if (/[.].*[.]/.test(fmt)) return no("more than one decimal point");
    const intpat = fmt.split(".")[0]!;
    if (/,[^0#]*$/.test(intpat)) return no("scaling commas are not reproduced");
    if (/[0#],+[0#]/.test(intpat) && /[^0#,]/.test(/[0#].*[0#]/.exec(intpat)?.[0] ?? "")) {
      return no("group separators with literals between digits");
    }
    return { ok: true };
  }
  let f = fmt;
  if (f.length === 1) {
    if (!DATE_STANDARD.has(f)) return no("standard date format not reproduced");
    return { ok: true };
  }
  if (f.length === 2 && f[0] === "%") f = f.slice(1);
  for (let i = 0; i < f.length; ) {
    const c = f[i]!;
    let k = 1;
    while (i + k < f.length && f[i + k] === c) k++;
    if ("Hhms".includes(c) && k > 2) return no(`'${c.repeat(k)}' is not a .NET date pattern element`);
    if (c === "f" && k > 7) return no("more than 7 fraction digits");
    if (c === "t" && k > 2) return no("'ttt' is not a .NET date pattern element");
    if ("zKgF".includes(c)) return no(`'${c}' (offset, era or optional fraction) is not reproduced`);
    if (c === "'" || c === '"') {
      const close = f.indexOf(c, i + 1);
      if (close < 0) return no("unterminated quote");
      k = close - i + 1;
    } else if (c === "\\") k = 2;
    i += k;
  }
  return { ok: true };
}
