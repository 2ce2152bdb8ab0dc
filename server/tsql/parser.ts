// Hand-written recursive-descent parser for T-SQL, one batch at a time, to the typed tree of ast.ts.
// Statement terminators are optional, as in T-SQL: a statement ends where its grammar ends. A syntax
// error inside a statement becomes an error diagnostic plus a `Command` holding the text skipped up
// to the next statement start; parsing goes on. Nothing here throws to the caller.
import type { Diagnostic, Severity } from "../diagnostics.ts";
import type * as A from "./ast.ts";
import { TSQL } from "./codes.ts";
import {
  ADMIN_COMMANDS, BUILTIN_TYPES, EXPR_KEYWORDS, KNOWN_METHODS, NILADIC, NOT_ALIAS, RESERVED, STATEMENT_START,
} from "./keywords.ts";
import { Lexer, T, type Token } from "./lexer.ts";

// Token types as module constants: reading an imported enum member costs a live-binding lookup per use.
const T_BINARY = T.Binary;
const T_DECIMAL = T.Decimal;
const T_EOF = T.EOF;
const T_FLOAT = T.Float;
const T_GLOBALVARIABLE = T.GlobalVariable;
const T_GO = T.Go;
const T_INTEGER = T.Integer;
const T_MONEY = T.Money;
const T_NSTRING = T.NString;
const T_OP = T.Op;
const T_PSEUDO = T.Pseudo;
const T_QUOTEDID = T.QuotedId;
const T_STRING = T.String;
const T_VARIABLE = T.Variable;
const T_WORD = T.Word;

export class ParseError extends Error {
  constructor(
    message: string,
    readonly token: Token,
    readonly code: string = TSQL.SyntaxError,
  ) {
    super(message);
  }
}

/** Nesting deeper than this (expressions, subqueries, blocks) is refused with a diagnostic, never a stack overflow. */
export const MAX_DEPTH = 300;

/**
 * A chain `a + b + c ...` is a left-deep tree as deep as it is long; beyond this many operators the
 * tree would be too deep for recursive consumers (JSON.stringify fails near 5,000), so it is refused.
 */
export const MAX_CHAIN = 1000;

/** Reserved words that still name built-in functions or rowset functions. */
const RESERVED_NAMES = new Set(
  "COALESCE NULLIF CONVERT TRY_CONVERT LEFT RIGHT CURRENT_TIMESTAMP CURRENT_USER CURRENT_DATE CURRENT_TIME SESSION_USER SYSTEM_USER USER IDENTITY OPENQUERY OPENROWSET OPENDATASOURCE OPENXML CONTAINS FREETEXT CONTAINSTABLE FREETEXTTABLE SEMANTICKEYPHRASETABLE SEMANTICSIMILARITYTABLE SEMANTICSIMILARITYDETAILSTABLE UPDATE".split(" "),
);
const COMPARISON = new Set(["=", "<>", "!=", "<", ">", "<=", ">=", "!<", "!>"]);
const ASSIGN_OPS = new Set(["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="]);
const LITERAL_TYPES: Partial<Record<T, A.Literal["literalType"]>> = {
  [T_STRING]: "string",
  [T_NSTRING]: "nstring",
  [T_INTEGER]: "integer",
  [T_DECIMAL]: "decimal",
  [T_FLOAT]: "float",
  [T_MONEY]: "money",
  [T_BINARY]: "binary",
};

type Named = { loc: A.Loc };

/**
 * Placeholder location for a node under construction whose real location is set once its last token
 * is read (saves one allocation per node; never visible in a finished tree).
 */
const PENDING_LOC: A.Loc = Object.freeze({ file: "", line: 0, column: 0 }) as A.Loc;

export class Parser {
  private buf: Token[] = [];
  private p = 0;
  private prev: Token;
  private depth = 0;
  /** Offset of the current batch in the script text; node offsets are relative to it. */
  batchOffset = 0;
  readonly diagnostics: Diagnostic[] = [];
  private readonly mapLine: (line: number) => { file: string; line: number };
  private readonly file: string;
  private readonly identityMap: boolean;
  /** True while parsing the first statement of a batch (a bare procedure name is an EXEC there). */
  private firstInBatch = true;
  /** ELSE IF links above the current statement. */
  private elseIfRun = 0;
  /** BEGIN ... END blocks open around the current statement (an END may close one of them). */
  private openBlocks = 0;

  constructor(
    private readonly lx: Lexer,
    file: string,
    mapLine?: (line: number) => { file: string; line: number },
  ) {
    this.file = file;
    this.identityMap = !mapLine;
    this.mapLine = mapLine ?? ((line) => ({ file, line }));
    this.prev = { type: T_EOF, value: "", upper: "", start: 0, end: 0, line: 1, col: 1, endLine: 1, firstOnLine: true, quote: undefined, comments: undefined, trailing: undefined, count: undefined };
  }

  // -------------------------------------------------------------------------------------------
  // Token access
  // -------------------------------------------------------------------------------------------

  private peek(k = 0): Token {
    const need = this.p + k;
    while (this.buf.length <= need) {
      const last = this.buf[this.buf.length - 1];
      if (last && (last.type === T_EOF || last.type === T_GO)) {
        this.buf.push(last);
      } else this.buf.push(this.lx.next());
    }
    return this.buf[need]!;
  }

  private advance(): Token {
    const t = this.peek();
    if (t.type !== T_EOF && t.type !== T_GO) this.p++;
    this.prev = t;
    return t;
  }

  /** Drops consumed tokens (called between top-level statements) so memory stays bounded. */
  private compact(): void {
    if (this.p > 0) {
      this.buf = this.buf.slice(this.p);
      this.p = 0;
    }
  }

  private isWord(u: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === T_WORD && t.upper === u;
  }
  private isOp(o: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === T_OP && t.value === o;
  }
  private acceptWord(u: string): boolean {
    if (this.isWord(u)) {
      this.advance();
      return true;
    }
    return false;
  }
  private acceptWords(...us: string[]): boolean {
    for (let i = 0; i < us.length; i++) if (!this.isWord(us[i]!, i)) return false;
    for (let i = 0; i < us.length; i++) this.advance();
    return true;
  }
  private acceptOp(o: string): boolean {
    if (this.isOp(o)) {
      this.advance();
      return true;
    }
    return false;
  }
  private expectWord(u: string): Token {
    if (this.isWord(u)) return this.advance();
    throw this.error(`expected ${u}`);
  }
  private expectOp(o: string): Token {
    if (this.isOp(o)) return this.advance();
    throw this.error(`expected '${o}'`);
  }
  private atEnd(): boolean {
    const t = this.peek();
    return t.type === T_EOF || t.type === T_GO;
  }

  private describe(t: Token): string {
    switch (t.type) {
      case T_EOF:
        return "end of input";
      case T_GO:
        return "GO";
      case T_STRING:
      case T_NSTRING:
        return "a string";
      default:
        return `'${this.lx.text.slice(t.start, Math.min(t.end, t.start + 40))}'`;
    }
  }

  private error(message: string, t: Token = this.peek()): ParseError {
    return new ParseError(`${message}, found ${this.describe(t)}`, t);
  }

  // -------------------------------------------------------------------------------------------
  // Locations
  // -------------------------------------------------------------------------------------------

  private locOf(start: Token, end: Token = this.prev): A.Loc {
    const endTok = end.end >= start.start ? end : start;
    if (this.identityMap) {
      return { file: this.file, line: start.line, column: start.col, endLine: endTok.endLine, offset: start.start - this.batchOffset, end: endTok.end - this.batchOffset };
    }
    const m = this.mapLine(start.line);
    return { file: m.file, line: m.line, column: start.col, endLine: this.mapLine(endTok.endLine).line, offset: start.start - this.batchOffset, end: endTok.end - this.batchOffset };
  }

  private diag(code: string, severity: Severity, message: string, t: Token): void {
    const m = this.mapLine(t.line);
    this.diagnostics.push({ code, severity, message, file: m.file, line: m.line, column: t.col });
  }

  private chainTooLong(): never {
    throw new ParseError(`expression with more than ${MAX_CHAIN} chained operators`, this.peek(), TSQL.NestingTooDeep);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0;
      throw new ParseError(`nesting deeper than ${MAX_DEPTH} levels`, this.peek(), TSQL.NestingTooDeep);
    }
  }
  private leave(): void {
    if (this.depth > 0) this.depth--;
  }

  // -------------------------------------------------------------------------------------------
  // Batches and statement lists
  // -------------------------------------------------------------------------------------------

  /** Parses statements up to the next GO or the end; returns them and the GO/EOF token. */
  parseBatch(): { statements: A.Statement[]; end: Token } {
    this.buf = [];
    this.p = 0;
    this.depth = 0;
    this.firstInBatch = true;
    this.openBlocks = 0;
    this.elseIfRun = 0;
    const statements = this.parseStatementList(false, true);
    return { statements, end: this.peek() };
  }

  /**
   * Statements until GO/EOF, or until END when `inBlock`. Errors are recovered here: the failed
   * statement becomes a Command and parsing resumes at the next statement start.
   */
  private parseStatementList(inBlock: boolean, topLevel = false): A.Statement[] {
    if (inBlock) this.openBlocks++;
    try {
      return this.parseStatementListInner(inBlock, topLevel);
    } finally {
      if (inBlock) this.openBlocks--;
    }
  }

  private parseStatementListInner(inBlock: boolean, topLevel: boolean): A.Statement[] {
    const out: A.Statement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === T_EOF || t.type === T_GO) break;
      if (inBlock && t.type === T_WORD && t.upper === "END" && !this.isWord("CONVERSATION", 1)) break;
      if (t.type === T_OP && t.value === ";") {
        this.advance();
        continue;
      }
      const save = this.p;
      const savedDepth = this.depth;
      try {
        const st = this.parseStatement();
        out.push(st);
        // `SELECT 1; -- why` : the line comment after the statement (or its `;`) is its trailing comment.
        let trailing = this.prev.trailing;
        if (!trailing && this.isOp(";") && this.peek().line === this.prev.endLine) {
          this.peek(1); // the comment after `;` is lexed with the token that follows it
          trailing = this.peek().trailing;
          if (trailing) this.advance();
        }
        if (trailing) st.trailingComments = trailing;
      } catch (e) {
        if (!(e instanceof ParseError) && !(e instanceof RangeError)) throw e;
        this.depth = savedDepth;
        out.push(this.recover(save, e, inBlock));
      }
      this.firstInBatch = false;
      if (topLevel && this.depth === 0) this.compact();
    }
    return out;
  }

  private recover(save: number, e: ParseError | RangeError, inBlock: boolean): A.Command {
    const errTok = e instanceof ParseError ? e.token : this.peek();
    const startTok = this.buf[save]!;
    if (e instanceof ParseError) {
      this.diag(e.code, "error", `${e.message} (the statement is kept as text)`, errTok);
    } else {
      this.diag(TSQL.NestingTooDeep, "error", "statement nested too deeply to parse (kept as text)", errTok);
    }
    // Resume from the error token, but always make progress.
    const errIndex = this.buf.indexOf(errTok, save);
    this.p = errIndex > save ? errIndex : save + 1;
    if (this.p > this.buf.length) this.p = this.buf.length;
    const stopAtErrorToken = errIndex > save;
    this.skipToStatementEnd(inBlock, stopAtErrorToken, new Set());
    return this.makeCommand(startTok, true);
  }

  /**
   * Skips tokens up to the end of the current statement: a `;`, GO, the end, an END that closes the
   * enclosing block, or a statement keyword first on its line outside parentheses and blocks.
   */
  private skipToStatementEnd(inBlock: boolean, checkFirst: boolean, except: Set<string>): void {
    let paren = 0;
    let block = 0;
    let caseDepth = 0;
    let first = true;
    for (;;) {
      const t = this.peek();
      if (t.type === T_EOF || t.type === T_GO) return;
      if (t.type === T_OP) {
        if (t.value === "(") paren++;
        else if (t.value === ")") paren = Math.max(0, paren - 1);
        else if (t.value === ";" && paren === 0 && block === 0) {
          // The `;` ends the kept text (and is part of it, as consumers of Command.text expect).
          this.advance();
          return;
        }
      } else if (t.type === T_WORD) {
        const u = t.upper;
        if (u === "CASE") caseDepth++;
        else if (u === "END") {
          if (caseDepth > 0) caseDepth--;
          else if (block > 0) block--;
          else if (inBlock) return;
          else if ((!first || checkFirst) && t.firstOnLine) return;
        } else if (u === "BEGIN") {
          const n = this.peek(1).upper;
          if ((!first || checkFirst) && paren === 0 && block === 0 && t.firstOnLine && n !== "TRY" && n !== "CATCH") {
            // a new BEGIN ... END block starts a new statement
            return;
          }
          if (n !== "TRAN" && n !== "TRANSACTION" && n !== "DISTRIBUTED" && n !== "DIALOG" && n !== "CONVERSATION") block++;
        } else if ((!first || checkFirst) && paren === 0 && block === 0 && t.firstOnLine && STATEMENT_START.has(u) && !except.has(u) && !this.continuesCommand(u)) {
          return;
        }
      }
      this.advance();
      first = false;
    }
  }

  /** `SET (`, `MERGE RANGE`, `SPLIT RANGE` continue ALTER ... statements; they start nothing. */
  private continuesCommand(u: string): boolean {
    const n = this.peek(1);
    if (u === "SET" && n.type === T_OP && n.value === "(") return true;
    if (u === "MERGE" && n.type === T_WORD && n.upper === "RANGE") return true;
    return false;
  }

  private makeCommand(startTok: Token, error: boolean): A.Command {
    const loc = this.locOf(startTok);
    const words: string[] = [];
    for (let i = this.buf.indexOf(startTok); i >= 0 && i < this.buf.length && words.length < 4; i++) {
      const t = this.buf[i]!;
      if (t.type !== T_WORD || t.end > this.prev.end) break;
      words.push(t.upper);
      // CREATE LOGIN, ALTER DATABASE, CREATE OR ALTER <thing>, BEGIN DIALOG ...
      if (!["CREATE", "ALTER", "DROP", "BEGIN", "SET", "ENABLE", "DISABLE", "OR"].includes(t.upper)) break;
      if (t.upper === "ALTER" && words[0] === "CREATE" && words[1] !== "OR") break;
    }
    return {
      kind: "Command",
      keyword: words.join(" ") || this.lx.text.slice(startTok.start, startTok.end).toUpperCase(),
      text: this.lx.text.slice(startTok.start, Math.max(startTok.end, this.prev.end)),
      error,
      loc,
      comments: startTok.comments ?? [],
    };
  }

  /** A statement outside the modelled subset: kept as text with a note. */
  private command(startTok: Token, except: string[] = [], severity: Severity = "note", skipFirst = 1): A.Command {
    for (let i = 0; i < skipFirst; i++) this.advance();
    this.skipToStatementEnd(this.openBlocks > 0, true, new Set(except));
    const c = this.makeCommand(startTok, false);
    this.diag(TSQL.UnsupportedStatement, severity, `${c.keyword} is not modelled; the statement is kept as text`, startTok);
    return c;
  }

  // -------------------------------------------------------------------------------------------
  // Statements
  // -------------------------------------------------------------------------------------------

  private parseStatement(): A.Statement {
    this.enter();
    try {
      return this.parseStatementInner();
    } finally {
      this.leave();
    }
  }

  private parseStatementInner(): A.Statement {
    const t = this.peek();
    // Only the very first statement of a batch may be a procedure name without EXEC.
    const firstInBatch = this.firstInBatch;
    this.firstInBatch = false;
    if (t.type === T_WORD) {
      // label:
      if (this.isOp(":", 1) && !RESERVED.has(t.upper)) {
        this.advance();
        this.advance();
        return { kind: "Label", name: t.value, loc: this.locOf(t), comments: t.comments ?? [] };
      }
      switch (t.upper) {
        case "SELECT":
          return this.parseSelectStatement();
        case "WITH":
          return this.parseWithStatement();
        case "INSERT":
          return this.parseInsert(undefined, t);
        case "UPDATE":
          if (this.isWord("STATISTICS", 1)) return this.command(t);
          return this.parseUpdate(undefined, t);
        case "DELETE":
          return this.parseDelete(undefined, t);
        case "MERGE":
          return this.parseMerge(undefined, t);
        case "TRUNCATE":
          return this.parseTruncate();
        case "BULK":
          if (this.isWord("INSERT", 1)) return this.parseBulkInsert();
          return this.command(t);
        case "CREATE":
        case "ALTER":
          return this.parseCreateOrAlter();
        case "DROP":
          return this.parseDrop();
        case "DECLARE":
          return this.parseDeclare();
        case "SET":
          return this.parseSet();
        case "IF":
          return this.parseIf();
        case "WHILE":
          return this.parseWhile();
        case "BEGIN":
          return this.parseBegin();
        case "BREAK":
          this.advance();
          return { kind: "Break", loc: this.locOf(t), comments: t.comments ?? [] };
        case "CONTINUE":
          this.advance();
          return { kind: "Continue", loc: this.locOf(t), comments: t.comments ?? [] };
        case "THROW":
          return this.parseThrow();
        case "RAISERROR":
          return this.parseRaiserror();
        case "RETURN":
          return this.parseReturn();
        case "PRINT": {
          this.advance();
          const value = this.parseExpr();
          return { kind: "Print", value, loc: this.locOf(t), comments: t.comments ?? [] };
        }
        case "GOTO": {
          this.advance();
          const label = this.ident();
          return { kind: "Goto", label: label.value, loc: this.locOf(t), comments: t.comments ?? [] };
        }
        case "WAITFOR":
          return this.parseWaitfor();
        case "EXEC":
        case "EXECUTE":
          if (this.isWord("AS", 1)) return this.command(t); // EXECUTE AS USER/LOGIN: a security context switch
          return this.parseExec();
        case "COMMIT":
        case "ROLLBACK":
        case "SAVE":
          return this.parseTransaction();
        case "OPEN":
        case "CLOSE":
          if (this.isWord("SYMMETRIC", 1) || this.isWord("MASTER", 1) || this.isWord("ALL", 1)) return this.command(t);
          return this.parseCursorOp();
        case "DEALLOCATE":
          return this.parseCursorOp();
        case "FETCH":
          return this.parseFetch();
        case "USE": {
          this.advance();
          const database = this.ident();
          return { kind: "Use", database, loc: this.locOf(t), comments: t.comments ?? [] };
        }
        case "END":
          if (this.isWord("CONVERSATION", 1)) return this.command(t);
          throw this.error("END without a matching BEGIN");
        case "ELSE":
          throw this.error("ELSE without a matching IF");
      }
      if (ADMIN_COMMANDS.has(t.upper)) {
        if (t.upper === "GRANT" || t.upper === "DENY" || t.upper === "REVOKE") {
          // The permission list (SELECT, INSERT, ALTER, ...) runs up to ON or TO.
          let i = 1;
          while (i < 200) {
            const n = this.peek(i);
            if (n.type === T_EOF || n.type === T_GO || (n.type === T_OP && n.value === ";") || n.upper === "ON" || n.upper === "TO" || n.upper === "FROM") break;
            i++;
          }
          return this.command(t, [], "note", i);
        }
        return this.command(t);
      }
      // A batch may start with a bare procedure name.
      if (firstInBatch && !RESERVED.has(t.upper)) return this.parseExecBody(t, false);
      return this.command(t, [], "warning");
    }
    if (t.type === T_QUOTEDID && firstInBatch) return this.parseExecBody(t, false);
    if (t.type === T_OP && t.value === "(") {
      if (this.isQueryStart(0)) return this.parseSelectStatement();
    }
    throw this.error("expected a statement");
  }

  // --- queries as statements ------------------------------------------------------------------

  private parseSelectStatement(withClause?: A.WithClause, start: Token = this.peek()): A.SelectStatement {
    const query = this.parseQueryExpr();
    return { kind: "SelectStatement", ...(withClause ? { with: withClause } : {}), query, loc: this.locOf(start), comments: start.comments ?? [] };
  }

  private parseWithStatement(): A.Statement {
    const start = this.peek();
    const w = this.parseWith();
    const t = this.peek();
    switch (t.upper) {
      case "SELECT":
        return this.parseSelectStatement(w, start);
      case "INSERT":
        return this.parseInsert(w, start);
      case "UPDATE":
        return this.parseUpdate(w, start);
      case "DELETE":
        return this.parseDelete(w, start);
      case "MERGE":
        return this.parseMerge(w, start);
    }
    if (this.isOp("(")) return this.parseSelectStatement(w, start);
    throw this.error("expected SELECT, INSERT, UPDATE, DELETE or MERGE after WITH");
  }

  private parseWith(): A.WithClause {
    const start = this.expectWord("WITH");
    const ctes: A.Cte[] = [];
    let xmlNamespaces: A.WithClause["xmlNamespaces"];
    if (this.isWord("XMLNAMESPACES")) {
      this.advance();
      this.expectOp("(");
      xmlNamespaces = [];
      do {
        if (this.acceptWord("DEFAULT")) {
          xmlNamespaces.push({ uri: this.parsePrimary(), isDefault: true });
        } else {
          const uri = this.parsePrimary();
          this.expectWord("AS");
          xmlNamespaces.push({ uri, prefix: this.ident(), isDefault: false });
        }
      } while (this.acceptOp(","));
      this.expectOp(")");
      if (!this.acceptOp(",")) return { kind: "With", ctes, xmlNamespaces, loc: this.locOf(start) };
    }
    do {
      const cs = this.peek();
      const name = this.ident();
      const columns = this.isOp("(") ? this.parenIdentList() : [];
      this.expectWord("AS");
      this.expectOp("(");
      const query = this.parseQueryExpr();
      this.expectOp(")");
      ctes.push({ kind: "Cte", name, columns, query, loc: this.locOf(cs) });
    } while (this.acceptOp(","));
    return { kind: "With", ctes, ...(xmlNamespaces ? { xmlNamespaces } : {}), loc: this.locOf(start) };
  }

  /** Whether the tokens at k start a query: SELECT/WITH, possibly after opening parentheses. */
  private isQueryStart(k: number): boolean {
    let i = k;
    while (this.isOp("(", i)) i++;
    const t = this.peek(i);
    return t.type === T_WORD && (t.upper === "SELECT" || (t.upper === "WITH" && i > k));
  }

  parseQueryExpr(): A.QueryExpr {
    this.enter();
    try {
      const start = this.peek();
      const terms: A.QueryExpr[] = [this.parseQueryIntersect()];
      const ops: A.SetOperation["op"][] = [];
      for (;;) {
        let op: A.SetOperation["op"] | undefined;
        if (this.isWord("UNION")) {
          this.advance();
          op = this.acceptWord("ALL") ? "UNION ALL" : "UNION";
        } else if (this.isWord("EXCEPT")) {
          this.advance();
          op = "EXCEPT";
        } else break;
        ops.push(op);
        terms.push(this.parseQueryIntersect());
      }
      let result: A.QueryExpr;
      const sameUnion = ops.length > 64 && (ops[0] === "UNION ALL" || ops[0] === "UNION") && ops.every((o) => o === ops[0]);
      if (sameUnion) {
        // Data scripts chain thousands of `SELECT ... UNION ALL SELECT ...`. UNION [ALL] is associative,
        // so a long run of one of them is built balanced (depth log n) instead of as deep as it is long.
        result = this.balancedUnion(terms, ops[0]!, 0, terms.length);
      } else {
        if (ops.length > MAX_CHAIN) this.chainTooLong();
        result = terms[0]!;
        for (let i = 0; i < ops.length; i++) {
          const right = terms[i + 1]!;
          result = { kind: "SetOperation", op: ops[i]!, left: result, right, orderBy: [], option: [], loc: this.spanLoc(start, right.loc) };
        }
      }
      this.parseQueryTail(result);
      result.loc = this.locOf(start);
      return result;
    } finally {
      this.leave();
    }
  }

  private balancedUnion(terms: A.QueryExpr[], op: A.SetOperation["op"], from: number, to: number): A.QueryExpr {
    if (to - from === 1) return terms[from]!;
    const mid = (from + to) >> 1;
    const left = this.balancedUnion(terms, op, from, mid);
    const right = this.balancedUnion(terms, op, mid, to);
    const loc: A.Loc = { ...left.loc, endLine: right.loc.endLine ?? right.loc.line, end: right.loc.end ?? 0 };
    return { kind: "SetOperation", op, left, right, orderBy: [], option: [], loc };
  }

  /** Location from a start token to the end of a finished node. */
  private spanLoc(start: Token, endLoc: A.Loc): A.Loc {
    const loc = this.locOf(start);
    loc.endLine = endLoc.endLine ?? endLoc.line;
    loc.end = endLoc.end ?? loc.end;
    return loc;
  }

  private parseQueryIntersect(): A.QueryExpr {
    const start = this.peek();
    let left = this.parseQueryTerm();
    while (this.isWord("INTERSECT")) {
      this.advance();
      const right = this.parseQueryTerm();
      left = { kind: "SetOperation", op: "INTERSECT", left, right, orderBy: [], option: [], loc: this.locOf(start) };
    }
    return left;
  }

  private parseQueryTerm(): A.QueryExpr {
    const start = this.peek();
    if (this.isOp("(")) {
      this.advance();
      const query = this.parseQueryExpr();
      this.expectOp(")");
      return { kind: "ParenQuery", query, loc: this.locOf(start) };
    }
    return this.parseSelectCore();
  }

  /** ORDER BY / OFFSET-FETCH / FOR / OPTION after a query (they belong to the whole set operation). */
  private parseQueryTail(q: A.QueryExpr): void {
    if (q.kind === "ParenQuery") {
      if (!this.isWord("ORDER") && !this.isWord("OPTION") && !this.isWord("FOR")) return;
      // `(SELECT ...) ORDER BY x` : wrap nothing, attach to inner select when it is one.
      const inner = q.query;
      if (inner.kind !== "ParenQuery") this.parseQueryTail(inner);
      return;
    }
    if (this.isWord("ORDER") && this.isWord("BY", 1)) {
      this.advance();
      this.advance();
      q.orderBy = this.parseOrderList();
      if (this.isWord("OFFSET")) {
        this.advance();
        q.offset = this.parseExpr();
        if (!this.acceptWord("ROWS")) this.acceptWord("ROW");
        if (this.acceptWord("FETCH")) {
          if (!this.acceptWord("NEXT")) this.expectWord("FIRST");
          q.fetch = this.parseExpr();
          if (!this.acceptWord("ROWS")) this.acceptWord("ROW");
          this.expectWord("ONLY");
        }
      }
    }
    if (this.isWord("FOR") && (this.isWord("XML", 1) || this.isWord("JSON", 1) || this.isWord("BROWSE", 1))) {
      q.for = this.parseForClause();
    }
    if (this.isWord("OPTION") && this.isOp("(", 1)) {
      this.advance();
      q.option = this.parseOptionList();
    }
  }

  private parseForClause(): A.ForClause {
    const start = this.expectWord("FOR");
    const mode = this.advance().upper as A.ForClause["mode"];
    const fc: A.ForClause = { kind: "For", mode, options: [], loc: this.locOf(start) };
    if (mode === "BROWSE") return fc;
    const sub = this.peek();
    if (sub.type === T_WORD && ["RAW", "AUTO", "EXPLICIT", "PATH"].includes(sub.upper)) {
      this.advance();
      fc.submode = sub.upper;
      if (this.isOp("(")) {
        this.advance();
        fc.name = this.advance().value;
        this.expectOp(")");
      }
    }
    while (this.acceptOp(",")) {
      const os = this.peek();
      const w = this.peek();
      if (w.type !== T_WORD) throw this.error("expected a FOR XML/JSON directive");
      this.advance();
      const words: string[] = [w.upper];
      if ((w.upper === "ELEMENTS" && (this.isWord("XSINIL") || this.isWord("ABSENT"))) || (w.upper === "BINARY" && this.isWord("BASE64"))) {
        words.push(this.advance().upper);
      }
      let value: string | undefined;
      if (this.isOp("(")) {
        this.advance();
        value = this.isOp(")") ? "" : this.advance().value;
        this.expectOp(")");
      }
      fc.options.push({ kind: "Option", name: words.join(" "), ...(value !== undefined ? { value } : {}), loc: this.locOf(os) });
    }
    fc.loc = this.locOf(start);
    return fc;
  }

  private parseSelectCore(): A.Select {
    const start = this.expectWord("SELECT");
    const sel: A.Select = { kind: "Select", distinct: false, all: false, columns: [], from: [], orderBy: [], option: [], loc: PENDING_LOC };
    if (this.acceptWord("DISTINCT")) sel.distinct = true;
    else if (this.acceptWord("ALL")) sel.all = true;
    if (this.isWord("TOP")) sel.top = this.parseTop();
    sel.columns = this.parseSelectItems();
    if (this.isWord("INTO")) {
      this.advance();
      sel.into = this.objectName();
      if (this.isWord("ON") && (this.peek(1).type === T_WORD || this.peek(1).type === T_QUOTEDID)) {
        this.advance();
        sel.intoFileGroup = this.ident();
      }
    }
    if (this.acceptWord("FROM")) sel.from = this.parseFromList();
    if (this.acceptWord("WHERE")) sel.where = this.parseExpr();
    if (this.isWord("GROUP") && this.isWord("BY", 1)) sel.groupBy = this.parseGroupBy();
    if (this.acceptWord("HAVING")) sel.having = this.parseExpr();
    if (this.isWord("WINDOW") && (this.peek(1).type === T_WORD || this.peek(1).type === T_QUOTEDID) && this.isWord("AS", 2)) {
      this.advance();
      sel.windows = [];
      do {
        const name = this.ident();
        const as = this.expectWord("AS");
        sel.windows.push({ name, spec: this.parseOverBody(as) });
      } while (this.acceptOp(","));
    }
    sel.loc = this.locOf(start);
    return sel;
  }

  private parseTop(): A.Top {
    const start = this.expectWord("TOP");
    let expr: A.Expr;
    if (this.isOp("(")) {
      const ps = this.advance();
      const inner = this.parseExpr();
      this.expectOp(")");
      expr = { kind: "Paren", expr: inner, loc: this.locOf(ps) };
    } else expr = this.parsePrimary();
    const percent = this.acceptWord("PERCENT");
    const withTies = this.acceptWords("WITH", "TIES");
    return { kind: "Top", expr, percent, withTies, loc: this.locOf(start) };
  }

  private parseSelectItems(): (A.SelectItem | A.SelectAssign)[] {
    const items: (A.SelectItem | A.SelectAssign)[] = [];
    do items.push(this.parseSelectItem());
    while (this.acceptOp(","));
    return items;
  }

  private parseSelectItem(): A.SelectItem | A.SelectAssign {
    const start = this.peek();
    // @v = expr
    if (start.type === T_VARIABLE && this.peek(1).type === T_OP && ASSIGN_OPS.has(this.peek(1).value)) {
      this.advance();
      const op = this.advance().value as A.AssignOp;
      const expr = this.parseExpr();
      const variable: A.Variable = { kind: "Variable", name: start.value, global: false, loc: this.locOf(start, start) };
      return { kind: "SelectAssign", variable, op, expr, loc: this.locOf(start) };
    }
    // alias = expr
    if (
      (start.type === T_QUOTEDID || start.type === T_STRING || (start.type === T_WORD && !RESERVED.has(start.upper))) &&
      this.isOp("=", 1)
    ) {
      this.advance();
      this.advance();
      const expr = this.parseExpr();
      const alias = this.identFromToken(start);
      // 'Total Due' = expr is the same as expr AS 'Total Due'.
      return { kind: "SelectItem", expr, alias, aliasStyle: start.type === T_STRING ? "string" : "equals", loc: this.locOf(start) };
    }
    const expr = this.parseExpr();
    const item: A.SelectItem = { kind: "SelectItem", expr, loc: PENDING_LOC };
    if (this.acceptWord("AS")) {
      const a = this.peek();
      if (a.type === T_STRING || a.type === T_NSTRING) {
        this.advance();
        item.alias = this.identFromToken(a);
        item.aliasStyle = "string";
      } else {
        item.alias = this.ident();
        item.aliasStyle = "as";
      }
    } else {
      const a = this.peek();
      if (this.canBeBareAlias(a)) {
        this.advance();
        item.alias = this.identFromToken(a);
        item.aliasStyle = "bare";
      } else if (a.type === T_STRING) {
        this.advance();
        item.alias = this.identFromToken(a);
        item.aliasStyle = "string";
      }
    }
    item.loc = this.locOf(start);
    return item;
  }

  private parseGroupBy(): A.GroupBy {
    const start = this.advance();
    this.advance();
    const gb: A.GroupBy = { kind: "GroupBy", all: this.acceptWord("ALL"), items: [], loc: PENDING_LOC };
    do {
      const t = this.peek();
      if ((t.upper === "ROLLUP" || t.upper === "CUBE") && this.isOp("(", 1)) {
        this.advance();
        gb.items.push({ kind: "GroupingSets", type: t.upper, sets: this.parseGroupingSetList(), loc: this.locOf(t) });
      } else if (t.upper === "GROUPING" && this.isWord("SETS", 1)) {
        this.advance();
        this.advance();
        gb.items.push({ kind: "GroupingSets", type: "GROUPING SETS", sets: this.parseGroupingSetList(), loc: this.locOf(t) });
      } else if (this.isOp("(") && this.isOp(")", 1)) {
        this.advance();
        this.advance();
        gb.items.push({ kind: "GroupingSets", type: "GROUPING SETS", sets: [[]], loc: this.locOf(t) });
      } else gb.items.push(this.parseExpr());
    } while (this.acceptOp(","));
    if (this.isWord("WITH") && (this.isWord("ROLLUP", 1) || this.isWord("CUBE", 1))) {
      this.advance();
      gb.with = this.advance().upper as "ROLLUP" | "CUBE";
    }
    gb.loc = this.locOf(start);
    return gb;
  }

  private parseGroupingSetList(): A.Expr[][] {
    this.expectOp("(");
    const sets: A.Expr[][] = [];
    do {
      if (this.isOp("(")) {
        // A parenthesised set (possibly empty or a single parenthesised expression).
        const save = this.p;
        this.advance();
        if (this.acceptOp(")")) {
          sets.push([]);
          continue;
        }
        const list: A.Expr[] = [];
        do list.push(this.parseExpr());
        while (this.acceptOp(","));
        if (this.acceptOp(")") && (this.isOp(",") || this.isOp(")"))) {
          sets.push(list);
          continue;
        }
        this.p = save;
        sets.push([this.parseExpr()]);
      } else if ((this.isWord("ROLLUP") || this.isWord("CUBE")) && this.isOp("(", 1)) {
        const t = this.advance();
        const inner = this.parseGroupingSetList();
        void t;
        sets.push(inner.flat());
      } else sets.push([this.parseExpr()]);
    } while (this.acceptOp(","));
    this.expectOp(")");
    return sets;
  }

  private parseOrderList(): A.OrderItem[] {
    const items: A.OrderItem[] = [];
    do {
      const start = this.peek();
      const expr = this.parseExpr();
      const item: A.OrderItem = { kind: "OrderItem", expr, loc: PENDING_LOC };
      if (this.acceptWord("ASC")) item.direction = "ASC";
      else if (this.acceptWord("DESC")) item.direction = "DESC";
      item.loc = this.locOf(start);
      items.push(item);
    } while (this.acceptOp(","));
    return items;
  }

  // --- FROM -------------------------------------------------------------------------------------

  private parseFromList(): A.TableSource[] {
    const list: A.TableSource[] = [];
    do list.push(this.parseJoinedTable());
    while (this.acceptOp(","));
    return list;
  }

  private parseJoinedTable(): A.TableSource {
    const start = this.peek();
    let left = this.parseTablePrimary();
    for (;;) {
      const t = this.peek();
      if (t.type !== T_WORD) break;
      let joinType: A.Join["joinType"] | undefined;
      let hint: string | undefined;
      const u = t.upper;
      if (u === "JOIN") {
        this.advance();
        joinType = "INNER";
      } else if (u === "INNER" || u === "LEFT" || u === "RIGHT" || u === "FULL") {
        if (u !== "INNER" && !(this.isWord("JOIN", 1) || this.isWord("OUTER", 1) || this.isJoinHint(1))) break;
        this.advance();
        if (u !== "INNER") this.acceptWord("OUTER");
        if (this.isJoinHint(0)) hint = this.advance().upper;
        this.expectWord("JOIN");
        joinType = u as A.Join["joinType"];
      } else if (u === "CROSS") {
        this.advance();
        if (this.acceptWord("APPLY")) joinType = "CROSS APPLY";
        else {
          this.expectWord("JOIN");
          joinType = "CROSS";
        }
      } else if (u === "OUTER" && this.isWord("APPLY", 1)) {
        this.advance();
        this.advance();
        joinType = "OUTER APPLY";
      } else if (u === "PIVOT" && this.isOp("(", 1)) {
        left = this.parsePivot(left, start);
        continue;
      } else if (u === "UNPIVOT" && this.isOp("(", 1)) {
        left = this.parseUnpivot(left, start);
        continue;
      } else if (this.isJoinHint(0) && this.isWord("JOIN", 1)) {
        hint = this.advance().upper;
        this.advance();
        joinType = "INNER";
      } else break;
      const right = joinType === "CROSS APPLY" || joinType === "OUTER APPLY" ? this.parseTablePrimary() : this.parseJoinRight();
      const join: A.Join = { kind: "Join", joinType, left, right, loc: PENDING_LOC };
      if (hint) join.hint = hint;
      if (joinType !== "CROSS" && joinType !== "CROSS APPLY" && joinType !== "OUTER APPLY") {
        this.expectWord("ON");
        join.on = this.parseExpr();
      }
      join.loc = this.locOf(start);
      left = join;
    }
    return left;
  }

  /** The right side of a JOIN: a table, or a nested `a JOIN b ON ...` chain (old-style nesting). */
  private parseJoinRight(): A.TableSource {
    const start = this.peek();
    let right = this.parseTablePrimary();
    // t1 JOIN t2 JOIN t3 ON x ON y : the inner join binds first.
    while (this.isWord("JOIN") || ((this.isWord("INNER") || this.isWord("LEFT") || this.isWord("RIGHT") || this.isWord("FULL")) && !this.isWord("ON"))) {
      const save = this.p;
      const inner = this.tryNestedJoin(right, start);
      if (!inner) {
        this.p = save;
        break;
      }
      right = inner;
    }
    return right;
  }

  private tryNestedJoin(left: A.TableSource, start: Token): A.Join | undefined {
    // Only when the chain ends with two ONs; otherwise leave it to the outer loop.
    let depth = 0;
    let joins = 0;
    let ons = 0;
    for (let i = 0; i < 4000; i++) {
      const t = this.peek(i);
      if (t.type === T_EOF || t.type === T_GO) break;
      if (t.type === T_OP && t.value === "(") depth++;
      else if (t.type === T_OP && t.value === ")") {
        if (--depth < 0) break;
      } else if (depth === 0 && t.type === T_WORD) {
        if (t.upper === "JOIN") joins++;
        else if (t.upper === "ON") {
          ons++;
          if (ons > joins) break;
        } else if (t.upper === "WHERE" || t.upper === "GROUP" || t.upper === "ORDER" || STATEMENT_START.has(t.upper)) break;
      }
    }
    if (ons <= joins) return undefined;
    let joinType: A.Join["joinType"] = "INNER";
    const u = this.peek().upper;
    if (u !== "JOIN") {
      this.advance();
      if (u !== "INNER") this.acceptWord("OUTER");
      joinType = u as A.Join["joinType"];
    }
    this.expectWord("JOIN");
    const right = this.parseJoinRight();
    this.expectWord("ON");
    const on = this.parseExpr();
    return { kind: "Join", joinType, left, right, on, loc: this.locOf(start) };
  }

  private isJoinHint(k: number): boolean {
    const t = this.peek(k);
    return t.type === T_WORD && (t.upper === "LOOP" || t.upper === "HASH" || t.upper === "MERGE" || t.upper === "REMOTE") && this.isWord("JOIN", k + 1);
  }

  private parsePivot(source: A.TableSource, start: Token): A.Pivot {
    this.advance();
    this.expectOp("(");
    const agg = this.parsePrimary();
    if (agg.kind !== "FunctionCall") throw this.error("expected an aggregate in PIVOT");
    this.expectWord("FOR");
    const column = this.parsePrimary();
    if (column.kind !== "ColumnRef") throw this.error("expected a column in PIVOT ... FOR");
    this.expectWord("IN");
    const values = this.parenIdentList(true);
    this.expectOp(")");
    const pv: A.Pivot = { kind: "Pivot", source, aggregate: agg, column, values, loc: PENDING_LOC };
    const alias = this.parseAlias();
    if (alias) pv.alias = alias;
    pv.loc = this.locOf(start);
    return pv;
  }

  private parseUnpivot(source: A.TableSource, start: Token): A.Unpivot {
    this.advance();
    this.expectOp("(");
    const valueColumn = this.ident();
    this.expectWord("FOR");
    const forColumn = this.ident();
    this.expectWord("IN");
    const columns = this.parenIdentList();
    this.expectOp(")");
    const up: A.Unpivot = { kind: "Unpivot", source, valueColumn, forColumn, columns, loc: PENDING_LOC };
    const alias = this.parseAlias();
    if (alias) up.alias = alias;
    up.loc = this.locOf(start);
    return up;
  }

  private parseAlias(): A.Identifier | undefined {
    if (this.acceptWord("AS")) {
      const a = this.peek();
      if (a.type === T_STRING || a.type === T_NSTRING) {
        this.advance();
        return this.identFromToken(a);
      }
      return this.ident();
    }
    const a = this.peek();
    if (this.canBeBareAlias(a)) {
      this.advance();
      return this.identFromToken(a);
    }
    return undefined;
  }

  /** A word that may serve as an alias without AS (not a keyword that starts a clause, not a `label:`). */
  private canBeBareAlias(a: Token): boolean {
    if (a.type === T_QUOTEDID) return !this.isOp(":", 1);
    return a.type === T_WORD && !RESERVED.has(a.upper) && !NOT_ALIAS.has(a.upper) && !this.isOp(":", 1);
  }

  private parseTablePrimary(): A.TableSource {
    this.enter();
    try {
      return this.parseTablePrimaryInner();
    } finally {
      this.leave();
    }
  }

  private parseTablePrimaryInner(): A.TableSource {
    const start = this.peek();
    if (this.isOp("(")) {
      if (this.isQueryStart(1)) {
        // `((SELECT ...) x)` is a parenthesised table holding a derived table: try the derived table
        // first and fall back when the parentheses do not close where a query would.
        const save = this.p;
        try {
          this.advance();
          const query = this.parseQueryExpr();
          this.expectOp(")");
          const dt: A.DerivedTable = { kind: "DerivedTable", query, columns: [], loc: PENDING_LOC };
          const alias = this.parseAlias();
          if (alias) dt.alias = alias;
          if (this.isOp("(")) dt.columns = this.parenIdentList();
          dt.loc = this.locOf(start);
          return dt;
        } catch (e) {
          if (!(e instanceof ParseError) || !this.isOp("(", save - this.p + 1)) throw e;
          this.p = save;
        }
      }
      const dml = this.peek(1);
      if (dml.type === T_WORD && (dml.upper === "MERGE" || dml.upper === "INSERT" || dml.upper === "UPDATE" || dml.upper === "DELETE")) {
        // Composable DML: INSERT ... SELECT ... FROM (MERGE ... OUTPUT ...) AS x
        this.advance();
        const st = this.parseStatement();
        this.expectOp(")");
        if (st.kind !== "Merge" && st.kind !== "Insert" && st.kind !== "Update" && st.kind !== "Delete") throw this.error("expected a DML statement");
        const dt: A.DmlTable = { kind: "DmlTable", statement: st, columns: [], loc: PENDING_LOC };
        const alias = this.parseAlias();
        if (alias) dt.alias = alias;
        if (this.isOp("(")) dt.columns = this.parenIdentList();
        dt.loc = this.locOf(start);
        return dt;
      }
      if (this.isWord("VALUES", 1)) {
        this.advance();
        this.advance();
        const rows = this.parseValuesRows();
        this.expectOp(")");
        const vt: A.ValuesTable = { kind: "ValuesTable", rows, columns: [], loc: PENDING_LOC };
        const alias = this.parseAlias();
        if (alias) vt.alias = alias;
        if (this.isOp("(")) vt.columns = this.parenIdentList();
        vt.loc = this.locOf(start);
        return vt;
      }
      this.advance();
      const inner = this.parseJoinedTable();
      this.expectOp(")");
      return inner;
    }
    if (start.type === T_VARIABLE) {
      this.advance();
      const variable: A.Variable = { kind: "Variable", name: start.value, global: false, loc: this.locOf(start) };
      if (this.isOp(".") && this.isOp("(", 2)) {
        this.advance();
        const method = this.ident();
        const args = this.parseCallArgs();
        const call: A.MethodCall = { kind: "MethodCall", target: variable, method, args, loc: this.locOf(start) };
        return this.finishTableFunction(call, start);
      }
      const vt: A.VariableTableRef = { kind: "VariableTableRef", variable, loc: PENDING_LOC };
      const alias = this.parseAlias();
      if (alias) vt.alias = alias;
      this.parseTableHints();
      vt.loc = this.locOf(start);
      return vt;
    }
    if (start.type === T_OP && start.value === "::") {
      // SQL 2000 syntax for system table functions: ::fn_helpcollations()
      this.advance();
      const name = this.objectName();
      return this.finishTableFunction(this.parseFunctionRest(name, start), start);
    }
    if (start.type === T_WORD || start.type === T_QUOTEDID || (start.type === T_PSEUDO && start.value.startsWith("$("))) {
      const name = this.objectName();
      if (this.isOp("(")) {
        // t.c.nodes('...') : an XML method on a column.
        if (name.partCount >= 2 && KNOWN_METHODS.has(name.name.value.toLowerCase()) && name.name.quote === "none") {
          const target = this.columnFromName(name, true);
          const args = this.parseCallArgs();
          const call: A.MethodCall = { kind: "MethodCall", target, method: name.name, args, loc: this.locOf(start) };
          return this.finishTableFunction(call, start);
        }
        const call = this.parseFunctionRest(name, start);
        return this.finishTableFunction(call, start);
      }
      const ref: A.TableRef = { kind: "TableRef", name, hints: [], loc: PENDING_LOC };
      if (this.isWord("FOR") && this.isWord("SYSTEM_TIME", 1)) ref.forSystemTime = this.parseForSystemTime();
      if (this.isWord("TABLESAMPLE")) {
        const ts = this.advance();
        const s = this.p;
        if (this.acceptWord("SYSTEM")) void s;
        this.skipParens();
        if (this.acceptWord("REPEATABLE")) this.skipParens();
        ref.tablesample = this.lx.text.slice(ts.start, this.prev.end);
      }
      const alias = this.parseAlias();
      if (alias) ref.alias = alias;
      ref.hints = this.parseTableHints();
      ref.loc = this.locOf(start);
      return ref;
    }
    throw this.error("expected a table");
  }

  private finishTableFunction(call: A.FunctionCall | A.MethodCall, start: Token): A.TableFunction {
    const tf: A.TableFunction = { kind: "TableFunction", call, columns: [], loc: PENDING_LOC };
    if (this.isWord("WITH") && this.isOp("(", 1) && call.kind === "FunctionCall" && (call.upperName === "OPENJSON" || call.upperName === "OPENXML" || call.upperName === "OPENROWSET" || call.upperName === "PREDICT")) {
      this.advance();
      this.advance();
      tf.withSchema = [];
      do {
        const name = this.ident();
        const type = this.parseDataType();
        const col: { name: A.Identifier; type: A.DataType; path?: string; asJson: boolean } = { name, type, asJson: false };
        if (this.acceptWord("COLLATE")) this.advance(); // OPENROWSET(BULK ...) WITH (c varchar(10) COLLATE x ...)
        const pt = this.peek();
        if (pt.type === T_STRING || pt.type === T_NSTRING || pt.type === T_INTEGER) {
          this.advance();
          col.path = pt.value;
        }
        if (this.acceptWords("AS", "JSON")) col.asJson = true;
        tf.withSchema.push(col);
      } while (this.acceptOp(","));
      this.expectOp(")");
    }
    const alias = this.parseAlias();
    if (alias) tf.alias = alias;
    if (this.isOp("(")) tf.columns = this.parenIdentList();
    this.parseTableHints();
    tf.loc = this.locOf(start);
    return tf;
  }

  private parseForSystemTime(): A.TemporalClause {
    const start = this.advance();
    this.advance();
    const tc: A.TemporalClause = { kind: "ForSystemTime", type: "ALL", args: [], loc: PENDING_LOC };
    if (this.acceptWords("AS", "OF")) {
      tc.type = "AS OF";
      tc.args = [this.parseAdditive()];
    } else if (this.acceptWord("FROM")) {
      tc.type = "FROM";
      const a = this.parseAdditive();
      this.expectWord("TO");
      tc.args = [a, this.parseAdditive()];
    } else if (this.acceptWord("BETWEEN")) {
      tc.type = "BETWEEN";
      const a = this.parseAdditive();
      this.expectWord("AND");
      tc.args = [a, this.parseAdditive()];
    } else if (this.acceptWords("CONTAINED", "IN")) {
      tc.type = "CONTAINED IN";
      this.expectOp("(");
      const a = this.parseExpr();
      this.expectOp(",");
      const b = this.parseExpr();
      this.expectOp(")");
      tc.args = [a, b];
    } else this.expectWord("ALL");
    tc.loc = this.locOf(start);
    return tc;
  }

  private static readonly HINT_WORDS = new Set(
    "NOLOCK READUNCOMMITTED UPDLOCK REPEATABLEREAD SERIALIZABLE READCOMMITTED TABLOCK TABLOCKX PAGLOCK ROWLOCK NOWAIT READPAST XLOCK SNAPSHOT NOEXPAND INDEX FORCESEEK FORCESCAN HOLDLOCK KEEPIDENTITY KEEPDEFAULTS IGNORE_CONSTRAINTS IGNORE_TRIGGERS READCOMMITTEDLOCK SPATIAL_WINDOW_MAX_CELLS FASTFIRSTROW".split(" "),
  );

  /** WITH (NOLOCK, INDEX(ix)) or the legacy `(NOLOCK)` after a table. */
  private parseTableHints(): A.TableHint[] {
    const hints: A.TableHint[] = [];
    let legacy = false;
    if (this.isWord("WITH") && this.isOp("(", 1)) {
      this.advance();
    } else if (this.isOp("(") && this.peek(1).type === T_WORD && Parser.HINT_WORDS.has(this.peek(1).upper)) {
      legacy = true;
    } else return hints;
    void legacy;
    this.expectOp("(");
    for (;;) {
      const ht = this.peek();
      if (ht.type !== T_WORD) throw this.error("expected a table hint");
      this.advance();
      const hint: A.TableHint = { kind: "TableHint", name: ht.upper, args: [], loc: PENDING_LOC };
      if (this.isOp("(")) {
        this.advance();
        if (!this.isOp(")")) {
          do hint.args.push(this.parseExpr());
          while (this.acceptOp(","));
        }
        this.expectOp(")");
      } else if (this.acceptOp("=")) {
        hint.args.push(this.parseExpr());
      }
      hint.loc = this.locOf(ht);
      hints.push(hint);
      if (this.acceptOp(",")) continue;
      if (this.isOp(")")) break;
      if (this.peek().type === T_WORD) continue; // space-separated legacy list
      break;
    }
    this.expectOp(")");
    return hints;
  }

  private parseValuesRows(): A.Expr[][] {
    const rows: A.Expr[][] = [];
    do {
      this.expectOp("(");
      const row: A.Expr[] = [];
      if (!this.isOp(")")) {
        do row.push(this.parseExpr());
        while (this.acceptOp(","));
      }
      this.expectOp(")");
      rows.push(row);
    } while (this.acceptOp(","));
    return rows;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  parseExpr(): A.Expr {
    this.enter();
    try {
      return this.parseOr();
    } finally {
      this.leave();
    }
  }

  private parseOr(): A.Expr {
    const start = this.peek();
    let left = this.parseAnd();
    let n = 0;
    while (this.isWord("OR")) {
      if (++n > MAX_CHAIN) this.chainTooLong();
      this.advance();
      const right = this.parseAnd();
      left = { kind: "Binary", op: "OR", left, right, loc: this.locOf(start) };
    }
    return left;
  }

  private parseAnd(): A.Expr {
    const start = this.peek();
    let left = this.parseNot();
    let n = 0;
    while (this.isWord("AND")) {
      if (++n > MAX_CHAIN) this.chainTooLong();
      this.advance();
      const right = this.parseNot();
      left = { kind: "Binary", op: "AND", left, right, loc: this.locOf(start) };
    }
    return left;
  }

  private parseNot(): A.Expr {
    if (this.isWord("NOT")) {
      const start = this.advance();
      this.enter();
      try {
        const operand = this.parseNot();
        return { kind: "Unary", op: "NOT", operand, loc: this.locOf(start) };
      } finally {
        this.leave();
      }
    }
    return this.parsePredicate();
  }

  private parsePredicate(): A.Expr {
    const start = this.peek();
    const left = this.parseAdditive();
    const t = this.peek();
    if (t.type === T_OP && (COMPARISON.has(t.value) || t.value === "!")) {
      this.advance();
      let op = t.value as A.BinaryOp;
      // `> =`, `< =`, `! =` written with a space are accepted by SQL Server.
      const n = this.peek();
      if (n.type === T_OP && n.start === t.end + (n.start - t.end) && (t.value === ">" || t.value === "<" || t.value === "!") && (n.value === "=" || (t.value === "<" && n.value === ">") || (t.value === "!" && (n.value === "<" || n.value === ">")))) {
        this.advance();
        op = (t.value + n.value) as A.BinaryOp;
      } else if (t.value === "!") throw this.error("expected a comparison", t);
      const q = this.peek();
      if (q.type === T_WORD && (q.upper === "ALL" || q.upper === "ANY" || q.upper === "SOME") && this.isOp("(", 1)) {
        this.advance();
        this.advance();
        const query = this.parseQueryExpr();
        this.expectOp(")");
        const right: A.Quantified = { kind: "Quantified", quantifier: q.upper as "ALL" | "ANY" | "SOME", query, loc: this.locOf(q) };
        return { kind: "Binary", op, left, right, loc: this.locOf(start) };
      }
      const right = this.parseAdditive();
      return { kind: "Binary", op, left, right, loc: this.locOf(start) };
    }
    if (t.type !== T_WORD) return left;
    let not = false;
    let u = t.upper;
    if (u === "NOT") {
      const n = this.peek(1);
      if (n.type !== T_WORD || (n.upper !== "BETWEEN" && n.upper !== "IN" && n.upper !== "LIKE")) return left;
      this.advance();
      not = true;
      u = n.upper;
    }
    switch (u) {
      case "IS": {
        this.advance();
        const isNot = this.acceptWord("NOT");
        this.expectWord("NULL");
        return { kind: "IsNull", expr: left, not: isNot, loc: this.locOf(start) };
      }
      case "BETWEEN": {
        this.advance();
        const low = this.parseAdditive();
        this.expectWord("AND");
        const high = this.parseAdditive();
        return { kind: "Between", expr: left, low, high, not, loc: this.locOf(start) };
      }
      case "IN": {
        this.advance();
        this.expectOp("(");
        if (this.isQueryStart(0)) {
          const query = this.parseQueryExpr();
          this.expectOp(")");
          return { kind: "InSubquery", expr: left, query, not, loc: this.locOf(start) };
        }
        const list: A.Expr[] = [];
        do list.push(this.parseExpr());
        while (this.acceptOp(","));
        this.expectOp(")");
        return { kind: "InList", expr: left, list, not, loc: this.locOf(start) };
      }
      case "LIKE": {
        this.advance();
        const pattern = this.parseAdditive();
        const like: A.Like = { kind: "Like", expr: left, pattern, not, loc: PENDING_LOC };
        if (this.acceptWord("ESCAPE")) like.escape = this.parseAdditive();
        like.loc = this.locOf(start);
        return like;
      }
    }
    return left;
  }

  parseAdditive(): A.Expr {
    const start = this.peek();
    let left = this.parseMultiplicative();
    let n = 0;
    for (;;) {
      const t = this.peek();
      if (t.type !== T_OP) break;
      const v = t.value;
      if (v !== "+" && v !== "-" && v !== "&" && v !== "|" && v !== "^" && v !== "||") break;
      if (++n > MAX_CHAIN) this.chainTooLong();
      this.advance();
      const right = this.parseMultiplicative();
      left = { kind: "Binary", op: v, left, right, loc: this.locOf(start) };
    }
    return left;
  }

  private parseMultiplicative(): A.Expr {
    const start = this.peek();
    let left = this.parseUnary();
    let n = 0;
    for (;;) {
      const t = this.peek();
      if (t.type !== T_OP) break;
      const v = t.value;
      if (v !== "*" && v !== "/" && v !== "%") break;
      if (++n > MAX_CHAIN) this.chainTooLong();
      this.advance();
      const right = this.parseUnary();
      left = { kind: "Binary", op: v, left, right, loc: this.locOf(start) };
    }
    return left;
  }

  private parseUnary(): A.Expr {
    const t = this.peek();
    if (t.type === T_OP && (t.value === "-" || t.value === "+" || t.value === "~")) {
      this.advance();
      this.enter();
      try {
        const operand = this.parseUnary();
        return { kind: "Unary", op: t.value as A.UnaryOp, operand, loc: this.locOf(t) };
      } finally {
        this.leave();
      }
    }
    return this.parsePostfix();
  }

  private parsePostfix(): A.Expr {
    const start = this.peek();
    let e = this.parsePrimary();
    for (;;) {
      if (this.isWord("COLLATE")) {
        this.advance();
        const c = this.advance();
        e = { kind: "Collate", expr: e, collation: c.value, loc: this.locOf(start) };
      } else if (this.isWord("AT") && this.isWord("TIME", 1) && this.isWord("ZONE", 2)) {
        this.advance();
        this.advance();
        this.advance();
        const zone = this.parsePrimary();
        e = { kind: "AtTimeZone", expr: e, zone, loc: this.locOf(start) };
      } else if (this.isOp(".") && (this.peek(1).type === T_WORD || this.peek(1).type === T_QUOTEDID) && this.isOp("(", 2)) {
        this.advance();
        const method = this.ident();
        const args = this.parseCallArgs();
        e = { kind: "MethodCall", target: e, method, args, loc: this.locOf(start) };
      } else break;
    }
    return e;
  }

  parsePrimary(): A.Expr {
    const t = this.peek();
    switch (t.type) {
      case T_STRING:
      case T_NSTRING:
      case T_INTEGER:
      case T_DECIMAL:
      case T_FLOAT:
      case T_MONEY:
      case T_BINARY:
        this.advance();
        return { kind: "Literal", literalType: LITERAL_TYPES[t.type]!, value: t.value, loc: this.locOf(t) };
      case T_VARIABLE:
      case T_GLOBALVARIABLE:
        this.advance();
        return { kind: "Variable", name: t.value, global: t.type === T_GLOBALVARIABLE, loc: this.locOf(t) };
      case T_PSEUDO:
        this.advance();
        return { kind: "PseudoColumn", name: t.upper, loc: this.locOf(t) };
      case T_OP:
        if (t.value === "(") {
          if (this.isQueryStart(1) && !this.isOp("(", 1)) {
            this.advance();
            const query = this.parseQueryExpr();
            this.expectOp(")");
            return { kind: "Subquery", query, loc: this.locOf(t) };
          }
          if (this.isQueryStart(1)) {
            // ((SELECT ...) UNION (SELECT ...)) or ((SELECT 1)) + 1: try a query first.
            const save = this.p;
            try {
              this.advance();
              const query = this.parseQueryExpr();
              this.expectOp(")");
              if (query.kind !== "ParenQuery") return { kind: "Subquery", query, loc: this.locOf(t) };
            } catch (e) {
              if (!(e instanceof ParseError)) throw e;
            }
            this.p = save;
          }
          this.advance();
          const inner = this.parseExpr();
          this.expectOp(")");
          return { kind: "Paren", expr: inner, loc: this.locOf(t) };
        }
        if (t.value === "*") {
          this.advance();
          return { kind: "Star", loc: this.locOf(t) };
        }
        if (t.value === "{") return this.parseOdbcEscape();
        break;
      case T_WORD:
      case T_QUOTEDID:
        return this.parseNameExpr();
    }
    throw this.error("expected an expression");
  }

  private parseOdbcEscape(): A.Expr {
    // {fn name(args)} / {d '...'} / {ts '...'}: the inner call or literal.
    const start = this.advance();
    const w = this.peek();
    let e: A.Expr;
    if (w.type === T_WORD && w.upper === "FN") {
      this.advance();
      e = this.parseExpr();
    } else {
      this.advance();
      e = this.parsePrimary();
    }
    this.expectOp("}");
    e.loc = this.locOf(start);
    return e;
  }

  private parseNameExpr(): A.Expr {
    const t = this.peek();
    if (t.type === T_WORD) {
      const u = t.upper;
      if (RESERVED.has(u) && !EXPR_KEYWORDS.has(u)) throw this.error("expected an expression");
      switch (u) {
        case "NULL":
          this.advance();
          return { kind: "Literal", literalType: "null", value: "NULL", loc: this.locOf(t) };
        case "CASE":
          return this.parseCase();
        case "EXISTS": {
          this.advance();
          this.expectOp("(");
          const query = this.parseQueryExpr();
          this.expectOp(")");
          return { kind: "Exists", query, loc: this.locOf(t) };
        }
        case "CAST":
        case "TRY_CAST":
          if (this.isOp("(", 1)) return this.parseCast(u);
          break;
        case "CONVERT":
        case "TRY_CONVERT":
          if (this.isOp("(", 1)) return this.parseConvert(u);
          break;
        case "PARSE":
        case "TRY_PARSE":
          if (this.isOp("(", 1)) return this.parseParse(u);
          break;
        case "IIF":
          if (this.isOp("(", 1)) {
            this.advance();
            this.advance();
            const condition = this.parseExpr();
            this.expectOp(",");
            const a = this.parseExpr();
            this.expectOp(",");
            const b = this.parseExpr();
            this.expectOp(")");
            return { kind: "Iif", condition, then: a, else: b, loc: this.locOf(t) };
          }
          break;
        case "NEXT":
          if (this.isWord("VALUE", 1) && this.isWord("FOR", 2)) {
            this.advance();
            this.advance();
            this.advance();
            const sequence = this.objectName();
            const nv: A.NextValueFor = { kind: "NextValueFor", sequence, loc: PENDING_LOC };
            if (this.isWord("OVER")) nv.over = this.parseOver();
            nv.loc = this.locOf(t);
            return nv;
          }
          break;
        case "DEFAULT":
          this.advance();
          return { kind: "DefaultValue", loc: this.locOf(t) };
        case "NOT":
          throw this.error("expected an expression");
      }
      if (NILADIC.has(u) && !this.isOp("(", 1) && !this.isOp(".", 1)) {
        this.advance();
        const name = this.objectNameFromParts([t]);
        return { kind: "FunctionCall", name, upperName: u, args: [], distinct: false, parens: false, loc: this.locOf(t) };
      }
    }
    const name = this.objectName();
    if (this.isOp("(")) {
      if (name.partCount >= 2 && name.name.quote === "none" && KNOWN_METHODS.has(name.name.value.toLowerCase()) && !this.looksLikeSchemaFunction(name)) {
        const target = this.columnFromName(name, true);
        const args = this.parseCallArgs();
        return { kind: "MethodCall", target, method: name.name, args, loc: this.locOf(t) };
      }
      return this.parseFunctionRest(name, t);
    }
    if (this.isOp("::")) {
      this.advance();
      const method = this.ident();
      const sm: A.StaticMethodCall = { kind: "StaticMethodCall", type: name, method, args: [], parens: false, loc: PENDING_LOC };
      if (this.isOp("(")) {
        sm.args = this.parseCallArgs();
        sm.parens = true;
      }
      sm.loc = this.locOf(t);
      return sm;
    }
    if (this.isOp(".") && this.isOp("*", 1)) {
      this.advance();
      this.advance();
      return { kind: "Star", table: name, loc: this.locOf(t) };
    }
    return this.columnFromName(name, false);
  }

  /** dbo.value(...) is a function; t.col.value(...) / col.value(...) are methods. Schema names are usually short known ones. */
  private looksLikeSchemaFunction(name: A.ObjectName): boolean {
    return name.partCount === 2 && name.schema !== undefined && name.schema.value.toLowerCase() === "dbo";
  }

  /** Turns a parsed dotted name into a column reference (last part = column). */
  private columnFromName(name: A.ObjectName, dropLast: boolean): A.ColumnRef {
    const parts = [name.server, name.database, name.schema, name.name].filter((p): p is A.Identifier => p !== undefined);
    if (dropLast) parts.pop();
    const col = parts.pop()!;
    const ref: A.ColumnRef = { kind: "ColumnRef", name: col, loc: dropLast ? { ...name.loc, end: col.loc.end, endLine: col.loc.endLine } : name.loc };
    if (parts.length) ref.table = this.objectNameFromIdents(parts, name.loc, col.loc);
    return ref;
  }

  private objectNameFromIdents(parts: A.Identifier[], loc: A.Loc, endBefore: A.Loc): A.ObjectName {
    const n = parts.length;
    const on: A.ObjectName = { kind: "ObjectName", name: parts[n - 1]!, partCount: n, loc: { ...loc, end: parts[n - 1]!.loc.end, endLine: parts[n - 1]!.loc.endLine } };
    void endBefore;
    if (n >= 2) on.schema = parts[n - 2]!;
    if (n >= 3) on.database = parts[n - 3]!;
    if (n >= 4) on.server = parts[n - 4]!;
    return on;
  }

  private parseCase(): A.Case {
    const start = this.advance();
    const c: A.Case = { kind: "Case", whens: [], loc: PENDING_LOC };
    if (!this.isWord("WHEN")) c.operand = this.parseExpr();
    while (this.acceptWord("WHEN")) {
      const when = this.parseExpr();
      this.expectWord("THEN");
      const then = this.parseExpr();
      c.whens.push({ when, then });
    }
    if (!c.whens.length) throw this.error("expected WHEN");
    if (this.acceptWord("ELSE")) c.else = this.parseExpr();
    this.expectWord("END");
    c.loc = this.locOf(start);
    return c;
  }

  private parseCast(fn: string): A.Cast {
    const start = this.advance();
    this.expectOp("(");
    const expr = this.parseExpr();
    this.expectWord("AS");
    const type = this.parseDataType();
    this.expectOp(")");
    return { kind: "Cast", fn: fn as A.Cast["fn"], expr, type, loc: this.locOf(start) };
  }

  private parseConvert(fn: string): A.Cast {
    const start = this.advance();
    this.expectOp("(");
    const type = this.parseDataType();
    this.expectOp(",");
    const expr = this.parseExpr();
    const c: A.Cast = { kind: "Cast", fn: fn as A.Cast["fn"], expr, type, loc: PENDING_LOC };
    if (this.acceptOp(",")) c.style = this.parseExpr();
    this.expectOp(")");
    c.loc = this.locOf(start);
    return c;
  }

  private parseParse(fn: string): A.Cast {
    const start = this.advance();
    this.expectOp("(");
    const expr = this.parseExpr();
    this.expectWord("AS");
    const type = this.parseDataType();
    const c: A.Cast = { kind: "Cast", fn: fn as A.Cast["fn"], expr, type, loc: PENDING_LOC };
    if (this.acceptWord("USING")) c.culture = this.parseExpr();
    this.expectOp(")");
    c.loc = this.locOf(start);
    return c;
  }

  private parseCallArgs(): A.Expr[] {
    this.expectOp("(");
    const args: A.Expr[] = [];
    if (this.acceptOp(")")) return args;
    do args.push(this.parseExpr());
    while (this.acceptOp(","));
    this.expectOp(")");
    return args;
  }

  /** name( ... ) [WITHIN GROUP (ORDER BY ...)] [OVER (...)], the name already read. */
  private parseFunctionRest(name: A.ObjectName, start: Token): A.FunctionCall {
    const upperName = name.name.value.toUpperCase();
    const fc: A.FunctionCall = { kind: "FunctionCall", name, upperName, args: [], distinct: false, parens: true, loc: PENDING_LOC };
    this.expectOp("(");
    if (!this.isOp(")")) {
      if (!name.schema && (upperName === "TRIM") && !this.isTrimSimple()) {
        // TRIM([LEADING|TRAILING|BOTH] [chars] FROM string)
        if (this.isWord("LEADING") || this.isWord("TRAILING") || this.isWord("BOTH")) this.advance();
        if (!this.isWord("FROM")) fc.args.push(this.parseExpr());
        this.expectWord("FROM");
        fc.args.push(this.parseExpr());
        fc.trimFrom = true;
      } else if (!name.schema && (upperName === "OPENROWSET" || upperName === "CHANGETABLE" || upperName === "OPENDATASOURCE" || upperName === "PREDICT" || upperName === "MATCH" || upperName === "SHORTEST_PATH" ||
        ((upperName === "CONTAINS" || upperName === "FREETEXT" || upperName === "CONTAINSTABLE" || upperName === "FREETEXTTABLE") && this.hasColumnListArg()))) {
        // Arguments with their own sub-syntax (BULK 'file', CHANGES t, ...): keep what parses.
        this.parseTolerantArgs(fc);
        fc.loc = this.locOf(start);
        return fc;
      } else {
        if (this.acceptWord("DISTINCT")) fc.distinct = true;
        else this.acceptWord("ALL");
        do {
          if (this.isWord("LANGUAGE") && !this.isOp(",", 1) && !this.isOp(")", 1)) this.advance(); // CONTAINS(..., LANGUAGE x)
          fc.args.push(this.parseExpr());
          // JSON_OBJECT('k': v) and JSON_* ... NULL ON NULL / ABSENT ON NULL
          if (this.isOp(":")) {
            this.advance();
            fc.args.push(this.parseExpr());
          }
          if ((this.isWord("NULL") || this.isWord("ABSENT")) && this.isWord("ON", 1) && this.isWord("NULL", 2)) {
            this.advance();
            this.advance();
            this.advance();
          }
        } while (this.acceptOp(","));
      }
    }
    this.expectOp(")");
    if (this.isWord("WITHIN") && this.isWord("GROUP", 1) && this.isWord("GRAPH", 3)) {
      this.advance();
      this.advance();
      this.skipParens();
    } else if (this.isWord("WITHIN") && this.isWord("GROUP", 1)) {
      this.advance();
      this.advance();
      this.expectOp("(");
      this.expectWord("ORDER");
      this.expectWord("BY");
      fc.withinGroup = this.parseOrderList();
      this.expectOp(")");
    }
    if ((this.isWord("IGNORE") || this.isWord("RESPECT")) && this.isWord("NULLS", 1)) {
      this.advance();
      this.advance();
    }
    if (this.isWord("OVER") && (this.isOp("(", 1) || this.peek(1).type === T_WORD || this.peek(1).type === T_QUOTEDID)) fc.over = this.parseOver();
    fc.loc = this.locOf(start);
    return fc;
  }

  /** CONTAINS((a, b), 'x'): a parenthesised column list among the arguments (kept leniently). */
  private hasColumnListArg(): boolean {
    let depth = 0;
    for (let i = 0; i < 2000; i++) {
      const t = this.peek(i);
      if (t.type === T_EOF || t.type === T_GO) return false;
      if (t.type === T_OP && t.value === "(") depth++;
      else if (t.type === T_OP && t.value === ")") {
        if (depth-- === 0) return false;
      } else if (depth === 1 && t.type === T_OP && t.value === ",") return true;
    }
    return false;
  }

  private isTrimSimple(): boolean {
    // TRIM(x) / TRIM(x, y) (2022) vs TRIM(chars FROM x): look for FROM at depth 0 before ')'.
    let depth = 0;
    for (let i = 0; i < 2000; i++) {
      const t = this.peek(i);
      if (t.type === T_EOF || t.type === T_GO) return true;
      if (t.type === T_OP && t.value === "(") depth++;
      else if (t.type === T_OP && t.value === ")") {
        if (depth-- === 0) return true;
      } else if (depth === 0 && t.type === T_WORD && t.upper === "FROM") return false;
    }
    return true;
  }

  private parseTolerantArgs(fc: A.FunctionCall): void {
    for (;;) {
      const save = this.p;
      try {
        fc.args.push(this.parseExpr());
        if (this.isOp(",") || this.isOp(")")) {
          if (this.acceptOp(",")) continue;
          break;
        }
        throw this.error("unusual argument");
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.p = save;
        // Skip to the next comma or the closing parenthesis at this depth.
        let depth = 0;
        for (;;) {
          const t = this.peek();
          if (t.type === T_EOF || t.type === T_GO) return;
          if (t.type === T_OP && t.value === "(") depth++;
          else if (t.type === T_OP && t.value === ")") {
            if (depth === 0) break;
            depth--;
          } else if (t.type === T_OP && t.value === "," && depth === 0) break;
          this.advance();
        }
        if (this.acceptOp(",")) continue;
        break;
      }
    }
    this.expectOp(")");
  }

  private parseOver(): A.Over {
    const start = this.expectWord("OVER");
    if (!this.isOp("(")) {
      const windowName = this.ident();
      return { kind: "Over", windowName, partitionBy: [], orderBy: [], loc: this.locOf(start) };
    }
    return this.parseOverBody(start);
  }

  /** `( [window_name] [PARTITION BY ...] [ORDER BY ...] [frame] )` */
  private parseOverBody(start: Token): A.Over {
    this.expectOp("(");
    const over: A.Over = { kind: "Over", partitionBy: [], orderBy: [], loc: PENDING_LOC };
    const w = this.peek();
    if ((w.type === T_WORD && !["PARTITION", "ORDER", "ROWS", "RANGE"].includes(w.upper)) || w.type === T_QUOTEDID) over.windowName = this.ident();
    if (this.isWord("PARTITION")) {
      this.advance();
      this.expectWord("BY");
      do over.partitionBy.push(this.parseExpr());
      while (this.acceptOp(","));
    }
    if (this.isWord("ORDER")) {
      this.advance();
      this.expectWord("BY");
      over.orderBy = this.parseOrderList();
    }
    if (this.isWord("ROWS") || this.isWord("RANGE")) {
      const unit = this.advance().upper as "ROWS" | "RANGE";
      if (this.acceptWord("BETWEEN")) {
        const s = this.parseFrameBound();
        this.expectWord("AND");
        over.frame = { unit, start: s, end: this.parseFrameBound() };
      } else over.frame = { unit, start: this.parseFrameBound() };
    }
    this.expectOp(")");
    over.loc = this.locOf(start);
    return over;
  }

  private parseFrameBound(): A.FrameBound {
    if (this.acceptWord("UNBOUNDED")) {
      if (this.acceptWord("PRECEDING")) return { type: "UNBOUNDED PRECEDING" };
      this.expectWord("FOLLOWING");
      return { type: "UNBOUNDED FOLLOWING" };
    }
    if (this.acceptWords("CURRENT", "ROW")) return { type: "CURRENT ROW" };
    const offset = this.parseAdditive();
    if (this.acceptWord("PRECEDING")) return { type: "PRECEDING", offset };
    this.expectWord("FOLLOWING");
    return { type: "FOLLOWING", offset };
  }

  // -------------------------------------------------------------------------------------------
  // Names and types
  // -------------------------------------------------------------------------------------------

  private identFromToken(t: Token): A.Identifier {
    return { kind: "Identifier", value: t.value, quote: t.type === T_QUOTEDID ? (t.quote ?? "bracket") : "none", loc: this.locOf(t, t) };
  }

  /** An identifier (any word, or quoted). */
  ident(): A.Identifier {
    const t = this.peek();
    if (t.type === T_WORD || t.type === T_QUOTEDID || t.type === T_PSEUDO) {
      this.advance();
      return this.identFromToken(t);
    }
    throw this.error("expected a name");
  }

  /** A 1-4 part dotted name; `db..t` leaves the schema empty. */
  objectName(allowReserved = false): A.ObjectName {
    const start = this.peek();
    const parts: (Token | undefined)[] = [];
    const first = this.peek();
    if (first.type !== T_WORD && first.type !== T_QUOTEDID && !(first.type === T_PSEUDO && first.value.startsWith("$("))) throw this.error("expected a name");
    // Reserved words are never unquoted names (this is what ends `SELECT a FROM` before `INSERT ...`).
    const qualifies = this.isOp(".", 1) && (this.peek(2).type === T_WORD || this.peek(2).type === T_QUOTEDID || this.isOp(".", 2));
    if (!allowReserved && first.type === T_WORD && RESERVED.has(first.upper) && !RESERVED_NAMES.has(first.upper) && !qualifies) {
      throw this.error("expected a name");
    }
    parts.push(this.advance());
    while (this.isOp(".") && parts.length < 4) {
      const n = this.peek(1);
      // C.$node_id: graph pseudo columns can be qualified.
      if (n.type === T_WORD || n.type === T_QUOTEDID || n.type === T_PSEUDO) {
        this.advance();
        parts.push(this.advance());
      } else if (n.type === T_OP && n.value === ".") {
        this.advance();
        parts.push(undefined);
      } else break;
    }
    return this.objectNameFromParts(parts, start);
  }

  private objectNameFromParts(parts: (Token | undefined)[], start: Token = parts[0]!): A.ObjectName {
    const n = parts.length;
    if (!parts[n - 1]) throw this.error("expected a name after '.'");
    const last = this.identFromToken(parts[n - 1]!);
    // A one-part name spans exactly its identifier: share the location object (locations are never mutated).
    const on: A.ObjectName = { kind: "ObjectName", name: last, partCount: n, loc: n === 1 && parts[0] === start ? last.loc : this.locOf(start) };
    if (n >= 4 && parts[n - 4]) on.server = this.identFromToken(parts[n - 4]!);
    if (n >= 3 && parts[n - 3]) on.database = this.identFromToken(parts[n - 3]!);
    if (n >= 2 && parts[n - 2]) on.schema = this.identFromToken(parts[n - 2]!);
    return on;
  }

  private parenIdentList(allowLiterals = false): A.Identifier[] {
    this.expectOp("(");
    const out: A.Identifier[] = [];
    do {
      const t = this.peek();
      if (allowLiterals && (t.type === T_INTEGER || t.type === T_STRING || t.type === T_NSTRING)) {
        this.advance();
        out.push({ kind: "Identifier", value: t.value, quote: "none", loc: this.locOf(t) });
      } else out.push(this.ident());
    } while (this.acceptOp(","));
    this.expectOp(")");
    return out;
  }

  parseDataType(): A.DataType {
    const start = this.peek();
    let typeName = this.objectName(true);
    let name: string;
    const single = typeName.partCount === 1 || (typeName.partCount === 2 && typeName.schema?.value.toLowerCase() === "sys");
    let upper = typeName.name.value.toUpperCase();
    // Multi-word built-ins.
    if (single && typeName.name.quote === "none") {
      if (upper === "DOUBLE" && this.isWord("PRECISION")) {
        this.advance();
        upper = "DOUBLE PRECISION";
      } else if (upper === "NATIONAL" && (this.isWord("CHAR") || this.isWord("CHARACTER") || this.isWord("TEXT"))) {
        const w = this.advance().upper;
        upper = w === "TEXT" ? "NTEXT" : "NCHAR";
        if (this.acceptWord("VARYING")) upper = "NVARCHAR";
      } else if ((upper === "CHAR" || upper === "CHARACTER") && this.isWord("VARYING")) {
        this.advance();
        upper = "VARCHAR";
      } else if (upper === "BINARY" && this.isWord("VARYING")) {
        this.advance();
        upper = "VARBINARY";
      }
      typeName = { ...typeName, loc: this.locOf(start) };
    }
    const builtin = single && BUILTIN_TYPES.has(upper);
    name = builtin ? upper : typeName.name.value;
    const dt: A.DataType = { kind: "DataType", name, typeName, args: [], userDefined: !builtin, loc: PENDING_LOC };
    if (typeName.schema && !builtin) dt.schema = typeName.schema.value;
    if (this.isOp("(")) {
      this.advance();
      if (upper === "XML" && builtin) {
        let mode: "CONTENT" | "DOCUMENT" | undefined;
        if (this.isWord("CONTENT") || this.isWord("DOCUMENT")) mode = this.advance().upper as "CONTENT" | "DOCUMENT";
        dt.xmlSchema = { ...(mode ? { mode } : {}), collection: this.objectName() };
      } else {
        do {
          const a = this.peek();
          if (a.type === T_WORD && a.upper === "MAX") {
            this.advance();
            dt.args.push("max");
          } else if (a.type === T_INTEGER) {
            this.advance();
            dt.args.push(Number(a.value));
          } else if (a.type === T_OP && a.value === "-" && this.peek(1).type === T_INTEGER) {
            this.advance();
            dt.args.push(-Number(this.advance().value));
          } else throw this.error("expected a length, precision or MAX");
        } while (this.acceptOp(","));
      }
      this.expectOp(")");
    }
    // `int`: one token, the same span as its name.
    dt.loc = this.prev === start ? typeName.loc : this.locOf(start);
    return dt;
  }

  private skipParens(): void {
    this.expectOp("(");
    let depth = 1;
    while (depth > 0) {
      const t = this.peek();
      if (t.type === T_EOF || t.type === T_GO) throw this.error("expected ')'");
      this.advance();
      if (t.type === T_OP && t.value === "(") depth++;
      else if (t.type === T_OP && t.value === ")") depth--;
    }
  }

  /**
   * `( item, item )` with items `NAME [NAME...] [= value | (nested)]`. Values are kept as text (or a
   * nested list), so any option SQL Server adds later still parses.
   */
  parseOptionList(): A.OptionItem[] {
    this.expectOp("(");
    const items: A.OptionItem[] = [];
    if (this.acceptOp(")")) return items;
    do items.push(this.parseOptionItem());
    while (this.acceptOp(","));
    this.expectOp(")");
    return items;
  }

  private parseOptionItem(): A.OptionItem {
    const start = this.peek();
    const words: string[] = [];
    while (this.peek().type === T_WORD && !this.isOp("=", 0)) {
      words.push(this.advance().upper);
      if (this.isOp("=") || this.isOp("(") || this.isOp(",") || this.isOp(")")) break;
    }
    if (!words.length) {
      // `@p = 1` (OPTIMIZE FOR) or a bare value.
      const vs = this.peek();
      this.skipOptionValue();
      return { kind: "Option", name: this.lx.text.slice(vs.start, this.prev.end), loc: this.locOf(start) };
    }
    const item: A.OptionItem = { kind: "Option", name: words.join(" "), loc: PENDING_LOC };
    if (this.acceptOp("=")) {
      if (this.isOp("(")) item.value = this.parseOptionList();
      else {
        const vs = this.peek();
        this.skipOptionValue();
        item.value = this.lx.text.slice(vs.start, this.prev.end);
        // SYSTEM_VERSIONING = ON (HISTORY_TABLE = ..., ...)
        if (this.isOp("(")) item.options = this.parseOptionList();
      }
    } else if (this.isOp("(")) {
      item.value = this.parseOptionList();
    } else if (this.peek().type !== T_OP) {
      const vs = this.peek();
      this.skipOptionValue();
      item.value = this.lx.text.slice(vs.start, this.prev.end);
    }
    item.loc = this.locOf(start);
    return item;
  }

  /** Skips a value up to `,` or `)` at depth 0 (values may contain parentheses). */
  private skipOptionValue(): void {
    let depth = 0;
    let any = false;
    for (;;) {
      const t = this.peek();
      if (t.type === T_EOF || t.type === T_GO) throw this.error("expected ')'");
      if (t.type === T_OP) {
        if (t.value === "(") {
          if (depth === 0 && any && this.prev.type === T_WORD && ["ON", "OFF"].includes(this.prev.upper)) return; // SYSTEM_VERSIONING = ON (...)
          depth++;
        } else if (t.value === ")") {
          if (depth === 0) return;
          depth--;
        } else if (t.value === "," && depth === 0) return;
      }
      this.advance();
      any = true;
    }
  }

  // -------------------------------------------------------------------------------------------
  // DML
  // -------------------------------------------------------------------------------------------

  private parseDmlTop(): A.Top | undefined {
    if (!this.isWord("TOP")) return undefined;
    return this.parseTop();
  }

  /** Target of INSERT/UPDATE/DELETE/MERGE: a table (with hints), a table variable, or OPENQUERY(...). */
  private parseDmlTarget(): A.TableSource {
    const start = this.peek();
    if (start.type === T_VARIABLE) {
      this.advance();
      const variable: A.Variable = { kind: "Variable", name: start.value, global: false, loc: this.locOf(start) };
      return { kind: "VariableTableRef", variable, loc: this.locOf(start) };
    }
    const name = this.objectName();
    if (this.isOp("(") && !this.isQueryStart(1) && ["OPENQUERY", "OPENROWSET", "OPENDATASOURCE", "OPENXML"].includes(name.name.value.toUpperCase())) {
      const call = this.parseFunctionRest(name, start);
      return { kind: "TableFunction", call, columns: [], loc: this.locOf(start) };
    }
    const ref: A.TableRef = { kind: "TableRef", name, hints: [], loc: PENDING_LOC };
    ref.hints = this.parseTableHints();
    ref.loc = this.locOf(start);
    return ref;
  }

  private parseOutput(): A.OutputClause | undefined {
    if (!this.isWord("OUTPUT")) return undefined;
    const start = this.advance();
    const columns: A.SelectItem[] = [];
    do {
      const it = this.parseSelectItem();
      if (it.kind !== "SelectItem") throw this.error("expected an OUTPUT column");
      columns.push(it);
    } while (this.acceptOp(","));
    const out: A.OutputClause = { kind: "Output", columns, intoColumns: [], loc: PENDING_LOC };
    if (this.acceptWord("INTO")) {
      const t = this.peek();
      if (t.type === T_VARIABLE) {
        this.advance();
        out.into = { kind: "Variable", name: t.value, global: false, loc: this.locOf(t) };
      } else out.into = this.objectName();
      if (this.isOp("(") && !this.isQueryStart(1)) out.intoColumns = this.parenIdentList();
    }
    out.loc = this.locOf(start);
    return out;
  }

  private assignOutputs(stmt: { output?: A.OutputClause; outputResult?: A.OutputClause }): void {
    for (let i = 0; i < 2; i++) {
      const o = this.parseOutput();
      if (!o) return;
      if (o.into && !stmt.output) stmt.output = o;
      else if (!stmt.outputResult) stmt.outputResult = o;
      else stmt.output = o;
    }
  }

  private parseInsert(w: A.WithClause | undefined, start: Token): A.Insert {
    this.expectWord("INSERT");
    const top = this.parseDmlTop();
    this.acceptWord("INTO");
    const target = this.parseDmlTarget();
    const ins: A.Insert = {
      kind: "Insert", target, columns: [], source: { kind: "DefaultValues", loc: PENDING_LOC }, option: [],
      loc: this.locOf(start), comments: start.comments ?? [],
    };
    if (w) ins.with = w;
    if (top) ins.top = top;
    if (this.isOp("(") && !this.isQueryStart(1)) ins.columns = this.parenIdentList();
    this.assignOutputs(ins);
    const s = this.peek();
    if (this.acceptWord("VALUES")) {
      ins.source = { kind: "Values", rows: this.parseValuesRows(), loc: this.locOf(s) };
    } else if (this.acceptWords("DEFAULT", "VALUES")) {
      ins.source = { kind: "DefaultValues", loc: this.locOf(s) };
    } else if (this.isWord("EXEC") || this.isWord("EXECUTE")) {
      const e = this.parseExec();
      const exec = e.kind === "ExtendedProperty" || e.kind === "AddType" ? e.exec : e;
      ins.source = { kind: "ExecSource", exec, loc: this.locOf(s) };
    } else if (this.isWord("SELECT") || this.isOp("(") ) {
      ins.source = { kind: "Query", query: this.parseQueryExpr(), loc: this.locOf(s) };
    } else if (this.isWord("WITH")) {
      const sw = this.parseWith();
      const q = this.parseQueryExpr();
      ins.source = { kind: "Query", query: q, loc: this.locOf(s) };
      void sw;
      this.diag(TSQL.UnsupportedClause, "warning", "a WITH clause inside INSERT ... SELECT is kept on the query only", s);
    } else throw this.error("expected VALUES, SELECT, EXEC or DEFAULT VALUES");
    if (this.isWord("OPTION") && this.isOp("(", 1)) {
      this.advance();
      ins.option = this.parseOptionList();
    }
    ins.loc = this.locOf(start);
    return ins;
  }

  private parseSetClauses(): A.SetClause[] {
    const items: A.SetClause[] = [];
    do {
      const s = this.peek();
      if (s.type === T_VARIABLE) {
        this.advance();
        const variable: A.Variable = { kind: "Variable", name: s.value, global: false, loc: this.locOf(s) };
        const op = this.advance();
        if (op.type !== T_OP || !ASSIGN_OPS.has(op.value)) throw this.error("expected '=' after the variable", op);
        const sc: A.SetClause = { kind: "SetClause", variable, op: op.value as A.AssignOp, value: { kind: "DefaultValue", loc: variable.loc }, loc: PENDING_LOC };
        // @v = col = expr
        if ((this.peek().type === T_WORD || this.peek().type === T_QUOTEDID) && this.isOp("=", 1) && !RESERVED.has(this.peek().upper)) {
          const colTok = this.peek();
          const name = this.ident();
          sc.target = { kind: "ColumnRef", name, loc: this.locOf(colTok) };
          this.advance();
        }
        sc.value = this.parseExpr();
        sc.loc = this.locOf(s);
        items.push(sc);
        continue;
      }
      const name = this.objectName();
      if (this.isOp(".") && this.peek(1).type === T_WORD && this.isOp("(", 2)) {
        // col.WRITE(...) / col.Method(...)
        this.advance();
        const method = this.ident();
        const args = this.parseCallArgs();
        const target = this.columnFromName(name, false);
        const value: A.MethodCall = { kind: "MethodCall", target, method, args, loc: this.locOf(s) };
        items.push({ kind: "SetClause", target, op: "=", value, method: true, loc: this.locOf(s) });
        continue;
      }
      if (this.isOp("(") && name.partCount >= 2) {
        const target = this.columnFromName(name, true);
        const args = this.parseCallArgs();
        const value: A.MethodCall = { kind: "MethodCall", target, method: name.name, args, loc: this.locOf(s) };
        items.push({ kind: "SetClause", target, op: "=", value, method: true, loc: this.locOf(s) });
        continue;
      }
      const target = this.columnFromName(name, false);
      const op = this.advance();
      if (op.type !== T_OP || !ASSIGN_OPS.has(op.value)) throw this.error("expected '=' in SET", op);
      const value = this.parseExpr();
      items.push({ kind: "SetClause", target, op: op.value as A.AssignOp, value, loc: this.locOf(s) });
    } while (this.acceptOp(","));
    return items;
  }

  private parseWhereCurrentOf(stmt: { where?: A.Expr; currentOf?: string }): void {
    if (!this.acceptWord("WHERE")) return;
    if (this.acceptWords("CURRENT", "OF")) {
      this.acceptWord("GLOBAL");
      stmt.currentOf = this.advance().value;
      return;
    }
    stmt.where = this.parseExpr();
  }

  private parseUpdate(w: A.WithClause | undefined, start: Token): A.Update {
    this.expectWord("UPDATE");
    const top = this.parseDmlTop();
    const target = this.parseDmlTarget();
    this.expectWord("SET");
    const upd: A.Update = { kind: "Update", target, set: this.parseSetClauses(), from: [], option: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (w) upd.with = w;
    if (top) upd.top = top;
    this.assignOutputs(upd);
    if (this.acceptWord("FROM")) upd.from = this.parseFromList();
    this.parseWhereCurrentOf(upd);
    if (this.isWord("OPTION") && this.isOp("(", 1)) {
      this.advance();
      upd.option = this.parseOptionList();
    }
    upd.loc = this.locOf(start);
    return upd;
  }

  private parseDelete(w: A.WithClause | undefined, start: Token): A.Delete {
    this.expectWord("DELETE");
    const top = this.parseDmlTop();
    this.acceptWord("FROM");
    const target = this.parseDmlTarget();
    const del: A.Delete = { kind: "Delete", target, from: [], option: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (w) del.with = w;
    if (top) del.top = top;
    // DELETE t FROM t JOIN ... ; DELETE FROM t alias? (not valid T-SQL, but an alias via FROM list is)
    this.assignOutputs(del);
    if (this.acceptWord("FROM")) del.from = this.parseFromList();
    this.parseWhereCurrentOf(del);
    if (this.isWord("OPTION") && this.isOp("(", 1)) {
      this.advance();
      del.option = this.parseOptionList();
    }
    del.loc = this.locOf(start);
    return del;
  }

  private parseMerge(w: A.WithClause | undefined, start: Token): A.Merge {
    this.expectWord("MERGE");
    const top = this.parseDmlTop();
    this.acceptWord("INTO");
    const target = this.parseDmlTarget();
    const alias = this.parseAlias();
    if (alias && (target.kind === "TableRef" || target.kind === "VariableTableRef")) target.alias = alias;
    this.expectWord("USING");
    const using = this.parseJoinedTable();
    this.expectWord("ON");
    const on = this.parseExpr();
    const m: A.Merge = { kind: "Merge", target, using, on, whens: [], option: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (w) m.with = w;
    if (top) m.top = top;
    while (this.isWord("WHEN")) {
      const ws = this.advance();
      let match: A.MergeWhen["match"] = "MATCHED";
      if (this.acceptWord("NOT")) {
        this.expectWord("MATCHED");
        match = "NOT MATCHED BY TARGET";
        if (this.acceptWord("BY")) {
          const by = this.advance().upper;
          if (by === "SOURCE") match = "NOT MATCHED BY SOURCE";
          else if (by !== "TARGET") throw this.error("expected TARGET or SOURCE", this.prev);
        }
      } else this.expectWord("MATCHED");
      const mw: A.MergeWhen = { kind: "MergeWhen", match, action: { kind: "MergeDelete" }, loc: PENDING_LOC };
      if (this.acceptWord("AND")) mw.condition = this.parseExpr();
      this.expectWord("THEN");
      if (this.acceptWord("UPDATE")) {
        this.expectWord("SET");
        mw.action = { kind: "MergeUpdate", set: this.parseSetClauses() };
      } else if (this.acceptWord("DELETE")) {
        mw.action = { kind: "MergeDelete" };
      } else if (this.acceptWord("INSERT")) {
        const columns = this.isOp("(") ? this.parenIdentList() : [];
        if (this.acceptWords("DEFAULT", "VALUES")) mw.action = { kind: "MergeInsert", columns, values: [], defaultValues: true };
        else {
          this.expectWord("VALUES");
          const rows = this.parseValuesRows();
          mw.action = { kind: "MergeInsert", columns, values: rows[0] ?? [], defaultValues: false };
        }
      } else throw this.error("expected UPDATE, DELETE or INSERT");
      mw.loc = this.locOf(ws);
      m.whens.push(mw);
    }
    this.assignOutputs(m);
    if (this.isWord("OPTION") && this.isOp("(", 1)) {
      this.advance();
      m.option = this.parseOptionList();
    }
    m.loc = this.locOf(start);
    return m;
  }

  private parseTruncate(): A.Truncate {
    const start = this.advance();
    this.expectWord("TABLE");
    const table = this.objectName();
    const tr: A.Truncate = { kind: "Truncate", table, loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.isWord("WITH") && this.isOp("(", 1)) {
      const ps = this.advance();
      this.skipParens();
      tr.partitions = this.lx.text.slice(ps.start, this.prev.end);
    }
    tr.loc = this.locOf(start);
    return tr;
  }

  private parseBulkInsert(): A.BulkInsert {
    const start = this.advance();
    this.advance();
    const table = this.objectName();
    this.expectWord("FROM");
    const f = this.advance();
    if (f.type !== T_STRING && f.type !== T_NSTRING && f.type !== T_VARIABLE) throw this.error("expected a file name", f);
    const bi: A.BulkInsert = { kind: "BulkInsert", table, from: f.value, options: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.isWord("WITH") && this.isOp("(", 1)) {
      this.advance();
      bi.options = this.parseOptionList();
    }
    bi.loc = this.locOf(start);
    return bi;
  }

  // -------------------------------------------------------------------------------------------
  // Procedural
  // -------------------------------------------------------------------------------------------

  private parseDeclare(): A.Declare | A.DeclareCursor {
    const start = this.advance();
    const first = this.peek();
    if (first.type === T_WORD || first.type === T_QUOTEDID) {
      // DECLARE name [INSENSITIVE] [SCROLL] CURSOR ...
      const name = this.ident();
      const cursor = this.parseCursorDefinition();
      return { kind: "DeclareCursor", name, cursor, loc: this.locOf(start), comments: start.comments ?? [] };
    }
    const items: A.Declare["items"] = [];
    do {
      const vs = this.peek();
      if (vs.type !== T_VARIABLE) throw this.error("expected a @variable");
      this.advance();
      this.acceptWord("AS");
      if (this.isWord("TABLE")) {
        this.advance();
        const body = this.parseTableBody();
        items.push({ kind: "DeclareTableVariable", name: vs.value, columns: body.columns, constraints: body.constraints, indexes: body.indexes, loc: this.locOf(vs) });
        continue;
      }
      if (this.isWord("CURSOR")) {
        this.advance();
        items.push({ kind: "DeclareCursorVariable", name: vs.value, loc: this.locOf(vs) });
        continue;
      }
      const type = this.parseDataType();
      const dv: A.DeclareVariable = { kind: "DeclareVariable", name: vs.value, type, loc: PENDING_LOC };
      if (!this.acceptWords("NOT", "NULL")) this.acceptWord("NULL"); // natively compiled modules
      if (this.acceptOp("=")) dv.value = this.parseExpr();
      dv.loc = this.locOf(vs);
      items.push(dv);
    } while (this.acceptOp(","));
    return { kind: "Declare", items, loc: this.locOf(start), comments: start.comments ?? [] };
  }

  private static readonly CURSOR_OPTIONS = new Set(
    "LOCAL GLOBAL FORWARD_ONLY SCROLL STATIC KEYSET DYNAMIC FAST_FORWARD READ_ONLY SCROLL_LOCKS OPTIMISTIC TYPE_WARNING INSENSITIVE".split(" "),
  );

  private parseCursorDefinition(): A.CursorDefinition {
    const start = this.peek();
    const options: string[] = [];
    while (this.peek().type === T_WORD && Parser.CURSOR_OPTIONS.has(this.peek().upper)) options.push(this.advance().upper);
    this.expectWord("CURSOR");
    while (this.peek().type === T_WORD && Parser.CURSOR_OPTIONS.has(this.peek().upper)) options.push(this.advance().upper);
    this.expectWord("FOR");
    const qs = this.peek();
    const w = this.isWord("WITH") ? this.parseWith() : undefined;
    const query = this.parseSelectStatement(w, qs);
    const cd: A.CursorDefinition = { kind: "CursorDefinition", options, query, readOnly: false, loc: PENDING_LOC };
    if (this.isWord("FOR") && this.isWord("UPDATE", 1)) {
      this.advance();
      this.advance();
      cd.forUpdate = [];
      if (this.acceptWord("OF")) {
        do cd.forUpdate.push(this.ident());
        while (this.acceptOp(","));
      }
    } else if (this.isWord("FOR") && this.isWord("READ", 1) && this.isWord("ONLY", 2)) {
      this.advance();
      this.advance();
      this.advance();
      cd.readOnly = true;
    }
    cd.loc = this.locOf(start);
    return cd;
  }

  private parseSet(): A.SetVariable | A.SetOption {
    const start = this.advance();
    const t = this.peek();
    if (t.type === T_VARIABLE) {
      this.advance();
      const variable: A.Variable = { kind: "Variable", name: t.value, global: false, loc: this.locOf(t) };
      if (this.isOp(".") && this.isOp("(", 2)) {
        this.advance();
        const method = this.ident();
        const args = this.parseCallArgs();
        const mc: A.MethodCall = { kind: "MethodCall", target: variable, method, args, loc: this.locOf(t) };
        return { kind: "SetVariable", variable, op: "=", method: mc, loc: this.locOf(start), comments: start.comments ?? [] };
      }
      const op = this.advance();
      if (op.type !== T_OP || !ASSIGN_OPS.has(op.value)) throw this.error("expected '=' after the variable", op);
      const sv: A.SetVariable = { kind: "SetVariable", variable, op: op.value as A.AssignOp, loc: PENDING_LOC, comments: start.comments ?? [] };
      if (this.isWord("CURSOR") || (Parser.CURSOR_OPTIONS.has(this.peek().upper) && this.peek().type === T_WORD)) sv.cursor = this.parseCursorDefinition();
      else sv.value = this.parseExpr();
      sv.loc = this.locOf(start);
      return sv;
    }
    if (t.type !== T_WORD) throw this.error("expected a variable or an option after SET");
    const so: A.SetOption = { kind: "SetOption", options: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (t.upper === "TRANSACTION") {
      this.advance();
      this.expectWord("ISOLATION");
      this.expectWord("LEVEL");
      so.options = ["TRANSACTION ISOLATION LEVEL"];
      const words: string[] = [this.advance().upper];
      if (words[0] === "READ" || words[0] === "REPEATABLE") words.push(this.advance().upper);
      so.value = words.join(" ");
    } else if (t.upper === "IDENTITY_INSERT") {
      this.advance();
      so.options = ["IDENTITY_INSERT"];
      so.table = this.objectName();
      so.value = this.advance().upper;
    } else {
      do {
        const o = this.advance();
        if (o.type !== T_WORD) throw this.error("expected a SET option", o);
        so.options.push(o.upper);
        if (o.upper === "STATISTICS" && this.peek().type === T_WORD && !this.isWord("ON") && !this.isWord("OFF")) so.options[so.options.length - 1] = "STATISTICS " + this.advance().upper;
      } while (this.acceptOp(","));
      const v = this.peek();
      if (v.type === T_WORD && (v.upper === "ON" || v.upper === "OFF")) {
        this.advance();
        so.value = v.upper;
      } else if (v.type === T_WORD && !v.firstOnLine && !STATEMENT_START.has(v.upper) && !RESERVED.has(v.upper)) {
        this.advance();
        so.value = v.upper; // SET DATEFORMAT dmy, SET LANGUAGE us_english, SET DEADLOCK_PRIORITY LOW
      } else if (!this.atEnd() && !(v.type === T_OP && v.value === ";") && !(v.type === T_WORD && (v.firstOnLine || STATEMENT_START.has(v.upper) || v.upper === "END"))) {
        so.expr = this.parseExpr();
      }
    }
    if (so.options.includes("QUOTED_IDENTIFIER") && (so.value === "ON" || so.value === "OFF")) {
      // Takes effect for the text lexed from here on, as it does in SQL Server for later batches.
      (this.lx as { quotedIdentifier: boolean }).quotedIdentifier = so.value === "ON";
    }
    so.loc = this.locOf(start);
    return so;
  }

  private parseIf(): A.If {
    const start = this.advance();
    const condition = this.parseExpr();
    const then = this.parseStatementOrEmpty();
    const st: A.If = { kind: "If", condition, then, loc: PENDING_LOC, comments: start.comments ?? [] };
    // ELSE may follow a `;`.
    if (this.isOp(";") && this.isWord("ELSE", 1)) this.advance();
    if (this.acceptWord("ELSE")) {
      if (this.isWord("IF")) {
        // An ELSE IF ladder is a chain, not nesting: it counts against MAX_CHAIN, not MAX_DEPTH.
        if (++this.elseIfRun > MAX_CHAIN) this.chainTooLong();
        this.depth--;
        try {
          st.else = this.parseStatementOrEmpty();
        } finally {
          this.depth++;
          this.elseIfRun--;
        }
      } else st.else = this.parseStatementOrEmpty();
    }
    st.loc = this.locOf(start);
    return st;
  }

  private parseStatementOrEmpty(): A.Statement {
    while (this.isOp(";")) this.advance();
    if (this.atEnd()) throw this.error("expected a statement");
    return this.parseStatement();
  }

  private parseWhile(): A.While {
    const start = this.advance();
    const condition = this.parseExpr();
    const body = this.parseStatementOrEmpty();
    return { kind: "While", condition, body, loc: this.locOf(start), comments: start.comments ?? [] };
  }

  private parseBegin(): A.Statement {
    const start = this.peek();
    const n = this.peek(1);
    if (n.type === T_WORD) {
      switch (n.upper) {
        case "TRAN":
        case "TRANSACTION":
        case "DISTRIBUTED":
          return this.parseTransaction();
        case "TRY": {
          this.advance();
          this.advance();
          const tryBody = this.parseStatementList(true);
          this.expectWord("END");
          this.expectWord("TRY");
          while (this.isOp(";")) this.advance();
          this.expectWord("BEGIN");
          this.expectWord("CATCH");
          const catchBody = this.parseStatementList(true);
          this.expectWord("END");
          this.expectWord("CATCH");
          return { kind: "TryCatch", tryBody, catchBody, loc: this.locOf(start), comments: start.comments ?? [] };
        }
        case "DIALOG":
        case "CONVERSATION":
          return this.command(start);
        case "ATOMIC":
          this.advance();
          this.advance();
          if (this.isWord("WITH")) {
            this.advance();
            this.parseOptionList();
          }
          break;
        default:
          this.advance();
      }
    } else this.advance();
    const body = this.parseStatementList(true);
    this.expectWord("END");
    return { kind: "Block", body, loc: this.locOf(start), comments: start.comments ?? [] };
  }

  private parseThrow(): A.Throw {
    const start = this.advance();
    const th: A.Throw = { kind: "Throw", loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.startsExpression()) {
      th.number = this.parseExpr();
      this.expectOp(",");
      th.message = this.parseExpr();
      this.expectOp(",");
      th.state = this.parseExpr();
    }
    th.loc = this.locOf(start);
    return th;
  }

  /** Whether the next token can start an expression that belongs to the current statement. */
  private startsExpression(): boolean {
    const t = this.peek();
    switch (t.type) {
      case T_EOF:
      case T_GO:
        return false;
      case T_OP:
        return t.value === "(" || t.value === "-" || t.value === "+" || t.value === "~";
      case T_WORD:
        if (t.upper === "END" || t.upper === "ELSE") return false;
        if (STATEMENT_START.has(t.upper)) return false;
        if (RESERVED.has(t.upper)) return EXPR_KEYWORDS.has(t.upper) && t.upper !== "UPDATE";
        return !t.firstOnLine || this.isOp("(", 1) || this.isOp(".", 1);
      default:
        return true;
    }
  }

  private parseRaiserror(): A.Raiserror {
    const start = this.advance();
    const r: A.Raiserror = { kind: "Raiserror", message: { kind: "DefaultValue", loc: this.locOf(start) }, args: [], options: [], legacy: false, loc: this.locOf(start), comments: start.comments ?? [] };
    if (this.acceptOp("(")) {
      r.message = this.parseExpr();
      if (this.acceptOp(",")) {
        r.severity = this.parseExpr();
        this.expectOp(",");
        r.state = this.parseExpr();
        while (this.acceptOp(",")) r.args.push(this.parseExpr());
      }
      this.expectOp(")");
      if (this.acceptWord("WITH")) {
        do r.options.push(this.advance().upper);
        while (this.acceptOp(","));
      }
    } else {
      // RAISERROR 50001 'message'
      // RAISERROR 50001 'message' [, args] (pre-2012 form)
      r.legacy = true;
      r.errorNumber = this.parsePrimary();
      const mt = this.peek();
      if (mt.type === T_QUOTEDID && mt.quote === "double") {
        this.advance();
        r.message = { kind: "Literal", literalType: "string", value: mt.value, loc: this.locOf(mt) };
      } else if (mt.type === T_STRING || mt.type === T_NSTRING || mt.type === T_VARIABLE) r.message = this.parsePrimary();
      else throw this.error("expected the message of RAISERROR");
      while (this.acceptOp(",")) r.args.push(this.parseExpr());
    }
    r.loc = this.locOf(start);
    return r;
  }

  private parseReturn(): A.Return {
    const start = this.advance();
    const r: A.Return = { kind: "Return", loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.startsExpression() || (this.peek().type === T_WORD && this.peek().upper === "SELECT" && false)) r.value = this.parseExpr();
    r.loc = this.locOf(start);
    return r;
  }

  private parseWaitfor(): A.Waitfor | A.Command {
    const start = this.peek();
    if (this.isWord("DELAY", 1) || this.isWord("TIME", 1)) {
      this.advance();
      const mode = this.advance().upper as "DELAY" | "TIME";
      const value = this.parseExpr();
      return { kind: "Waitfor", mode, value, loc: this.locOf(start), comments: start.comments ?? [] };
    }
    return this.command(start);
  }

  private parseTransaction(): A.Transaction {
    const start = this.advance();
    let action: A.Transaction["action"] = start.upper as "COMMIT" | "ROLLBACK" | "SAVE";
    if (start.upper === "BEGIN") {
      action = this.acceptWord("DISTRIBUTED") ? "BEGIN DISTRIBUTED" : "BEGIN";
    }
    let work = false;
    if (this.isWord("TRAN") || this.isWord("TRANSACTION")) this.advance();
    else if (this.isWord("WORK")) {
      this.advance();
      work = true;
    }
    const tr: A.Transaction = { kind: "Transaction", action, work, loc: PENDING_LOC, comments: start.comments ?? [] };
    const n = this.peek();
    if (!n.firstOnLine || action === "SAVE") {
      if (n.type === T_VARIABLE) {
        this.advance();
        tr.name = { kind: "Variable", name: n.value, global: false, loc: this.locOf(n) };
      } else if (n.type === T_QUOTEDID || (n.type === T_WORD && !RESERVED.has(n.upper) && !STATEMENT_START.has(n.upper) && n.upper !== "THROW")) {
        tr.name = this.ident();
      }
    }
    if (this.isWord("WITH") && this.isWord("MARK", 1)) {
      this.advance();
      this.advance();
      const m = this.peek();
      if (m.type === T_STRING || m.type === T_NSTRING) {
        this.advance();
        tr.mark = m.value;
      } else tr.mark = "";
    } else if (this.isWord("WITH") && this.isOp("(", 1)) {
      this.advance();
      const opts = this.parseOptionList();
      const dd = opts.find((o) => o.name === "DELAYED_DURABILITY");
      if (dd) tr.delayedDurability = typeof dd.value === "string" && dd.value.toUpperCase() === "ON";
    }
    tr.loc = this.locOf(start);
    return tr;
  }

  private cursorName(): { cursor: A.Identifier | A.Variable; global: boolean } {
    let global = false;
    if (this.isWord("GLOBAL") && (this.peek(1).type === T_WORD || this.peek(1).type === T_QUOTEDID)) {
      this.advance();
      global = true;
    }
    const t = this.peek();
    if (t.type === T_VARIABLE) {
      this.advance();
      return { cursor: { kind: "Variable", name: t.value, global: false, loc: this.locOf(t) }, global };
    }
    return { cursor: this.ident(), global };
  }

  private parseCursorOp(): A.CursorOp {
    const start = this.advance();
    const { cursor, global } = this.cursorName();
    return { kind: "CursorOp", op: start.upper as A.CursorOp["op"], cursor, global, loc: this.locOf(start), comments: start.comments ?? [] };
  }

  private parseFetch(): A.Fetch {
    const start = this.advance();
    let direction: string | undefined;
    let offset: A.Expr | undefined;
    const d = this.peek();
    if (d.type === T_WORD && ["NEXT", "PRIOR", "FIRST", "LAST", "ABSOLUTE", "RELATIVE"].includes(d.upper)) {
      this.advance();
      direction = d.upper;
      if (direction === "ABSOLUTE" || direction === "RELATIVE") offset = this.parseAdditive();
      this.expectWord("FROM");
    } else this.acceptWord("FROM");
    const { cursor, global } = this.cursorName();
    const f: A.Fetch = { kind: "Fetch", cursor, global, into: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (direction) f.direction = direction;
    if (offset) f.offset = offset;
    if (this.acceptWord("INTO")) {
      do {
        const v = this.advance();
        if (v.type !== T_VARIABLE) throw this.error("expected a @variable", v);
        f.into.push({ kind: "Variable", name: v.value, global: false, loc: this.locOf(v) });
      } while (this.acceptOp(","));
    }
    f.loc = this.locOf(start);
    return f;
  }

  private parseExec(): A.Exec | A.ExecString | A.ExtendedProperty | A.AddType {
    const start = this.advance();
    const t = this.peek();
    if (t.type === T_OP && t.value === "(") {
      this.advance();
      const parts: A.Expr[] = [];
      const es: A.ExecString = { kind: "ExecString", parts, loc: PENDING_LOC, comments: start.comments ?? [] };
      const e = this.parseExpr();
      // EXEC ('a' + @b) : keep the concatenation's operands as parts.
      const flatten = (x: A.Expr) => {
        if (x.kind === "Binary" && x.op === "+") {
          flatten(x.left);
          flatten(x.right);
        } else parts.push(x);
      };
      flatten(e);
      while (this.acceptOp(",")) {
        parts.push(this.parseExpr()); // EXEC ('...', @p [OUTPUT]) AT server
        if (!this.acceptWord("OUTPUT")) this.acceptWord("OUT");
      }
      this.expectOp(")");
      if (this.isWord("AS") && (this.isWord("LOGIN", 1) || this.isWord("USER", 1))) {
        this.advance();
        const type = this.advance().upper as "LOGIN" | "USER";
        this.expectOp("=");
        es.as = { type, name: this.parseExpr() };
      }
      if (this.acceptWord("AT")) {
        this.acceptWord("DATA_SOURCE");
        es.at = this.ident();
      }
      es.loc = this.locOf(start);
      return es;
    }
    return this.parseExecBody(start, true);
  }

  private parseExecBody(start: Token, keyword: boolean): A.Exec | A.ExtendedProperty | A.AddType {
    let returnVariable: A.Variable | undefined;
    let t = this.peek();
    if (t.type === T_VARIABLE && this.isOp("=", 1)) {
      this.advance();
      this.advance();
      returnVariable = { kind: "Variable", name: t.value, global: false, loc: this.locOf(t) };
      t = this.peek();
    }
    let procedure: A.ObjectName | A.Variable;
    if (t.type === T_VARIABLE) {
      this.advance();
      procedure = { kind: "Variable", name: t.value, global: false, loc: this.locOf(t) };
    } else procedure = this.objectName();
    if (this.isOp(";") && this.peek(1).type === T_INTEGER) {
      this.advance();
      this.advance();
    }
    const ex: A.Exec = {
      kind: "Exec", procedure, upperName: procedure.kind === "ObjectName" ? procedure.name.value.toUpperCase() : "",
      args: [], options: [], keyword, loc: PENDING_LOC, comments: start.comments ?? [],
    };
    if (returnVariable) ex.returnVariable = returnVariable;
    if (this.startsExecArg()) {
      do {
        const as = this.peek();
        const arg: A.ExecArg = { kind: "ExecArg", value: { kind: "DefaultValue", loc: this.locOf(as) }, output: false, loc: this.locOf(as) };
        if (as.type === T_VARIABLE && this.isOp("=", 1)) {
          this.advance();
          this.advance();
          arg.name = as.value;
        }
        arg.value = this.parseExpr();
        if (this.isWord("OUTPUT") || this.isWord("OUT")) {
          this.advance();
          arg.output = true;
        } else if (this.isWord("READONLY")) this.advance();
        arg.loc = this.locOf(as);
        ex.args.push(arg);
      } while (this.acceptOp(","));
    }
    while (this.isWord("WITH")) {
      const ws = this.advance();
      do {
        const os = this.peek();
        if (os.type !== T_WORD) throw this.error("expected RECOMPILE or RESULT SETS");
        if (this.acceptWords("RESULT", "SETS")) {
          if (this.isOp("(")) this.skipParens();
          else this.advance(); // NONE / UNDEFINED
        } else this.advance();
        ex.options.push(this.lx.text.slice(os.start, this.prev.end));
      } while (this.acceptOp(","));
      void ws;
    }
    if (this.acceptWord("AT")) {
      this.acceptWord("DATA_SOURCE");
      ex.at = this.ident();
    }
    ex.loc = this.locOf(start);
    return this.specialProcedure(ex);
  }

  private startsExecArg(): boolean {
    const t = this.peek();
    switch (t.type) {
      case T_EOF:
      case T_GO:
        return false;
      case T_OP:
        return t.value === "-" || t.value === "+" || t.value === "(";
      case T_WORD:
        if (t.upper === "DEFAULT" || t.upper === "NULL") return true;
        if (RESERVED.has(t.upper) || STATEMENT_START.has(t.upper) || t.upper === "OUTPUT") return false;
        return !t.firstOnLine && !this.isOp(":", 1);
      case T_QUOTEDID:
        return !t.firstOnLine;
      default:
        return true;
    }
  }

  /** sp_addextendedproperty & co. and sp_addtype become typed nodes (the Exec is kept inside). */
  private specialProcedure(ex: A.Exec): A.Exec | A.ExtendedProperty | A.AddType {
    const n = ex.upperName;
    const argText = (e: A.Expr | undefined): string | undefined => {
      if (!e) return undefined;
      if (e.kind === "Literal") return e.literalType === "null" ? undefined : e.value;
      if (e.kind === "ColumnRef" && !e.table) return e.name.value;
      return undefined;
    };
    const byName = (names: string[]): (A.Expr | undefined)[] => {
      const out: (A.Expr | undefined)[] = new Array(names.length).fill(undefined);
      let pos = 0;
      for (const a of ex.args) {
        if (a.name) {
          const i = names.indexOf(a.name.toLowerCase());
          if (i >= 0) out[i] = a.value;
        } else out[pos] = a.value;
        pos++;
      }
      return out;
    };
    if (n === "SP_ADDEXTENDEDPROPERTY" || n === "SP_UPDATEEXTENDEDPROPERTY" || n === "SP_DROPEXTENDEDPROPERTY") {
      const drop = n === "SP_DROPEXTENDEDPROPERTY";
      const names = drop
        ? ["@name", "@level0type", "@level0name", "@level1type", "@level1name", "@level2type", "@level2name"]
        : ["@name", "@value", "@level0type", "@level0name", "@level1type", "@level1name", "@level2type", "@level2name"];
      const v = byName(names);
      const off = drop ? 1 : 2;
      const levels: { type: string; name: string }[] = [];
      for (let i = 0; i < 3; i++) {
        const type = argText(v[off + i * 2]);
        const name = argText(v[off + i * 2 + 1]);
        if (type === undefined) break;
        levels.push({ type: type.toUpperCase(), name: name ?? "" });
      }
      const ep: A.ExtendedProperty = {
        kind: "ExtendedProperty", action: n === "SP_ADDEXTENDEDPROPERTY" ? "add" : n === "SP_UPDATEEXTENDEDPROPERTY" ? "update" : "drop",
        levels, exec: ex, loc: ex.loc, comments: ex.comments,
      };
      const pn = argText(v[0]);
      if (pn !== undefined) ep.propertyName = pn;
      if (!drop && v[1]) ep.value = v[1];
      return ep;
    }
    if (n === "SP_ADDTYPE") {
      const v = byName(["@typename", "@phystype", "@nulltype", "@owner"]);
      const at: A.AddType = { kind: "AddType", name: argText(v[0]) ?? "", exec: ex, loc: ex.loc, comments: ex.comments };
      const phys = argText(v[1]);
      if (phys) {
        const sub = new Parser(new Lexer(phys, { file: this.file }), this.file);
        try {
          const dt = sub.parseDataType();
          dt.loc = v[1]!.loc;
          at.baseType = dt;
        } catch {
          this.diag(TSQL.SyntaxError, "warning", `sp_addtype: cannot read the base type '${phys}'`, this.prev);
        }
      }
      const nt = argText(v[2]);
      if (nt !== undefined) at.nullable = !/not\s+null/i.test(nt);
      return at;
    }
    return ex;
  }

  // -------------------------------------------------------------------------------------------
  // DDL
  // -------------------------------------------------------------------------------------------

  private parseCreateOrAlter(): A.Statement {
    const start = this.peek();
    let mode: A.CreateMode = start.upper === "ALTER" ? "ALTER" : "CREATE";
    let k = 1;
    if (mode === "CREATE" && this.isWord("OR", 1) && this.isWord("ALTER", 2)) {
      mode = "CREATE OR ALTER";
      k = 3;
    }
    const what = this.peek(k);
    const u = what.type === T_WORD ? what.upper : "";
    const skip = () => {
      for (let i = 0; i < k; i++) this.advance();
    };
    switch (u) {
      case "TABLE":
        if (mode === "CREATE") {
          skip();
          return this.parseCreateTable(start);
        }
        if (mode === "ALTER") {
          skip();
          return this.parseAlterTable(start);
        }
        break;
      case "VIEW":
        skip();
        return this.parseCreateView(start, mode);
      case "PROC":
      case "PROCEDURE":
        skip();
        return this.parseCreateProcedure(start, mode);
      case "FUNCTION":
        skip();
        return this.parseCreateFunction(start, mode);
      case "TRIGGER":
        skip();
        return this.parseCreateTrigger(start, mode);
      case "TYPE":
        if (mode === "CREATE") {
          skip();
          return this.parseCreateType(start);
        }
        break;
      case "SEQUENCE":
        if (mode !== "CREATE OR ALTER") {
          skip();
          return this.parseCreateSequence(start, mode);
        }
        break;
      case "SYNONYM":
        if (mode === "CREATE") {
          skip();
          this.advance();
          const name = this.objectName();
          this.expectWord("FOR");
          const target = this.objectName();
          return { kind: "CreateSynonym", name, target, loc: this.locOf(start), comments: start.comments ?? [] };
        }
        break;
      case "SCHEMA":
        if (mode === "CREATE") {
          skip();
          return this.parseCreateSchema(start);
        }
        break;
      case "STATISTICS":
        if (mode === "CREATE") {
          skip();
          return this.parseCreateStatistics(start);
        }
        break;
      case "UNIQUE":
      case "CLUSTERED":
      case "NONCLUSTERED":
      case "INDEX":
      case "COLUMNSTORE":
      case "PRIMARY":
      case "XML":
      case "SPATIAL":
        if (mode === "CREATE" && this.indexAhead(k)) {
          skip();
          return this.parseCreateIndex(start);
        }
        break;
    }
    if (mode === "ALTER") return this.command(start, ["SET", "ENABLE", "DISABLE"]);
    return this.command(start);
  }

  private indexAhead(k: number): boolean {
    for (let i = k; i < k + 5; i++) {
      const t = this.peek(i);
      if (t.type !== T_WORD) return false;
      if (t.upper === "INDEX") return true;
    }
    return false;
  }

  /** Column definitions, table constraints and inline indexes between parentheses. */
  private parseTableBody(): { columns: A.ColumnDef[]; constraints: A.TableConstraint[]; indexes: A.InlineIndex[]; period?: A.PeriodForSystemTime } {
    this.expectOp("(");
    const body: { columns: A.ColumnDef[]; constraints: A.TableConstraint[]; indexes: A.InlineIndex[]; period?: A.PeriodForSystemTime } = { columns: [], constraints: [], indexes: [] };
    if (this.acceptOp(")")) return body;
    do {
      if (this.isOp(")")) break; // trailing comma (SSMS never emits it, hand-written scripts do)
      const item = this.parseTableElement();
      switch (item.kind) {
        case "ColumnDef": {
          // `[Qty] int NOT NULL, -- units sold`: the comment after the column (or its comma) describes it.
          let trailing = this.prev.trailing;
          if (!trailing && (this.isOp(",") || this.isOp(")")) && this.peek().line === this.prev.endLine) {
            this.peek(1);
            trailing = this.peek().trailing;
          }
          if (trailing) item.trailingComments = trailing;
          body.columns.push(item);
          break;
        }
        case "InlineIndex":
          body.indexes.push(item);
          break;
        case "PeriodForSystemTime":
          body.period = item;
          break;
        default:
          body.constraints.push(item);
      }
    } while (this.acceptOp(","));
    this.expectOp(")");
    return body;
  }

  private parseTableElement(): A.ColumnDef | A.TableConstraint | A.InlineIndex | A.PeriodForSystemTime {
    const t = this.peek();
    if (t.type === T_WORD) {
      switch (t.upper) {
        case "CONSTRAINT":
        case "PRIMARY":
        case "UNIQUE":
        case "FOREIGN":
        case "CHECK":
          return this.parseTableConstraint();
        case "DEFAULT":
          if (!this.isWord("FOR", 2) || true) return this.parseTableConstraint();
          break;
        case "INDEX":
          return this.parseInlineIndex();
        case "PERIOD":
          if (this.isWord("FOR", 1)) {
            this.advance();
            this.advance();
            this.expectWord("SYSTEM_TIME");
            this.expectOp("(");
            const s = this.ident();
            this.expectOp(",");
            const e = this.ident();
            this.expectOp(")");
            return { kind: "PeriodForSystemTime", start: s, end: e, loc: this.locOf(t) };
          }
          break;
        case "CONNECTION":
          if (this.isOp("(", 1)) {
            // Graph edge constraint: CONNECTION (a TO b, ...); kept as a CHECK-less note.
            this.advance();
            this.skipParens();
            this.diag(TSQL.UnsupportedClause, "warning", "edge CONNECTION constraint is not modelled", t);
            return { kind: "Check", expr: { kind: "Literal", literalType: "integer", value: "1", loc: this.locOf(t) }, notForReplication: false, loc: this.locOf(t) };
          }
          break;
      }
    }
    return this.parseColumnDef();
  }

  private parseIndexColumns(): A.IndexColumn[] {
    this.expectOp("(");
    const cols: A.IndexColumn[] = [];
    do {
      const s = this.peek();
      const name = this.ident();
      const ic: A.IndexColumn = { kind: "IndexColumn", name, loc: PENDING_LOC };
      if (this.acceptWord("ASC")) ic.direction = "ASC";
      else if (this.acceptWord("DESC")) ic.direction = "DESC";
      ic.loc = this.locOf(s);
      cols.push(ic);
    } while (this.acceptOp(","));
    this.expectOp(")");
    return cols;
  }

  /** WITH (opts) | WITH FILLFACTOR = n (old style), for indexes and constraints. */
  private parseIndexWith(): A.OptionItem[] {
    if (!this.isWord("WITH")) return [];
    if (this.isOp("(", 1)) {
      this.advance();
      return this.parseOptionList();
    }
    const n = this.peek(1);
    if (n.type === T_WORD && ["FILLFACTOR", "PAD_INDEX", "IGNORE_DUP_KEY", "DROP_EXISTING", "STATISTICS_NORECOMPUTE", "SORT_IN_TEMPDB", "ONLINE", "ALLOW_ROW_LOCKS", "ALLOW_PAGE_LOCKS", "DATA_COMPRESSION"].includes(n.upper)) {
      this.advance();
      const items: A.OptionItem[] = [];
      do {
        const s = this.peek();
        const name = this.advance().upper;
        const item: A.OptionItem = { kind: "Option", name, loc: PENDING_LOC };
        if (this.acceptOp("=")) item.value = this.advance().value;
        item.loc = this.locOf(s);
        items.push(item);
      } while (this.isOp(",") && this.peek(1).type === T_WORD && this.advance());
      return items;
    }
    return [];
  }

  private parseOnFileGroup(): string | undefined {
    if (!this.isWord("ON")) return undefined;
    const n = this.peek(1);
    if (n.type === T_QUOTEDID || n.type === T_STRING || (n.type === T_WORD && !["DELETE", "UPDATE"].includes(n.upper))) {
      this.advance();
      const s = this.advance();
      if (this.isOp("(")) this.skipParens(); // partition scheme (column)
      return this.lx.text.slice(s.start, this.prev.end);
    }
    return undefined;
  }

  private parseClustered(): boolean | undefined {
    if (this.acceptWord("CLUSTERED")) return true;
    if (this.acceptWord("NONCLUSTERED")) return false;
    return undefined;
  }

  private parseTableConstraint(): A.TableConstraint {
    const start = this.peek();
    let name: A.Identifier | undefined;
    if (this.acceptWord("CONSTRAINT")) name = this.ident();
    const c = this.parseConstraintBody(start, name, true);
    if (!c) throw this.error("expected PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK or DEFAULT");
    return c;
  }

  /** The constraint after `[CONSTRAINT name]`; `tableLevel` means column lists are required. */
  private parseConstraintBody(start: Token, name: A.Identifier | undefined, tableLevel: boolean): A.TableConstraint | undefined {
    const t = this.peek();
    const named = name ? { name } : {};
    if (t.upper === "PRIMARY" || t.upper === "UNIQUE") {
      this.advance();
      const pk = t.upper === "PRIMARY";
      if (pk) this.expectWord("KEY");
      const clustered = this.parseClustered();
      let hash = false;
      if (this.acceptWord("HASH")) hash = true;
      let columns: A.IndexColumn[] = [];
      if (this.isOp("(") || tableLevel) columns = this.parseIndexColumns();
      const options = this.parseIndexWith();
      const onFileGroup = this.parseOnFileGroup();
      const base = { ...named, columns, options, hash, loc: this.locOf(start), ...(clustered !== undefined ? { clustered } : {}), ...(onFileGroup ? { onFileGroup } : {}) };
      return pk ? { kind: "PrimaryKey", ...base } : { kind: "Unique", ...base };
    }
    if (t.upper === "FOREIGN" || t.upper === "REFERENCES") {
      let columns: A.Identifier[] = [];
      if (this.acceptWord("FOREIGN")) {
        this.expectWord("KEY");
        if (this.isOp("(")) columns = this.parenIdentList();
      }
      this.expectWord("REFERENCES");
      const refTable = this.objectName();
      const refColumns = this.isOp("(") ? this.parenIdentList() : [];
      const fk: A.ForeignKeyConstraint = { kind: "ForeignKey", ...named, columns, refTable, refColumns, notForReplication: false, loc: PENDING_LOC };
      for (;;) {
        if (this.isWord("ON") && (this.isWord("DELETE", 1) || this.isWord("UPDATE", 1))) {
          this.advance();
          const which = this.advance().upper;
          let action: A.ReferentialAction;
          if (this.acceptWords("NO", "ACTION")) action = "NO ACTION";
          else if (this.acceptWord("CASCADE")) action = "CASCADE";
          else if (this.acceptWords("SET", "NULL")) action = "SET NULL";
          else if (this.acceptWords("SET", "DEFAULT")) action = "SET DEFAULT";
          else throw this.error("expected NO ACTION, CASCADE, SET NULL or SET DEFAULT");
          if (which === "DELETE") fk.onDelete = action;
          else fk.onUpdate = action;
        } else if (this.acceptWords("NOT", "FOR", "REPLICATION")) fk.notForReplication = true;
        else break;
      }
      fk.loc = this.locOf(start);
      return fk;
    }
    if (t.upper === "CHECK") {
      this.advance();
      const notForReplication = this.acceptWords("NOT", "FOR", "REPLICATION");
      this.expectOp("(");
      const expr = this.parseExpr();
      this.expectOp(")");
      return { kind: "Check", ...named, expr, notForReplication, loc: this.locOf(start) };
    }
    if (t.upper === "DEFAULT") {
      this.advance();
      const expr = this.parseExpr();
      const d: A.DefaultConstraint = { kind: "Default", ...named, expr, withValues: false, loc: PENDING_LOC };
      if (this.acceptWord("FOR")) d.forColumn = this.ident();
      if (this.acceptWords("WITH", "VALUES")) d.withValues = true;
      d.loc = this.locOf(start);
      return d;
    }
    return undefined;
  }

  private parseInlineIndex(): A.InlineIndex {
    const start = this.expectWord("INDEX");
    const name = this.ident();
    const ix: A.InlineIndex = { kind: "InlineIndex", name, unique: false, columnstore: false, hash: false, columns: [], include: [], options: [], loc: PENDING_LOC };
    if (this.acceptWord("UNIQUE")) ix.unique = true;
    const cl = this.parseClustered();
    if (cl !== undefined) ix.clustered = cl;
    if (this.acceptWord("COLUMNSTORE")) ix.columnstore = true;
    if (this.acceptWord("HASH")) ix.hash = true;
    if (this.isOp("(")) ix.columns = this.parseIndexColumns();
    if (this.acceptWord("INCLUDE")) ix.include = this.parenIdentList();
    if (this.acceptWord("WHERE")) ix.where = this.parseExpr();
    ix.options = this.parseIndexWith();
    const fg = this.parseOnFileGroup();
    if (fg) ix.onFileGroup = fg;
    ix.loc = this.locOf(start);
    return ix;
  }

  private parseColumnDef(): A.ColumnDef {
    const start = this.peek();
    const name = this.ident();
    const col: A.ColumnDef = {
      kind: "ColumnDef", name, notForReplication: false, rowguidcol: false, sparse: false, filestream: false, hidden: false,
      constraints: [], comments: start.comments ?? [], loc: this.locOf(start),
    };
    if (this.isWord("AS")) {
      this.advance();
      const expr = this.parseExpr();
      col.computed = { expr, persisted: false };
      if (this.acceptWord("PERSISTED")) col.computed.persisted = true;
    } else {
      col.type = this.parseDataType();
    }
    for (;;) {
      const t = this.peek();
      if (t.type !== T_WORD) break;
      const u = t.upper;
      if (u === "COLLATE") {
        this.advance();
        col.collation = this.advance().value;
      } else if (u === "NULL") {
        this.advance();
        col.nullable = true;
      } else if (u === "NOT" && this.isWord("NULL", 1)) {
        this.advance();
        this.advance();
        col.nullable = false;
      } else if (u === "NOT" && this.isWord("FOR", 1)) {
        this.advance();
        this.advance();
        this.expectWord("REPLICATION");
        col.notForReplication = true;
      } else if (u === "IDENTITY") {
        this.advance();
        col.identity = {};
        if (this.acceptOp("(")) {
          col.identity.seed = this.parseExpr();
          this.expectOp(",");
          col.identity.increment = this.parseExpr();
          this.expectOp(")");
        }
      } else if (u === "ROWGUIDCOL") {
        this.advance();
        col.rowguidcol = true;
      } else if (u === "SPARSE") {
        this.advance();
        col.sparse = true;
      } else if (u === "FILESTREAM") {
        this.advance();
        col.filestream = true;
      } else if (u === "HIDDEN") {
        this.advance();
        col.hidden = true;
      } else if (u === "PERSISTED" && col.computed) {
        this.advance();
        col.computed.persisted = true;
      } else if (u === "COLUMN_SET" && this.isWord("FOR", 1)) {
        this.advance();
        this.advance();
        this.expectWord("ALL_SPARSE_COLUMNS");
      } else if (u === "GENERATED" && this.isWord("ALWAYS", 1)) {
        this.advance();
        this.advance();
        this.expectWord("AS");
        const words = [this.advance().upper, this.advance().upper];
        col.generatedAlways = words.join(" ");
      } else if (u === "MASKED") {
        this.advance();
        this.expectWord("WITH");
        const opts = this.parseOptionList();
        const fn = opts.find((o) => o.name === "FUNCTION");
        col.mask = typeof fn?.value === "string" ? fn.value.replace(/^N?'(.*)'$/s, "$1") : "";
      } else if (u === "ENCRYPTED") {
        const s = this.advance();
        this.expectWord("WITH");
        this.skipParens();
        col.encrypted = this.lx.text.slice(s.start, this.prev.end);
      } else if (u === "INDEX") {
        col.index = this.parseInlineIndex();
      } else if (u === "CONSTRAINT" || u === "PRIMARY" || u === "UNIQUE" || u === "FOREIGN" || u === "REFERENCES" || u === "CHECK" || u === "DEFAULT") {
        const cs = this.peek();
        let cname: A.Identifier | undefined;
        if (this.acceptWord("CONSTRAINT")) cname = this.ident();
        // CONSTRAINT n NOT NULL / NULL (rare) : just the nullability.
        if (cname && this.isWord("NOT") && this.isWord("NULL", 1)) {
          this.advance();
          this.advance();
          col.nullable = false;
          continue;
        }
        const c = this.parseConstraintBody(cs, cname, false);
        if (!c) throw this.error("expected a constraint");
        if (c.kind === "Default") col.default = c;
        else col.constraints.push(c);
      } else break;
    }
    col.loc = this.locOf(start);
    return col;
  }

  private parseCreateTable(start: Token): A.CreateTable {
    this.expectWord("TABLE");
    const name = this.objectName();
    const ct: A.CreateTable = { kind: "CreateTable", name, columns: [], constraints: [], indexes: [], options: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.isWord("AS") && (this.isWord("FILETABLE", 1) || this.isWord("EDGE", 1) || this.isWord("NODE", 1))) {
      this.advance();
      ct.asType = this.advance().upper as "FILETABLE" | "EDGE" | "NODE";
    } else if (this.isWord("WITH") || this.isWord("AS")) {
      // CTAS: CREATE TABLE t WITH (DISTRIBUTION = ...) AS SELECT ...
    } else {
      const body = this.parseTableBody();
      ct.columns = body.columns;
      ct.constraints = body.constraints;
      ct.indexes = body.indexes;
      if (body.period) ct.period = body.period;
    }
    for (;;) {
      if (this.isWord("AS") && (this.isWord("NODE", 1) || this.isWord("EDGE", 1))) {
        this.advance();
        ct.asType = this.advance().upper as "NODE" | "EDGE";
      } else if (this.isWord("ON")) {
        const fg = this.parseOnFileGroup();
        if (!fg) break;
        ct.onFileGroup = fg;
      } else if (this.acceptWord("TEXTIMAGE_ON")) {
        ct.textImageOn = this.advance().value;
      } else if (this.acceptWord("FILESTREAM_ON")) {
        ct.fileStreamOn = this.advance().value;
      } else if (this.isWord("WITH") && this.isOp("(", 1)) {
        this.advance();
        ct.options.push(...this.parseOptionList());
      } else if (this.isWord("AS") && (this.isWord("SELECT", 1) || this.isWord("WITH", 1) || this.isOp("(", 1))) {
        const qs = this.advance();
        const w = this.isWord("WITH") ? this.parseWith() : undefined;
        ct.asSelect = this.parseSelectStatement(w, qs);
      } else break;
    }
    ct.loc = this.locOf(start);
    return ct;
  }

  private parseAlterTable(start: Token): A.AlterTable {
    this.expectWord("TABLE");
    const name = this.objectName();
    const at: A.AlterTable = { kind: "AlterTable", name, actions: [], loc: this.locOf(start), comments: start.comments ?? [] };
    const as = this.peek();
    let withCheck: boolean | undefined;
    if (this.isWord("WITH") && (this.isWord("CHECK", 1) || this.isWord("NOCHECK", 1))) {
      this.advance();
      withCheck = this.advance().upper === "CHECK";
    }
    const t = this.peek();
    if (t.upper === "ADD") {
      this.advance();
      const items: (A.ColumnDef | A.TableConstraint | A.InlineIndex | A.PeriodForSystemTime)[] = [];
      do {
        if (this.isWord("COLUMN")) this.advance();
        items.push(this.parseTableElement());
      } while (this.acceptOp(","));
      at.actions.push({ kind: "AddItems", loc: this.locOf(as), items, ...(withCheck !== undefined ? { withCheck } : {}) });
    } else if (t.upper === "CHECK" || t.upper === "NOCHECK") {
      this.advance();
      this.expectWord("CONSTRAINT");
      const names: A.Identifier[] = [];
      let all = false;
      if (this.acceptWord("ALL")) all = true;
      else {
        do names.push(this.ident());
        while (this.acceptOp(","));
      }
      at.actions.push({ kind: "CheckConstraints", loc: this.locOf(as), check: t.upper === "CHECK", all, names, ...(withCheck !== undefined ? { withCheck } : {}) });
    } else if (t.upper === "ALTER" && this.isWord("COLUMN", 1)) {
      this.advance();
      this.advance();
      const column = this.ident();
      if (this.isWord("ADD") || this.isWord("DROP")) {
        const s = this.advance();
        while (this.peek().type === T_WORD && !STATEMENT_START.has(this.peek().upper)) {
          if (this.isWord("MASKED")) {
            this.advance();
            if (this.acceptWord("WITH")) this.skipParens();
          } else this.advance();
        }
        at.actions.push({ kind: "AlterColumn", loc: this.locOf(as), column, addDrop: this.lx.text.slice(s.start, this.prev.end) });
      } else {
        const type = this.parseDataType();
        const ac: A.AlterTableAction & { kind: "AlterColumn" } = { kind: "AlterColumn", loc: PENDING_LOC, column, type };
        for (;;) {
          if (this.acceptWord("COLLATE")) ac.collation = this.advance().value;
          else if (this.acceptWord("NULL")) ac.nullable = true;
          else if (this.acceptWords("NOT", "NULL")) ac.nullable = false;
          else if (this.isWord("SPARSE") || this.isWord("HIDDEN") || this.isWord("ROWGUIDCOL")) this.advance();
          else if (this.isWord("ENCRYPTED") && this.isWord("WITH", 1)) {
            this.advance();
            this.advance();
            this.skipParens();
          }
          else if (this.isWord("WITH") && this.isOp("(", 1)) {
            this.advance();
            this.parseOptionList();
          } else break;
        }
        ac.loc = this.locOf(as);
        at.actions.push(ac);
      }
    } else if (t.upper === "DROP") {
      this.advance();
      const items: { type: "COLUMN" | "CONSTRAINT" | "PERIOD"; name: A.Identifier; ifExists: boolean }[] = [];
      let type: "COLUMN" | "CONSTRAINT" | "PERIOD" = "CONSTRAINT";
      do {
        if (this.acceptWord("COLUMN")) type = "COLUMN";
        else if (this.acceptWord("CONSTRAINT")) type = "CONSTRAINT";
        else if (this.isWord("PERIOD")) {
          const ps = this.advance();
          this.expectWord("FOR");
          this.expectWord("SYSTEM_TIME");
          items.push({ type: "PERIOD", name: { kind: "Identifier", value: "SYSTEM_TIME", quote: "none", loc: this.locOf(ps) }, ifExists: false });
          continue;
        }
        const ifExists = this.acceptWords("IF", "EXISTS");
        items.push({ type, name: this.ident(), ifExists });
        if (this.isWord("WITH") && this.isOp("(", 1)) {
          this.advance();
          this.parseOptionList();
        }
      } while (this.acceptOp(","));
      at.actions.push({ kind: "DropItems", loc: this.locOf(as), items });
    } else if ((t.upper === "ENABLE" || t.upper === "DISABLE") && this.isWord("TRIGGER", 1)) {
      this.advance();
      this.advance();
      const names: A.Identifier[] = [];
      let all = false;
      if (this.acceptWord("ALL")) all = true;
      else {
        do names.push(this.ident());
        while (this.acceptOp(","));
      }
      at.actions.push({ kind: "TriggerState", loc: this.locOf(as), enable: t.upper === "ENABLE", all, names });
    } else if (t.upper === "SET" && this.isOp("(", 1)) {
      this.advance();
      at.actions.push({ kind: "SetOptions", loc: this.locOf(as), options: this.parseOptionList() });
    } else {
      // SWITCH, REBUILD, ... : kept as text.
      const os = this.peek();
      this.skipToStatementEnd(false, false, new Set());
      at.actions.push({ kind: "OtherAlter", loc: this.locOf(as), text: this.lx.text.slice(os.start, this.prev.end) });
      this.diag(TSQL.UnsupportedClause, "note", `ALTER TABLE ${os.upper || "action"} is kept as text`, os);
    }
    at.loc = this.locOf(start);
    return at;
  }

  private parseModuleOptions(stopWords: string[]): string[] {
    const opts: string[] = [];
    if (!this.acceptWord("WITH")) return opts;
    do {
      const s = this.peek();
      if (this.acceptWords("EXECUTE", "AS") || this.acceptWords("EXEC", "AS")) {
        this.advance();
      } else if (this.acceptWords("RETURNS", "NULL", "ON", "NULL", "INPUT") || this.acceptWords("CALLED", "ON", "NULL", "INPUT")) {
        // consumed
      } else if (this.isWord("INLINE") && this.isOp("=", 1)) {
        this.advance();
        this.advance();
        this.advance();
      } else {
        const w = this.advance();
        if (w.type !== T_WORD || stopWords.includes(w.upper)) throw this.error("expected a module option", w);
      }
      opts.push(this.lx.text.slice(s.start, this.prev.end).replace(/\s+/g, " ").toUpperCase());
    } while (this.acceptOp(","));
    return opts;
  }

  private parseCreateView(start: Token, mode: A.CreateMode): A.ViewStatement {
    this.expectWord("VIEW");
    const name = this.objectName();
    const columns = this.isOp("(") ? this.parenIdentList() : [];
    const options = this.parseModuleOptions([]);
    this.expectWord("AS");
    const w = this.isWord("WITH") ? this.parseWith() : undefined;
    const query = this.parseQueryExpr();
    const v: A.ViewStatement = { kind: "CreateView", mode, name, columns, options, query, checkOption: false, loc: PENDING_LOC, comments: start.comments ?? [] };
    if (w) v.with = w;
    if (this.acceptWords("WITH", "CHECK", "OPTION")) v.checkOption = true;
    v.loc = this.locOf(start);
    return v;
  }

  private parseParameters(closeParen: boolean): A.Parameter[] {
    const params: A.Parameter[] = [];
    if (closeParen && this.isOp(")")) return params;
    if (this.peek().type !== T_VARIABLE) return params;
    do {
      const s = this.peek();
      if (s.type !== T_VARIABLE) throw this.error("expected a @parameter");
      this.advance();
      this.acceptWord("AS");
      const type = this.parseDataType();
      const p: A.Parameter = { kind: "Parameter", name: s.value, type, output: false, readonly: false, varying: false, loc: PENDING_LOC };
      for (;;) {
        if (this.acceptWord("VARYING")) p.varying = true;
        else if (this.acceptWord("NULL")) p.nullable = true;
        else if (this.acceptWords("NOT", "NULL")) p.nullable = false;
        else if (this.acceptOp("=")) p.default = this.parseExpr();
        else if (this.acceptWord("OUTPUT") || this.acceptWord("OUT")) p.output = true;
        else if (this.acceptWord("READONLY")) p.readonly = true;
        else break;
      }
      p.loc = this.locOf(s);
      params.push(p);
    } while (this.acceptOp(","));
    return params;
  }

  /** AS EXTERNAL NAME a.b.c */
  private parseExternalName(): string | undefined {
    if (this.isWord("EXTERNAL") && this.isWord("NAME", 1)) {
      this.advance();
      this.advance();
      const s = this.peek();
      this.objectName();
      return this.lx.text.slice(s.start, this.prev.end);
    }
    return undefined;
  }

  private parseCreateProcedure(start: Token, mode: A.CreateMode): A.ProcedureStatement {
    this.advance();
    const name = this.objectName();
    const pr: A.ProcedureStatement = { kind: "CreateProcedure", mode, name, params: [], options: [], forReplication: false, body: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.isOp(";") && this.peek(1).type === T_INTEGER) {
      this.advance();
      pr.number = Number(this.advance().value);
    }
    if (this.isOp("(") && this.peek(1).type === T_VARIABLE) {
      this.advance();
      pr.params = this.parseParameters(true);
      this.expectOp(")");
    } else if (this.isOp("(") && this.isOp(")", 1)) {
      this.advance();
      this.advance();
    } else pr.params = this.parseParameters(false);
    pr.options = this.parseModuleOptions(["AS"]);
    if (this.acceptWords("FOR", "REPLICATION")) pr.forReplication = true;
    this.expectWord("AS");
    const ext = this.parseExternalName();
    if (ext) pr.externalName = ext;
    else pr.body = this.parseStatementList(false);
    pr.loc = this.locOf(start);
    return pr;
  }

  private parseCreateFunction(start: Token, mode: A.CreateMode): A.FunctionStatement {
    this.advance();
    const name = this.objectName();
    this.expectOp("(");
    const params = this.parseParameters(true);
    this.expectOp(")");
    this.expectWord("RETURNS");
    const fn: A.FunctionStatement = { kind: "CreateFunction", mode, name, params, returns: { kind: "InlineTable" }, options: [], body: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    const rt = this.peek();
    if (rt.type === T_VARIABLE) {
      this.advance();
      this.expectWord("TABLE");
      const body = this.parseTableBody();
      fn.returns = { kind: "TableVariable", variable: rt.value, columns: body.columns, constraints: body.constraints, indexes: body.indexes };
    } else if (this.isWord("TABLE") && !this.isOp("(", 1)) {
      this.advance();
      fn.returns = { kind: "InlineTable" };
    } else if (this.isWord("TABLE") && this.isOp("(", 1)) {
      // CLR table-valued function: RETURNS TABLE (cols) ... EXTERNAL NAME
      this.advance();
      const body = this.parseTableBody();
      fn.returns = { kind: "TableVariable", variable: "", columns: body.columns, constraints: body.constraints, indexes: body.indexes };
    } else {
      fn.returns = { kind: "Scalar", type: this.parseDataType() };
    }
    fn.options = this.parseModuleOptions(["AS", "BEGIN", "RETURN"]);
    if (this.isWord("ORDER") && this.isWord("BY", 1)) {
      this.advance();
      this.advance();
      this.skipParens();
    }
    this.acceptWord("AS");
    const ext = this.parseExternalName();
    if (ext) {
      fn.externalName = ext;
    } else if (fn.returns.kind === "InlineTable") {
      const rs = this.expectWord("RETURN");
      let query: A.QueryExpr;
      let w: A.WithClause | undefined;
      if (this.isOp("(") && this.isWord("WITH", 1)) {
        this.advance();
        w = this.parseWith();
        query = this.parseQueryExpr();
        this.expectOp(")");
      } else {
        if (this.isWord("WITH")) w = this.parseWith();
        query = this.parseQueryExpr();
      }
      fn.returnQuery = { kind: "SelectStatement", query, ...(w ? { with: w } : {}), loc: this.locOf(rs), comments: [] };
    } else {
      const bs = this.expectWord("BEGIN");
      void bs;
      fn.body = this.parseStatementList(true);
      this.expectWord("END");
    }
    fn.loc = this.locOf(start);
    return fn;
  }

  private parseCreateTrigger(start: Token, mode: A.CreateMode): A.TriggerStatement {
    this.advance();
    const name = this.objectName();
    this.expectWord("ON");
    const tr: A.TriggerStatement = { kind: "CreateTrigger", mode, name, timing: "FOR", events: [], options: [], notForReplication: false, body: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.acceptWord("DATABASE")) tr.scope = "DATABASE";
    else if (this.acceptWords("ALL", "SERVER")) tr.scope = "ALL SERVER";
    else tr.table = this.objectName();
    tr.options = this.parseModuleOptions(["FOR", "AFTER", "INSTEAD"]);
    if (this.acceptWord("FOR")) tr.timing = "FOR";
    else if (this.acceptWord("AFTER")) tr.timing = "AFTER";
    else if (this.acceptWords("INSTEAD", "OF")) tr.timing = "INSTEAD OF";
    else throw this.error("expected FOR, AFTER or INSTEAD OF");
    do tr.events.push(this.advance().upper);
    while (this.acceptOp(","));
    if (this.acceptWords("WITH", "APPEND")) tr.options.push("WITH APPEND");
    if (this.acceptWords("NOT", "FOR", "REPLICATION")) tr.notForReplication = true;
    this.expectWord("AS");
    const ext = this.parseExternalName();
    if (ext) tr.externalName = ext;
    else tr.body = this.parseStatementList(false);
    tr.loc = this.locOf(start);
    return tr;
  }

  private parseCreateType(start: Token): A.CreateType {
    this.expectWord("TYPE");
    const name = this.objectName();
    const ct: A.CreateType = { kind: "CreateType", name, loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.acceptWord("FROM")) {
      ct.from = this.parseDataType();
      if (this.acceptWord("NULL")) ct.nullable = true;
      else if (this.acceptWords("NOT", "NULL")) ct.nullable = false;
    } else if (this.acceptWord("AS")) {
      this.expectWord("TABLE");
      const body = this.parseTableBody();
      const options = this.isWord("WITH") && this.isOp("(", 1) ? (this.advance(), this.parseOptionList()) : [];
      ct.table = { columns: body.columns, constraints: body.constraints, indexes: body.indexes, options };
    } else {
      const ext = this.parseExternalName();
      if (!ext) throw this.error("expected FROM, AS TABLE or EXTERNAL NAME");
      ct.externalName = ext;
    }
    ct.loc = this.locOf(start);
    return ct;
  }

  private parseCreateSequence(start: Token, mode: A.CreateMode): A.CreateSequence {
    this.expectWord("SEQUENCE");
    const name = this.objectName();
    const sq: A.CreateSequence = { kind: "CreateSequence", mode: mode === "ALTER" ? "ALTER" : "CREATE", name, loc: PENDING_LOC, comments: start.comments ?? [] };
    for (;;) {
      if (this.acceptWord("AS")) sq.type = this.parseDataType();
      else if (this.acceptWords("START", "WITH")) sq.startWith = this.parseAdditive();
      else if (this.acceptWords("INCREMENT", "BY")) sq.incrementBy = this.parseAdditive();
      else if (this.acceptWord("MINVALUE")) sq.minValue = this.parseAdditive();
      else if (this.acceptWords("NO", "MINVALUE")) sq.minValue = null;
      else if (this.acceptWord("MAXVALUE")) sq.maxValue = this.parseAdditive();
      else if (this.acceptWords("NO", "MAXVALUE")) sq.maxValue = null;
      else if (this.acceptWord("CYCLE")) sq.cycle = true;
      else if (this.acceptWords("NO", "CYCLE")) sq.cycle = false;
      else if (this.acceptWords("NO", "CACHE")) sq.cache = null;
      else if (this.acceptWord("CACHE")) {
        if (this.peek().type === T_INTEGER) sq.cache = this.parsePrimary();
        else sq.cache = { kind: "DefaultValue", loc: this.locOf(this.prev) };
      } else if (this.acceptWord("RESTART")) {
        sq.restartWith = this.acceptWord("WITH") ? this.parseAdditive() : true;
      } else break;
    }
    sq.loc = this.locOf(start);
    return sq;
  }

  private parseCreateSchema(start: Token): A.CreateSchema {
    this.expectWord("SCHEMA");
    const cs: A.CreateSchema = { kind: "CreateSchema", name: { kind: "Identifier", value: "", quote: "none", loc: this.locOf(start) }, elements: [], loc: this.locOf(start), comments: start.comments ?? [] };
    if (this.isWord("AUTHORIZATION")) {
      this.advance();
      cs.authorization = this.ident();
      cs.name = cs.authorization;
    } else {
      cs.name = this.ident();
      if (this.acceptWord("AUTHORIZATION")) cs.authorization = this.ident();
    }
    // Schema elements (CREATE TABLE/VIEW, GRANT...) written without a separator belong to the schema.
    while (this.isWord("CREATE") && (this.isWord("TABLE", 1) || this.isWord("VIEW", 1)) || this.isWord("GRANT") || this.isWord("DENY") || this.isWord("REVOKE")) {
      cs.elements.push(this.parseStatement());
      while (this.isOp(";")) this.advance();
    }
    cs.loc = this.locOf(start);
    return cs;
  }

  private parseCreateIndex(start: Token): A.CreateIndex {
    const ci: A.CreateIndex = {
      kind: "CreateIndex", mode: "CREATE", name: { kind: "Identifier", value: "", quote: "none", loc: PENDING_LOC },
      table: { kind: "ObjectName", name: { kind: "Identifier", value: "", quote: "none", loc: this.locOf(start) }, partCount: 1, loc: this.locOf(start) },
      unique: false, columnstore: false, columns: [], include: [], options: [], loc: this.locOf(start), comments: start.comments ?? [],
    };
    if (this.acceptWord("UNIQUE")) ci.unique = true;
    const cl = this.parseClustered();
    if (cl !== undefined) ci.clustered = cl;
    if (this.acceptWord("COLUMNSTORE")) ci.columnstore = true;
    if (this.acceptWords("PRIMARY", "XML")) ci.special = "PRIMARY XML";
    else if (this.acceptWord("XML")) ci.special = "XML";
    else if (this.acceptWord("SPATIAL")) ci.special = "SPATIAL";
    this.expectWord("INDEX");
    ci.name = this.ident();
    this.expectWord("ON");
    ci.table = this.objectName();
    if (this.isOp("(")) ci.columns = this.parseIndexColumns();
    if (this.acceptWord("USING")) {
      // USING XML INDEX x FOR PATH / USING GEOMETRY_GRID
      if (this.acceptWords("XML", "INDEX")) {
        this.ident();
        if (this.acceptWord("FOR")) this.advance();
      } else this.advance();
    }
    if (this.acceptWord("INCLUDE")) ci.include = this.parenIdentList();
    if (this.acceptWord("WHERE")) ci.where = this.parseExpr();
    ci.options = this.parseIndexWith();
    const fg = this.parseOnFileGroup();
    if (fg) ci.onFileGroup = fg;
    if (this.acceptWord("FILESTREAM_ON")) ci.fileStreamOn = this.advance().value;
    ci.loc = this.locOf(start);
    return ci;
  }

  private parseCreateStatistics(start: Token): A.CreateStatistics {
    this.expectWord("STATISTICS");
    const name = this.ident();
    this.expectWord("ON");
    const table = this.objectName();
    const columns = this.parenIdentList();
    const st: A.CreateStatistics = { kind: "CreateStatistics", name, table, columns, options: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    if (this.acceptWord("WHERE")) st.where = this.parseExpr();
    if (this.acceptWord("WITH")) {
      do {
        const s = this.peek();
        const words: string[] = [];
        while (this.peek().type === T_WORD && !this.isOp(",", 0)) {
          words.push(this.advance().upper);
          if (this.peek().type !== T_WORD || STATEMENT_START.has(this.peek().upper)) break;
          if (!["PERCENT", "ROWS"].includes(this.peek().upper)) break;
        }
        if (this.peek().type === T_INTEGER) {
          this.advance();
          if (this.isWord("PERCENT") || this.isWord("ROWS")) this.advance();
        }
        if (this.acceptOp("=")) this.advance();
        st.options.push({ kind: "Option", name: this.lx.text.slice(s.start, this.prev.end).toUpperCase(), loc: this.locOf(s) });
      } while (this.acceptOp(","));
    }
    st.loc = this.locOf(start);
    return st;
  }

  private static readonly DROPPABLE = new Set(
    "TABLE VIEW PROC PROCEDURE FUNCTION TRIGGER TYPE SEQUENCE SYNONYM SCHEMA INDEX STATISTICS DEFAULT RULE".split(" "),
  );

  private parseDrop(): A.Drop | A.Command {
    const start = this.peek();
    const what = this.peek(1);
    if (what.type !== T_WORD || !Parser.DROPPABLE.has(what.upper)) return this.command(start);
    this.advance();
    this.advance();
    const objectType = what.upper === "PROC" ? "PROCEDURE" : what.upper;
    const d: A.Drop = { kind: "Drop", objectType, ifExists: this.acceptWords("IF", "EXISTS"), names: [], loc: PENDING_LOC, comments: start.comments ?? [] };
    do {
      d.names.push(this.objectName());
      if (objectType === "INDEX" && this.acceptWord("ON")) d.on = this.objectName();
      if (this.isWord("WITH") && this.isOp("(", 1)) {
        this.advance();
        this.parseOptionList();
      }
    } while (this.acceptOp(","));
    if (objectType === "TRIGGER" && this.isWord("ON")) {
      this.advance();
      if (!this.acceptWord("DATABASE")) this.acceptWords("ALL", "SERVER");
    }
    d.loc = this.locOf(start);
    return d;
  }
}
