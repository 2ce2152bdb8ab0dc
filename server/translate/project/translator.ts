// What the convert pipeline needs from the expression/query translator, as one small interface.
// The pipeline owns the project (names, refs, tests, report); the translator owns the meaning of
// every expression. Until server/translate/index.ts exposes its API, `fallbackTranslator` stands
// in: for the sqlserver target it is the real thing (T-SQL kept, relations turned into ref/source),
// for postgres it refuses with CNV2001 rather than emit SQL that could run and answer differently.
import { diagnostic, type Diagnostic } from "../../diagnostics.ts";
import type { Catalog, CatalogObject, Column, ColumnType } from "../../catalog/model.ts";
import type { Batch, FunctionStatement, Node, ObjectName, QueryExpr, SelectStatement, ViewStatement } from "../../tsql/ast.ts";
import { walk } from "../../tsql/walk.ts";
import { mapSqlServerType, type MappedType } from "./types-map.ts";
import { mapColumnType, postgresIdentifier, translateQuery, translateStatement } from "../index.ts";

export type ConvertTarget = "postgres" | "sqlserver";

export interface ModuleTranslationInput {
  catalog: Catalog;
  object: CatalogObject;
  target: ConvertTarget;
  /**
   * Jinja for a table or view name as written in the module (`{{ source('sales', 'customer') }}`,
   * `{{ ref('v_orders') }}`), or undefined when the name is not a relation of the catalog (a CTE,
   * a temp table, another database).
   */
  resolveRelation(name: ObjectName): string | undefined;
  /** Callee text for a user function (`{{ target.schema }}.sales__fn_x`), or undefined for the default. */
  resolveFunction(name: ObjectName): string | undefined;
  /** Jinja that names the schema of the tsql_* runtime functions (`{{ tsql_runtime_schema() }}`). */
  runtimeSchema: string;
}

export interface ModuleTranslation {
  /** The model's SELECT (Jinja allowed), or '' when nothing could be produced. */
  sql: string;
  diagnostics: Diagnostic[];
  /** tsql_* runtime functions the SQL calls (installed through macros/tsql/ and on-run-start). */
  runtime: string[];
  /** Output columns of a view: name as the model spells it, target type. */
  columns?: Array<{ name: string; dataType?: string; origin?: string }>;
}

export interface ScalarFunctionTranslation {
  /** CREATE OR REPLACE FUNCTION statement(s) (Jinja allowed), or '' when not translated. */
  sql: string;
  diagnostics: Diagnostic[];
  runtime: string[];
}

export interface ProjectTranslator {
  readonly name: string;
  /** A view's query (CTEs included) as one SELECT. */
  translateView(input: ModuleTranslationInput): ModuleTranslation;
  /**
   * A scalar or inline table-valued function as a CREATE FUNCTION statement named through
   * `resolveFunction` (the project creates it in on-run-start).
   */
  translateFunction(input: ModuleTranslationInput): ScalarFunctionTranslation;
  mapColumnType(type: ColumnType, column: Column | undefined, target: ConvertTarget): MappedType;
  /** Postgres spelling of a source identifier (schema, table, column) in DDL and SQL. */
  identifier(name: string): string;
}

const at = (o: CatalogObject) => ({ file: o.file, line: o.line });

/** Text of a node range inside its batch. */
function slice(batch: Batch, from: number, to: number): string {
  return batch.text.slice(from, to);
}

/** Wraps text that contains Jinja delimiters so dbt prints it literally. */
export function jinjaLiteral(text: string): string {
  if (!/\{[{%#]|[}%#]\}/.test(text)) return text;
  return `{% raw %}${text.replace(/\{%-?\s*(?:end)?raw\s*-?%\}/g, (tag) => `{% endraw %}{{ '${tag}' }}{% raw %}`)}{% endraw %}`;
}

/**
 * T-SQL kept as written, with every table/view reference replaced by its Jinja relation. A reference
 * without an alias gets `AS [name]` so column qualifiers written with the table name still bind.
 */
export function rewriteRelations(
  batch: Batch,
  root: Node | Node[],
  range: { from: number; to: number },
  resolve: (name: ObjectName) => string | undefined,
): { sql: string; unresolved: ObjectName[] } {
  const edits: Array<{ from: number; to: number; text: string }> = [];
  const unresolved: ObjectName[] = [];
  walk(root, (n) => {
    if (n.kind === "TableRef") {
      const r = resolve(n.name);
      const s = n.name.loc.offset;
      const e = n.name.loc.end;
      if (r === undefined || s === undefined || e === undefined) {
        if (r === undefined) unresolved.push(n.name);
        return true;
      }
      const bracket = `[${n.name.name.value.replace(/]/g, "]]")}]`;
      edits.push({ from: s, to: e, text: n.alias ? r : `${r} AS ${bracket}` });
    }
    return true;
  });
  edits.sort((a, b) => a.from - b.from);
  let out = "";
  let pos = range.from;
  for (const ed of edits) {
    if (ed.from < pos || ed.to > range.to) continue;
    out += jinjaLiteral(slice(batch, pos, ed.from)) + ed.text;
    pos = ed.to;
  }
  out += jinjaLiteral(slice(batch, pos, range.to));
  return { sql: out, unresolved };
}

function viewRange(ast: ViewStatement): { from: number; to: number } | undefined {
  const from = ast.with?.loc.offset ?? ast.query.loc.offset;
  const to = ast.query.loc.end;
  return from === undefined || to === undefined ? undefined : { from, to };
}

function keepTsqlView(input: ModuleTranslationInput): ModuleTranslation {
  const { object } = input;
  const ast = object.module?.ast;
  const batch = object.module?.batch;
  if (!ast || ast.kind !== "CreateView" || !batch || object.module?.unparsed)
    return { sql: "", diagnostics: [diagnostic("CNV2002", "error", `view ${object.id} did not parse; it is not converted`, at(object))], runtime: [] };
  const range = viewRange(ast);
  if (!range) return { sql: "", diagnostics: [diagnostic("CNV2002", "error", `view ${object.id} has no source positions`, at(object))], runtime: [] };
  const { sql } = rewriteRelations(batch, [...(ast.with ? [ast.with] : []), ast.query], range, input.resolveRelation);
  return { sql: sql.trim(), diagnostics: [], runtime: [] };
}

function keepTsqlInline(input: ModuleTranslationInput): ModuleTranslation {
  const { object } = input;
  const ast = object.module?.ast as FunctionStatement | undefined;
  const batch = object.module?.batch;
  const q = ast?.kind === "CreateFunction" ? ast.returnQuery : undefined;
  if (!q || !batch || q.loc.offset === undefined || q.loc.end === undefined)
    return { sql: "", diagnostics: [diagnostic("CNV2002", "error", `function ${object.id} did not parse; it is not converted`, at(object))], runtime: [] };
  const { sql } = rewriteRelations(batch, q, { from: q.loc.offset, to: q.loc.end }, input.resolveRelation);
  // Parameters become macro arguments: @CustomerID → {{ CustomerID }}.
  const params = new Set((ast!.params ?? []).map((p) => p.name.replace(/^@/, "").toLowerCase()));
  const withArgs = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (m, name: string) => (params.has(name.toLowerCase()) ? `{{ ${name} }}` : m));
  return { sql: withArgs.trim(), diagnostics: [], runtime: [] };
}

function keepTsqlFunction(input: ModuleTranslationInput): ScalarFunctionTranslation {
  const { object } = input;
  const text = object.module?.text;
  if (!text) return { sql: "", diagnostics: [diagnostic("CNV2002", "error", `function ${object.id} has no text`, at(object))], runtime: [] };
  return {
    sql: jinjaLiteral(text.replace(/^\s*CREATE\s+(?:OR\s+ALTER\s+)?FUNCTION/i, "CREATE OR ALTER FUNCTION")),
    diagnostics: [],
    runtime: [],
  };
}

const refuse = (what: string) => (input: ModuleTranslationInput) => ({
  sql: "",
  diagnostics: [
    diagnostic(
      "CNV2001",
      "error",
      `${what} ${input.object.id} needs the T-SQL → Postgres translator, which this build does not provide yet; the model is written disabled with the original T-SQL as a comment`,
      at(input.object),
    ),
  ],
  runtime: [],
});

/**
 * The stand-in translator. sqlserver: T-SQL kept (complete). postgres: types mapped from the
 * table in types-map.ts; module bodies refused with CNV2001.
 */
export const fallbackTranslator: ProjectTranslator = {
  name: "fallback",
  translateView: (input) => (input.target === "sqlserver" ? keepTsqlView(input) : refuse("view")(input)),
  translateFunction: (input) => (input.target === "sqlserver" ? keepTsqlFunction(input) : refuse("function")(input)),
  mapColumnType: (type, _column, target) => mapSqlServerType(type, target),
  identifier: (name) => postgresIdentifier(name),
};

/** The sqlserver-target part of the stand-in. */
export const sqlServerKeeper = { keepTsqlView, keepTsqlInline, keepTsqlFunction };

// ------------------------------------------------------------------------------------------------
// The translator of server/translate/ (issue 4 items 1-4), adapted to the pipeline's interface.

const TR_ERROR = /^TR1/;

function translatorContext(input: ModuleTranslationInput) {
  return {
    target: "postgres" as const,
    catalog: input.catalog,
    resolveRelation: (name: ObjectName) => input.resolveRelation(name),
    resolveFunction: (name: ObjectName) => input.resolveFunction(name),
    runtimeSchema: input.runtimeSchema,
    file: input.object.file,
    ...(input.object.module?.batch ? { batchText: input.object.module.batch.text } : {}),
  };
}

const OWN_JINJA = [String.raw`\{\{ (?:source|ref)\('[^']*'(?:, '[^']*')?\) \}\}`, String.raw`\{\{ tsql_runtime_schema\(\) \}\}`, String.raw`\{\{ target\.schema \}\}`];

function ownJinja(sql: string): string {
  if (!/\{[{%#]|[}%#]\}/.test(sql)) return sql;
  const re = new RegExp(OWN_JINJA.join("|"), "g");
  let out = "";
  let pos = 0;
  for (const m of sql.matchAll(re)) {
    out += jinjaLiteral(sql.slice(pos, m.index)) + m[0];
    pos = m.index! + m[0].length;
  }
  return out + jinjaLiteral(sql.slice(pos));
}

export const moduleTranslator: ProjectTranslator = {
  name: "server/translate",
  translateView(input) {
    if (input.target === "sqlserver") return keepTsqlView(input);
    const { object } = input;
    const ast = object.module?.ast;
    if (!ast || ast.kind !== "CreateView" || object.module?.unparsed)
      return { sql: "", diagnostics: [diagnostic("CNV2002", "error", `view ${object.id} did not parse; it is not converted`, at(object))], runtime: [] };
    const query: SelectStatement | QueryExpr = ast.with
      ? ({ kind: "SelectStatement", with: ast.with, query: ast.query, loc: ast.query.loc, comments: [] } as unknown as SelectStatement)
      : ast.query;
    const t = translateQuery(query, translatorContext(input));
    const names = ast.columns.length ? ast.columns.map((c) => c.value) : undefined;
    let sql = t.sql;
    // CREATE VIEW v (a, b) AS ...: the column list renames the query's output.
    if (names && t.outputColumns && names.length === t.outputColumns.length && sql)
      sql = `select * from (\n${sql}\n) as dm_view (${names.map(postgresIdentifier).join(", ")})`;
    return {
      sql: ownJinja(sql),
      diagnostics: t.diagnostics,
      runtime: t.runtimeFunctions,
      ...(t.outputColumns
        ? {
            columns: t.outputColumns.map((c, i) => {
              const original = names?.[i] ?? c.name;
              return { name: original.toLowerCase(), dataType: c.pgType, ...(original !== original.toLowerCase() ? { origin: original } : {}) };
            }),
          }
        : {}),
    };
  },
  translateFunction(input) {
    if (input.target === "sqlserver") return keepTsqlFunction(input);
    const { object } = input;
    const ast = object.module?.ast;
    if (!ast || ast.kind !== "CreateFunction" || object.module?.unparsed)
      return { sql: "", diagnostics: [diagnostic("CNV2002", "error", `function ${object.id} did not parse; it is not converted`, at(object))], runtime: [] };
    const t = translateStatement(ast, translatorContext(input));
    return { sql: ownJinja(t.sql), diagnostics: t.diagnostics, runtime: t.runtimeFunctions };
  },
  mapColumnType(type, column, target) {
    if (target === "sqlserver") return mapSqlServerType(type, target);
    const m = mapColumnType(type);
    const err = m.diagnostics.find((d) => d.severity === "error" || TR_ERROR.test(d.code));
    const first = err ?? m.diagnostics[0];
    void column;
    return {
      sql: m.sql,
      ...(m.check ? { check: m.check } : {}),
      ...(first ? { issue: { code: first.code, severity: err ? "error" : first.severity === "note" ? "note" : "functional_difference", message: m.diagnostics.map((d) => d.message).join("; ") } } : {}),
    };
  },
  identifier: (name) => postgresIdentifier(name),
};
