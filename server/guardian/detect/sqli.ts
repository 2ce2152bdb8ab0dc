// SQL-injection detection on NON-SQL inputs (names, search terms, headers, query strings).
// Approach as libinjection: the input is tokenised as SQL in three contexts (as is, as if it
// continued a single-quoted string, as if it continued a double-quoted one), each token stream
// is folded into a short fingerprint of token classes, and rules match shapes of the
// fingerprint (quote break + logic + comparison, UNION SELECT, stacked statement, comment
// truncation, ...), plus a small set of keyword rules for database-specific functions and
// objects an ordinary text never names. Uploaded T-SQL is not scanned with this (it is SQL).
import { decodeBackslashEscapes, decodeHtmlEntities, decodePercent, decodeUrl, foldQuoteLookalikes, nfkc, stripInvisible, MAX_INPUT } from "./normalize.ts";
import { combine, threshold, type Detection, type DetectOptions } from "./types.ts";

/** Token classes (as in libinjection's fingerprints). */
export type TokClass =
  | "s" // string literal
  | "1" // number
  | "v" // @variable, @@system variable
  | "n" // bare word / identifier
  | "k" // SQL keyword
  | "U" // UNION / INTERSECT / EXCEPT
  | "E" // statement start: SELECT, INSERT, DROP, EXEC, ...
  | "f" // function call (word followed by '(')
  | "&" // logic operator: AND, OR, XOR, &&, ||
  | "o" // other operator
  | "c" // comment
  | "(" | ")" | "," | ";" | "." | "x"; // x: anything else

export interface Tok {
  t: TokClass;
  v: string;
  /** string literal without closing quote */
  open?: boolean;
}

const STATEMENTS = new Set([
  "select", "insert", "update", "delete", "drop", "create", "alter", "truncate", "exec", "execute", "declare",
  "shutdown", "waitfor", "grant", "revoke", "merge", "call", "handler", "rename", "dbcc", "backup", "restore",
  "replace", "load", "prepare", "deallocate", "lock", "unlock", "commit", "rollback", "savepoint", "attach", "pragma", "copy",
]);
const UNIONS = new Set(["union", "intersect", "except", "minus"]);
const LOGIC = new Set(["and", "or", "xor", "&&", "||"]);
const WORD_OPS = new Set(["binary", "like", "rlike", "regexp", "glob", "match", "sounds", "between", "in", "is", "not", "collate", "escape", "mod", "div", "similar", "ilike", "against", "notnull", "isnull"]);
const KEYWORDS = new Set([
  "from", "where", "into", "values", "table", "database", "order", "group", "by", "having", "limit", "offset", "as",
  "on", "join", "inner", "outer", "left", "right", "cross", "case", "when", "then", "else", "end", "null", "true",
  "false", "all", "distinct", "top", "procedure", "outfile", "dumpfile", "using", "set", "exists", "delay", "desc", "asc",
  "with", "union", "column", "columns", "tables", "schema", "index", "view", "trigger", "function", "returns", "begin",
  "if", "while", "row", "rows", "only", "fetch", "next", "for", "into", "natural", "procedure", "sysdate",
  "current_user", "session_user", "system_user", "user", "version", "nvarchar", "varchar", "char", "nchar", "varbinary",
  "cast", "convert", "char", "unhex", "ascii", "bin", "hex", "when", "partition", "placing", "overlay", "dual", "time",
]);
const COMPARISON = new Set(["=", "==", "!=", "<>", "<", ">", "<=", ">=", "<=>", "like", "rlike", "regexp", "glob", "is", "in", "between", "sounds", "similar", "ilike", "match", "@>", "<@", "?", "?|", "?&", "->", "->>", "#>", "#>>"]);

// Functions and objects that ordinary text never names: database-specific, time-based blind
// (sleeps, heavy queries), file access and command execution, out-of-band channels (HTTP, DNS,
// SMB, LDAP, SMTP, dblink, COPY … PROGRAM), catalogues.
const DANGEROUS_RE = /\b(?:(?:sleep|benchmark|randomblob)\s*(?:\/\*.*?\*\/\s*)*\(|pg_sleep(?:_for|_until)?|dbms_pipe\.receive_message|dbms_lock\.sleep|xp_\w+|sp_(?:executesql|oacreate|oamethod|makewebtask|addextendedproc|configure|password|execute|prepare|sqlexec|replwritetovarbin|help\w*)|load_file|into\s+(?:out|dump)file|pg_read_file|pg_ls_dir|utl_http|utl_inaddr|utl_file|dbms_ldap|dbms_xmlgen|dbms_java|extractvalue|updatexml|xmltype|lo_import|lo_export|lo_get|lo_from_bytea|openrowset|opendatasource|openquery|msdasql|sqloledb|@@(?:version|datadir|hostname|servername|basedir|spid)|char\s*\(\s*\d+\s*\)\s*(?:\+|\|\||,)|chr\s*\(\s*\d+\s*\)\s*(?:\+|\|\|)|0x[0-9a-f]{8,}|dblink(?:_connect|_exec|_send_query|_open)?\s*\(|httpuritype|utl_tcp|utl_smtp|dbms_xdb\w*|dbms_session\.sleep|dbms_export_extension|ctxsys\.drith\w*|sys_eval|sys_exec|pg_read_binary_file|pg_stat_file|fn_xe_file_target_read_file|fn_get_audit_file|fn_trace_gettable|\b(?:to|from)\s+program\s+'|load\s+data\s+(?:local\s+)?infile|\bcopy\s+[\w."]+(?:\s*\([^)]{0,200}\))?\s+(?:from|to)\s+'(?:\/|\\\\|[a-z]:\\)|generate_series\s*\(\s*\d+\s*,\s*\d{6,})/i;
// Catalogue, system-object and aggregate names: what a UNION probe reads, but also the ordinary
// vocabulary of this product's users ("reads sys.objects", "STRING_AGG instead of FOR XML",
// "Northwind migration"). Alone, a weak signal; with any injection syntax around it, other rules fire.
const CATALOG_RE = /\b(?:information_schema|sysobjects|syscolumns|sysusers|sysdatabases|msysaccessobjects|msysobjects|pg_catalog|pg_shadow|pg_user|pg_database|mysql\.user|sqlite_master|sqlite_version|group_concat|json_arrayagg|string_agg|db_name|schema_name|user_name|current_database|sys\.(?:objects|tables|columns|databases)|master\.\.|master\.dbo|tempdb\.)/i;

const SHORT_INPUT = 40;
// SQL built-in functions (MySQL, PostgreSQL, SQL Server, Oracle, SQLite) commonly used in
// injections; a call to one is a signal in short inputs.
const SQL_FUNCTIONS = new Set(("abs ascii avg benchmark bin bit_length cast ceil ceiling char char_length character_length chr coalesce " +
  "compress concat concat_ws conv convert cos cot count crc32 curdate current_date current_time current_timestamp current_user curtime " +
  "database date date_add date_format date_sub datediff day dayname dayofmonth dayofweek dayofyear db_name decode default degrees elt " +
  "encode exp export_set extract extractvalue field find_in_set floor format from_base64 from_unixtime get_lock greatest group_concat hex " +
  "hour if ifnull iif in inet_aton insert instr isnull last_insert_id lcase least left len length ln load_file locate log log10 log2 lower " +
  "lpad ltrim make_set max md5 mid min minute mod month name_const now nullif oct ord pi position pow power quarter quote radians rand " +
  "random regexp_like regexp_replace regexp_substr repeat replace reverse right round rpad rtrim schema sec_to_time second session_user " +
  "sha sha1 sha2 sign sin sleep soundex space sqrt std stddev strcmp str_to_date subdate substr substring substring_index sum sysdate " +
  "system_user tan time timestamp to_base64 to_char to_date trim truncate ucase uncompress unhex upper user utc_date uuid values version " +
  "week weekday year yearweek xmltype updatexml json_extract json_object pg_sleep string_agg array_agg chr nchar unicode char_length " +
  "div analyse datalength db_id object_id object_name host_name suser_name user_name is_srvrolemember has_dbaccess openrowset").split(" "));

function isWordStart(c: string): boolean {
  const k = c.charCodeAt(0);
  return (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || k === 36 || k >= 0x80;
}
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f" || c === "\u00a0";
// Sticky regexes read at a position without slicing the input.
const NUM_RE = /0x[0-9a-fA-F]*|0b[01]+|[0-9]*\.?[0-9]+(?:\.)?(?:[eE][+-]?[0-9]*)?/y;
const VAR_RE = /@@?[A-Za-z0-9_$.]*/y;
const WORD_RE = /[A-Za-z_$0-9\u0080-\uffff]+(?:\.[A-Za-z_$][A-Za-z_$0-9]*)*/y;

/**
 * SQL lexer tolerant of anything: never throws, always terminates. MySQL executable comments
 * (`/*!50000 ... *\/`) are lexed as code, other comments become one 'c' token.
 */
export function tokenizeSql(input: string, maxTokens = 400): Tok[] {
  const s = input;
  const out: Tok[] = [];
  let i = 0;
  const n = s.length;
  while (i < n && out.length < maxTokens) {
    const c = s[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    // comments
    if (c === "-" && s[i + 1] === "-") {
      const e = s.indexOf("\n", i);
      out.push({ t: "c", v: s.slice(i, e < 0 ? n : e) });
      i = e < 0 ? n : e;
      continue;
    }
    if (c === "#" && !(s[i + 1] === ">")) {
      const e = s.indexOf("\n", i);
      out.push({ t: "c", v: s.slice(i, e < 0 ? n : e) });
      i = e < 0 ? n : e;
      continue;
    }
    if (c === "/" && s[i + 1] === "*") {
      if (s[i + 2] === "!") {
        // executable comment: skip the marker and optional version, lex the content as code
        i += 3;
        while (i < n && isDigit(s[i])) i++;
        continue;
      }
      const e = s.indexOf("*/", i + 2);
      out.push({ t: "c", v: s.slice(i, e < 0 ? n : e + 2) });
      i = e < 0 ? n : e + 2;
      continue;
    }
    if (c === "*" && s[i + 1] === "/") {
      i += 2; // end of an executable comment
      continue;
    }
    // strings
    if (c === "'" || c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = s[j]!;
        if (d === "\\" && j + 1 < n) {
          j += 2;
          continue;
        }
        if (d === c) {
          if (s[j + 1] === c) {
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        j++;
      }
      out.push({ t: "s", v: s.slice(i, closed ? j + 1 : n), ...(closed ? {} : { open: true }) });
      i = closed ? j + 1 : n;
      continue;
    }
    if (c === "`") {
      const e = s.indexOf("`", i + 1);
      out.push({ t: "n", v: s.slice(i, e < 0 ? n : e + 1) });
      i = e < 0 ? n : e + 1;
      continue;
    }
    // numbers
    if (isDigit(c) || (c === "." && isDigit(s[i + 1]))) {
      NUM_RE.lastIndex = i;
      const m = NUM_RE.exec(s);
      const len = m && m[0].length ? m[0].length : 1;
      // "4AND4", "1e" followed by letters: number glued to a word (MySQL accepts "1or 1")
      out.push({ t: "1", v: s.slice(i, i + len) });
      i += len;
      continue;
    }
    // variables
    if (c === "@") {
      VAR_RE.lastIndex = i;
      const v = VAR_RE.exec(s)![0];
      if (v === "@>" || s[i + 1] === ">") {
        out.push({ t: "o", v: "@>" });
        i += 2;
        continue;
      }
      out.push({ t: v.length > 1 ? "v" : "o", v });
      i += v.length;
      continue;
    }
    if ((c === "N" || c === "n" || c === "x" || c === "X" || c === "b" || c === "B" || c === "E" || c === "e") && s[i + 1] === "'") {
      // N'..', x'..', b'..', E'..' literal prefixes: lex the string next round
      i++;
      continue;
    }
    if (isWordStart(c)) {
      WORD_RE.lastIndex = i;
      const word = WORD_RE.exec(s)![0];
      const lw = word.toLowerCase();
      i += word.length;
      let j = i;
      while (j < n && isSpace(s[j])) j++;
      // a comment between a function name and '(' is still a call: BENCHMARK/**/(
      while (s[j] === "/" && s[j + 1] === "*") {
        const e = s.indexOf("*/", j + 2);
        if (e < 0) break;
        j = e + 2;
        while (j < n && isSpace(s[j])) j++;
      }
      const call = s[j] === "(";
      let t: TokClass;
      if (LOGIC.has(lw)) t = "&";
      else if (UNIONS.has(lw)) t = "U";
      else if (STATEMENTS.has(lw) && !(call && (lw === "replace" || lw === "insert" || lw === "load"))) t = "E";
      else if (WORD_OPS.has(lw)) t = "o";
      else if (call) t = "f";
      else if (KEYWORDS.has(lw)) t = "k";
      else t = "n";
      out.push({ t, v: lw });
      continue;
    }
    // operators
    const op3 = s.slice(i, i + 3);
    const op2 = s.slice(i, i + 2);
    if (["<=>", "->>", "#>>", "!~*"].includes(op3)) {
      out.push({ t: "o", v: op3 });
      i += 3;
      continue;
    }
    if (op2 === "&&" || op2 === "||") {
      out.push({ t: "&", v: op2 });
      i += 2;
      continue;
    }
    if (["!=", "<>", "<=", ">=", "==", "::", "->", "<@", "?|", "?&", "#>", "!<", "!>", ":=", "<<", ">>", "~*", "!~", "@@"].includes(op2)) {
      out.push({ t: "o", v: op2 });
      i += 2;
      continue;
    }
    if ("=<>+-*/%^|&~!?:".includes(c)) {
      out.push({ t: "o", v: c });
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === ";" || c === ".") {
      out.push({ t: c, v: c });
      i++;
      continue;
    }
    out.push({ t: "x", v: c });
    i++;
  }
  return out;
}

export function fingerprint(toks: Tok[]): string {
  return toks.map((t) => t.t).join("");
}

/** The views of an input to scan for SQL: decoded (URL, HTML, escapes), NFKC, invisible removed. */
export function sqlViews(text: string): string[] {
  let s = typeof text === "string" ? text : String(text ?? "");
  if (s.length > MAX_INPUT) s = s.slice(0, MAX_INPUT);
  const views = new Set<string>();
  const cur = decodeLayers(s, decodeUrl);
  // Quote look-alikes read as quotes: a database that converts Unicode text to a legacy code
  // page (SQL Server's best-fit mapping to varchar, MySQL connections in latin1) turns them
  // into the ASCII quote, and people type them as apostrophes (O’Brien, O´Keefe) where the
  // ASCII quote is read the same way. Before NFKC, which turns ´ into a space and a combining mark.
  const folded = nfkc(stripInvisible(foldQuoteLookalikes(cur)));
  const norm = folded.replace(/\u0000/g, "");
  views.add(norm);
  // NUL between keywords is whitespace to some parsers (1%00UNION%00SELECT); removing it glues them.
  if (folded.includes("\u0000")) views.add(folded.replace(/\u0000/g, " "));
  // Backticks quote identifiers in MySQL: an input placed inside `...` (a column or table name
  // taken from the request) breaks out with a backtick as a string input does with a quote.
  if (norm.includes("`") && !norm.includes("'")) views.add(norm.replace(/`/g, "'"));
  for (const part of structuredParts(norm)) views.add(part);
  // A backslash before a quote is how naive escaping is bypassed: read it as the quote.
  if (/\\['"`]/.test(norm)) views.add(norm.replace(/\\(['"`])/g, "$1"));
  // Comments inside a keyword (DR/**/OP) vanish in some databases.
  if (norm.includes("/*")) views.add(norm.replace(/\/\*\*\//g, "").replace(/\/\*(?!!)[\s\S]*?\*\//g, " "));
  // '+' is a space in a query string but an operator in a value already decoded (a JSON or
  // form field, a path segment): 1'+'2, 2+3=5.
  if (s.includes("+")) views.add(nfkc(stripInvisible(foldQuoteLookalikes(decodeLayers(s, decodePercent)))).replace(/\u0000/g, ""));
  return [...views];
}

/** URL (by `url`), HTML-entity and backslash-escape decoding, up to three nested layers. */
function decodeLayers(s: string, url: (x: string) => string): string {
  let cur = s;
  for (let d = 0; d < 3; d++) {
    const next = decodeBackslashEscapes(decodeHtmlEntities(url(cur)));
    if (next === cur) break;
    cur = next;
  }
  return cur;
}

/**
 * Values inside a structured body: XML/HTML attribute values and text nodes, JSON keys and
 * string values. A payload sent as `<a probe="...">` or `{"q": "..."}` is scanned as itself.
 */
export function structuredParts(s: string): string[] {
  const out: string[] = [];
  const t = s.trim();
  if (t.startsWith("<")) {
    for (const m of t.matchAll(/=\s*"([^"]*)"|=\s*'([^']*)'|>([^<]+)</g)) {
      const v = (m[1] ?? m[2] ?? m[3] ?? "").trim();
      if (v && out.length < 32) out.push(decodeHtmlEntities(v));
    }
  } else if (/^[\w.\[\]-]+=/.test(t)) {
    // application/x-www-form-urlencoded (or one name=value): names and values on their own
    for (const kv of t.split("&").slice(0, 32)) {
      const eq = kv.indexOf("=");
      if (eq > 0) out.push(kv.slice(0, eq));
      // "aGVsbG8=" / "ZXhh==": base64 padding, not a name=value pair whose value is an operator
      if (eq > 0 && eq < kv.length - 1 && !/^=+$/.test(kv.slice(eq + 1))) out.push(kv.slice(eq + 1));
    }
  } else if (t.startsWith("{") || t.startsWith("[")) {
    try {
      const walk = (v: unknown, depth: number): void => {
        if (out.length >= 32 || depth > 8) return;
        if (typeof v === "string") out.push(v);
        else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
        else if (v && typeof v === "object")
          for (const [k, x] of Object.entries(v)) {
            out.push(k);
            walk(x, depth + 1);
          }
      };
      walk(JSON.parse(t), 0);
    } catch {
      // not JSON after all
    }
  }
  return out;
}

interface SqlHit {
  id: string;
  weight: number;
}

const isValue = (t: Tok | undefined) => !!t && (t.t === "s" || t.t === "1" || t.t === "n" || t.t === "v" || t.t === "f" || t.t === "k");
const isCmp = (t: Tok | undefined): t is Tok => !!t && t.t === "o" && COMPARISON.has(t.v);

function literal(t: Tok | undefined): string | number | undefined {
  if (!t) return undefined;
  if (t.t === "1" && /^[0-9.]+$/.test(t.v)) return Number(t.v);
  if (t.t === "s" && !t.open) return t.v.slice(1, -1);
  return undefined;
}

/** `lit op lit` (op: = == != <> <=> is [not] like [not] regexp) evaluated; undefined if not that shape. */
export function evalLiteralComparison(ts: Tok[]): boolean | undefined {
  const l = literal(ts[0]);
  if (l === undefined) return undefined;
  let k = 1;
  let negate = false;
  let op = ts[k]?.v;
  if (op === "not") {
    negate = true;
    op = ts[++k]?.v;
  } else if (op === "is" && ts[k + 1]?.v === "not") {
    negate = true;
    k++;
  }
  const r = literal(ts[k + 1]);
  if (r === undefined || ts.length !== k + 2 || !op) return undefined;
  const eq = String(l) === String(r);
  let res: boolean;
  if (op === "=" || op === "==" || op === "<=>" || op === "is" || op === "like" || op === "regexp" || op === "rlike" || op === "glob") res = eq;
  else if (op === "!=" || op === "<>") res = !eq;
  else return undefined;
  return negate ? !res : res;
}

/**
 * Outside a quote break, "x AND y > 5" is also how people write filters in a search box. It
 * counts fully only when the comparison is between literals (1=1, 'a'='a') or the input is a
 * fragment that starts with the logic operator ("AND 7829=(").
 */
function rawTautologyWeight(ts: Tok[], i: number, a: Tok, c: Tok | undefined, short: boolean): number {
  const lit = (t: Tok | undefined) => !!t && (t.t === "1" || (t.t === "s" && !t.open));
  if (lit(a) && (lit(c) || c?.t === "(")) return 0.75;
  if (i === 0 && short) return c === undefined ? 0.6 : 0.7;
  const prev = ts[i - 1];
  if (lit(a) && prev && (prev.t === "1" || prev.t === "s" || prev.t === ")")) return 0.6;
  return 0.3;
}

// Binary operators of an arithmetic/bitwise/string expression (not comparisons).
const ARITH = new Set(["+", "-", "*", "/", "%", "^", "|", "&", "<<", ">>", "div", "mod"]);
// Prefix operators: sign, bitwise/logical negation, MySQL's BINARY cast.
const UNARY = new Set(["-", "+", "!", "~", "not", "binary"]);
// Values that only the database has: comparing one in a condition is a probe of the server.
const SYSTEM_VALUES = new Set(["current_user", "session_user", "system_user", "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp", "utc_date", "utc_time", "utc_timestamp", "sysdate"]);

/** Index of the ")" closing the "(" at j (or the end of the stream: the query supplies the rest). */
function closeParen(ts: Tok[], j: number): number {
  let depth = 0;
  for (let k = j; k < ts.length && k < j + 40; k++) {
    if (ts[k]!.t === "(") depth++;
    else if (ts[k]!.t === ")" && --depth === 0) return k;
  }
  return ts.length - 1;
}

/**
 * End (exclusive) of the expression operand starting at j: prefix operators, then a value, a
 * parenthesised group or a function call, then more of the same after arithmetic operators
 * ("-8", "1+2*3", "(-1)", "BINARY ('b')", "conv(x,16,10) >> 6"). j when there is none.
 */
function operandEnd(ts: Tok[], j: number): number {
  let k = j;
  for (let terms = 0; terms < 16; terms++) {
    while (ts[k]?.t === "o" && UNARY.has(ts[k]!.v)) k++;
    const t = ts[k];
    if (!t) return j;
    if (t.t === "(") k = closeParen(ts, k) + 1;
    else if (t.t === "f" && ts[k + 1]?.t === "(") k = closeParen(ts, k + 1) + 1;
    else if (t.t === "1" || t.t === "s" || t.t === "v" || t.t === "n" || t.t === "k") k++;
    else return terms === 0 ? j : k;
    const op = ts[k];
    if (!op || op.t !== "o" || !ARITH.has(op.v)) return k;
    k++;
  }
  return k;
}

/** Tokens [from, to) are literals, signs, arithmetic and parentheses only: a constant expression. */
function isConstant(ts: Tok[], from: number, to: number): boolean {
  if (to <= from) return false;
  for (let k = from; k < to; k++) {
    const x = ts[k]!;
    if (!(x.t === "1" || (x.t === "s" && !x.open) || x.t === "(" || x.t === ")" || (x.t === "o" && (ARITH.has(x.v) || UNARY.has(x.v))) || x.v === "null" || x.v === "true" || x.v === "false")) return false;
  }
  return true;
}

const involvesSystemValue = (ts: Tok[], from: number, to: number) => ts.slice(from, to).some((x) => x.t === "v" || SYSTEM_VALUES.has(x.v));

/**
 * A comparison starting at j: `operand op operand` where op is symbolic (= <> != < > <= >= <=>)
 * or a word (LIKE, RLIKE, REGEXP, SOUNDS LIKE, IS [NOT], [NOT] BETWEEN, [NOT] IN, GLOB, [NOT]
 * LIKE). Returns the operand bounds, or undefined.
 */
function comparisonAt(ts: Tok[], j: number): { lhsEnd: number; rhsStart: number; rhsEnd: number; symbolic: boolean } | undefined {
  const lhsEnd = operandEnd(ts, j);
  if (lhsEnd === j) return undefined;
  let k = lhsEnd;
  const op = ts[k];
  if (!op || op.t !== "o") return undefined;
  const symbolic = /^(?:=|==|!=|<>|<|>|<=|>=|<=>)$/.test(op.v);
  if (!symbolic) {
    if (op.v === "not" && ts[k + 1] && ["like", "rlike", "regexp", "between", "in", "glob", "ilike"].includes(ts[k + 1]!.v)) k++;
    else if (op.v === "is" && ts[k + 1]?.v === "not") k++;
    else if (op.v === "sounds" && ts[k + 1]?.v === "like") k++;
    else if (!["like", "rlike", "regexp", "is", "between", "in", "glob", "ilike"].includes(op.v)) return undefined;
  }
  const rhsStart = k + 1;
  const rhsEnd = operandEnd(ts, rhsStart);
  if (rhsEnd === rhsStart) return undefined;
  return { lhsEnd, rhsStart, rhsEnd, symbolic };
}

/** Operators that build an SQL expression (arithmetic, bitwise, comparison, pattern match). */
const EXPR_OPERATOR = new Set([...ARITH, "=", "==", "!=", "<>", "<", ">", "<=", ">=", "<=>", "!", "~", "like", "rlike", "regexp", "sounds", "is", "between", "in", "glob", "not", "binary", "collate"]);

/** Rules over one token stream. `ctx` is the quote context the stream was lexed in. */
function tokenRules(toks: Tok[], ctx: "" | "'" | '"', hits: Map<string, number>, short: boolean, view: string): void {
  const add = (id: string, w: number) => hits.set(id, Math.max(hits.get(id) ?? 0, w));
  // Comments hide keywords from naive matchers; they are whitespace to SQL.
  const ts = toks.filter((t) => t.t !== "c");
  const len = ts.length;
  const endsWithComment = toks.length > 0 && toks[toks.length - 1]!.t === "c";
  // Prose around SQL words: a bare word (not an alias after AS, a qualified name or a table
  // after FROM/JOIN/INTO/UPDATE) followed by another word ("count(*) differs by 3", "sum(amount) per customer").
  const prose = ts.some((x, k) => x.t === "n" && !["as", ".", "from", "join", "into", "table", "update"].includes(ts[k - 1]?.v ?? "") && (ts[k + 1]?.t === "n" || ts[k + 1]?.t === "k"));
  for (let i = 0; i < len; i++) {
    const t = ts[i]!;
    const a = ts[i + 1];
    const b = ts[i + 2];
    const c = ts[i + 3];
    // UNION [ALL|DISTINCT] [(] SELECT
    if (t.t === "U") {
      let j = i + 1;
      while (j < len && (ts[j]!.v === "all" || ts[j]!.v === "distinct" || ts[j]!.t === "(")) j++;
      if (ts[j]?.v === "select" || ts[j]?.v === "values") add("sqli.union_select", 0.95);
      else if (j > i + 1 && ts[i + 1]!.v === "all" && ctx === "" && (i === 0 || ts[i - 1]!.t === "s" || ts[i - 1]!.t === "1")) add("sqli.union_fragment", 0.7);
    }
    // stacked statement: ; followed by a statement keyword
    if (t.t === ";" && a && (a.t === "E" || (a.v === "set" && b?.t === "v") || (a.v === "if" && (b?.t === "(" || b?.v === "exists" || (b?.v === "not" && c?.v === "exists"))))) add("sqli.stacked_query", 0.9);
    // SELECT ... FROM / SELECT function / SELECT *
    if (t.v === "select") {
      const rest = ts.slice(i + 1, i + 12);
      // a projection can be long (select -1,sin((1)),2,… from): FROM is looked for further on
      const upTo = ts.slice(i + 1, i + 40);
      const fromAt = upTo.findIndex((x) => x.v === "from");
      // "select the best option from the list" is English: two bare words in a row
      const proj = fromAt >= 0 ? upTo.slice(0, fromAt) : [];
      const english = proj.some((x, k) => x.t === "n" && proj[k + 1]?.t === "n");
      if (fromAt >= 0 && !english) add("sqli.select_from", 0.85);
      else if (a && (a.t === "f" || a.t === "(" || a.t === "v" || (a.t === "o" && a.v === "*") || a.t === "1" || a.v === "null")) add("sqli.select_expr", 0.8);
      else if (a && (a.t === "n" || a.t === "k") && rest.some((x) => ["group", "having", "where", "limit", "order", "into"].includes(x.v))) add("sqli.select_expr", 0.8);
    }
    // INSERT INTO / DELETE FROM / DROP TABLE / UPDATE x SET / ALTER TABLE / CREATE TABLE / EXEC proc
    if (t.t === "E") {
      if (t.v === "insert" && a?.v === "into") add("sqli.dml", 0.8);
      if (t.v === "delete" && a?.v === "from") add("sqli.dml", 0.8);
      if ((t.v === "drop" || t.v === "create" || t.v === "alter" || t.v === "truncate") && a && ["table", "database", "procedure", "function", "view", "user", "index", "trigger", "schema", "column"].includes(a.v)) add("sqli.ddl", 0.85);
      if (t.v === "update" && a && (a.t === "n" || a.t === "k") && b?.v === "set") add("sqli.dml", 0.8);
      // "exec summary", "exec dbo.usp_Load" in a sentence: a procedure name alone, with no SQL syntax around it, is a weak signal
      if ((t.v === "exec" || t.v === "execute") && a && (a.t === "v" || a.t === "f" || a.t === "(" || a.v === "immediate" || a.t === "s")) add("sqli.exec", 0.6);
      else if ((t.v === "exec" || t.v === "execute") && a?.t === "n") add("sqli.exec", SQL_SYNTAX.test(view) ? 0.6 : 0.3);
      if (t.v === "declare" && a?.t === "v") add("sqli.declare", 0.85);
      // WAITFOR DELAY '0:0:5' / @d: a delay needs its operand ("a WAITFOR DELAY in the batch job" is prose)
      if (t.v === "waitfor" && (a?.v === "delay" || a?.v === "time")) add("sqli.time_based", b && (b.t === "s" || b.t === "1" || b.t === "v") ? 0.95 : 0.3);
      // DROP x (no object type: not valid SQL on its own) counts only where a statement starts:
      // after ';' or right after a quote break ("x'; drop users", "x' drop users"); "please drop it" is English
      if (t.v === "drop" && a && (a.t === "n" || a.t === "k") && (b === undefined || b.t === ";") && i > 0 && (ts[i - 1]!.t === ";" || (ctx !== "" && i === 1))) add("sqli.ddl", 0.7);
      // …and as a whole input, a statement ended and commented out: "DROP users;--"
      if (t.v === "drop" && i === 0 && ctx === "" && a && (a.t === "n" || a.t === "k") && b?.t === ";" && endsWithComment) add("sqli.ddl", 0.7);
      if (t.v === "shutdown" && (i === 0 || ts[i - 1]!.t === ";")) add("sqli.stacked_query", 0.8);
      // BACKUP DATABASE x TO DISK='\\host\share': the out-of-band copy of a database
      if (t.v === "backup" && (a?.v === "database" || a?.v === "log") && ts.slice(i + 3, i + 7).some((x, k, r) => /^(?:disk|url|tape)$/.test(x.v) && r[k + 1]?.v === "=")) add("sqli.ddl", 0.85);
    }
    // quote break + logic + comparison (tautology): ' or 1=1, ' and 'a'='a, " or ""="
    const afterBreak = ctx !== "" ? i === 1 || i === 2 : t.t === "s" || t.t === "1" || t.t === ")";
    if (t.t === "&" && (i > 0 || short) && (ctx !== "" ? afterBreak && ts[0]!.t === "s" : true)) {
      // value op value
      if (isValue(a) && isCmp(b) && (ctx || /^[=<>!]/.test(b.v)) && (isValue(c) || c?.t === "(" || c?.t === "o" || c === undefined)) add(ctx ? "sqli.tautology_quote" : "sqli.tautology", ctx ? 0.9 : rawTautologyWeight(ts, i, a!, c, short));
      else if (a?.t === "(" && isValue(b) && isCmp(c) && (ctx || /^[=<>!]/.test(c.v))) add(ctx ? "sqli.tautology_quote" : "sqli.tautology", ctx ? 0.9 : 0.7);
      else if ((a?.t === "1" || (a?.t === "s" && ctx && !a.open)) && (b === undefined || b.t === "c" || b.t === ";")) add(ctx ? "sqli.boolean_quote" : "sqli.boolean", ctx || endsWithComment ? 0.6 : 0.3);
      else if (a?.t === "f" || (a?.t === "(" && (b?.t === "E" || b?.t === "f" || b?.t === "1"))) add("sqli.logic_function", ctx ? 0.85 : 0.6);
      else if (a?.v === "true" || a?.v === "false" || a?.v === "null") add("sqli.boolean_literal", ctx ? 0.75 : 0.4);
      else if (ctx && a && isValue(a) && b?.t === "o" && (b.v === "is" || b.v === "not" || b.v === "like" || b.v === "regexp" || b.v === "in" || b.v === "between" || b.v === "sounds" || b.v === "glob" || b.v === "rlike")) add(ctx ? "sqli.tautology_quote" : "sqli.tautology", ctx ? 0.85 : 0.55);
      else if (a?.t === "o" && (a.v === "not" || a.v === "!" || a.v === "-" || a.v === "~")) add("sqli.boolean_negation", ctx ? 0.6 : 0.3);
      else if (a && isValue(a) && b?.t === "o" && ctx) add("sqli.logic_operator_quote", 0.6);
      // the same with expression operands: ' and 1+2=3--, ') or ('x')=('x, AND (-8)=(-3), AND 1 NOT LIKE 0
      const cmp = comparisonAt(ts, i + 1);
      if (cmp) {
        const constant = isConstant(ts, i + 1, cmp.lhsEnd) && isConstant(ts, cmp.rhsStart, cmp.rhsEnd);
        if (ctx) add("sqli.tautology_quote", cmp.symbolic ? 0.9 : 0.85);
        else if (constant) add("sqli.tautology", cmp.symbolic ? 0.75 : 0.6);
        // a server value compared after a value: 1 AND current_user=1, 1 OR @@version>5
        else if (i > 0 && ["1", "s", ")"].includes(ts[i - 1]!.t) && (involvesSystemValue(ts, i + 1, cmp.lhsEnd) || involvesSystemValue(ts, cmp.rhsStart, cmp.rhsEnd))) add("sqli.tautology", 0.6);
        // a column compared with itself is true on every row: 1 OR id=id
        else if ((i > 0 ? ["1", "s", ")"].includes(ts[i - 1]!.t) : short) && /^(?:=|==|<=>|>=|<=|like)$/.test(ts[cmp.lhsEnd]!.v) && cmp.lhsEnd - (i + 1) === cmp.rhsEnd - cmp.rhsStart && ts.slice(i + 1, cmp.lhsEnd).every((x, k) => x.v === ts[cmp.rhsStart + k]!.v)) add("sqli.tautology", 0.6);
      }
      // OR TRUE-- : a boolean literal then a comment cutting the rest of the query
      if (!ctx && short && (a?.v === "true" || a?.v === "false") && b === undefined && endsWithComment) add("sqli.boolean_literal", 0.6);
    }
    // tautology without logic op in raw context: 1=1, 'a'='a', x=x right after a value separator
    if (t.t === "1" && isCmp(a) && b?.t === "1" && t.v === b.v && a.v !== "<" && a.v !== ">") add("sqli.tautology_literal", 0.5);
    if (t.t === "s" && isCmp(a) && b?.t === "s" && t.v === b.v && t.v.length > 2) add("sqli.tautology_literal", 0.55);
    // a whole short input that is a comparison of literals evaluating to TRUE (what an
    // injected condition needs); "1 is not 1" or "123<456" in a text are not SQL conditions
    if (short && ctx === "" && i === 0) {
      const v = evalLiteralComparison(ts);
      if (v === true) add("sqli.tautology_eval", 0.6);
    }
    if (short && t.t === "n" && a?.v === "like" && b?.t === "s" && b.open && len === 3) add("sqli.like_fragment", 0.55);
    if (t.t === "o" && SQL_FUNCTIONS.has(t.v) && a?.t === "(" && short) add("sqli.function_call", 0.55);
    // value comparison making up a whole short input: 11!=1, 'x'!='y
    if (short && ctx === "" && i === 0 && len === 3 && (t.t === "1" || t.t === "s") && isCmp(a) && /^(?:=|==|!=|<>|<=>)$/.test(a.v) && (b?.t === "1" || b?.t === "s")) add("sqli.comparison_fragment", 0.55);
    // ") like (", ") when 1 then": the middle of a condition
    if (short && t.t === ")" && i === 0 && a && (a.t === "o" || a.t === "&" || a.v === "when")) add("sqli.condition_fragment", 0.55);
    if (t.v === "when" && ts.slice(i + 1, i + 5).some((x) => x.v === "then") && (short || ts.slice(Math.max(0, i - 8), i).some((x) => x.v === "case"))) add("sqli.conditional", 0.6);
    if (t.v === "having" && a?.t === "f") add("sqli.having", 0.6);
    // HAVING 1=0, HAVING (1 OR 1): a constant condition in a HAVING clause
    if (t.v === "having" && a) {
      const cmp = comparisonAt(ts, i + 1);
      const group = a.t === "(" ? closeParen(ts, i + 1) : -1;
      if ((cmp && isConstant(ts, i + 1, cmp.lhsEnd) && isConstant(ts, cmp.rhsStart, cmp.rhsEnd)) || (group > i + 2 && ts.slice(i + 2, group).some((x) => x.t === "&") && ts.slice(i + 2, group).every((x) => x.t === "&" || x.t === "1" || x.v === "true" || x.v === "false" || x.t === "(" || x.t === ")"))) add("sqli.having", 0.6);
    }
    // LIKE '%': a pattern that matches every row
    if (t.t === "o" && (t.v === "like" || t.v === "ilike") && a?.t === "s" && !a.open && /^.[%_]+.$/.test(a.v)) add("sqli.like_wildcard", 0.6);
    // ") FROM users WHERE x=": the end of a projection and the start of the table clause
    if (short && t.t === ")" && i === 0 && a?.v === "from" && b && (b.t === "n" || b.t === "k") && c?.v === "where") add("sqli.condition_fragment", 0.6);
    // SELECT CURRENT_USER / SESSION_USER …: asking the server who it runs as
    if (t.v === "select" && a && SYSTEM_VALUES.has(a.v) && (b === undefined || b.t === ";" || b.t === "," || b.v === "from")) add("sqli.select_expr", 0.8);
    if (ctx && i === 1 && t.t === "U" && !(a?.t === "n" && a.v.length > 1 && a.v !== "all")) add("sqli.quote_union", 0.7);
    // quote break then a comment that cuts the rest of the query: admin'--, x'#
    if (ctx && i === 0 && t.t === "s") {
      const rest = toks.slice(1);
      const firstNonC = rest.findIndex((x) => x.t !== "c");
      const cIdx = rest.findIndex((x) => x.t === "c");
      const sqlish = (x: Tok) => x.t === "n" || x.t === "k" || x.t === "1" || x.t === "&" || x.t === ")" || x.t === "E" || x.t === "U" || (x.t === "o" && !["@", "~", "!", "?", ":"].includes(x.v));
      if (cIdx >= 0 && cIdx <= 3 && (cIdx === rest.length - 1) && rest.slice(0, cIdx).every(sqlish)) add("sqli.comment_truncation", cIdx === 0 ? 0.75 : 0.7);
      if (firstNonC >= 0 && rest[firstNonC]!.t === ";" && rest.slice(firstNonC + 1).every((x) => x.t === "c" || x.t === ";")) add("sqli.quote_termination", 0.6);
      // x' OPERATOR y-- : string-context break followed by an operator and a comment
      if (a && ((a.t === "o" && !["@", "~", "!", "?", ":"].includes(a.v)) || a.t === "&") && ts.length <= 6 && toks[toks.length - 1]?.t === "c") add("sqli.quote_operator_comment", 0.7);
      if (a?.t === "o" && (a.v === "collate" || a.v === "::")) add("sqli.quote_cast", 0.7);
      if (a?.t === "E") add("sqli.quote_statement", 0.8);
      if (a?.t === ";" && b && (b.t === "E" || b.t === "v")) add("sqli.stacked_query", 0.9);
      if (a?.t === "&" && ((b?.t === "s" && !b.open) || b?.t === "1") && (c === undefined || c.t === "c")) add("sqli.boolean_quote", 0.6);
    }
    if (!ctx && i === 0 && short) {
      // "1--", "1*1 /*", "@@version--": a value, then a bare comment marker cutting the rest of the query
      const last = toks[toks.length - 1];
      const numeric = ts.every((x) => x.t === "1" || x.t === "v" || x.t === "(" || x.t === ")" || (x.t === "o" && (ARITH.has(x.v) || UNARY.has(x.v))));
      if (numeric && len > 0 && last?.t === "c" && /^(?:--|#|\/\*)[\s-]*$/.test(last.v)) add("sqli.comment_truncation", 0.55);
      // "-1 UNION", "1/1/**/union#": a number expression then UNION, the start of a UNION injection
      // split by comments or a sign (a bare "705 union" is a search for a union local)
      if (len >= 2 && ts[len - 1]!.t === "U" && ts.slice(0, len - 1).every((x) => x.t === "1" || x.t === "(" || x.t === ")" || (x.t === "o" && (ARITH.has(x.v) || UNARY.has(x.v)))) && (toks.length > ts.length || ts[0]!.t === "o")) add("sqli.union_fragment", 0.6);
    }
    // x' = 'y, a'|'b, asd' or column&&'1, 1'*null or '1: the input closes the string, goes on
    // with an SQL operator, and reopens the string as the operand of an operator, for the
    // query's own closing quote (or cuts the rest with a comment). Quotation is not that: an
    // opening quote before a word ("NOT FOR SALE"), an apostrophe inside a word ("O'Brien or
    // O'Neil", "Bob's or Alice's"), an inch mark after a number (16" or 18"), markup (href="/a">).
    if (ctx && i === 0 && t.t === "s" && !t.open && len >= 2 && len <= 18) {
      const lastTok = ts[len - 1]!;
      const reopens = lastTok.t === "s" && lastTok.open === true && lastTok.v[0] === ctx && /^.[^\s<>"'`]{0,24}\s*$/.test(lastTok.v);
      const cut = endsWithComment && !reopens;
      const mid = ts.slice(1, reopens ? len - 1 : len);
      const q = view.indexOf(ctx);
      const opening = q === 0 || /\s/.test(view[q - 1] ?? "");
      const glued = q >= 0 && /[A-Za-z]/.test(view[q + 1] ?? "") && (opening || !(a && (a.t === "&" || a.t === "o" || a.t === "U" || a.t === "E")));
      const operator = (x: Tok | undefined) => !!x && (x.t === "&" || (x.t === "o" && EXPR_OPERATOR.has(x.v)));
      const allowed = (x: Tok) => x.t === "1" || (x.t === "s" && !x.open) || x.t === "v" || x.t === "k" || x.t === "f" || x.t === "o" || x.t === "&" || x.t === "(" || x.t === ")" || x.t === "," || x.t === "." || (x.t === "n" && !cut);
      const operand = !reopens || operator(mid[mid.length - 1]) || mid[mid.length - 1]?.t === "(" || mid[mid.length - 1]?.t === ",";
      if ((reopens || cut) && !glued && mid.length > 0 && operator(mid[0]) && operand && mid.every(allowed) && !mid.some((x, k) => x.t === "n" && mid[k + 1]?.t === "n")) add("sqli.quote_expression", 0.7);
    }
    // ORDER BY n / GROUP BY n probing
    // ("order by date" at the start of a raw input is also English: a column name there counts
    // only when a comment cuts the rest, "order by name--"; a number, call or group always)
    if ((t.v === "order" || t.v === "group") && a?.v === "by" && b && (b.t === "1" || b.t === "f" || b.t === "(" || b.t === "n") && (ctx !== "" || (i > 0 && ["s", "1", ")"].includes(ts[i - 1]!.t)) || (i === 0 && (b.t !== "n" || (endsWithComment && len <= i + 4))))) add("sqli.order_by", 0.6);
    // CASE WHEN ... THEN, IF(cond, a, b)
    if (t.v === "case" && ts.slice(i + 1, i + 8).some((x) => x.v === "when") && ts.slice(i + 1, i + 14).some((x) => x.v === "then")) add("sqli.conditional", 0.6);
    if (t.t === "f" && (t.v === "if" || t.v === "iif") && ts.slice(i + 1, i + 10).some((x) => isCmp(x))) add("sqli.conditional", 0.6);
    // ::type casts after a quote (postgres), string-concatenation breaks '||(select ...)||'
    if (t.t === "&" && t.v === "||" && a?.t === "(" && (b?.t === "E" || b?.t === "f")) add("sqli.concat_subquery", 0.85);
    if (t.t === "o" && t.v === "::" && a && /^(?:int|integer|text|bool|boolean|jsonb?|numeric|bigint|varchar|bytea|regclass|double|float|real|date|oid|name|inet)$/.test(a.v) && i > 0 && (ts[i - 1]!.t === ")" || ts[i - 1]!.t === "s" || ts[i - 1]!.t === "k" || (short && ts[i - 1]!.t === "n"))) add("sqli.pg_cast", 0.6);
    // value'or'value: a quote break, a logic operator and a new quoted operand
    if (ctx && i === 1 && t.t === "&" && ts[0]!.t === "s" && ts[0]!.v.length > 2 && a?.t === "s" && len === 3 && !/\s/.test(a.v)) add("sqli.quote_logic_quote", 0.6);
    // SET @var = ...: variable assignment (MySQL/T-SQL)
    if (t.v === "set" && a?.t === "v" && (i === 0 || ts[i - 1]!.t === ";" || ts[i - 1]!.t === "x" || ts[i - 1]!.t === "o")) add("sqli.set_variable", 0.6);
    // a logic operator followed by a comment: 1='1' or-- -
    if (t.t === "&" && a === undefined && endsWithComment && i > 0) add("sqli.logic_comment", 0.6);
    // a short input starting with a logic operator and a number: "or 88", "xor 5-"
    if (short && i === 0 && t.t === "&" && a?.t === "1" && (b === undefined || b.t === "o")) add("sqli.logic_fragment", 0.55);
    // value then a clause keyword in a short input: 'nnn' LIMIT
    if (short && (t.t === "s" || t.t === "1" || t.t === ")") && a && (a.v === "limit" || (a.v === "order" && b?.v === "by") || (a.v === "group" && b?.v === "by") || a.v === "having")) add("sqli.clause_after_value", 0.55);
    // a logic operator ending a short input ("x OR ", "/3 and(") : the start of a chained condition
    if (t.t === "&" && short && !/['"`]/.test(view) && (a === undefined || (a.t === "(" && ts[i + 2] === undefined)) && (i === 0 || ["n", "1", ")", "k"].includes(ts[i - 1]!.t))) add("sqli.logic_fragment", 0.55);
    // a SQL function called in a short input ("concat(", "SUBSTRING(") or with SQL inside the call
    if (t.t === "f" && SQL_FUNCTIONS.has(t.v.replace(/^.*\./, ""))) {
      const args = ts.slice(i + 2, i + 10);
      const sqlArgs = args.some((x) => x.t === "E" || x.t === "f" || x.t === "v" || (x.t === "s" && ctx === "")) && args.some((x) => x.t === ",");
      add("sqli.function_call", (short && !prose) || sqlArgs ? 0.55 : 0.25);
    }
    if (short && (t.t === "n" || t.t === "k" || t.t === "o") && SQL_FUNCTIONS.has(t.v) && a && (a.t === "o" || a.t === "x" || a.t === "." || a.t === "&") && ts.slice(i + 1, i + 5).some((x) => x.t === "(")) add("sqli.function_call", 0.5);
    // (select ...) subquery in an expression
    if (t.t === "(" && a?.v === "select" && i > 0) add("sqli.subquery", 0.8);
  }
}

/**
 * Whether a view has any SQL syntax beyond words: quotes, statement separators, parentheses,
 * comparison or logic operators, comments. Without it, SQL Server vocabulary ("procs that call
 * xp_cmdshell", "exec summary", "jobs in msdb") is what this product's users write about their
 * databases, not an injection: the rules with a `bareWeight` count for that much only.
 */
const SQL_SYNTAX = /['"`;()=<>|&*\\#]|--|\/\*/;

const TEXT_RULES: { id: string; weight: number; bareWeight?: number; re: RegExp }[] = [
  // MongoDB operator injection: {"$ne": ...}, user[$gt]=
  { id: "sqli.nosql_operator", weight: 0.75, re: /(?:^|[^\w$])\$(?:ne|eq|gt|gte|lt|lte|nin|in|where|regex|exists|elemmatch|or|and|nor|not|expr|text|all|size|type|mod|jsonschema)\b\s*(?:["'\]]|:)/i },
  // default and system databases named in probes; also the names of SQL Server's own and sample databases, which this product's users write about
  { id: "sqli.system_database", weight: 0.3, re: /\b(?:tempdb|msdb|northwind|mysql\.(?:db|user|host)|sysibm|systables|all_tables|user_tables|dba_users|all_users|sysmaster)\b/i },
  // column alias then FROM after a closing quote/backtick/number: ` AS `x` FROM, 6 As" from
  { id: "sqli.alias_from", weight: 0.6, re: /(?:["'`)!]|\d)\s*as\b\s*["'`]?[\w$]*["'`]?\s+from\b/i },
  // backslash-escaped quote followed by a logic operator: \' or '1
  { id: "sqli.escaped_quote_logic", weight: 0.6, re: /\\['"`]\s*(?:or|and|xor|\|\||&&)(?![a-z])/i },
  // clause sequences: FROM t WHERE/GROUP BY/ORDER BY/LIMIT, with a quoted or dotted table
  { id: "sqli.clause_sequence", weight: 0.7, re: /\bfrom\s+(?:`[^`]+`|"[^"]+"|\[[^\]]+\]|[\w$]+(?:\.[\w$`]+)+|[\w$]+)\s+(?:group\s+by|order\s+by|limit|having|procedure\s+analyse)\b|\bfrom\s+(?:`[^`]+`|"[^"]+"|\[[^\]]+\])(?:\.(?:`[^`]+`|\w+))?\s+(?:where|limit|join|union)\b/i },
  // JSON path literal compared in SQL ('$.a[2].f')
  { id: "sqli.json_path", weight: 0.6, re: /'\$\.[\w\[\]*.]+'\s*(?:=|<|>|\)|$)|'\s*[<>]\s*'\$\./ },
  // closing backtick then an operator: `x` REGEXP, `>65
  { id: "sqli.backtick_break", weight: 0.55, re: /^[^`]{0,40}`\s*(?:[<>=]+|!=|regexp\b|rlike\b|like\b|and\b|or\b|xor\b|as\b|from\b|union\b|between\b)/i },
  // quote (or backtick) then ';' ending a short value: admin'; / user`;
  { id: "sqli.quote_termination", weight: 0.6, re: /^[^'"`]{0,60}[`'"]\s*;\s*(?:--.*|#.*)?$/ },
  // an input that starts with IN ( list
  { id: "sqli.in_list", weight: 0.55, re: /^\s*(?:not\s+)?in\s*\(\s*(?:\d|'|")/i },
  // an input that is nothing but a SQL operator or predicate
  { id: "sqli.operator_only", weight: 0.55, re: /^\s*(?:<=>|<>|!=|>=|<=|->>?|<<|>>|\|\||&&|xor|rlike|regexp|like\s+null|is\s+(?:not\s+)?null|sounds\s+like|not\s+(?:between|in|like|regexp)|=|order\s+by|group\s+by)\s*$/i },
  { id: "sqli.dangerous_function", weight: 0.85, bareWeight: 0.3, re: DANGEROUS_RE },
  { id: "sqli.catalog_name", weight: 0.3, re: CATALOG_RE },
  // MySQL executable comment: /*!50000select*/
  { id: "sqli.mysql_inline_comment", weight: 0.85, re: /\/\*!\d*\s*\w/ },
  // comment hiding whitespace between keywords: UNION/**/SELECT, DROP/*x*/TABLE
  { id: "sqli.comment_obfuscation", weight: 0.8, re: /\b(?:union|select|from|where|and|or|drop|insert|update|delete|table|into|exec)\s*\/\*[^*]*\*\/\s*(?:\w|\()/i },
  // integer overflow / magic values used to probe
  { id: "sqli.magic_number", weight: 0.5, re: /(?:^|[^\d.])(?:2147483647|2147483648|4294967295|4294967296|9223372036854775807|18446744073709551615|2\.2250738585072011e-308|0x7fffffff|0xffffffff)(?![\d])/ },
  // json operators on quoted JSON (postgres jsonb injection)
  { id: "sqli.json_operator", weight: 0.7, re: /'\s*[\[{][^']*[\]}]'\s*(?:::\s*jsonb?\s*)?(?:@>|<@|\?\||\?&|\?|#>>?|->>?|@\?|@@)\s*(?:'|array\s*\[)/i },
  { id: "sqli.json_operator", weight: 0.7, re: /::\s*jsonb?\b/i },
  // MySQL scientific-notation bypass: 1.e(…
  { id: "sqli.scientific_bypass", weight: 0.7, re: /\d\.e[\s(,).]/i },
];

/** Scores `text` (a non-SQL input) for SQL injection. */
export function detectSqli(text: string, opts?: DetectOptions): Detection {
  const hits = new Map<string, number>();
  for (const view of sqlViews(text)) {
    const bare = !SQL_SYNTAX.test(view);
    for (const rule of TEXT_RULES) {
      if (!rule.re.test(view)) continue;
      const w = bare && rule.bareWeight !== undefined ? rule.bareWeight : rule.weight;
      hits.set(rule.id, Math.max(hits.get(rule.id) ?? 0, w));
    }
    // A fragment (short input) that is SQL syntax is itself the signal; in prose the same
    // words are ordinary ("or", "left (...)").
    const short = view.trim().length <= SHORT_INPUT;
    tokenRules(tokenizeSql(view), "", hits, short, view);
    if (view.includes("'")) tokenRules(tokenizeSql("'" + view), "'", hits, short, view);
    if (view.includes('"')) tokenRules(tokenizeSql('"' + view), '"', hits, short, view);
  }
  const rules = [...hits.keys()];
  const score = combine([...hits.values()]);
  return { flagged: score >= threshold(opts), score, rules };
}
