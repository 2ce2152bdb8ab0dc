// T-SQL LIKE patterns known at translation time → a Postgres predicate operator and pattern. For
// patterns only known at run time the runtime has tsql_like()/tsql_like_regex() (same rules).

export interface LikeOptions {
  /** Case-insensitive collation (default true: SQL_Latin1_General_CP1_CI_AS). */
  ci?: boolean;
  /** Any operand is nchar/nvarchar: trailing blanks of the match expression then count. Default false. */
  unicode?: boolean;
}

export type LikeTranslation =
  | {
      ok: true;
      /** `x <operator> '<pattern>'`; LIKE/ILIKE patterns use backslash as escape (Postgres default). */
      operator: "LIKE" | "ILIKE" | "~" | "~*";
      pattern: string;
    }
  | { ok: false; reason: string };

type Token =
  | { kind: "lit"; ch: string }
  | { kind: "any" }
  | { kind: "one" }
  | { kind: "class"; negated: boolean; items: ({ ch: string } | { from: string; to: string })[] };

const REGEX_META = /[.^$*+?()[\]{}|\\-]/;

function tokenize(pattern: string, escape: string | undefined): Token[] | string {
  const chars = Array.from(pattern);
  const out: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (escape !== undefined && c === escape) {
      const next = chars[i + 1];
      if (next === undefined) return "LIKE pattern ending in its escape character (SQL Server's handling is undocumented)";
      out.push({ kind: "lit", ch: next });
      i++;
    } else if (c === "%") out.push({ kind: "any" });
    else if (c === "_") out.push({ kind: "one" });
    else if (c === "[") {
      const close = chars.indexOf("]", i + 1);
      if (close < 0) return "LIKE pattern with an unclosed [ (SQL Server's handling is undocumented)";
      const body = chars.slice(i + 1, close);
      if (body.length === 0 || (body.length === 1 && body[0] === "^")) return "LIKE pattern with an empty [] class";
      let k = 0;
      let negated = false;
      if (body[0] === "^" && body.length > 1) {
        negated = true;
        k = 1;
      }
      const items: ({ ch: string } | { from: string; to: string })[] = [];
      const start = k;
      for (; k < body.length; k++) {
        const ch = body[k]!;
        const next = body[k + 1];
        const after = body[k + 2];
        if (next === "-" && after !== undefined && k >= start) {
          items.push({ from: ch, to: after });
          k += 2;
        } else items.push({ ch });
      }
      out.push({ kind: "class", negated, items });
      i = close;
    } else out.push({ kind: "lit", ch: c });
  }
  return out;
}

const reChar = (ch: string) => (REGEX_META.test(ch) ? `\\${ch}` : ch);

function toRegex(tokens: Token[]): string {
  return tokens
    .map((t) => {
      switch (t.kind) {
        case "lit":
          return reChar(t.ch);
        case "any":
          return ".*";
        case "one":
          return ".";
        case "class":
          return (
            (t.negated ? "[^" : "[") +
            t.items.map((it) => ("ch" in it ? reChar(it.ch) : `${reChar(it.from)}-${reChar(it.to)}`)).join("") +
            "]"
          );
      }
    })
    .join("");
}

function toLike(tokens: Token[]): string {
  return tokens
    .map((t) => {
      if (t.kind === "any") return "%";
      if (t.kind === "one") return "_";
      if (t.kind === "lit") return t.ch === "%" || t.ch === "_" || t.ch === "\\" ? `\\${t.ch}` : t.ch;
      throw new Error("class tokens have no LIKE form");
    })
    .join("");
}

/**
 * Translates a literal T-SQL LIKE pattern (and ESCAPE character) into a Postgres operator and pattern
 * with the same meaning under the given collation/type options (TSQL-SEMANTICS.md §3 LIKE, §2.1).
 * Native LIKE/ILIKE is used when it is exact: no [ ] class, and either Unicode operands or a pattern
 * ending in % (non-Unicode LIKE ignores the match expression's trailing blanks). Otherwise an anchored
 * regular expression. Unsupported patterns come back as { ok: false, reason } for a diagnostic.
 */
export function tsqlLikeToPostgres(pattern: string, escape?: string | null, options: LikeOptions = {}): LikeTranslation {
  const ci = options.ci ?? true;
  const unicode = options.unicode ?? false;
  if (escape !== undefined && escape !== null && Array.from(escape).length !== 1) {
    return { ok: false, reason: `invalid escape character ${JSON.stringify(escape)} (SQL Server raises an error)` };
  }
  const tokens = tokenize(pattern, escape ?? undefined);
  if (typeof tokens === "string") return { ok: false, reason: tokens };
  const hasClass = tokens.some((t) => t.kind === "class");
  const endsWithAny = tokens.length > 0 && tokens[tokens.length - 1]!.kind === "any";
  if (!hasClass && (unicode || endsWithAny)) {
    return { ok: true, operator: ci ? "ILIKE" : "LIKE", pattern: toLike(tokens) };
  }
  return { ok: true, operator: ci ? "~*" : "~", pattern: `^(?:${toRegex(tokens)})${unicode ? "" : " *"}$` };
}
