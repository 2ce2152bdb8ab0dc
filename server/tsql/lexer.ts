// The T-SQL tokenizer. Hand-written over char codes for speed (the target is well above 5 MB/s).
// It runs lazily (one token per `next()`), so a 50 MB script never becomes one 50 MB token array:
// the parser consumes a statement's tokens and drops them. `GO` alone on its line is a token of its
// own (type Go) and pauses the lexer until the parser starts the next batch.
import type { Diagnostic } from "../diagnostics.ts";
import type { Comment, Loc } from "./ast.ts";
import { TSQL } from "./codes.ts";

export const enum T {
  Word = 1, // unquoted identifier or keyword (includes #temp, ##global)
  QuotedId = 2, // [bracketed] or "double quoted" identifier
  String = 3,
  NString = 4,
  Integer = 5,
  Decimal = 6,
  Float = 7,
  Money = 8,
  Binary = 9,
  Variable = 10, // @name
  GlobalVariable = 11, // @@name
  Op = 12, // punctuation and operators; `value` holds it
  Pseudo = 13, // $action, $identity, ...
  Go = 14,
  EOF = 15,
  Unknown = 16,
}

export interface Token {
  type: T;
  /** Words: as written. Quoted identifiers and strings: unescaped content. Numbers/ops: as written. */
  value: string;
  /** Upper-cased value for words and pseudo columns ("" otherwise). */
  upper: string;
  /** Offsets into the (pre-processed) script text. */
  start: number;
  end: number;
  line: number;
  col: number;
  endLine: number;
  /** True when no other token precedes this one on its line. */
  firstOnLine: boolean;
  quote: "bracket" | "double" | undefined;
  /** Comments between the previous token and this one (except a line comment on this token's line). */
  comments: Comment[] | undefined;
  /** A `--` comment that follows this token on the same line. */
  trailing: Comment[] | undefined;
  /** GO n */
  count: number | undefined;
}

export interface LexerOptions {
  file: string;
  /** Default true: "x" is an identifier. false: "x" is a string (SET QUOTED_IDENTIFIER OFF). */
  quotedIdentifier?: boolean;
  /** Maps a line of the lexed text to its file and line (SQLCMD :r includes, lineOffset). */
  mapLine?: (line: number) => { file: string; line: number };
}

// Character classes, indexed by char code < 128.
const IDENT_START = new Uint8Array(128);
const IDENT_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_#]/.test(ch)) IDENT_START[c] = 1;
  if (/[A-Za-z0-9_#@$]/.test(ch)) IDENT_PART[c] = 1;
}
function isIdentStart(c: number): boolean {
  return c < 128 ? IDENT_START[c] === 1 : isUnicodeLetter(c);
}
function isIdentPart(c: number): boolean {
  return c < 128 ? IDENT_PART[c] === 1 : isUnicodeLetter(c);
}
function isUnicodeLetter(c: number): boolean {
  // Anything non-ASCII that is not whitespace counts as a letter (identifiers may use any script).
  return !isUnicodeSpace(c);
}
function isUnicodeSpace(c: number): boolean {
  return c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200b) || c === 0x2028 || c === 0x2029 || c === 0x3000 || c === 0x85 || c === 0x1680 || c === 0x202f || c === 0x205f;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

// Words repeat a great deal (keywords, column names): caching their upper-case form saves an
// allocation per token. Bounded so a pathological input cannot grow it without limit.
const upperCache = new Map<string, string>();
function upperOf(value: string): string {
  let u = upperCache.get(value);
  if (u === undefined) {
    u = value.toUpperCase();
    if (upperCache.size > 50_000) upperCache.clear();
    upperCache.set(value, u);
  }
  return u;
}

const TWO_CHAR_OPS = new Set(["<=", ">=", "<>", "!=", "!<", "!>", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "::", "||"]);

export class Lexer {
  readonly text: string;
  readonly file: string;
  readonly quotedIdentifier: boolean;
  readonly diagnostics: Diagnostic[] = [];
  private readonly mapLine: ((line: number) => { file: string; line: number }) | undefined;
  pos = 0;
  line = 1;
  private lineStart = 0;
  private atLineStart = true;
  private paused = false;
  private pendingGo: Token | undefined;
  private lastToken: Token | undefined;
  /** Comments lexed since the last `takeComments()`. */
  private comments: Comment[] = [];

  constructor(text: string, options: LexerOptions) {
    this.text = text;
    this.file = options.file;
    this.quotedIdentifier = options.quotedIdentifier !== false;
    this.mapLine = options.mapLine;
  }

  /** Comments seen since the previous call (their offsets are still script offsets). */
  takeComments(): Comment[] {
    const c = this.comments;
    this.comments = [];
    return c;
  }

  /** After a Go token the lexer keeps returning it until resumed: batches never share tokens. */
  resume(): void {
    this.paused = false;
    this.pendingGo = undefined;
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  private where(line: number, col: number): { file: string; line: number; column: number } {
    const m = this.mapLine ? this.mapLine(line) : { file: this.file, line };
    return { file: m.file, line: m.line, column: col };
  }

  private badChars = 0;

  private diag(code: string, severity: Diagnostic["severity"], message: string, line: number, col: number): void {
    // A binary file would otherwise give one diagnostic per byte.
    if (code === TSQL.UnexpectedCharacter && ++this.badChars > 20) {
      if (this.badChars === 21) {
        const w = this.where(line, col);
        this.diagnostics.push({ code, severity, message: "more unexpected characters follow (not reported one by one): is this file T-SQL text in a known encoding?", file: w.file, line: w.line, column: w.column });
      }
      return;
    }
    const w = this.where(line, col);
    this.diagnostics.push({ code, severity, message, file: w.file, line: w.line, column: w.column });
  }

  next(): Token {
    if (this.paused && this.pendingGo) return this.pendingGo;
    const text = this.text;
    const len = text.length;
    let leading: Comment[] | undefined;
    // Whitespace and comments.
    for (;;) {
      if (this.pos >= len) break;
      const c = text.charCodeAt(this.pos);
      if (c === 10) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
        this.atLineStart = true;
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || (c > 127 && isUnicodeSpace(c))) {
        this.pos++;
        continue;
      }
      if (c === 45 && text.charCodeAt(this.pos + 1) === 45) {
        const start = this.pos;
        let e = text.indexOf("\n", start);
        if (e < 0) e = len;
        let textEnd = e;
        if (textEnd > start && text.charCodeAt(textEnd - 1) === 13) textEnd--;
        const cm = this.makeComment(start, textEnd, "line", this.line, start - this.lineStart + 1, this.line);
        const last = this.lastToken;
        if (!leading && last && last.endLine === this.line && last.type !== T.Go) {
          // `SELECT 1 -- why`: a line comment after code on the same line belongs to that code.
          (last.trailing ??= []).push(cm);
        } else (leading ??= []).push(cm);
        this.pos = e;
        continue;
      }
      if (c === 47 && text.charCodeAt(this.pos + 1) === 42) {
        const start = this.pos;
        const startLine = this.line;
        const startCol = start - this.lineStart + 1;
        let depth = 1;
        let p = start + 2;
        while (p < len && depth > 0) {
          const d = text.charCodeAt(p);
          if (d === 10) {
            this.line++;
            this.lineStart = p + 1;
            p++;
          } else if (d === 47 && text.charCodeAt(p + 1) === 42) {
            depth++;
            p += 2;
          } else if (d === 42 && text.charCodeAt(p + 1) === 47) {
            depth--;
            p += 2;
          } else p++;
        }
        if (depth > 0) {
          this.diag(TSQL.UnterminatedComment, "error", "unterminated /* comment: the rest of the file is inside it", startLine, startCol);
          p = len;
        }
        this.pos = p;
        (leading ??= []).push(this.makeComment(start, p, "block", startLine, startCol, this.line));
        this.atLineStart = false;
        continue;
      }
      break;
    }
    const tok = this.scan();
    if (leading) tok.comments = leading;
    this.lastToken = tok;
    return tok;
  }

  private makeComment(start: number, end: number, style: "line" | "block", line: number, col: number, endLine: number): Comment {
    const w = this.where(line, col);
    const loc: Loc = { file: w.file, line: w.line, column: col, endLine: this.mapLine ? this.mapLine(endLine).line : endLine, offset: start, end };
    const cm: Comment = { kind: "Comment", text: this.text.slice(start, end), style, loc };
    this.comments.push(cm);
    return cm;
  }

  private tok(type: T, value: string, upper: string, start: number, startLine: number, startCol: number, firstOnLine: boolean): Token {
    // Every token has the same fields in the same order (one hidden class keeps property reads fast).
    return { type, value, upper, start, end: this.pos, line: startLine, col: startCol, endLine: this.line, firstOnLine, quote: undefined, comments: undefined, trailing: undefined, count: undefined };
  }

  private scan(): Token {
    const text = this.text;
    const len = text.length;
    const start = this.pos;
    const line = this.line;
    const col = start - this.lineStart + 1;
    const first = this.atLineStart;
    this.atLineStart = false;
    if (start >= len) {
      return { type: T.EOF, value: "", upper: "", start: len, end: len, line, col, endLine: line, firstOnLine: first, quote: undefined, comments: undefined, trailing: undefined, count: undefined };
    }
    const c = text.charCodeAt(start);

    // N'unicode string'
    if ((c === 78 || c === 110) && text.charCodeAt(start + 1) === 39) {
      this.pos = start + 1;
      const v = this.readQuoted(39, line, col);
      return this.tok(T.NString, v, "", start, line, col, first);
    }
    // 0x binary
    if (c === 48 && (text.charCodeAt(start + 1) === 120 || text.charCodeAt(start + 1) === 88)) {
      let p = start + 2;
      while (p < len && isHex(text.charCodeAt(p))) p++;
      this.pos = p;
      return this.tok(T.Binary, text.slice(start, p), "", start, line, col, first);
    }
    if (isIdentStart(c)) {
      let p = start + 1;
      while (p < len && isIdentPart(text.charCodeAt(p))) p++;
      this.pos = p;
      const value = text.slice(start, p);
      const upper = upperOf(value);
      if (first && upper === "GO") {
        const go = this.tryGo(start, line, col);
        if (go) return go;
      }
      return this.tok(T.Word, value, upper, start, line, col, first);
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(start + 1)))) {
      return this.readNumber(start, line, col, first, T.Integer);
    }
    switch (c) {
      case 39: { // 'string'
        const v = this.readQuoted(39, line, col);
        return this.tok(T.String, v, "", start, line, col, first);
      }
      case 91: { // [identifier]
        const v = this.readQuoted(93, line, col);
        const t = this.tok(T.QuotedId, v, "", start, line, col, first);
        t.quote = "bracket";
        return t;
      }
      case 34: { // "identifier" or "string"
        const v = this.readQuoted(34, line, col);
        if (!this.quotedIdentifier) return this.tok(T.String, v, "", start, line, col, first);
        const t = this.tok(T.QuotedId, v, "", start, line, col, first);
        t.quote = "double";
        return t;
      }
      case 64: { // @var, @@global
        let p = start + 1;
        let type = T.Variable;
        if (text.charCodeAt(p) === 64) {
          type = T.GlobalVariable;
          p++;
        }
        const nameStart = p;
        while (p < len && isIdentPart(text.charCodeAt(p))) p++;
        if (p === nameStart) {
          this.pos = start + 1;
          return this.tok(T.Op, "@", "", start, line, col, first);
        }
        this.pos = p;
        const value = text.slice(start, p);
        return this.tok(type, value, value.toUpperCase(), start, line, col, first);
      }
      case 36: { // $12.50 money, $action pseudo column
        const d = text.charCodeAt(start + 1);
        if (isDigit(d) || (d === 46 && isDigit(text.charCodeAt(start + 2)))) {
          this.pos = start + 1;
          return this.readNumber(start, line, col, first, T.Money);
        }
        if ((d === 45 || d === 43) && isDigit(text.charCodeAt(start + 2))) {
          this.pos = start + 2;
          return this.readNumber(start, line, col, first, T.Money);
        }
        if (d === 40) {
          // An SQLCMD $(var) left in the text (undefined: already reported by the pre-processor) is
          // one placeholder token, so it does not also cascade into syntax errors.
          const m = /^\$\([A-Za-z_][\w.-]*\)/.exec(text.slice(start, start + 130));
          if (m) {
            this.pos = start + m[0].length;
            return this.tok(T.Pseudo, m[0], m[0].toUpperCase(), start, line, col, first);
          }
        }
        if (d < 128 ? IDENT_START[d] === 1 : isUnicodeLetter(d)) {
          let p = start + 1;
          while (p < len && isIdentPart(text.charCodeAt(p))) p++;
          this.pos = p;
          const value = text.slice(start, p);
          return this.tok(T.Pseudo, value, value.toUpperCase(), start, line, col, first);
        }
        break;
      }
    }
    // Operators and punctuation.
    if (start + 1 < len) {
      const two = text.slice(start, start + 2);
      if (TWO_CHAR_OPS.has(two)) {
        this.pos = start + 2;
        return this.tok(T.Op, two, "", start, line, col, first);
      }
    }
    if ("(),.;=<>+-*/%&|^~:{}!".indexOf(text[start]!) >= 0) {
      this.pos = start + 1;
      return this.tok(T.Op, text[start]!, "", start, line, col, first);
    }
    // Anything else: one code point, reported once by the parser if it matters.
    const cp = text.codePointAt(start)!;
    this.pos = start + (cp > 0xffff ? 2 : 1);
    this.diag(TSQL.UnexpectedCharacter, "error", `unexpected character '${String.fromCodePoint(cp)}' (U+${cp.toString(16).toUpperCase().padStart(4, "0")})`, line, col);
    return this.tok(T.Unknown, text.slice(start, this.pos), "", start, line, col, first);
  }

  /** Reads '...' / [...] / "..." starting at this.pos (on the opening quote). Returns the unescaped content. */
  private readQuoted(close: number, line: number, col: number): string {
    const text = this.text;
    const len = text.length;
    let p = this.pos + 1;
    const contentStart = p;
    let parts: string[] | undefined;
    let segStart = p;
    for (;;) {
      const i = text.indexOf(String.fromCharCode(close), p);
      // Count newlines between p and the quote (or the end).
      const stop = i < 0 ? len : i;
      let nl = text.indexOf("\n", p);
      while (nl >= 0 && nl < stop) {
        this.line++;
        this.lineStart = nl + 1;
        nl = text.indexOf("\n", nl + 1);
      }
      if (i < 0) {
        const what = close === 39 ? "string" : "quoted identifier";
        this.diag(TSQL.UnterminatedString, "error", `unterminated ${what}: it runs to the end of the file`, line, col);
        this.pos = len;
        const tail = text.slice(segStart, len);
        return parts ? parts.join("") + tail : tail;
      }
      if (text.charCodeAt(i + 1) === close) {
        (parts ??= []).push(text.slice(segStart, i + 1));
        p = i + 2;
        segStart = p;
        continue;
      }
      this.pos = i + 1;
      const last = text.slice(segStart, i);
      if (!parts) return segStart === contentStart ? last : last;
      return parts.join("") + last;
    }
  }

  private readNumber(start: number, line: number, col: number, first: boolean, kind: T): Token {
    const text = this.text;
    const len = text.length;
    let p = kind === T.Money ? this.pos : start;
    let type = T.Integer;
    while (p < len && isDigit(text.charCodeAt(p))) p++;
    if (text.charCodeAt(p) === 46) {
      type = T.Decimal;
      p++;
      while (p < len && isDigit(text.charCodeAt(p))) p++;
    }
    const e = text.charCodeAt(p);
    if (e === 101 || e === 69) {
      let q = p + 1;
      const s = text.charCodeAt(q);
      if (s === 43 || s === 45) q++;
      // T-SQL accepts `1e` as float 1, but `1else` must stay `1` `else`.
      const after = text.charCodeAt(q);
      const identAfter = q < len && (after < 128 ? IDENT_PART[after] === 1 : isUnicodeLetter(after));
      if (isDigit(after) || (q === p + 1 && !identAfter)) {
        type = T.Float;
        p = q;
        while (p < len && isDigit(text.charCodeAt(p))) p++;
      }
    }
    this.pos = p;
    return this.tok(kind === T.Money ? T.Money : type, text.slice(start, p), "", start, line, col, first);
  }

  /** GO [count] [-- comment] alone on its line. */
  private tryGo(start: number, line: number, col: number): Token | undefined {
    const text = this.text;
    const len = text.length;
    let p = start + 2;
    while (p < len && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    let count: number | undefined;
    const ds = p;
    while (p < len && isDigit(text.charCodeAt(p))) p++;
    if (p > ds) count = Number(text.slice(ds, p));
    // `GO;` is not sqlcmd syntax, but scripts in the wild use it and SSMS accepts it.
    while (p < len && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9 || text.charCodeAt(p) === 13 || text.charCodeAt(p) === 59)) p++;
    let end = p;
    if (text.charCodeAt(p) === 45 && text.charCodeAt(p + 1) === 45) {
      let e = text.indexOf("\n", p);
      if (e < 0) e = len;
      this.makeComment(p, text.charCodeAt(e - 1) === 13 ? e - 1 : e, "line", line, p - this.lineStart + 1, line);
      p = e;
      end = e;
    } else if (p < len && text.charCodeAt(p) !== 10) {
      return undefined;
    }
    this.pos = end;
    const t: Token = { type: T.Go, value: "GO", upper: "GO", start, end, line, col, endLine: line, firstOnLine: true, quote: undefined, comments: undefined, trailing: undefined, count: undefined };
    if (count !== undefined) t.count = count;
    this.paused = true;
    this.pendingGo = t;
    return t;
  }
}

/** Tokenizes a whole text (all batches; Go tokens included). For tests and tools; the parser lexes lazily. */
export function tokenize(text: string, options: LexerOptions): { tokens: Token[]; diagnostics: Diagnostic[] } {
  const lx = new Lexer(text, options);
  const tokens: Token[] = [];
  for (;;) {
    const t = lx.next();
    tokens.push(t);
    if (t.type === T.EOF) break;
    if (t.type === T.Go) lx.resume();
  }
  return { tokens, diagnostics: lx.diagnostics };
}
