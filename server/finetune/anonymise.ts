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
    "ROLLUP CUBE GROUPING SETS INSTEAD AFTER NOWAIT FILLFACTOR PAD_INDEX STATISTICS_NORECOMPUTE IGNORE_DUP_KEY ALLOW_ROW_LOCKS " +
    "ALLOW_PAGE_LOCKS DATA_COMPRESSION PAGE NONE PRIMARY FILEGROUP TEXTIMAGE_ON ASC DESC INCREMENT MINVALUE MAXVALUE CYCLE CACHE " +
    "NOCYCLE START RESTART SEQUENCE MATCHED BY SOURCE TARGET OUTPUT WITHIN DENSE CONCAT_WS RAISERROR WITH LOG SETERROR " +
    "MARK DELAYED_DURABILITY SNAPSHOT ISOLATION LEVEL COMMITTED UNCOMMITTED REPEATABLE SERIALIZABLE READ_COMMITTED_SNAPSHOT " +
    "RECOVERY SIMPLE FULL BULK_LOGGED MULTI_USER SINGLE_USER RESTRICTED_USER IMMEDIATE COMPATIBILITY_LEVEL PARTIAL CONTAINMENT " +
    "NAME FILENAME SIZE MAXSIZE FILEGROWTH UNLIMITED KB MB GB TB COLLATION NOCHECK CHECK ENABLE DISABLE ONLINE OFFLINE " +
    "CHANGE_TRACKING AUTO_CLEANUP ANSI_PADDING ANSI_WARNINGS ARITHABORT NUMERIC_ROUNDABORT CONCAT_NULL_YIELDS_NULL " +
    "ANSI_NULL_DEFAULT RECURSIVE_TRIGGERS CURSOR_CLOSE_ON_COMMIT AUTO_CLOSE AUTO_SHRINK AUTO_CREATE_STATISTICS AUTO_UPDATE_STATISTICS " +
    "PAGE_VERIFY CHECKSUM TORN_PAGE_DETECTION DB_CHAINING TRUSTWORTHY PARAMETERIZATION FORCED HONOR_BROKER_PRIORITY " +
    "ROWCOUNT_BIG LOGIN PASSWORD ROLE MEMBER SCHEMABINDING EXTERNAL_ACCESS UNSAFE SAFE PERMISSION_SET ASSEMBLY FROM " +
    "VALUE PROPERTY NEWVALUE LEVEL0TYPE LEVEL1TYPE LEVEL2TYPE LEVEL0NAME LEVEL1NAME LEVEL2NAME MS_DESCRIPTION " +
    "SP_ADDEXTENDEDPROPERTY SP_EXECUTESQL SP_RENAME SP_HELP SP_ADDTYPE SP_BINDRULE SP_BINDEFAULT SP_UNBINDRULE SP_DBOPTION " +
    "NOHOLDLOCK SHARED HOLDLOCK TABLOCKX PAGLOCK XLOCK READPAST SERIALIZABLE FORCESEEK FORCESCAN INDEX LOOP MERGE REMOTE FAST FORCE ORDER " +
    "KEEPFIXED OPTIMIZE UNKNOWN MAXRECURSION ABSOLUTE RELATIVE PRIOR SCROLL OPTIMISTIC SCROLL_LOCKS TYPE_WARNING READ_ONLY " +
    "DELAY TIME TIMEOUT RECEIVE CONVERSATION DIALOG CONTRACT MESSAGE QUEUE SERVICE ENDPOINT " +
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

// Every keyword the project's T-SQL parser recognises (from server/tsql/parser.ts): a name replaced
// where the parser expects one of these would make the example unparseable.
const PARSER_WORDS = new Set(
  (
    "ABSENT ABSOLUTE ACTION ADD AFTER ALL ALLOW_PAGE_LOCKS ALLOW_ROW_LOCKS ALL_SPARSE_COLUMNS ALTER " +
    "ALWAYS AND ANY APPEND APPLY AS ASC AT ATOMIC AUTHORIZATION AUTO BASE64 BEGIN BETWEEN BINARY BOTH " +
    "BREAK BROWSE BULK BY CACHE CALLED CASCADE CASE CAST CATCH CHANGETABLE CHAR CHARACTER CHECK CLOSE " +
    "CLUSTERED COLLATE COLUMN COLUMNSTORE COLUMN_SET COMMIT CONNECTION CONSTRAINT CONTAINED CONTAINS " +
    "CONTAINSTABLE CONTENT CONTINUE CONVERSATION CONVERT CREATE CROSS CUBE CURRENT CURSOR CYCLE DATABASE " +
    "DATA_COMPRESSION DATA_SOURCE DEALLOCATE DECLARE DEFAULT DELAY DELAYED_DURABILITY DELETE DENY DESC " +
    "DIALOG DISABLE DISTINCT DISTRIBUTED DOCUMENT DOUBLE DROP DROP_EXISTING EDGE ELEMENTS ELSE ENABLE " +
    "ENCRYPTED END ESCAPE EXCEPT EXEC EXECUTE EXISTS EXPLICIT EXTERNAL FETCH FILESTREAM FILESTREAM_ON " +
    "FILETABLE FILLFACTOR FIRST FN FOLLOWING FOR FOREIGN FREETEXT FREETEXTTABLE FROM FULL FUNCTION " +
    "GENERATED GLOBAL GO GOTO GRANT GRAPH GROUP GROUPING HASH HAVING HIDDEN IDENTITY IDENTITY_INSERT IF " +
    "IGNORE IGNORE_DUP_KEY IIF IN INCLUDE INCREMENT INDEX INLINE INNER INPUT INSERT INSTEAD INTERSECT " +
    "INTO IS ISOLATION JOIN JSON KEY LANGUAGE LAST LEADING LEFT LEVEL LIKE LOGIN LOOP MARK MASKED MASTER " +
    "MATCH MATCHED MAX MAXVALUE MERGE MINVALUE NAME NATIONAL NCHAR NEXT NO NOCHECK NODE NONCLUSTERED NOT " +
    "NTEXT NULL NULLS NVARCHAR OF OFF OFFSET ON ONLINE ONLY OPEN OPENDATASOURCE OPENJSON OPENQUERY " +
    "OPENROWSET OPENXML OPTION OR ORDER OUT OUTER OUTPUT OVER PAD_INDEX PARSE PARTITION PATH PERCENT " +
    "PERIOD PERSISTED PIVOT PRECEDING PRECISION PREDICT PRIMARY PRINT PRIOR PROC PROCEDURE " +
    "QUOTED_IDENTIFIER RAISERROR RANGE RAW READ READONLY REFERENCES RELATIVE REMOTE REPEATABLE " +
    "REPLICATION RESPECT RESTART RESULT RETURN RETURNS REVOKE RIGHT ROLLBACK ROLLUP ROW ROWGUIDCOL ROWS " +
    "SAVE SCHEMA SELECT SEQUENCE SERVER SET SETS SHORTEST_PATH SOME SORT_IN_TEMPDB SOURCE SPARSE SPATIAL " +
    "SP_ADDEXTENDEDPROPERTY SP_ADDTYPE SP_DROPEXTENDEDPROPERTY SP_UPDATEEXTENDEDPROPERTY START " +
    "STATISTICS STATISTICS_NORECOMPUTE SYMMETRIC SYNONYM SYSTEM SYSTEM_TIME TABLE TABLESAMPLE TARGET " +
    "TEXT TEXTIMAGE_ON THEN THROW TIES TIME TO TOP TRAILING TRAN TRANSACTION TRIGGER TRIM TRUNCATE TRY " +
    "TRY_CAST TRY_CONVERT TRY_PARSE TYPE UNBOUNDED UNION UNIQUE UNPIVOT UPDATE USE USER USING VALUE " +
    "VALUES VARBINARY VARCHAR VARYING VIEW WAITFOR WHEN WHERE WHILE WINDOW WITH WITHIN WORK XML " +
    "XMLNAMESPACES XSINIL ZONE "
  ).trim().split(/\s+/),
);

export function isKeepWord(upper: string): boolean {
  return RESERVED.has(upper) || BUILTIN_TYPES.has(upper) || KEEP_WORDS.has(upper) || PARSER_WORDS.has(upper);
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
    // Words the parser reads as keywords stay bare keywords (NEXT VALUE FOR, ON DELETE NO ACTION): a
    // column called Value is replaced where it is quoted or qualified, not here.
    if (RESERVED.has(upper) || PARSER_WORDS.has(upper)) return prevSignificant === "." || nextSignificant === ".";
    // A keyword-like word used as a qualified name part or a known object name.
    if (prevSignificant === "." || nextSignificant === ".") return true;
    return this.knownNames.has(identifierKey(word)) && nextSignificant !== "(";
  }

  /** T-SQL text, through the project's lexer; SQLCMD directive lines (:setvar, :r, :on error) line by line. */
  tsql(text: string): string {
    if (!/^[ \t]*:[A-Za-z]/m.test(text)) return this.tsqlBlock(text);
    const out: string[] = [];
    let block: string[] = [];
    const flush = () => {
      if (block.length) out.push(this.tsqlBlock(block.join("\n")).trimEnd());
      block = [];
    };
    for (const line of text.split(/\r?\n/)) {
      const m = /^[ \t]*:([A-Za-z]+)\b(.*)$/.exec(line);
      if (!m) {
        block.push(line);
        continue;
      }
      flush();
      out.push(this.sqlcmdDirective(m[1]!, m[2]!));
    }
    flush();
    return out.filter((l) => l !== "").join("\n") + "\n";
  }

  private sqlcmdDirective(command: string, rest: string): string {
    const c = command.toLowerCase();
    if (c === "setvar") {
      const m = /^\s+(\S+)(?:\s+(?:"((?:[^"]|"")*)"|(\S+)))?/.exec(rest);
      if (!m) return `:setvar`;
      const value = m[2] ?? m[3];
      return `:setvar ${this.identifier(m[1]!)}${value === undefined ? "" : ` "${this.literal(value)}"`}`;
    }
    // :r names a file of the customer's project; :on error / :connect etc. carry no names worth keeping.
    if (c === "r") return `:r ${this.literal(rest.trim().replace(/^"|"$/g, ""))}`;
    if (c === "on") return `:on ${rest.trim().split(/\s+/).map((w) => (isKeepWord(w.toUpperCase()) || /^(error|exit|ignore)$/i.test(w) ? w : "")).filter(Boolean).join(" ")}`;
    return `:${command}`;
  }

  private tsqlBlock(text: string): string {
    const { tokens } = tokenize(text, { file: "example.sql" });
    const significant = tokens.filter((t) => t.type !== TokenType.EOF);
    let out = "";
    let prevEnd = 0;
    for (let i = 0; i < significant.length; i++) {
      const t = significant[i]!;
      out += gap(text.slice(prevEnd, t.start), out);
      prevEnd = t.end;
      const piece = this.tsqlToken(t, significant[i - 1], significant[i + 1]);
      // [a]NVARCHAR is two tokens; written back bare they would fuse into one word.
      if (out !== "" && WORD_CHAR.test(out[out.length - 1]!) && WORD_CHAR.test(piece[0] ?? "")) out += " ";
      out += piece;
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
      case TokenType.QuotedId: {
        // "Fehler %1!." (a message in double quotes) or [Order Details]: not a plain name, so it keeps
        // its quotes around a replacement (bare, the words would come apart).
        if (/[^\w$#@]/.test(t.value) && t.value.trim() !== "") {
          const r = /^[\w ]+$/.test(t.value) ? this.identifier(t.value) : this.literal(t.value);
          return t.quote === "bracket" ? `[${r.replace(/]/g, "]]")}]` : `"${r.replace(/"/g, '""')}"`;
        }
        const name = this.identifier(t.value);
        // "" and [ ] hold no name: written back as they were (bare, they would vanish).
        if (!/^[A-Za-z_]/.test(name)) return t.quote === "bracket" ? `[${t.value.replace(/]/g, "]]")}]` : `"${t.value.replace(/"/g, '""')}"`;
        return name;
      }
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
      default: {
        // SQLCMD variable references ($(DatabaseName)) name things too.
        const m = /^\$\(([^)]*)\)$/.exec(t.value);
        if (m) return `$(${this.identifier(m[1]!)})`;
        // Operators, @@globals, $pseudo columns and unknown characters are kept as written.
        return t.value;
      }
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

const WORD_CHAR = /[A-Za-z0-9_@#$\u0080-\uffff]/;

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
