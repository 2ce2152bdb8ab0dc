// A tokenizer for the Postgres side of a training example: dbt model SQL, i.e. Postgres SQL with
// Jinja blocks ({{ ref('x') }}, {% if is_incremental() %}, {# comment #}). The anonymiser needs to
// know which characters are identifiers, strings, numbers and comments; a real Postgres parser cannot
// read dbt models (the Jinja), and a regex over the text cannot tell a string from a name.
// Never throws: anything it does not recognise becomes a one-character "op" token.

export type PgTokenKind =
  | "word"
  | "quoted" // "double quoted identifier"
  | "string" // '...', E'...', $tag$...$tag$ (value = content)
  | "number"
  | "param" // $1
  | "op"
  | "space"
  | "comment" // -- ..., /* ... */, {# ... #}
  | "jinja"; // {{ ... }} or {% ... %}; value = inner text, open/close = the delimiters (with - trims)

export interface PgToken {
  kind: PgTokenKind;
  /** Exactly as written. */
  text: string;
  /** Words and numbers: as written; quoted identifiers and strings: unescaped content; jinja: inner text. */
  value: string;
  /** Strings: the prefix that must be written back (E, N, B, X, U&) or the dollar tag. */
  prefix?: string;
  open?: string;
  close?: string;
}

// Char-code tests: this runs once per character of every example.
const isIdentStart = (c: string) => {
  const k = c.charCodeAt(0);
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k >= 0x80;
};
const isIdentPart = (c: string) => {
  const k = c.charCodeAt(0);
  return isIdentStart(c) || (k >= 48 && k <= 57) || k === 36;
};
const isDigit = (c: string) => c >= "0" && c <= "9";
const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";

export function tokenizePostgres(text: string): PgToken[] {
  const out: PgToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    const c2 = text[i + 1];
    const start = i;
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      while (i < n && isSpace(text[i]!)) i++;
      out.push({ kind: "space", text: text.slice(start, i), value: "" });
      continue;
    }
    if (c === "{" && (c2 === "{" || c2 === "%" || c2 === "#")) {
      const closeCh = c2 === "{" ? "}}" : c2 === "%" ? "%}" : "#}";
      const end = text.indexOf(closeCh, i + 2);
      const stop = end < 0 ? n : end + 2;
      const whole = text.slice(start, stop);
      if (c2 === "#") {
        out.push({ kind: "comment", text: whole, value: "" });
      } else {
        const open = whole.startsWith(c + c2 + "-") ? c + c2 + "-" : c + c2;
        const close = end < 0 ? "" : whole.endsWith("-" + closeCh) && whole.length > open.length + 2 ? "-" + closeCh : closeCh;
        out.push({ kind: "jinja", text: whole, value: whole.slice(open.length, whole.length - close.length), open, close });
      }
      i = stop;
      continue;
    }
    if (c === "-" && c2 === "-") {
      while (i < n && text[i] !== "\n") i++;
      out.push({ kind: "comment", text: text.slice(start, i), value: "" });
      continue;
    }
    if (c === "/" && c2 === "*") {
      // Postgres block comments nest.
      let depth = 0;
      while (i < n) {
        if (text[i] === "/" && text[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (text[i] === "*" && text[i + 1] === "/") {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      out.push({ kind: "comment", text: text.slice(start, i), value: "" });
      continue;
    }
    // String with a prefix: E'..', N'..', B'..', X'..', U&'..'
    let prefix = "";
    if (/[EeNnBbXx]/.test(c) && c2 === "'") prefix = c;
    else if ((c === "U" || c === "u") && c2 === "&" && text[i + 2] === "'") prefix = text.slice(i, i + 2);
    if (c === "'" || prefix) {
      i += prefix.length + 1;
      let value = "";
      const backslash = prefix.toUpperCase() === "E";
      while (i < n) {
        const ch = text[i]!;
        if (backslash && ch === "\\" && i + 1 < n) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (ch === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      out.push({ kind: "string", text: text.slice(start, i), value, prefix });
      continue;
    }
    if (c === "$") {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (m) {
        const tag = m[0];
        const end = text.indexOf(tag, i + tag.length);
        const stop = end < 0 ? n : end + tag.length;
        out.push({ kind: "string", text: text.slice(start, stop), value: text.slice(i + tag.length, end < 0 ? n : end), prefix: tag });
        i = stop;
        continue;
      }
      if (c2 !== undefined && isDigit(c2)) {
        i++;
        while (i < n && isDigit(text[i]!)) i++;
        out.push({ kind: "param", text: text.slice(start, i), value: text.slice(start, i) });
        continue;
      }
    }
    if (c === '"') {
      i++;
      let value = "";
      while (i < n) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      out.push({ kind: "quoted", text: text.slice(start, i), value });
      continue;
    }
    if (isDigit(c) || (c === "." && c2 !== undefined && isDigit(c2))) {
      while (i < n && /[0-9._]/.test(text[i]!)) i++;
      if (i < n && /[eE]/.test(text[i]!) && /[-+0-9]/.test(text[i + 1] ?? "")) {
        i += 2;
        while (i < n && isDigit(text[i]!)) i++;
      }
      out.push({ kind: "number", text: text.slice(start, i), value: text.slice(start, i) });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text[i]!)) i++;
      out.push({ kind: "word", text: text.slice(start, i), value: text.slice(start, i) });
      continue;
    }
    const two = text.slice(i, i + 2);
    const len = ["::", "<=", ">=", "<>", "!=", "||", "->", "=>"].includes(two) ? 2 : 1;
    i += len;
    out.push({ kind: "op", text: text.slice(start, i), value: text.slice(start, i) });
  }
  return out;
}
