// The customer's own SQL goes into model prompts. Its comments and string literals are free
// text an attacker (or a careless colleague) can fill with instructions
// ("-- ignore previous instructions and ..."). These helpers find those parts, scan them for
// prompt injection, and produce a version of the SQL fit for a prompt: comments removed
// (line numbers kept), string literals left quoted, so the model sees them as data.
import { detectPromptInjection } from "./prompt.ts";
import { DEFAULT_THRESHOLD, type DetectOptions } from "./types.ts";

export interface SqlTextPart {
  kind: "line_comment" | "block_comment" | "string";
  /** 1-based line where the part starts */
  line: number;
  start: number;
  end: number;
  /** the text inside the delimiters */
  text: string;
}

export interface SqlPromptFinding extends SqlTextPart {
  score: number;
  rules: string[];
}

export interface SqlPromptInspection {
  flagged: boolean;
  /** highest score over all parts */
  score: number;
  /** union of the rule ids of flagged parts */
  rules: string[];
  findings: SqlPromptFinding[];
}

/**
 * Splits T-SQL into its comments and string literals. Tolerant: an unterminated comment or
 * string runs to the end; nested block comments (T-SQL allows them) are one part.
 * [bracketed] and "quoted" identifiers are skipped, not reported.
 */
export function sqlTextParts(sql: string): SqlTextPart[] {
  const s = typeof sql === "string" ? sql : "";
  const parts: SqlTextPart[] = [];
  let i = 0;
  let line = 1;
  const n = s.length;
  const countLines = (a: number, b: number) => {
    let k = 0;
    for (let j = a; j < b; j++) if (s.charCodeAt(j) === 10) k++;
    return k;
  };
  while (i < n) {
    const c = s[i]!;
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (c === "-" && s[i + 1] === "-") {
      let e = s.indexOf("\n", i);
      if (e < 0) e = n;
      parts.push({ kind: "line_comment", line, start: i, end: e, text: s.slice(i + 2, e).replace(/\r$/, "") });
      i = e;
      continue;
    }
    if (c === "/" && s[i + 1] === "*") {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (s[j] === "/" && s[j + 1] === "*") {
          depth++;
          j += 2;
        } else if (s[j] === "*" && s[j + 1] === "/") {
          depth--;
          j += 2;
        } else j++;
      }
      const inner = s.slice(i + 2, depth === 0 ? j - 2 : j);
      parts.push({ kind: "block_comment", line, start: i, end: j, text: inner });
      line += countLines(i, j);
      i = j;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let buf = "";
      while (j < n) {
        if (s[j] === "'") {
          if (s[j + 1] === "'") {
            buf += "'";
            j += 2;
            continue;
          }
          j++;
          break;
        }
        buf += s[j];
        j++;
      }
      parts.push({ kind: "string", line, start: i, end: j, text: buf });
      line += countLines(i, j);
      i = j;
      continue;
    }
    if (c === "[" || c === '"') {
      const close = c === "[" ? "]" : '"';
      let j = i + 1;
      while (j < n) {
        if (s[j] === close) {
          if (s[j + 1] === close) {
            j += 2;
            continue;
          }
          j++;
          break;
        }
        j++;
      }
      line += countLines(i, j);
      i = j;
      continue;
    }
    i++;
  }
  return parts;
}

/** Scans the comments and string literals of `sql` for planted prompt injection. */
export function inspectSqlForPrompt(sql: string, opts?: DetectOptions): SqlPromptInspection {
  const findings: SqlPromptFinding[] = [];
  let score = 0;
  const rules = new Set<string>();
  const thr = opts?.threshold ?? DEFAULT_THRESHOLD;
  for (const part of sqlTextParts(sql)) {
    // Short literals ('A', 'dbo', a song title like 'Now You're Gone') cannot carry an
    // instruction; comments are read from 8 characters on.
    if (part.text.trim().length < (part.kind === "string" ? 20 : 8)) continue;
    const d = detectPromptInjection(part.text, opts);
    if (d.score > 0) {
      findings.push({ ...part, score: d.score, rules: d.rules });
      score = Math.max(score, d.score);
      if (d.flagged) for (const r of d.rules) rules.add(r);
    }
  }
  return { flagged: score >= thr, score, rules: [...rules], findings };
}

/**
 * The SQL with every comment removed (a block comment becomes as many newlines as it spanned,
 * so line numbers in diagnostics still match) and string literals kept quoted, with quotes
 * doubled as T-SQL requires: the model sees them as data, never as instructions.
 */
export function neutralizeSqlForPrompt(sql: string): string {
  const s = typeof sql === "string" ? sql : "";
  let out = "";
  let last = 0;
  for (const p of sqlTextParts(s)) {
    if (p.kind === "string") continue;
    out += s.slice(last, p.start);
    if (p.kind === "block_comment") {
      const nl = (s.slice(p.start, p.end).match(/\n/g) ?? []).length;
      out += nl ? "\n".repeat(nl) : " ";
    }
    last = p.end;
  }
  out += s.slice(last);
  return out;
}
