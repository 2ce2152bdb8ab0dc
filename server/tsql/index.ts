// Public API of the T-SQL front end: SQLCMD pre-processing → lexer → batches → typed AST.
// Usable on its own: no database, no HTTP, no knowledge of targets.
import type { Diagnostic } from "../diagnostics.ts";
import type { Batch, Comment, SessionSettings, Statement } from "./ast.ts";
import { Lexer, tokenize as tokenizeText, type Token } from "./lexer.ts";
import { Parser } from "./parser.ts";
import { preprocessSqlcmd, type SqlcmdOptions } from "./sqlcmd.ts";

export type * from "./ast.ts";
export { T as TokenType, type Token, Lexer } from "./lexer.ts";
export { printStatement, printExpr, printQuery, printTableSource, printDataType, printObjectName } from "./print.ts";
export { walk, children, sourceText, statementText, references, dmlTarget, type Visitor, type Reference, type ReferenceRole } from "./walk.ts";
export { preprocessSqlcmd, type SqlcmdOptions, type Preprocessed } from "./sqlcmd.ts";
export { TSQL as TSQL_CODES } from "./codes.ts";
export { BUILTIN_TYPES, BUILTIN_ROWSET_FUNCTIONS, RESERVED } from "./keywords.ts";
export { MAX_DEPTH, MAX_CHAIN } from "./parser.ts";
export { identifierKey, objectNameKey, formatObjectName } from "./names.ts";

export interface ParseOptions {
  /** File name reported in locations and diagnostics. */
  file: string;
  /** SQLCMD variables; they override `:setvar` in the script. */
  vars?: Record<string, string>;
  /** SET QUOTED_IDENTIFIER at the start (default true). */
  quotedIdentifier?: boolean;
  /**
   * Other session settings at the start (defaults: DEFAULT_SETTINGS), e.g. a module read from a live
   * server with sys.sql_modules.uses_ansi_nulls = 0 → `{ ansiNulls: false }`.
   */
  settings?: Partial<SessionSettings>;
  /** The text starts at line 1 + lineOffset of `file` (for module bodies cut out of a bigger file). */
  lineOffset?: number;
  /** Resolves `:r` includes; without it an include is a diagnostic. */
  readFile?: SqlcmdOptions["readFile"];
  /**
   * Called with each batch as soon as it is parsed. When given, batches are NOT kept in the result
   * (so a huge script can be streamed with bounded memory).
   */
  onBatch?: (batch: Batch) => void;
}

export interface ParseResult {
  batches: Batch[];
  diagnostics: Diagnostic[];
}

/** Parses a whole script (any number of GO-separated batches). Never throws for any input text. */
export function parseScript(text: string, options: ParseOptions): ParseResult {
  const file = options.file;
  const diagnostics: Diagnostic[] = [];
  const sqlcmdOptions: SqlcmdOptions = { file };
  if (options.vars) sqlcmdOptions.vars = options.vars;
  if (options.readFile) sqlcmdOptions.readFile = options.readFile;
  if (options.lineOffset) sqlcmdOptions.lineOffset = options.lineOffset;
  // Old Mac line ends (a lone CR) become LF: same length, so offsets stay valid, and lines count right.
  if (text.indexOf("\r") >= 0 && LONE_CR.test(text)) text = text.replace(LONE_CR_ALL, "\n");
  const pre = preprocessSqlcmd(text, sqlcmdOptions);
  diagnostics.push(...pre.diagnostics);
  const mapLine = pre.unchanged && !options.lineOffset ? undefined : pre.mapLine;
  const src = pre.text;
  const lx = new Lexer(src, { file, quotedIdentifier: options.quotedIdentifier ?? options.settings?.quotedIdentifier ?? true, ...(mapLine ? { mapLine } : {}) });
  const parser = new Parser(lx, file, mapLine);
  const batches: Batch[] = [];
  const lines = new LineCursor(src);
  let settings: SessionSettings = { ...DEFAULT_SETTINGS, ...options.settings, quotedIdentifier: options.quotedIdentifier ?? options.settings?.quotedIdentifier ?? true };
  for (let guard = 0; ; guard++) {
    const batchStart = lx.pos;
    parser.batchOffset = batchStart;
    let statements: Batch["statements"];
    let end: Token;
    try {
      ({ statements, end } = parser.parseBatch());
    } catch (e) {
      // Last line of defence: the parser recovers from syntax errors itself, so this is a bug or
      // resource exhaustion. Keep the rest of the batch as text and go on with the next one.
      statements = [];
      const m = mapLine ? mapLine(1) : { file, line: 1 };
      diagnostics.push({ code: "TSQL2001", severity: "error", message: `internal parser failure (${e instanceof Error ? e.message : String(e)}); the batch is skipped`, file: m.file, line: m.line });
      end = skipToBatchEnd(lx);
    }
    const batchText = src.slice(batchStart, end.start);
    const comments = lx.takeComments();
    for (const c of comments) shift(c, batchStart);
    const startLine = lines.lineOfBatch(batchStart);
    if (statements.length || comments.length || batchText.trim().length) {
      const m = mapLine ? mapLine(startLine) : { file, line: startLine };
      const batch: Batch = {
        kind: "Batch",
        text: batchText,
        loc: { file: m.file, line: m.line, column: 1, offset: 0, end: batchText.length },
        statements,
        comments,
        settings,
      };
      if (end.count !== undefined && end.count > 1) batch.repeat = end.count;
      if (options.onBatch) options.onBatch(batch);
      else batches.push(batch);
    }
    settings = settingsAfter(settings, statements);
    if (end.type !== 14 /* Go */ || guard > 10_000_000) break;
    lx.resume();
  }
  diagnostics.push(...lx.diagnostics, ...parser.diagnostics);
  return { batches, diagnostics };
}

const LONE_CR = /\r(?!\n)/;
const LONE_CR_ALL = /\r(?!\n)/g;

/** What SSMS and modern drivers connect with. */
export const DEFAULT_SETTINGS: Readonly<SessionSettings> = Object.freeze({
  ansiNulls: true,
  quotedIdentifier: true,
  concatNullYieldsNull: true,
  ansiPadding: true,
  ansiWarnings: true,
  arithAbort: true,
  numericRoundAbort: false,
  xactAbort: false,
  language: "us_english",
  dateFirst: 7,
  dateFormat: "mdy",
});

const ON_OFF: Record<string, keyof SessionSettings> = {
  ANSI_NULLS: "ansiNulls",
  QUOTED_IDENTIFIER: "quotedIdentifier",
  CONCAT_NULL_YIELDS_NULL: "concatNullYieldsNull",
  ANSI_PADDING: "ansiPadding",
  ANSI_WARNINGS: "ansiWarnings",
  ARITHABORT: "arithAbort",
  NUMERIC_ROUNDABORT: "numericRoundAbort",
  XACT_ABORT: "xactAbort",
};

/** Applies the batch's top-level SET statements to the settings it started with. */
export function settingsAfter(before: SessionSettings, statements: Statement[]): SessionSettings {
  const s: SessionSettings = { ...before };
  for (const st of statements) {
    if (st.kind !== "SetOption") continue;
    if (st.value === "ON" || st.value === "OFF") {
      for (const o of st.options) {
        const key = ON_OFF[o];
        if (key) (s as unknown as Record<string, unknown>)[key] = st.value === "ON";
        if (o === "ANSI_DEFAULTS" && st.value === "ON") Object.assign(s, { ansiNulls: true, ansiPadding: true, ansiWarnings: true, quotedIdentifier: true });
      }
      continue;
    }
    const opt = st.options[0];
    const constant = st.expr?.kind === "Literal" ? st.expr.value : st.value;
    if (opt === "DATEFIRST") {
      const n = constant !== undefined ? Number(constant) : NaN;
      s.dateFirst = Number.isInteger(n) && n >= 1 && n <= 7 ? n : null;
    } else if (opt === "DATEFORMAT") {
      const v = constant?.toLowerCase();
      s.dateFormat = v && /^(mdy|dmy|ymd|ydm|myd|dym)$/.test(v) ? v : null;
    } else if (opt === "LANGUAGE") {
      const v = constant?.toLowerCase().replace(/^\[|\]$/g, "") ?? null;
      s.language = v;
      // us_english implies mdy / 7; other languages bring their own defaults, which the parser does not table.
      if (v === "us_english" || v === "english") Object.assign(s, { dateFirst: 7, dateFormat: "mdy" });
      else Object.assign(s, { dateFirst: null, dateFormat: null });
    }
  }
  return s;
}

function shift(c: Comment, by: number): void {
  if (c.loc.offset !== undefined) c.loc.offset -= by;
  if (c.loc.end !== undefined) c.loc.end -= by;
}

/** Counts lines forward through the script as batches are visited in order (linear overall). */
class LineCursor {
  private pos = 0;
  private line = 1;
  constructor(private readonly src: string) {}
  /** Line of the first non-blank character at or after `start` (where the batch's text begins). */
  lineOfBatch(start: number): number {
    const src = this.src;
    let i = src.indexOf("\n", this.pos);
    while (i >= 0 && i < start) {
      this.line++;
      i = src.indexOf("\n", i + 1);
    }
    this.pos = start;
    let line = this.line;
    for (let p = start; p < src.length; p++) {
      const c = src.charCodeAt(p);
      if (c === 10) line++;
      else if (c !== 13 && c !== 32 && c !== 9) return line;
    }
    return this.line;
  }
}

function skipToBatchEnd(lx: Lexer): Token {
  for (;;) {
    const t = lx.next();
    if (t.type === 14 /* Go */ || t.type === 15 /* EOF */) return t;
  }
}

/** Tokens of a text (Go tokens included), with lexer diagnostics. */
export function tokenize(text: string, options: { file: string; quotedIdentifier?: boolean }): { tokens: Token[]; diagnostics: Diagnostic[] } {
  return tokenizeText(text, options);
}

/** Parses a single expression (for tests and tools). */
export function parseExpression(text: string, options: { file?: string } = {}): { expr?: import("./ast.ts").Expr; diagnostics: Diagnostic[] } {
  const file = options.file ?? "<expr>";
  const lx = new Lexer(text, { file });
  const parser = new Parser(lx, file);
  try {
    const expr = parser.parseExpr();
    return { expr, diagnostics: [...lx.diagnostics, ...parser.diagnostics] };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { diagnostics: [...lx.diagnostics, { code: "TSQL2001", severity: "error", message: msg, file, line: 1 }] };
  }
}
