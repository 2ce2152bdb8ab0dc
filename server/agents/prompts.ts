// Prompts are files (prompts/<agent>.v<N>.md, front matter with agent and version) so that a
// change of wording is a reviewed, versioned change; the version goes into the report with the
// answers it produced. {{name}} placeholders are filled with plain text (no template logic).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tokenize } from "../tsql/lexer.ts";

export interface Prompt {
  agent: string;
  version: number;
  file: string;
  body: string;
}

const cache = new Map<string, Prompt>();

export function loadPrompt(agent: "execute" | "rebuild" | "assess", version = 1): Prompt {
  const file = `${agent}.v${version}.md`;
  const hit = cache.get(file);
  if (hit) return hit;
  const text = readFileSync(fileURLToPath(new URL(`./prompts/${file}`, import.meta.url)), "utf8");
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`prompt ${file} has no front matter`);
  const meta = Object.fromEntries(m[1]!.split("\n").map((l) => l.split(":").map((s) => s.trim()) as [string, string]));
  const p: Prompt = { agent: meta.agent ?? agent, version: Number(meta.version ?? version), file, body: m[2]! };
  cache.set(file, p);
  return p;
}

export function renderPrompt(p: Prompt, values: Record<string, string | number>): string {
  return p.body.replace(/\{\{(\w+)\}\}/g, (all, k: string) => (k in values ? String(values[k]) : all));
}

/**
 * The T-SQL with every comment replaced by a same-shaped placeholder: comments are where
 * instructions to a model hide, and they carry nothing a translation needs.
 */
export function neutraliseComments(tsql: string): string {
  let tokens;
  try {
    tokens = tokenize(tsql, { file: "prompt" }).tokens;
  } catch {
    return tsql.replace(/--[^\n]*/g, "-- (comment removed)").replace(/\/\*[\s\S]*?\*\//g, "/* (comment removed) */");
  }
  const spans: Array<[number, number, "line" | "block", string]> = [];
  for (const t of tokens)
    for (const c of [...(t.comments ?? []), ...(t.trailing ?? [])])
      if (c.loc.offset !== undefined && c.loc.end !== undefined) spans.push([c.loc.offset, c.loc.end, c.style, c.text]);
  spans.sort((a, b) => b[0] - a[0]);
  let out = tsql;
  for (const [from, to, style, text] of spans) {
    const newlines = "\n".repeat((text.match(/\n/g) ?? []).length);
    out = out.slice(0, from) + (style === "line" ? "-- (comment removed)" : `/* (comment removed)${newlines} */`) + out.slice(to);
  }
  return out;
}

type OutputGuard = (sql: string) => { ok: true } | { ok: false; code: string; message: string; line: number };
let outputGuard: OutputGuard | null | undefined;

/** Guardian's output guard (the Postgres grammar, libpg-query), loaded once; null when absent. */
async function loadOutputGuard(): Promise<OutputGuard | null> {
  if (outputGuard !== undefined) return outputGuard;
  try {
    // A computed specifier: Guardian is optional for this module (and loads a WASM parser).
    const spec = "../guardian/output-guard.ts";
    outputGuard = ((await import(spec)) as { guardModelSql?: OutputGuard }).guardModelSql ?? null;
  } catch {
    outputGuard = null;
  }
  return outputGuard;
}

const JINJA_SOURCE = "__dm_source__";
const JINJA_REF = "__dm_ref__";

/**
 * Relations the rendered query reads other than through source()/ref() or its own CTEs: a model
 * must not read what the validation database happens to hold besides the project (pg_catalog,
 * other schemas). Uses the Postgres grammar (libpg-query, Guardian's dependency).
 */
async function relationsOutsideJinja(rendered: string): Promise<string[] | undefined> {
  let parse: (sql: string) => unknown;
  try {
    const spec = "libpg-query";
    const m = (await import(spec)) as { loadModule(): Promise<void>; parseSync(sql: string): unknown };
    await m.loadModule();
    parse = m.parseSync;
  } catch {
    return undefined;
  }
  let tree: unknown;
  try {
    tree = parse(rendered);
  } catch {
    return undefined; // the output guard reports syntax errors
  }
  const ctes = new Set<string>();
  const rels: Array<{ schemaname?: string; relname: string }> = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      if (k === "CommonTableExpr" && x && typeof x === "object") ctes.add(String((x as { ctename?: string }).ctename ?? ""));
      if (k === "RangeVar" && x && typeof x === "object") rels.push(x as { schemaname?: string; relname: string });
      visit(x);
    }
  };
  visit(tree);
  return rels.filter((r) => !(r.schemaname === JINJA_SOURCE || r.schemaname === JINJA_REF || (!r.schemaname && ctes.has(r.relname)))).map((r) => (r.schemaname ? `${r.schemaname}.${r.relname}` : r.relname));
}

/** The model's SQL as dbt would render it, for the output guard (only the Jinja forms allowed below). */
function renderForGuard(sqlText: string): string {
  const id = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return sqlText
    .replace(/\{\{\s*source\(\s*'([^']*)'\s*,\s*'([^']*)'\s*\)\s*\}\}/g, (_m, a: string, b: string) => `${JINJA_SOURCE}.${id(`${a}.${b}`)}`)
    .replace(/\{\{\s*ref\(\s*'([^']*)'\s*\)\s*\}\}/g, (_m, a: string) => `${JINJA_REF}.${id(a)}`)
    .replace(/\{\{\s*tsql_runtime_schema\(\)\s*\}\}/g, "tsql")
    .replace(/\{\{\s*target\.schema\s*\}\}/g, "target_schema");
}

/**
 * The model's SQL refused before it is run, or undefined: first the shape DataMigrate allows
 * (refuseModelSql), then Guardian's output guard on the rendered SQL when it is installed.
 */
export async function refuseModelAnswer(sqlText: string): Promise<string | undefined> {
  const guard = await loadOutputGuard();
  const shape = refuseModelSql(sqlText, { keywords: !guard });
  if (shape) return shape;
  if (!guard) return undefined;
  const rendered = renderForGuard(sqlText.trim().replace(/;\s*$/, ""));
  const r = guard(rendered);
  if (!r.ok) return `${r.code}: ${r.message}`;
  const outside = await relationsOutsideJinja(rendered);
  if (outside?.length) return `the answer reads ${outside.join(", ")} directly; relations must come from source() or ref()`;
  return undefined;
}

/**
 * What a model answered must be one query that reads only through Jinja relations: a model that
 * writes DDL or DML would run it on the validation database. Returns why it is refused, or
 * undefined when it may be validated. `keywords: false` skips the keyword scan (when Guardian's
 * parser-based output guard runs after this, the scan would only add false refusals).
 */
export function refuseModelSql(sqlText: string, opts: { keywords?: boolean } = {}): string | undefined {
  const s = sqlText.trim().replace(/;\s*$/, "");
  if (!s) return "the answer is empty";
  if (s.length > 200_000) return "the answer is longer than 200,000 characters";
  // Strip strings, quoted identifiers and comments before looking at keywords.
  const bare = s
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/--[^\n]*/g, "")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\{\{[\s\S]*?\}\}/g, "x");
  if (!/^\s*(\(\s*)*(select|with)\b/i.test(bare)) return "the answer is not a SELECT or WITH query";
  if (bare.includes(";")) return "the answer holds more than one statement";
  if (/\{%|\{#/.test(s)) return "the answer uses Jinja statements (only {{ source() }} / {{ ref() }} expressions are allowed)";
  const exprs = [...s.matchAll(/\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!.trim());
  for (const e of exprs)
    if (!/^(source\(\s*'[^']*'\s*,\s*'[^']*'\s*\)|ref\(\s*'[^']*'\s*\)|tsql_runtime_schema\(\)|target\.schema)$/.test(e)) return `the answer uses the Jinja expression {{ ${e} }}`;
  // One SELECT cannot hold DDL; what it can hold that writes or reaches outside is refused:
  // data-modifying CTEs, SELECT INTO, row locks, and functions that sleep, read files or connect.
  if (opts.keywords === false) return undefined;
  const forbidden = /\b(insert|update|delete|merge|truncate|into|copy|pg_sleep\w*|pg_read_\w+|pg_ls_\w+|lo_import|lo_export|lo_get|lo_put|dblink\w*|pg_terminate_backend|pg_cancel_backend|set_config|pg_advisory\w*|pg_notify|txid_\w+|nextval|setval)\b/i.exec(bare);
  if (forbidden) return `the answer contains ${forbidden[1]!.toUpperCase()}, which a model query must not`;
  return undefined;
}

