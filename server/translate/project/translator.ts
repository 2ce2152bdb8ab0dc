// What the convert pipeline needs from the expression/query translator, as one small interface.
// The pipeline owns the project (names, refs, tests, report); the translator owns the meaning of
// every expression. Until server/translate/index.ts exposes its API, `fallbackTranslator` stands
// in: for the sqlserver target it is the real thing (T-SQL kept, relations turned into ref/source),
// for postgres it refuses with CNV2001 rather than emit SQL that could run and answer differently.
import { diagnostic, type Diagnostic } from "../../diagnostics.ts";
import type { Catalog, CatalogObject, Column, ColumnType } from "../../catalog/model.ts";
import type { Batch, FunctionStatement, Node, ObjectName, ViewStatement } from "../../tsql/ast.ts";
import { walk } from "../../tsql/walk.ts";
import { mapSqlServerType, type MappedType } from "./types-map.ts";

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
  /** Jinja that names the schema of the tsql_* runtime functions (`{{ tsql_runtime_schema() }}`). */
  runtimeSchema: string;
}

export interface ModuleTranslation {
  /** The model's SELECT (Jinja allowed), or '' when nothing could be produced. */
  sql: string;
  diagnostics: Diagnostic[];
  /** tsql_* runtime functions the SQL calls (installed through macros/tsql/ and on-run-start). */
  runtime: string[];
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
  /** An inline table-valued function's RETURN query; parameters are written `{{ <param name without @> }}`. */
  translateInlineFunction(input: ModuleTranslationInput): ModuleTranslation;
  /** A scalar function as a SQL UDF in `{{ target.schema }}` (created by on-run-start). */
  translateScalarFunction(input: ModuleTranslationInput): ScalarFunctionTranslation;
  mapColumnType(type: ColumnType, column: Column | undefined, target: ConvertTarget): MappedType;
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

function keepTsqlScalar(input: ModuleTranslationInput): ScalarFunctionTranslation {
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
  translateInlineFunction: (input) => (input.target === "sqlserver" ? keepTsqlInline(input) : refuse("inline table-valued function")(input)),
  translateScalarFunction: (input) => (input.target === "sqlserver" ? keepTsqlScalar(input) : refuse("scalar function")(input)),
  mapColumnType: (type, _column, target) => mapSqlServerType(type, target),
};

/** The sqlserver-target part of the stand-in, for wrapping a Postgres-only translator. */
export const sqlServerKeeper = { keepTsqlView, keepTsqlInline, keepTsqlScalar };
