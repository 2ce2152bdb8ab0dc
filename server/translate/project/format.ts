// Layout of generated model SQL for people: one clause per line, one select item per line,
// subqueries indented. Only whitespace between tokens changes: string literals, quoted identifiers,
// comments and Jinja ({{ }}, {% %}, {# #}) are copied as they are. As a guard, the result is kept
// only when it equals the input once the whitespace between tokens is removed; otherwise the input
// is returned unchanged (a layout is never worth a changed query).

type Kind = "ws" | "str" | "qid" | "jinja" | "comment" | "word" | "num" | "punct";
interface Token {
  kind: Kind;
  text: string;
}

function tokenize(sql: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const two = sql.slice(i, i + 2);
    let j = i + 1;
    let kind: Kind;
    if (/\s/.test(c)) {
      while (j < n && /\s/.test(sql[j]!)) j++;
      kind = "ws";
    } else if (two === "{{" || two === "{%" || two === "{#") {
      const close = two === "{{" ? "}}" : two === "{%" ? "%}" : "#}";
      const end = sql.indexOf(close, i + 2);
      if (end < 0) return undefined;
      j = end + 2;
      kind = "jinja";
    } else if (two === "--") {
      const end = sql.indexOf("\n", i);
      j = end < 0 ? n : end;
      kind = "comment";
    } else if (two === "/*") {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) return undefined;
      j = end + 2;
      kind = "comment";
    } else if (c === "'" || c === '"') {
      for (;;) {
        const end = sql.indexOf(c, j);
        if (end < 0) return undefined;
        j = end + 1;
        if (sql[j] === c) j++;
        else break;
      }
      // E'...' escapes and $$ bodies are not produced by the translator in models; be safe anyway.
      kind = c === "'" ? "str" : "qid";
    } else if (c === "$") {
      // Dollar quoting ($$ ... $$ / $tag$ ... $tag$): keep the whole body as one token.
      const m = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
      if (!m) {
        kind = "punct";
      } else {
        const end = sql.indexOf(m[0], i + m[0].length);
        if (end < 0) return undefined;
        j = end + m[0].length;
        kind = "str";
      }
    } else if (/[A-Za-z_]/.test(c)) {
      while (j < n && /[\w$]/.test(sql[j]!)) j++;
      kind = "word";
    } else if (/\d/.test(c)) {
      while (j < n && /[\w.]/.test(sql[j]!)) j++;
      kind = "num";
    } else {
      kind = "punct";
    }
    out.push({ kind, text: sql.slice(i, j) });
    i = j;
  }
  return out;
}

const CLAUSES = new Set(["from", "where", "group", "having", "order", "limit", "offset", "window", "union", "except", "intersect", "fetch"]);
const JOIN_WORDS = new Set(["join", "left", "right", "full", "inner", "cross", "natural"]);

interface Frame {
  /** This parenthesis holds a query (its first word is SELECT, WITH or VALUES). */
  query: boolean;
  /** Inside the SELECT list of this query level. */
  inSelectList: boolean;
  indent: string;
}

const squash = (s: string) => (tokenize(s) ?? []).filter((t) => t.kind !== "ws").map((t) => t.text).join("\u0001");

export function formatModelSql(sql: string): string {
  const tokens = tokenize(sql);
  if (!tokens) return sql;
  const sig = tokens.filter((t) => t.kind !== "ws");
  const lower = sig.map((t) => (t.kind === "word" ? t.text.toLowerCase() : ""));
  const lines: string[] = [];
  let line = "";
  const newline = (indent: string) => {
    if (line.trim()) lines.push(line.replace(/\s+$/, ""));
    line = indent;
  };
  const stack: Frame[] = [{ query: true, inSelectList: false, indent: "" }];
  const top = () => stack[stack.length - 1]!;
  const firstWordAfter = (k: number) => {
    for (let m = k + 1; m < sig.length; m++) {
      if (sig[m]!.kind === "comment" || sig[m]!.kind === "jinja") continue;
      return sig[m]!.kind === "word" ? lower[m] : sig[m]!.text;
    }
    return undefined;
  };
  // Whether two adjacent tokens were separated by whitespace in the input: keep that choice.
  const spaced: boolean[] = [];
  {
    let k = -1;
    let ws = false;
    for (const t of tokens) {
      if (t.kind === "ws") {
        ws = true;
        continue;
      }
      if (k >= 0) spaced[k + 1] = ws || t.kind === "comment";
      k++;
      ws = false;
    }
  }
  let joinStart = -1;
  for (let k = 0; k < sig.length; k++) {
    const t = sig[k]!;
    const w = lower[k]!;
    const f = top();
    const sep = k > 0 && spaced[k] ? " " : "";
    if (t.kind === "comment" && t.text.startsWith("--")) {
      line += `${sep}${t.text}`;
      newline(f.indent);
      continue;
    }
    if (t.text === "(") {
      const q = ["select", "with", "values"].includes(firstWordAfter(k) ?? "");
      line += `${sep}(`;
      stack.push({ query: q, inSelectList: false, indent: q ? `${f.indent}    ` : f.indent });
      if (q) newline(top().indent);
      continue;
    }
    if (t.text === ")") {
      const closed = stack.length > 1 ? stack.pop()! : f;
      if (closed.query) newline(top().indent);
      line += ")";
      continue;
    }
    if (f.query && t.kind === "word") {
      if (w === "select") {
        if (line.trim() && !/\($/.test(line.trim()) && !/\b(union|except|intersect|all|distinct)$/i.test(line.trim())) newline(f.indent);
        line += `${line.trim() ? sep : ""}${t.text}`;
        f.inSelectList = true;
        // DISTINCT [ON (...)] stays on the SELECT line; items start on the next one.
        if (!["distinct", "all"].includes(firstWordAfter(k) ?? "")) newline(`${f.indent}    `);
        continue;
      }
      if ((w === "distinct" || w === "all") && f.inSelectList && /select$/i.test(line.trim())) {
        line += ` ${t.text}`;
        if (firstWordAfter(k) !== "on") newline(`${f.indent}    `);
        continue;
      }
      const isJoin = JOIN_WORDS.has(w) && (w === "join" || k + 1 < sig.length) && k > joinStart && lower.slice(k, k + 4).includes("join");
      if (CLAUSES.has(w) || isJoin || w === "on" || w === "with") {
        if (w === "with" && k !== 0 && !/\($/.test(line.trim())) {
          line += `${sep}${t.text}`;
          continue;
        }
        if (isJoin) joinStart = k + lower.slice(k, k + 4).indexOf("join");
        f.inSelectList = false;
        newline(w === "on" ? `${f.indent}    ` : f.indent);
        line += t.text;
        continue;
      }
    }
    if (t.text === "," && f.query && f.inSelectList) {
      line += ",";
      newline(`${f.indent}    `);
      continue;
    }
    line += `${line.trim() ? sep : ""}${t.text}`;
  }
  newline("");
  const out = `${lines.join("\n")}\n`;
  return squash(out) === squash(sql) ? out : sql;
}
