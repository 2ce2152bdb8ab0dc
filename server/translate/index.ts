// Public API of the translator. Callers (the project writer, the CLI, the agents) use only this file.
//
//   translateQuery(query, ctx)      a view body / SELECT (QueryExpr or SelectStatement) → Translation
//   translateStatement(stmt, ctx)   any statement (DDL, DML, SELECT) → Translation
//   translateExpression(expr, ctx)  one scalar expression → Translation (outputColumns[0] = its type)
//   translateScript(text, ctx)      T-SQL text (batches) → Translation of every statement (the CLI)
//   mapColumnType(columnType)       catalog ColumnType → { sql, check?, diagnostics }
//
// Every Translation carries diagnostics (codes TR*, see codes.ts and docs/diagnostic-codes.md) and
// the runtime functions it calls (install them with runtime/installSql or runtime/dbtMacros).
import { buildCatalog } from "../catalog/build.ts";
import type { ColumnType } from "../catalog/model.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import type * as A from "../tsql/ast.ts";
import { parseScript, statementText } from "../tsql/index.ts";
import { TR } from "./codes.ts";
import type { TranslateContext, Translation } from "./context.ts";
import { PostgresGenerator } from "./postgres.ts";
import { Scope } from "./scope.ts";
import { statementSql } from "./statements.ts";
import { mapCatalogType } from "./typemap.ts";

export type { OutputColumn, RelationInfo, Target, TranslateContext, TranslateOptions, Translation } from "./context.ts";
export type { SqlType } from "./types.ts";
export { TR, TR_CODES } from "./codes.ts";
export { mapSqlType, pgType } from "./typemap.ts";
export { fromColumnType, showType } from "./types.ts";
export { ident as postgresIdentifier } from "./scope.ts";

/** A view body or SELECT: `CREATE VIEW v AS <query>` → the query's Postgres SQL and output columns. */
export function translateQuery(query: A.QueryExpr | A.SelectStatement, ctx: TranslateContext): Translation {
  if (ctx.target === "sqlserver") return passThrough(query, ctx);
  const gen = new PostgresGenerator(ctx);
  try {
    const r = query.kind === "SelectStatement" ? gen.queryWith(query.with, query.query, new Scope(), { nameUnnamed: true }) : gen.query(query, new Scope(), { nameUnnamed: true });
    return gen.result(r.sql, r.columns);
  } catch (e) {
    return internalError(gen, e, query.loc);
  }
}

/** Any statement. DDL and DML become Postgres statements; procedural code is refused (TR1010). */
export function translateStatement(stmt: A.Statement, ctx: TranslateContext): Translation {
  if (ctx.target === "sqlserver") return passThrough(stmt, ctx);
  const gen = new PostgresGenerator(ctx);
  return statementWith(gen, stmt);
}

function statementWith(gen: PostgresGenerator, stmt: A.Statement): Translation {
  const before = gen.diagnostics.length;
  try {
    const r = statementSql(gen, stmt);
    const t = gen.result(r.sql, r.columns);
    return { ...t, diagnostics: gen.diagnostics.slice(before) };
  } catch (e) {
    const t = internalError(gen, e, stmt.loc);
    return { ...t, diagnostics: gen.diagnostics.slice(before) };
  }
}

/** One scalar expression; `variables` (name with @ → T-SQL type) may be given through ctx via a scope-less call. */
export function translateExpression(expr: A.Expr, ctx: TranslateContext): Translation {
  const gen = new PostgresGenerator(ctx);
  try {
    const g = gen.expr(expr, new Scope());
    return gen.result(g.sql, [{ name: "", type: g.type }]);
  } catch (e) {
    return internalError(gen, e, expr.loc);
  }
}

/** Postgres type of a catalog column type. Diagnostics carry no location: the caller sets file/line. */
export function mapColumnType(type: ColumnType, at: { file: string; line: number } = { file: "<catalog>", line: 1 }): { sql: string; check?: string; diagnostics: Diagnostic[] } {
  const m = mapCatalogType(type);
  const diagnostics = m.notes.map((n) => diagnostic(n.code, n.code.startsWith("TR1") ? "error" : "functional_difference", n.message, at));
  return { sql: m.sql, ...(m.check ? { check: m.check } : {}), diagnostics };
}

export interface ScriptTranslation extends Translation {
  /** One entry per input statement, in order. */
  statements: { sql: string; diagnostics: Diagnostic[]; line: number; file: string; outputColumns?: Translation["outputColumns"] }[];
}

/**
 * Translates T-SQL text (any number of GO batches). Statements see the tables and views created
 * earlier in the text (the input is its own schema when ctx.catalog is absent). SET DATEFIRST
 * statements change the DATEFIRST of the following statements.
 */
export function translateScript(text: string, ctx: TranslateContext & { file: string }): ScriptTranslation {
  const parsed = parseScript(text, { file: ctx.file });
  const diagnostics: Diagnostic[] = [];
  for (const d of parsed.diagnostics) if (d.severity === "error") diagnostics.push(diagnostic(TR.UNPARSED, "error", `not translated: ${d.message}`, d));
  // Without a catalog the input is its own schema: objects may be used before the statement that
  // creates them (SQL Server resolves names in modules late), so build the catalog from all of it first.
  let catalog = ctx.catalog;
  if (!catalog && ctx.target !== "sqlserver") {
    try {
      catalog = buildCatalog({ files: [{ path: ctx.file, text, encoding: "utf-8", origin: { kind: "file" } }], fragments: [], projects: [], diagnostics: [] }, { skipValidation: true });
    } catch {
      catalog = undefined;
    }
  }
  const gen = new PostgresGenerator(catalog ? { ...ctx, catalog } : ctx);
  const statements: ScriptTranslation["statements"] = [];
  const sqls: string[] = [];
  for (const b of parsed.batches) {
    for (const st of b.statements) {
      if (ctx.target === "sqlserver") {
        const sql = statementText(b, st);
        statements.push({ sql, diagnostics: [], line: st.loc.line, file: st.loc.file });
        sqls.push(sql);
        continue;
      }
      const t = statementWith(gen, st);
      statements.push({ sql: t.sql, diagnostics: t.diagnostics, line: st.loc.line, file: st.loc.file, ...(t.outputColumns ? { outputColumns: t.outputColumns } : {}) });
      if (t.sql) sqls.push(`${t.sql};`);
    }
    if (ctx.target === "sqlserver") sqls.push("GO");
  }
  diagnostics.push(...gen.diagnostics);
  // T-SQL modules may call functions created later in the script; let Postgres check bodies at run time, as pg_dump does.
  if (ctx.target !== "sqlserver" && sqls.some((x) => x.startsWith("CREATE OR REPLACE FUNCTION"))) sqls.unshift("SET check_function_bodies = false;");
  return { sql: sqls.join("\n"), diagnostics, runtimeFunctions: [...gen.runtime].sort(), statements };
}

function passThrough(node: A.QueryExpr | A.Statement, ctx: TranslateContext): Translation {
  const { offset, end } = node.loc;
  const sql = ctx.batchText !== undefined && offset !== undefined && end !== undefined ? ctx.batchText.slice(offset, end) : "";
  const diagnostics: Diagnostic[] = [];
  if (!sql) diagnostics.push(diagnostic(TR.UNSUPPORTED, "error", "sqlserver target needs ctx.batchText to keep the statement text", node.loc));
  return { sql, diagnostics, runtimeFunctions: [] };
}

function internalError(gen: PostgresGenerator, e: unknown, loc: A.Loc): Translation {
  gen.diag(TR.UNSUPPORTED, `internal translator failure: ${e instanceof Error ? e.message : String(e)}`, loc);
  return gen.result("");
}
