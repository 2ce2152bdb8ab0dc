// Anonymisation of training examples (issue 10). Within one migration every schema, table, column
// and variable name and every string literal gets one consistent replacement, on both sides of an
// example (the T-SQL input read with the project's lexer, the dbt/Postgres output with
// sql-tokens.ts), so that a model still learns how a name in the source becomes a name in the
// model without ever seeing the customer's names. Comments are dropped. Values that look like
// personal data get replacements of their kind (email, phone, card, account, name) so the shape of
// the data is kept. The mapping is returned for storage on the server and never exported.
//
// Words that are SQL keywords, built-in types or built-in functions stay as they are; a name that
// is also a keyword (a column called `date`) is replaced only where it is unambiguously a name:
// quoted, qualified (a.date) or one of the migration's object names.
import { tokenize, TokenType, RESERVED, BUILTIN_TYPES, type Token } from "../tsql/index.ts";
import { tokenizePostgres, type PgToken } from "./sql-tokens.ts";

export type MappingKind = "identifier" | "variable" | "literal";

export interface MappingEntry {
  kind: MappingKind;
  original: string;
  replacement: string;
}

// Non-reserved keywords, types and built-in functions of T-SQL and Postgres, and dbt/Jinja words.
const KEEP_WORDS = new Set(
  (
    // T-SQL non-reserved keywords and options
    "NOCOUNT XACT_ABORT ANSI_NULLS QUOTED_IDENTIFIER ROWS ROW ONLY NEXT FIRST LAST PARTITION RANGE PRECEDING FOLLOWING " +
    "UNBOUNDED OUTPUT INSERTED DELETED MATCHED SOURCE TARGET APPLY TRY CATCH THROW OFFSET FETCH LOOP HASH READONLY RETURNS " +
    "NOLOCK READUNCOMMITTED ROWLOCK UPDLOCK TABLOCK RECOMPILE MAXDOP SCHEMABINDING ENCRYPTION CALLER OWNER " +
    "LOCAL GLOBAL STATIC FORWARD_ONLY FAST_FORWARD KEYSET DYNAMIC CONCAT_NULL_YIELDS_NULL DATEFIRST DATEFORMAT LANGUAGE " +
    "PERSISTED SPARSE FILESTREAM ROWGUIDCOL NOEXPAND INCLUDE STATUSONLY AUTO PATH RAW ELEMENTS ROOT JSON XML TYPE " +
    // Postgres keywords
    "LIMIT ILIKE SIMILAR BOOLEAN TRUE FALSE INTERVAL EXTRACT FILTER LATERAL RETURNING CONFLICT DO NOTHING USING NATURAL " +
    "RECURSIVE MATERIALIZED TEMP TEMPORARY SERIAL BIGSERIAL TIMESTAMPTZ TIMETZ JSONB ARRAY NULLS WITHOUT ZONE " +
    "EPOCH YEAR QUARTER MONTH WEEK DAY DAYOFYEAR DOY DOW ISODOW HOUR MINUTE SECOND MILLISECOND MICROSECOND " +
    "YY YYYY QQ Q MM M WK WW DD D DY HH MI N SS S MS MCS NS DW WEEKDAY ISO_WEEK ISOWK ISOWW " +
    "REPLACE LANGUAGE PLPGSQL RETURNS SETOF VOLATILE STABLE IMMUTABLE STRICT SECURITY DEFINER INVOKER " +
    "GENERATED ALWAYS STORED VIEW SCHEMA LOGGED UNLOGGED ONLY BOTH LEADING TRAILING PLACING OVERLAY VARIADIC " +
    "CHARACTER VARYING DOUBLE PRECISION REAL SMALLINT INTEGER BIGINT NUMERIC DECIMAL TEXT BYTEA UUID INET " +
    // Built-in functions (both dialects)
    "COUNT SUM AVG MIN MAX COUNT_BIG STDEV STDEVP VAR VARP ROW_NUMBER RANK DENSE_RANK NTILE LAG LEAD FIRST_VALUE " +
    "LAST_VALUE PERCENT_RANK CUME_DIST PERCENTILE_CONT PERCENTILE_DISC GETDATE GETUTCDATE SYSDATETIME SYSUTCDATETIME " +
    "SYSDATETIMEOFFSET DATEADD DATEDIFF DATEDIFF_BIG DATEPART DATENAME DATEFROMPARTS DATETIMEFROMPARTS EOMONTH " +
    "ISNULL ISNUMERIC ISDATE LEN DATALENGTH SUBSTRING UPPER LOWER LTRIM RTRIM TRIM CHARINDEX PATINDEX CONCAT CONCAT_WS " +
    "STUFF FORMAT STRING_AGG STRING_SPLIT STR SPACE REPLICATE REVERSE LEFT RIGHT ASCII CHAR NCHAR UNICODE QUOTENAME " +
    "ROUND ABS FLOOR CEILING CEIL POWER SQRT SQUARE EXP LOG LOG10 SIGN PI RAND RANDOM MOD DIV TRUNC GREATEST LEAST " +
    "IIF CHOOSE CAST TRY_CAST TRY_PARSE PARSE NEWID NEWSEQUENTIALID SCOPE_IDENTITY IDENT_CURRENT OBJECT_ID " +
    "ERROR_MESSAGE ERROR_NUMBER ERROR_LINE ERROR_SEVERITY ERROR_STATE ERROR_PROCEDURE XACT_STATE " +
    "NOW LENGTH POSITION STRPOS SPLIT_PART REGEXP_REPLACE REGEXP_MATCHES TO_CHAR TO_DATE TO_TIMESTAMP TO_NUMBER " +
    "DATE_TRUNC DATE_PART AGE MAKE_DATE MAKE_TIMESTAMP MAKE_INTERVAL GEN_RANDOM_UUID LPAD RPAD BTRIM INITCAP " +
    "ARRAY_AGG ARRAY_TO_STRING UNNEST JSON_AGG JSONB_AGG JSON_BUILD_OBJECT JSONB_BUILD_OBJECT JSON_VALUE JSON_QUERY " +
    "OPENJSON ISJSON JSON_EXTRACT_PATH_TEXT BOOL_AND BOOL_OR EVERY CLOCK_TIMESTAMP STATEMENT_TIMESTAMP " +
    "TRANSACTION_TIMESTAMP LOCALTIMESTAMP LOCALTIME GENERATE_SERIES ROW_TO_JSON COALESCE NULLIF EXISTS " +
    // dbt and Jinja
    "REF SOURCE CONFIG VAR THIS IS_INCREMENTAL MATERIALIZED UNIQUE_KEY INCREMENTAL_STRATEGY ON_SCHEMA_CHANGE ALIAS TAGS " +
    "ENDIF ELIF ENDFOR MACRO ENDMACRO CALL ENDCALL NONE RETURN ADAPTER LOOP DBT_UTILS RUN_QUERY EXECUTE TARGET " +
    "DESCRIPTION POST_HOOK PRE_HOOK PERSIST_DOCS CONTRACT ENFORCED INDEXES COLUMNS GRANTS META DOCS ENABLED"
  ).split(" "),
);

// String values inside Jinja that are dbt vocabulary, not customer data.
const JINJA_KEEP_STRINGS = new Set([
  "view", "table", "incremental", "ephemeral", "materialized_view", "merge", "append", "delete+insert",
  "insert_overwrite", "microbatch", "ignore", "fail", "append_new_columns", "sync_all_columns", "btree", "hash",
]);

// dbt's layer prefixes stay readable (stg_x__y → stg_<a>__<b>).
const LAYER_PREFIXES = ["stg", "int", "fct", "dim", "src", "base", "mart", "rpt", "snap"];

function isKeepWord(upper: string): boolean {
  return RESERVED.has(upper) || BUILTIN_TYPES.has(upper) || KEEP_WORDS.has(upper);
}

/** The comparison key of a name: case and underscores do not matter (CustomerID ≡ customer_id). */
export function identifierKey(name: string): string {
  return name.toLowerCase().replace(/_/g, "");
}

// --- personal data ------------------------------------------------------------------------------

const EMAIL = /^[^\s@'"]+@[^\s@'"]+\.[A-Za-z]{2,}$/;
const PHONE = /^\+?[\d\s().\-/]{7,20}$/;
const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9 ]{10,30}$/;
// Two to four capitalised words: "Jane Doe", "Anna Maria Smith".
const PERSON_NAME = /^[A-Z][a-z'\-]+(?: [A-Z][a-z'\-]+){1,3}$/;

/** Luhn checksum (payment cards). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export type PersonalDataKind = "email" | "card" | "account" | "phone" | "name";

/** What kind of personal data a literal looks like, if any. */
export function personalDataKind(value: string): PersonalDataKind | undefined {
  const v = value.trim();
  if (EMAIL.test(v)) return "email";
  // Dates and times are data, but not about a person.
  if (/^\d{4}-\d{2}-\d{2}([ T][\d:.]+)?$/.test(v)) return undefined;
  const digits = v.replace(/[\s-]/g, "");
  if (/^\d{13,19}$/.test(digits) && luhnValid(digits)) return "card";
  if (IBAN.test(v.replace(/\s/g, "")) || /^\d{8,12}$/.test(digits)) return "account";
  if (PHONE.test(v) && v.replace(/\D/g, "").length >= 7) return "phone";
  if (PERSON_NAME.test(v)) return "name";
  return undefined;
}

// --- the anonymiser -----------------------------------------------------------------------------

export class Anonymiser {
  private readonly identifiers = new Map<string, string>();
  private readonly variables = new Map<string, string>();
  private readonly literals = new Map<string, string>();
  /** Names known to be names even when they read like keywords (quoted, qualified, object names). */
  private readonly knownNames = new Set<string>();
  private readonly added: MappingEntry[] = [];
  private counters = { n: 0, p: 0, s: 0, email: 0, card: 0, account: 0, phone: 0, name: 0, num: 0 };

  /** Starts from a migration's stored mapping so that replacements stay the same across runs. */
  constructor(existing: MappingEntry[] = []) {
    for (const e of existing) {
      this.mapOf(e.kind).set(e.original, e.replacement);
      if (e.kind === "identifier") this.knownNames.add(e.original);
      this.bumpCounter(e.replacement);
    }
  }

  /** Entries created since construction (to be stored with the migration). */
  newEntries(): MappingEntry[] {
    return this.added.slice();
  }

  /** Object names of the migration: replaced even where they look like keywords. */
  addKnownNames(names: Iterable<string>): void {
    for (const n of names) if (n) this.knownNames.add(identifierKey(n));
  }

  private mapOf(kind: MappingKind): Map<string, string> {
    return kind === "identifier" ? this.identifiers : kind === "variable" ? this.variables : this.literals;
  }

  private bumpCounter(replacement: string): void {
    const m = /^@?(n|p|s|email|card|account|phone|name|num)_(\d+)/.exec(replacement) ?? /^(9)(\d+)$/.exec(replacement);
    if (!m) return;
    const key = (m[1] === "9" ? "num" : m[1]) as keyof Anonymiser["counters"];
    const value = m[1] === "9" ? Number(m[2]!.slice(-6)) : Number(m[2]);
    if (value > this.counters[key]) this.counters[key] = value;
  }

  private remember(kind: MappingKind, original: string, make: () => string): string {
    const map = this.mapOf(kind);
    let r = map.get(original);
    if (r === undefined) {
      r = make();
      map.set(original, r);
      this.added.push({ kind, original, replacement: r });
    }
    return r;
  }

  // Raw spelling → replacement: the same names repeat many times in one migration.
  private readonly nameCache = new Map<string, string>();
  private readonly literalCache = new Map<string, string>();

  /** One name part (no dots). dbt-style compound names keep their layer prefix and `__` structure. */
  identifier(name: string): string {
    let r = this.nameCache.get(name);
    if (r === undefined) {
      r = this.computeIdentifier(name);
      this.nameCache.set(name, r);
    }
    return r;
  }

  private computeIdentifier(name: string): string {
    if (name.includes("__")) {
      return name
        .split("__")
        .map((part, i) => (part === "" ? part : i === 0 ? this.prefixed(part) : this.simpleIdentifier(part)))
        .join("__");
    }
    return this.prefixed(name);
  }

  private prefixed(name: string): string {
    const lower = name.toLowerCase();
    for (const p of LAYER_PREFIXES) {
      if (lower.startsWith(p + "_") && name.length > p.length + 1) return name.slice(0, p.length + 1) + this.simpleIdentifier(name.slice(p.length + 1));
    }
    return this.simpleIdentifier(name);
  }

  private simpleIdentifier(name: string): string {
    const key = identifierKey(name);
    if (key === "") return name;
    this.knownNames.add(key);
    return this.remember("identifier", key, () => `n_${++this.counters.n}`);
  }

  variable(name: string): string {
    // T-SQL variables are case-insensitive.
    const key = name.toLowerCase();
    return this.remember("variable", key, () => `@p_${++this.counters.p}`);
  }

  /** A string literal's replacement (without quotes). LIKE wildcards at the ends are kept. */
  literal(value: string): string {
    let r = this.literalCache.get(value);
    if (r === undefined) {
      r = this.computeLiteral(value);
      this.literalCache.set(value, r);
    }
    return r;
  }

  private computeLiteral(value: string): string {
    if (value.length <= 1 || value.trim() === "") return value;
    const m = /^([%_]*)([\s\S]*?)([%_]*)$/.exec(value)!;
    const [, lead, core, trail] = m as unknown as [string, string, string, string];
    if (core.length <= 1) return value;
    const replaced = this.remember("literal", core, () => {
      const kind = personalDataKind(core);
      if (kind === "email") return `email_${++this.counters.email}@example.invalid`;
      if (kind) return `${kind}_${++this.counters[kind]}`;
      return `s_${++this.counters.s}`;
    });
    return lead + replaced + trail;
  }

  /** Long numbers may be account, card or phone numbers; short ones (TOP 10, -1, 100.0) are kept. */
  number(text: string): string {
    const digits = text.replace(/\D/g, "");
    if (digits.length < 6) return text;
    return this.remember("literal", text, () => `9${String(++this.counters.num).padStart(6, "0")}`);
  }

  private wordIsName(word: string, prevSignificant: string | undefined, nextSignificant: string | undefined): boolean {
    const upper = word.toUpperCase();
    if (!isKeepWord(upper)) return true;
    if (RESERVED.has(upper)) return false;
    // A keyword-like word used as a qualified name part or a known object name.
    if (prevSignificant === "." || nextSignificant === ".") return true;
    return this.knownNames.has(identifierKey(word)) && nextSignificant !== "(";
  }

  /** T-SQL text, through the project's lexer. */
  tsql(text: string): string {
    const { tokens } = tokenize(text, { file: "example.sql" });
    const significant = tokens.filter((t) => t.type !== TokenType.EOF);
    let out = "";
    let prevEnd = 0;
    for (let i = 0; i < significant.length; i++) {
      const t = significant[i]!;
      out += gap(text.slice(prevEnd, t.start), out);
      prevEnd = t.end;
      out += this.tsqlToken(t, significant[i - 1], significant[i + 1]);
    }
    return out.trim() + "\n";
  }

  private tsqlToken(t: Token, prev: Token | undefined, next: Token | undefined): string {
    switch (t.type) {
      case TokenType.Word: {
        if (t.value.startsWith("#")) {
          const hashes = /^#+/.exec(t.value)![0];
          return hashes + this.identifier(t.value.slice(hashes.length));
        }
        return this.wordIsName(t.value, raw(prev), raw(next)) ? this.identifier(t.value) : t.value;
      }
      case TokenType.QuotedId:
        return this.identifier(t.value);
      case TokenType.String:
        return `'${this.literal(t.value).replace(/'/g, "''")}'`;
      case TokenType.NString:
        return `N'${this.literal(t.value).replace(/'/g, "''")}'`;
      case TokenType.Integer:
      case TokenType.Decimal:
      case TokenType.Float:
      case TokenType.Money:
        return this.number(t.value);
      case TokenType.Binary:
        return t.value.length > 10 ? this.remember("literal", t.value, () => `0x${(++this.counters.num).toString(16).padStart(8, "0")}`) : t.value;
      case TokenType.Variable:
        return this.variable(t.value);
      case TokenType.Go:
        return "GO";
      default:
        // Operators, @@globals, $pseudo columns; Unknown characters are kept as written.
        return t.type === TokenType.Op || t.type === TokenType.GlobalVariable || t.type === TokenType.Pseudo ? t.value : t.value;
    }
  }

  /** dbt model SQL (Postgres with Jinja). */
  postgres(text: string): string {
    return this.pgTokens(tokenizePostgres(text), false).trim() + "\n";
  }

  private pgTokens(tokens: PgToken[], inJinja: boolean): string {
    // The next significant token (not space or comment) of each position, from one backward pass.
    const next = new Array<PgToken | undefined>(tokens.length);
    let following: PgToken | undefined;
    for (let k = tokens.length - 1; k >= 0; k--) {
      next[k] = following;
      const kind = tokens[k]!.kind;
      if (kind !== "space" && kind !== "comment") following = tokens[k];
    }
    let out = "";
    let prev: PgToken | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const nextSig = next[i];
      const prevSig = prev;
      if (t.kind !== "space" && t.kind !== "comment") prev = t;
      switch (t.kind) {
        case "space":
          out += t.text;
          break;
        case "comment":
          // A dropped comment leaves a separator so tokens do not fuse.
          out += t.text.includes("\n") || t.text.startsWith("--") ? "\n" : " ";
          break;
        case "word":
          out += this.wordIsName(t.value, prevSig?.kind === "op" ? prevSig.value : undefined, nextSig?.kind === "op" ? nextSig.value : undefined)
            ? this.identifier(t.value)
            : t.value;
          break;
        case "quoted":
          out += `"${this.identifier(t.value)}"`;
          break;
        case "string": {
          if (inJinja) {
            out += this.jinjaString(t, tokens, i);
          } else {
            const r = this.literal(t.value);
            out += t.prefix && t.prefix.startsWith("$") ? `${t.prefix}${r}${t.prefix}` : `${t.prefix ?? ""}'${r.replace(/'/g, "''")}'`;
          }
          break;
        }
        case "number":
          out += this.number(t.value);
          break;
        case "jinja":
          out += `${t.open}${this.pgTokens(tokenizePostgres(t.value), true)}${t.close}`;
          break;
        default:
          out += t.text;
      }
    }
    return out;
  }

  /** A string inside {{ }} / {% %}: ref/source arguments are names; dbt vocabulary stays; the rest are literals. */
  private jinjaString(t: PgToken, tokens: PgToken[], i: number): string {
    const quote = t.text.startsWith('"') ? '"' : "'";
    let j = i - 1;
    let depthCall: string | undefined;
    // Walk back to the call this string is an argument of: ref( 'a' ) / source( 'a', 'b' ).
    for (; j >= 0; j--) {
      const p = tokens[j]!;
      if (p.kind === "op" && p.value === "(") {
        const f = tokens.slice(0, j).reverse().find((x) => x.kind !== "space");
        depthCall = f?.kind === "word" ? f.value.toLowerCase() : undefined;
        break;
      }
      if (p.kind === "op" && (p.value === ")" || p.value === "=")) break;
    }
    let value: string;
    if (depthCall === "ref" || depthCall === "source") value = t.value.split(".").map((p) => this.identifier(p)).join(".");
    else if (JINJA_KEEP_STRINGS.has(t.value.toLowerCase())) value = t.value;
    else value = this.literal(t.value);
    return `${quote}${value}${quote}`;
  }
}

/** An operator token's text (to see `.` around a name). */
function raw(tok: Token | undefined): string | undefined {
  return tok && tok.type === TokenType.Op ? tok.value : undefined;
}

/** The text between two tokens with comments removed: keeps a line break or a space. */
function gap(between: string, soFar: string): string {
  if (between === "") return "";
  if (between === " " || between === "\n" || /^\s*$/.test(between)) return soFar === "" ? "" : between;
  if (soFar === "") return "";
  return between.includes("\n") ? "\n" : " ";
}
