// Statement-level rendering for Postgres: queries, DML (INSERT/UPDATE/DELETE/MERGE with OUTPUT) and
// DDL (CREATE TABLE/VIEW/SEQUENCE/INDEX ...). Procedural statements are refused (TR1010).
import type { CatalogObject, Column } from "../catalog/model.ts";
import type * as A from "../tsql/ast.ts";
import { columnTypeOf } from "../catalog/build.ts";
import { TR } from "./codes.ts";
import { runtimeFunctions } from "./runtime/index.ts";
import { dotted, type G, PostgresGenerator } from "./postgres.ts";
import { type ColInfo, columnSqlType, ident, lookupObject, Scope } from "./scope.ts";
import { mapSqlType } from "./typemap.ts";
import { identityClause, integerRange } from "./identity.ts";
import { BIGINT, fromDataType, isString, isUnknown, type SqlType, UNKNOWN } from "./types.ts";

const lower = (s: string) => s.toLowerCase();

export function statementSql(gen: PostgresGenerator, st: A.Statement): { sql: string; columns?: ColInfo[] } {
  gen.sequenceUses.clear();
  switch (st.kind) {
    case "SelectStatement":
      return selectStatement(gen, st);
    case "Insert":
      return { sql: insert(gen, st) };
    case "Update":
      return { sql: update(gen, st) };
    case "Delete":
      return { sql: del(gen, st) };
    case "Merge":
      return { sql: merge(gen, st) };
    case "CreateTable":
      return { sql: createTable(gen, st) };
    case "CreateView":
      return createView(gen, st);
    case "CreateSequence":
      return { sql: createSequence(gen, st) };
    case "CreateIndex":
      return { sql: createIndex(gen, st) };
    case "CreateSchema":
      return { sql: [`CREATE SCHEMA IF NOT EXISTS ${ident(st.name.value)}`, ...st.elements.map((e) => statementSql(gen, e).sql).filter(Boolean)].join(";\n") };
    case "Truncate":
      return { sql: `TRUNCATE TABLE ${gen.relationSql(st.table, lookupObject(gen.catalog, st.table, gen.defaultSchema, gen.local))}` };
    case "Drop":
      return { sql: drop(gen, st) };
    case "SetOption":
      return { sql: setOption(gen, st) };
    case "Use":
      gen.diag(TR.SET_OPTION, `USE ${st.database.value} dropped: the project targets one database`, st.loc, "note");
      return { sql: "" };
    case "ExtendedProperty":
      return { sql: extendedProperty(gen, st) };
    case "Transaction":
      if (st.action === "BEGIN") return { sql: "BEGIN" };
      if (st.action === "COMMIT") return { sql: "COMMIT" };
      gen.diag(TR.PROCEDURAL, `${st.action} TRANSACTION is not translated (Postgres aborts the whole transaction on error)`, st.loc);
      return { sql: "" };
    case "Command":
      if (!st.error && /^(UPDATE STATISTICS|CHECKPOINT|DBCC|SET STATISTICS|SET SHOWPLAN)/i.test(st.text.trimStart().replace(/\s+/g, " "))) {
        gen.diag(TR.SET_OPTION, `${st.keyword} dropped (maintenance command without effect on results)`, st.loc, "note");
        return { sql: "" };
      }
      if (st.error) gen.diag(TR.UNPARSED, "this statement did not parse; it is not translated", st.loc);
      else gen.diag(TR.UNSUPPORTED, `${st.keyword} is not translated`, st.loc);
      return { sql: "" };
    case "CreateFunction":
      return { sql: createFunction(gen, st) };
    case "CreateType":
      return { sql: createType(gen, st) };
    case "AddType":
      if (st.baseType) registerType(gen, { kind: "ObjectName", name: { kind: "Identifier", value: st.name, quote: "none", loc: st.loc }, partCount: 1, loc: st.loc }, st.baseType);
      gen.diag(TR.DDL_NOTE, `alias type ${st.name}: columns of this type get its base type`, st.loc, "note");
      return { sql: "" };
    case "AlterTable":
      return { sql: alterTable(gen, st) };
    case "Print":
      gen.diag(TR.SET_OPTION, "PRINT dropped (message output only)", st.loc, "note");
      return { sql: "" };
    case "BulkInsert":
      gen.diag(TR.UNSUPPORTED, "BULK INSERT (loading a server-side file) is not translated; load the data with COPY or dbt seeds", st.loc);
      return { sql: "" };
    default:
      gen.diag(TR.PROCEDURAL, `${describe(st)} is procedural T-SQL and is not translated by the query translator`, st.loc);
      return { sql: "" };
  }
}

function describe(st: A.Statement): string {
  const names: Record<string, string> = {
    CreateProcedure: "CREATE PROCEDURE", CreateTrigger: "CREATE TRIGGER", Declare: "DECLARE", SetVariable: "SET @variable",
    If: "IF", While: "WHILE", Block: "BEGIN ... END", TryCatch: "TRY ... CATCH", Exec: "EXEC", ExecString: "EXEC (dynamic SQL)",
    Raiserror: "RAISERROR", Throw: "THROW", Print: "PRINT", Return: "RETURN", DeclareCursor: "DECLARE CURSOR", Fetch: "FETCH",
    CursorOp: "cursor operation", Goto: "GOTO", Label: "label", Waitfor: "WAITFOR", AlterTable: "ALTER TABLE", CreateType: "CREATE TYPE",
    CreateSynonym: "CREATE SYNONYM", CreateStatistics: "CREATE STATISTICS", BulkInsert: "BULK INSERT", AddType: "sp_addtype",
  };
  return names[st.kind] ?? st.kind;
}

function selectStatement(gen: PostgresGenerator, st: A.SelectStatement): { sql: string; columns?: ColInfo[] } {
  const q = st.query;
  if (q.kind === "Select" && q.into) {
    // SELECT ... INTO t: CREATE TABLE t AS.
    const target = q.into;
    const sel = { ...q, into: undefined } as A.Select;
    const r = gen.queryWith(st.with, sel, new Scope(), { nameUnnamed: true });
    const name = target.name.value;
    const rendered = gen.relationSql(qualified(gen, target), undefined);
    if (r.columns) addLocal(gen, target, r.columns);
    return { sql: `CREATE ${name.startsWith("#") ? "TEMP " : ""}TABLE ${rendered} AS ${r.sql}` };
  }
  const r = gen.queryWith(st.with, q, new Scope());
  return { sql: r.sql, ...(r.columns ? { columns: r.columns } : {}) };
}

/** Unqualified names mean the default schema: render them the way later references to them render. */
function qualified(gen: PostgresGenerator, n: A.ObjectName): A.ObjectName {
  if (n.schema || n.name.value.startsWith("#")) return n;
  return { ...n, schema: { kind: "Identifier", value: gen.defaultSchema, quote: "none", loc: n.loc }, partCount: 2 };
}

function addLocal(gen: PostgresGenerator, name: A.ObjectName, cols: ColInfo[], kind: "table" | "view" = "table"): void {
  const schema = name.schema?.value ?? gen.defaultSchema;
  const obj: CatalogObject = {
    id: `${schema}.${name.name.value}`, schema, name: name.name.value, kind, file: name.loc.file, line: name.loc.line, origin: "file",
    columns: cols.map((c) => ({ name: c.name, nullable: true, type: sqlTypeToColumnType(c.type), ...(isString(c.type) ? { collation: c.type.collation ?? gen.defaultCollation } : {}) })),
    constraints: [], indexes: [], dependsOn: [], references: [],
  };
  gen.local.set(`${schema}.${name.name.value}`.toLowerCase(), obj);
  if (name.name.value.startsWith("#")) gen.local.set(name.name.value.toLowerCase(), obj);
}

function sqlTypeToColumnType(t: SqlType): Column["type"] {
  const out: NonNullable<Column["type"]> = { name: t.name === "unknown" ? "sql_variant" : t.name };
  if (t.length !== undefined) out.length = t.length;
  if (t.precision !== undefined) out.precision = t.precision;
  if (t.scale !== undefined) out.scale = t.scale;
  return out;
}

// ---------------------------------------------------------------------------------------------
// DML

interface Target {
  sql: string;
  alias?: string;
  obj?: CatalogObject;
  cols?: ColInfo[];
  scope: Scope;
}

function target(gen: PostgresGenerator, t: A.TableSource, from: A.TableSource[]): Target | undefined {
  const sc = new Scope();
  if (t.kind !== "TableRef") {
    if (t.kind === "VariableTableRef") gen.diag(TR.PROCEDURAL, `table variable ${t.variable.name} is procedural and not translated`, t.loc);
    else gen.diag(TR.UNSUPPORTED, "DML on a derived table or function is not translated", t.loc);
    return undefined;
  }
  for (const h of t.hints) gen.diag(TR.TABLE_HINT, `table hint ${h.name} dropped`, h.loc);
  // `UPDATE a SET ... FROM T a JOIN ...`: the target is an alias of a FROM table.
  let name = t.name;
  let alias = t.alias?.value;
  if (!t.name.schema && from.length) {
    const found = findAliased(from, t.name.name.value);
    if (found) {
      name = found.name;
      alias = found.alias?.value ?? alias;
    }
  }
  const obj = lookupObject(gen.catalog, name, gen.defaultSchema, gen.local);
  const cols = obj ? gen.relationColumns(obj) : undefined;
  const qualifier = ident(alias ?? name.name.value.replace(/^#+/, "tmp_"));
  const names = [lower(alias ?? name.name.value)];
  if (!alias && name.schema) names.push(lower(`${name.schema.value}.${name.name.value}`));
  sc.rels.push({ names, qualifier, ...(obj ? { relId: `${obj.schema}.${obj.name}` } : {}), ...(cols ? { columns: cols } : {}) });
  return { sql: `${gen.relationSql(name, obj)} AS ${qualifier}`, ...(alias ? { alias } : {}), ...(obj ? { obj } : {}), ...(cols ? { cols } : {}), scope: sc };
}

function findAliased(from: A.TableSource[], aliasOrName: string): A.TableRef | undefined {
  const key = lower(aliasOrName);
  const visit = (t: A.TableSource): A.TableRef | undefined => {
    if (t.kind === "TableRef") return lower(t.alias?.value ?? t.name.name.value) === key ? t : undefined;
    if (t.kind === "Join") return visit(t.left) ?? visit(t.right);
    return undefined;
  };
  for (const f of from) {
    const r = visit(f);
    if (r) return r;
  }
  return undefined;
}

/** FROM items of UPDATE/DELETE minus the target table; inner-join conditions move to WHERE. */
function restOfFrom(gen: PostgresGenerator, from: A.TableSource[], tg: Target, targetRef: A.TableRef | undefined, loc: A.Loc): { from: string; conds: string[] } {
  const conds: string[] = [];
  const items: A.TableSource[] = [];
  let ok = true;
  const strip = (t: A.TableSource): A.TableSource | undefined => {
    if (t === targetRef) return undefined;
    if (t.kind === "Join") {
      const l = strip(t.left);
      const r = strip(t.right);
      if (!l || !r) {
        if (t.joinType !== "INNER" && t.joinType !== "CROSS" && t.joinType !== "CROSS APPLY") ok = false;
        if (t.on) pendingConds.push(t.on);
        return l ?? r;
      }
      return { ...t, left: l, right: r };
    }
    return t;
  };
  const pendingConds: A.Expr[] = [];
  for (const f of from) {
    const s = strip(f);
    if (s) items.push(s);
  }
  if (!ok) gen.diag(TR.UNSUPPORTED, "UPDATE/DELETE whose target is on the outer side of an outer join is not translated", loc);
  const fromSql = items.length ? gen.fromClause(items, tg.scope) : "";
  for (const c of pendingConds) conds.push(gen.predicate(c, tg.scope));
  return { from: fromSql, conds };
}

function outputClause(gen: PostgresGenerator, out: A.OutputClause | undefined, sc: Scope, kind: "INSERT" | "UPDATE" | "DELETE", qualifier: string, preImage?: string): string {
  if (!out) return "";
  if (out.into) {
    gen.diag(TR.OUTPUT, "OUTPUT ... INTO is not translated (use a data-modifying CTE by hand)", out.loc);
    return "";
  }
  const items = out.columns.map((c) => {
    const rewrite = (e: A.Expr): A.Expr | undefined => e;
    void rewrite;
    let bad = false;
    const visit = (n: unknown): void => {
      if (!n || typeof n !== "object") return;
      if (Array.isArray(n)) return n.forEach(visit);
      const o = n as Record<string, unknown>;
      if (o.kind === "ColumnRef" || o.kind === "Star") {
        const t = (o.table as A.ObjectName | undefined)?.name.value.toLowerCase();
        if (t === "deleted" && kind !== "DELETE" && !preImage) bad = true;
        if (t === "inserted" && kind === "DELETE") bad = true;
      }
      if (o.kind === "PseudoColumn") bad = true;
      for (const k of Object.keys(o)) if (k !== "loc") visit(o[k]);
    };
    visit(c.expr);
    if (bad) gen.diag(TR.OUTPUT, `OUTPUT ${kind === "UPDATE" ? "deleted.*" : "$action/mixed images"} has no exact RETURNING equivalent on Postgres 15`, c.loc);
    // inserted./deleted. qualifiers refer to the target row.
    const sc2 = new Scope();
    const rel = sc.rels[0];
    if (rel && preImage) {
      // deleted.* reads the pre-image joined into the UPDATE (a snapshot from before the statement).
      sc2.rels.push({ ...rel, names: [...rel.names, "inserted"] }, { ...rel, names: ["deleted"], qualifier: preImage });
    } else if (rel) sc2.rels.push({ ...rel, names: [...rel.names, "inserted", "deleted"] });
    const g = gen.expr(c.expr, sc2);
    const name = c.alias?.value ?? (c.expr.kind === "ColumnRef" ? c.expr.name.value : undefined);
    return name ? `${g.sql} AS ${ident(name)}` : g.sql;
  });
  void qualifier;
  return ` RETURNING ${items.join(", ")}`;
}

/**
 * OUTPUT without INTO becomes RETURNING; OUTPUT ... INTO a table becomes a data-modifying CTE whose
 * rows are inserted into that table; OUTPUT INTO a table variable is refused.
 */
function outputs(gen: PostgresGenerator, st: { output?: A.OutputClause; outputResult?: A.OutputClause }, sc: Scope, kind: "INSERT" | "UPDATE" | "DELETE", preImage?: string): { ret: string; wrap: (dml: string) => string } {
  let ret = "";
  let wrap = (dml: string) => dml;
  for (const o of [st.output, st.outputResult]) {
    if (!o) continue;
    if (o.into && o.into.kind === "Variable") {
      gen.diag(TR.OUTPUT, "OUTPUT ... INTO a table variable is procedural and is not translated", o.loc);
    } else if (o.into) {
      if (ret) {
        gen.diag(TR.OUTPUT, "OUTPUT INTO together with a second OUTPUT is not translated", o.loc);
        continue;
      }
      const into = o.into;
      const obj = lookupObject(gen.catalog, into, gen.defaultSchema, gen.local);
      const relId = obj ? `${obj.schema}.${obj.name}` : undefined;
      const cols = o.intoColumns.length ? ` (${o.intoColumns.map((c) => gen.colName(relId, c.value)).join(", ")})` : "";
      const r = outputClause(gen, { ...o, into: undefined }, sc, kind, "", preImage);
      const target = gen.relationSql(into, obj);
      wrap = (dml) => `WITH dm_output AS (${dml}${r}) INSERT INTO ${target}${cols} SELECT * FROM dm_output`;
    } else ret = outputClause(gen, o, sc, kind, "", preImage);
  }
  return { ret, wrap };
}

function insert(gen: PostgresGenerator, st: A.Insert): string {
  if (st.top) gen.diag(TR.UNSUPPORTED, "INSERT TOP (n) is not translated", st.top.loc);
  for (const o of st.option) gen.diag(TR.QUERY_HINT, `query hint ${o.name} dropped`, o.loc, "note");
  const tg = target(gen, st.target, []);
  if (!tg) return "";
  const cols: ColInfo[] | undefined = st.columns.length
    ? st.columns.map((c) => tg.cols?.find((x) => lower(x.name) === lower(c.value)) ?? { name: c.value, type: UNKNOWN })
    : tg.cols?.filter((c) => !tg.obj?.columns.find((oc) => oc.name === c.name && (oc.identity || oc.computed || oc.type?.name === "timestamp" || oc.type?.name === "rowversion")));
  const relId = tg.obj ? `${tg.obj.schema}.${tg.obj.name}` : undefined;
  const skipped = !st.columns.length && cols && tg.cols && cols.length !== tg.cols.length;
  // Without a column list SQL Server skips identity/computed/rowversion columns; Postgres would not.
  const colList = st.columns.length ? ` (${st.columns.map((c) => gen.colName(relId, c.value)).join(", ")})` : skipped ? ` (${cols!.map((c) => gen.colName(relId, c.name)).join(", ")})` : "";
  const identityInsert = st.columns.some((c) => tg.obj?.columns.find((oc) => lower(oc.name) === lower(c.value) && oc.identity));
  const overriding = identityInsert ? " OVERRIDING SYSTEM VALUE" : "";
  const { ret, wrap } = outputs(gen, st, tg.scope, "INSERT");
  const src = st.source;
  const head = `INSERT INTO ${tg.sql}${colList}${overriding}`;
  if (src.kind === "DefaultValues") return wrap(`${head} DEFAULT VALUES${ret}`);
  if (src.kind === "ExecSource") {
    gen.diag(TR.INSERT_EXEC, "INSERT ... EXEC: the procedure's result set cannot be inlined into a query", src.loc);
    return "";
  }
  if (src.kind === "Values") {
    const sc = new Scope();
    const rows = src.rows.map((r) => `(${r.map((x, i) => {
      const g = gen.expr(x, sc);
      const t = cols?.[i]?.type;
      return t && !isUnknown(t) ? gen.convert(g, t, x.loc, { assign: true }).sql : g.sql;
    }).join(", ")})`);
    return wrap(`${head} VALUES ${rows.join(", ")}${ret}`);
  }
  const r = gen.queryWith(st.with, src.query, new Scope());
  // Convert the query's columns to the target's types (bit, dates, strings) through a wrapper when they differ.
  let qsql = r.sql;
  if (r.columns && cols && r.columns.length === cols.length && r.columns.some((c, i) => c.type.name !== cols[i]!.type.name && !isUnknown(cols[i]!.type))) {
    const w = "dm_ins";
    const names = r.columns.map((_, i) => `c${i + 1}`);
    const conv = r.columns.map((c, i) => gen.convert({ sql: `${w}.${names[i]}`, type: c.type, atom: true }, cols[i]!.type, st.loc, { assign: true }).sql);
    qsql = `SELECT ${conv.join(", ")} FROM (${r.sql}) AS ${w}(${names.join(", ")})`;
  }
  return wrap(`${head} ${qsql}${ret}`);
}

function setClauses(gen: PostgresGenerator, set: A.SetClause[], tg: Target): string[] {
  return set.map((s) => {
    if (s.variable || !s.target) {
      gen.diag(TR.PROCEDURAL, "SET @variable = ... inside UPDATE is not translated", s.loc);
      return "";
    }
    if (s.method) {
      gen.diag(TR.UNSUPPORTED, "SET column.method(...) is not translated", s.loc);
      return "";
    }
    const colInfo = tg.cols?.find((c) => lower(c.name) === lower(s.target!.name.value));
    const type = colInfo?.type ?? UNKNOWN;
    let value = gen.expr(s.value, tg.scope);
    if (s.op !== "=") {
      const cur: G = gen.expr(s.target, tg.scope);
      value = gen.arithmetic(s.op.slice(0, 1) as A.BinaryOp, cur, value, s.loc);
    }
    const v = isUnknown(type) ? value : gen.convert(value, type, s.loc, { assign: true });
    return `${gen.colName(tg.obj ? `${tg.obj.schema}.${tg.obj.name}` : undefined, s.target.name.value)} = ${v.sql}`;
  });
}

function update(gen: PostgresGenerator, st: A.Update): string {
  if (st.top && (st.top.percent || st.from.length)) gen.diag(TR.UNSUPPORTED, "UPDATE TOP (n) PERCENT / with FROM is not translated", st.top.loc);
  if (st.currentOf) gen.diag(TR.PROCEDURAL, "WHERE CURRENT OF (cursor) is not translated", st.loc);
  for (const o of st.option) gen.diag(TR.QUERY_HINT, `query hint ${o.name} dropped`, o.loc, "note");
  const tg = target(gen, st.target, st.from);
  if (!tg) return "";
  const targetRef = st.target.kind === "TableRef" ? findAliased(st.from, st.target.alias?.value ?? st.target.name.name.value) : undefined;
  const rest = restOfFrom(gen, st.from, tg, targetRef, st.loc);
  const sets = setClauses(gen, st.set, tg).filter(Boolean);
  const conds = [...rest.conds];
  if (st.where) conds.push(gen.predicate(st.where, tg.scope));
  if (st.top && !st.top.percent && !st.from.length) conds.splice(0, conds.length, topRows(gen, tg, st.top, conds));
  // OUTPUT deleted.*: join a pre-image of the target on its primary key (Postgres 15 has no OLD in RETURNING).
  let from = rest.from;
  let preImage: string | undefined;
  const out = [st.output, st.outputResult].filter((o): o is A.OutputClause => !!o && o.into?.kind !== "Variable");
  if (out.some((o) => mentionsTable(o, "deleted"))) {
    const pk = tg.obj?.constraints.find((k) => k.kind === "primary_key")?.columns;
    if (pk?.length) {
      preImage = "dm_old";
      const relId = tg.obj ? `${tg.obj.schema}.${tg.obj.name}` : undefined;
      const q = tg.scope.rels[0]!.qualifier;
      from = `${from ? `${from}, ` : ""}(SELECT * FROM ${tg.sql.replace(/ AS [^ ]+$/, "")}) AS ${preImage}`;
      for (const c of pk) conds.push(`${q}.${gen.colName(relId, c)} = ${preImage}.${gen.colName(relId, c)}`);
    }
  }
  const { ret, wrap } = outputs(gen, st, tg.scope, "UPDATE", preImage);
  const withSql = st.with ? withPrefix(gen, st.with, tg.scope) : "";
  return wrap(`${withSql}UPDATE ${tg.sql} SET ${sets.join(", ")}${from ? ` FROM ${from}` : ""}${conds.length ? ` WHERE ${conds.map((c) => `(${c})`).join(" AND ")}` : ""}${ret}`);
}

/** TOP (n) in UPDATE/DELETE: n arbitrary qualifying rows (SQL Server gives no order either). */
function topRows(gen: PostgresGenerator, tg: Target, top: A.Top, conds: string[]): string {
  const q = tg.scope.rels[0]!.qualifier;
  const n = gen.convert(gen.expr(top.expr, new Scope()), BIGINT, top.loc).sql;
  return `${q}.ctid IN (SELECT ${q}.ctid FROM ${tg.sql}${conds.length ? ` WHERE ${conds.map((c) => `(${c})`).join(" AND ")}` : ""} LIMIT (${n}))`;
}

function mentionsTable(n: unknown, table: string): boolean {
  if (!n || typeof n !== "object") return false;
  if (Array.isArray(n)) return n.some((x) => mentionsTable(x, table));
  const o = n as Record<string, unknown>;
  if ((o.kind === "ColumnRef" || o.kind === "Star") && (o.table as A.ObjectName | undefined)?.name.value.toLowerCase() === table) return true;
  return Object.keys(o).some((k) => k !== "loc" && mentionsTable(o[k], table));
}

function withPrefix(gen: PostgresGenerator, w: A.WithClause, sc: Scope): string {
  // Render the CTEs through an empty query and keep the WITH part.
  const r = gen.queryWith(w, { kind: "Select", distinct: false, all: false, columns: [], from: [], orderBy: [], option: [], loc: w.loc } as A.Select, sc);
  return r.sql.replace(/ SELECT $/, " ");
}

function del(gen: PostgresGenerator, st: A.Delete): string {
  if (st.top && (st.top.percent || st.from.length)) gen.diag(TR.UNSUPPORTED, "DELETE TOP (n) PERCENT / with FROM is not translated", st.top.loc);
  if (st.currentOf) gen.diag(TR.PROCEDURAL, "WHERE CURRENT OF (cursor) is not translated", st.loc);
  for (const o of st.option) gen.diag(TR.QUERY_HINT, `query hint ${o.name} dropped`, o.loc, "note");
  const tg = target(gen, st.target, st.from);
  if (!tg) return "";
  const targetRef = st.target.kind === "TableRef" ? findAliased(st.from, st.target.alias?.value ?? st.target.name.name.value) : undefined;
  const rest = restOfFrom(gen, st.from, tg, targetRef, st.loc);
  const conds = [...rest.conds];
  if (st.where) conds.push(gen.predicate(st.where, tg.scope));
  if (st.top && !st.top.percent && !st.from.length) conds.splice(0, conds.length, topRows(gen, tg, st.top, conds));
  const { ret, wrap } = outputs(gen, st, tg.scope, "DELETE");
  const withSql = st.with ? withPrefix(gen, st.with, tg.scope) : "";
  return wrap(`${withSql}DELETE FROM ${tg.sql}${rest.from ? ` USING ${rest.from}` : ""}${conds.length ? ` WHERE ${conds.map((c) => `(${c})`).join(" AND ")}` : ""}${ret}`);
}

function merge(gen: PostgresGenerator, st: A.Merge): string {
  if (st.top) gen.diag(TR.MERGE, "MERGE TOP (n) is not translated", st.top.loc);
  if (st.output || st.outputResult) gen.diag(TR.MERGE, "MERGE ... OUTPUT has no equivalent on Postgres 15 (RETURNING for MERGE needs 17)", (st.output ?? st.outputResult)!.loc);
  for (const o of st.option) gen.diag(TR.QUERY_HINT, `query hint ${o.name} dropped`, o.loc, "note");
  const tg = target(gen, st.target, []);
  if (!tg) return "";
  const srcScope = new Scope();
  const usingSql = gen.tableSource(st.using, srcScope);
  // ON and WHEN conditions see both sides.
  const both = new Scope();
  both.rels.push(...tg.scope.rels, ...srcScope.rels);
  const on = gen.predicate(st.on, both);
  const parts: string[] = [];
  const pre: string[] = [];
  const relId = tg.obj ? `${tg.obj.schema}.${tg.obj.name}` : undefined;
  for (const w of st.whens) {
    const cond = w.condition ? ` AND ${gen.predicate(w.condition, w.match === "NOT MATCHED BY SOURCE" ? tg.scope : w.match === "NOT MATCHED BY TARGET" ? srcScope : both)}` : "";
    if (w.match === "NOT MATCHED BY SOURCE") {
      gen.diag(TR.MERGE_SPLIT, "WHEN NOT MATCHED BY SOURCE runs as a separate statement before the MERGE (Postgres 15 lacks the clause)", w.loc);
      const notExists = `NOT EXISTS (SELECT 1 FROM ${usingSql} WHERE ${on})`;
      const qual = tg.scope.rels[0]!.qualifier;
      void qual;
      if (w.action.kind === "MergeDelete") pre.push(`DELETE FROM ${tg.sql} WHERE ${notExists}${cond}`);
      else if (w.action.kind === "MergeUpdate") {
        const changed = new Set(w.action.set.map((s) => lower(s.target?.name.value ?? "")));
        if (referencesColumns(st.on, changed)) gen.diag(TR.MERGE, "NOT MATCHED BY SOURCE updates a column used in the ON condition; splitting the MERGE would change which rows match", w.loc);
        pre.push(`UPDATE ${tg.sql} SET ${setClauses(gen, w.action.set, tg).filter(Boolean).join(", ")} WHERE ${notExists}${cond}`);
      }
      continue;
    }
    const match = w.match === "MATCHED" ? "MATCHED" : "NOT MATCHED";
    const sc = w.match === "MATCHED" ? both : srcScope;
    let action: string;
    if (w.action.kind === "MergeDelete") action = "DELETE";
    else if (w.action.kind === "MergeUpdate") {
      const t2: Target = { ...tg, scope: both };
      action = `UPDATE SET ${setClauses(gen, w.action.set, t2).filter(Boolean).join(", ")}`;
    } else {
      const ins = w.action;
      if (ins.defaultValues) action = "INSERT DEFAULT VALUES";
      else {
        const cols = ins.columns.length ? ins.columns : (tg.cols ?? []).map((c) => ({ value: c.name }) as A.Identifier);
        const vals = ins.values.map((v, i) => {
          const g = gen.expr(v, sc);
          const t = tg.cols?.find((c) => lower(c.name) === lower(cols[i]?.value ?? ""))?.type;
          return t && !isUnknown(t) ? gen.convert(g, t, v.loc, { assign: true }).sql : g.sql;
        });
        action = `INSERT${ins.columns.length ? ` (${ins.columns.map((c) => gen.colName(relId, c.value)).join(", ")})` : ""} VALUES (${vals.join(", ")})`;
      }
    }
    parts.push(`WHEN ${match}${cond} THEN ${action}`);
  }
  const withSql = st.with ? withPrefix(gen, st.with, new Scope()) : "";
  const mergeSql = parts.length ? `${withSql}MERGE INTO ${tg.sql} USING ${usingSql} ON ${on} ${parts.join(" ")}` : "";
  return [...pre, mergeSql].filter(Boolean).join(";\n");
}

function referencesColumns(e: A.Expr, names: Set<string>): boolean {
  let hit = false;
  const visit = (n: unknown): void => {
    if (hit || !n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(visit);
    const o = n as Record<string, unknown>;
    if (o.kind === "ColumnRef" && names.has(lower((o.name as A.Identifier).value))) hit = true;
    for (const k of Object.keys(o)) if (k !== "loc") visit(o[k]);
  };
  visit(e);
  return hit;
}

// ---------------------------------------------------------------------------------------------
// DDL

function createTable(gen: PostgresGenerator, st: A.CreateTable, columnOnly = false): string {
  if (st.asSelect) {
    gen.diag(TR.UNSUPPORTED, "CREATE TABLE ... AS SELECT (Synapse CTAS) is not translated", st.loc);
    return "";
  }
  if (st.asType) gen.diag(TR.UNSUPPORTED, `CREATE TABLE AS ${st.asType} is not translated`, st.loc);
  if (st.onFileGroup || st.textImageOn || st.options.length) gen.diag(TR.DDL_NOTE, "filegroup/storage options dropped", st.loc, "note");
  const temp = st.name.name.value.startsWith("#");
  const name = gen.relationSql(qualified(gen, st.name), undefined);
  const lines: string[] = [];
  const cols: ColInfo[] = [];
  const checks: string[] = [];
  const sc = new Scope();
  const tableCols: ColInfo[] = st.columns.filter((c) => c.type).map((c) => ({ name: c.name.value, type: { ...gen.dataType(c.type!, "declare"), ...(isString(gen.dataType(c.type!, "declare")) ? { collation: c.collation ?? gen.defaultCollation, collationDerivation: "implicit" as const } : {}) } }));
  sc.rels.push({ names: [lower(st.name.name.value)], qualifier: "", columns: tableCols });
  for (const c of st.columns) {
    if (c.computed) {
      const tmpScope = new Scope();
      tmpScope.rels.push({ names: [lower(st.name.name.value)], qualifier: ident(st.name.name.value), columns: tableCols });
      const rtBefore = new Set(gen.runtime);
      const callsBefore = gen.userCalls;
      const g = gen.expr(c.computed.expr, bareScope(tableCols));
      const why = notImmutable(g.sql, [...gen.runtime].filter((r) => !rtBefore.has(r)), gen.userCalls > callsBefore);
      if (why) {
        gen.diag(TR.UNSUPPORTED, `computed column ${c.name.value} cannot be a Postgres generated column (${why}); it is created as a plain column: fill it when loading or compute it in a model`, c.loc);
        lines.push(`${ident(c.name.value)} ${mapSqlType(g.type).sql}`);
        cols.push({ name: c.name.value, type: g.type });
        continue;
      }
      lines.push(`${ident(c.name.value)} ${mapSqlType(g.type).sql} GENERATED ALWAYS AS (${g.sql}) STORED`);
      if (!c.computed.persisted) gen.diag(TR.DDL_NOTE, `computed column ${c.name.value} becomes a stored generated column`, c.loc, "note");
      if (isUnknown(g.type)) gen.diag(TR.UNKNOWN_TYPE, `type of computed column ${c.name.value} is unknown`, c.loc);
      cols.push({ name: c.name.value, type: g.type });
      continue;
    }
    const t = gen.dataType(c.type!, "declare");
    if (isString(t)) {
      t.collation = c.collation ?? gen.defaultCollation;
      t.collationDerivation = "implicit";
    }
    cols.push({ name: c.name.value, type: t });
    const m = mapSqlType(t);
    for (const n of m.notes) gen.diag(n.code, `${c.name.value}: ${n.message}`, c.loc);
    let line = `${ident(c.name.value)} ${m.sql}`;
    if (c.collation && !isCaseInsensitiveName(c.collation) !== !isCaseInsensitiveName(gen.defaultCollation)) {
      // Comparisons use the column's collation from the catalog; nothing to declare on Postgres.
    }
    if (c.identity) {
      const seed = c.identity.seed ? gen.expr(c.identity.seed, sc).sql : "1";
      const inc = c.identity.increment ? gen.expr(c.identity.increment, sc).sql : "1";
      line += ` ${identityClause(seed, inc, integerRange(t.name) ? t.name : m.sql)}`;
    }
    if (c.nullable === false) line += " NOT NULL";
    if (c.default) {
      const g = gen.convert(gen.expr(c.default.expr, new Scope()), t, c.default.loc);
      line += ` DEFAULT ${g.sql}`;
    }
    if (c.rowguidcol) gen.diag(TR.DDL_NOTE, `ROWGUIDCOL on ${c.name.value} dropped`, c.loc, "note");
    if (c.sparse || c.filestream || c.mask || c.encrypted) gen.diag(TR.DDL_NOTE, `SPARSE/FILESTREAM/MASKED/ENCRYPTED on ${c.name.value} dropped`, c.loc, "note");
    for (const k of c.constraints) {
      const r = constraint(gen, k, [c.name.value], bareScope(tableCols));
      if (r) line += ` ${r}`;
    }
    if (m.check) checks.push(`CHECK (${m.check.replaceAll("$col", ident(c.name.value))})`);
    lines.push(line);
  }
  for (const k of st.constraints) {
    const r = constraint(gen, k, [], bareScope(tableCols));
    if (r) lines.push(r);
  }
  lines.push(...checks);
  const extra: string[] = [];
  for (const ix of st.indexes) {
    extra.push(`CREATE ${ix.unique ? "UNIQUE " : ""}INDEX ${indexName(st.name, ix.name.value)} ON ${name} (${ix.columns.map((c) => `${ident(c.name.value)}${c.direction === "DESC" ? " DESC" : ""}`).join(", ")})`);
    if (ix.clustered || ix.columnstore || ix.hash) gen.diag(TR.DDL_NOTE, `index ${ix.name.value}: CLUSTERED/COLUMNSTORE/HASH dropped (plain B-tree)`, ix.loc, "note");
  }
  if (columnOnly) {
    const obj = lookupObject(gen.catalog, st.name, gen.defaultSchema, gen.local);
    if (obj && gen.local.has(`${obj.schema}.${obj.name}`.toLowerCase())) obj.columns.push(...cols.map((c) => ({ name: c.name, nullable: true, type: sqlTypeToColumnType(c.type) })));
    return [lines[0] ?? "", ...checks.map((c) => c)].filter(Boolean).join(", ADD ");
  }
  // Remember the table so later statements of the same input see its types.
  addLocalFromCols(gen, st.name, cols);
  const local = gen.local.get(`${st.name.schema?.value ?? gen.defaultSchema}.${st.name.name.value}`.toLowerCase());
  if (local) {
    const pkCols = [
      ...st.columns.filter((c) => c.constraints.some((k) => k.kind === "PrimaryKey")).map((c) => c.name.value),
      ...st.constraints.flatMap((k) => (k.kind === "PrimaryKey" ? k.columns.map((c) => c.name.value) : [])),
    ];
    if (pkCols.length) local.constraints.push({ kind: "primary_key", columns: pkCols });
    for (const c of st.columns) {
      const lc = local.columns.find((x) => x.name === c.name.value);
      if (!lc) continue;
      if (c.identity) lc.identity = { seed: "1", increment: "1" };
      if (c.computed) lc.computed = { expression: "", persisted: c.computed.persisted };
    }
  }
  return [`CREATE ${temp ? "TEMP " : ""}TABLE ${name} (\n  ${lines.join(",\n  ")}\n)`, ...extra].join(";\n");
}

/** Why an expression cannot be a generated column's (Postgres requires IMMUTABLE), or undefined. */
function notImmutable(sql: string, runtimeUsed: string[], callsUserFunction: boolean): string | undefined {
  if (callsUserFunction) return "it calls a user function";
  if (/\(SELECT\b/i.test(sql)) return "it contains a subquery";
  const volatile = runtimeUsed.filter((n) => runtimeFunctions.get(n)?.volatility !== "IMMUTABLE");
  if (volatile.length) return `it calls ${volatile.join(", ")}, which is not immutable`;
  const m = /\b(concat|concat_ws|to_char|now|statement_timestamp|clock_timestamp|random|gen_random_uuid|nextval|current_user|current_database)\(/i.exec(sql);
  if (m) return `${m[1]} is not immutable on Postgres`;
  if (/'[^']*'::(timestamp|date|time|timestamptz)\b/.test(sql)) return "a date/time literal's conversion is not immutable on Postgres";
  return undefined;
}

function isCaseInsensitiveName(c: string): boolean {
  return !/_CS|_BIN/i.test(c);
}

function bareScope(cols: ColInfo[]): Scope {
  const sc = new Scope();
  sc.rels.push({ names: [], qualifier: "", columns: cols });
  return { ...sc, findColumn: (name: string) => {
    const col = cols.find((c) => lower(c.name) === lower(name));
    return col ? { rel: { names: [], qualifier: "", columns: cols }, col, depth: 0 } : undefined;
  } } as unknown as Scope;
}

/** Index names are per table in SQL Server but share the schema's namespace with tables in Postgres. */
function indexName(table: A.ObjectName, index: string): string {
  return ident(`${table.name.value.replace(/^#+/, "tmp_")}_${index}`);
}

function addLocalFromCols(gen: PostgresGenerator, name: A.ObjectName, cols: ColInfo[]): void {
  addLocal(gen, name, cols);
}

function constraint(gen: PostgresGenerator, k: A.TableConstraint, own: string[], sc: Scope): string | undefined {
  const nm = k.name ? `CONSTRAINT ${ident(k.name.value)} ` : "";
  switch (k.kind) {
    case "PrimaryKey":
    case "Unique": {
      if (k.clustered === false || k.clustered === true) {
        if (k.clustered && k.kind === "Unique") gen.diag(TR.DDL_NOTE, "CLUSTERED on a UNIQUE constraint dropped (Postgres tables are heaps)", k.loc, "note");
      }
      const cols = k.columns.length ? k.columns.map((c) => ident(c.name.value)) : own.map(ident);
      const kw = k.kind === "PrimaryKey" ? "PRIMARY KEY" : "UNIQUE";
      return own.length && !k.columns.length ? `${nm}${kw}` : `${nm}${kw} (${cols.join(", ")})`;
    }
    case "ForeignKey": {
      const obj = lookupObject(gen.catalog, k.refTable, gen.defaultSchema, gen.local);
      const ref = gen.relationSql(k.refTable, obj);
      const cols = k.columns.length ? `(${k.columns.map((c) => ident(c.value)).join(", ")}) ` : "";
      const refCols = k.refColumns.length ? ` (${k.refColumns.map((c) => ident(c.value)).join(", ")})` : "";
      const acts = `${k.onDelete ? ` ON DELETE ${k.onDelete}` : ""}${k.onUpdate ? ` ON UPDATE ${k.onUpdate}` : ""}`;
      return own.length && !k.columns.length ? `${nm}REFERENCES ${ref}${refCols}${acts}` : `${nm}FOREIGN KEY ${cols}REFERENCES ${ref}${refCols}${acts}`;
    }
    case "Check":
      return `${nm}CHECK (${gen.predicate(k.expr, sc)})`;
    case "Default":
      if (k.forColumn) gen.diag(TR.DDL_NOTE, "DEFAULT ... FOR column in a table constraint list is not translated", k.loc);
      return undefined;
  }
}

function createView(gen: PostgresGenerator, st: A.ViewStatement): { sql: string; columns?: ColInfo[] } {
  if (st.checkOption) gen.diag(TR.DDL_NOTE, "WITH CHECK OPTION kept", st.loc, "note");
  const r = gen.queryWith(st.with, st.query, new Scope(), { nameUnnamed: true });
  const name = gen.relationSql(qualified(gen, st.name), undefined);
  const colList = st.columns.length ? ` (${st.columns.map((c) => ident(c.value)).join(", ")})` : "";
  const cols = r.columns && st.columns.length ? r.columns.map((c, i) => ({ name: st.columns[i]?.value ?? c.name, type: c.type })) : r.columns;
  if (cols) {
    const schema = st.name.schema?.value ?? gen.defaultSchema;
    addLocal(gen, st.name, cols, "view");
    void schema;
  }
  return { sql: `CREATE OR REPLACE VIEW ${name}${colList} AS ${r.sql}${st.checkOption ? " WITH CHECK OPTION" : ""}`, ...(cols ? { columns: cols } : {}) };
}

function createSequence(gen: PostgresGenerator, st: A.CreateSequence): string {
  if (st.mode === "ALTER") {
    gen.diag(TR.UNSUPPORTED, "ALTER SEQUENCE is not translated", st.loc);
    return "";
  }
  const t = st.type ? gen.dataType(st.type, "declare") : BIGINT;
  const bounds: Record<string, [string, string]> = { tinyint: ["0", "255"], smallint: ["-32768", "32767"], int: ["-2147483648", "2147483647"], bigint: ["-9223372036854775808", "9223372036854775807"] };
  const b = bounds[t.name] ?? (t.name === "decimal" ? [`-${"9".repeat(Math.min(t.precision ?? 18, 18))}`, "9".repeat(Math.min(t.precision ?? 18, 18))] : bounds.bigint!);
  const sc = new Scope();
  const v = (e: A.Expr | null | undefined) => (e ? gen.expr(e, sc).sql.replace(/^\((.*)\)$/, "$1") : undefined);
  const min = st.minValue === null ? b[0] : v(st.minValue) ?? b[0];
  const max = st.maxValue === null ? b[1] : v(st.maxValue) ?? b[1];
  const inc = v(st.incrementBy) ?? "1";
  const desc = inc.startsWith("-");
  // SQL Server starts at MINVALUE (ascending) or MAXVALUE (descending) by default.
  const start = v(st.startWith) ?? (desc ? max : min);
  const pgT = t.name === "int" ? "integer" : t.name === "smallint" || t.name === "tinyint" ? "smallint" : "bigint";
  if (t.name === "decimal") gen.diag(TR.DDL_NOTE, "decimal sequence becomes bigint", st.loc, "note");
  return `CREATE SEQUENCE ${gen.relationSql(qualified(gen, st.name), undefined)} AS ${pgT} INCREMENT BY ${inc} MINVALUE ${min} MAXVALUE ${max} START WITH ${start}${st.cycle ? " CYCLE" : " NO CYCLE"}`;
}

function createIndex(gen: PostgresGenerator, st: A.CreateIndex): string {
  if (st.special) {
    gen.diag(TR.UNSUPPORTED, `${st.special} index is not translated`, st.loc);
    return "";
  }
  if (st.clustered || st.columnstore) gen.diag(TR.DDL_NOTE, "CLUSTERED/COLUMNSTORE dropped (plain B-tree index)", st.loc, "note");
  if (st.options.length || st.onFileGroup) gen.diag(TR.DDL_NOTE, "index options/filegroup dropped", st.loc, "note");
  const obj = lookupObject(gen.catalog, st.table, gen.defaultSchema, gen.local);
  if (obj?.kind === "view" || (obj && !obj.columns.length && obj.module?.ast?.kind === "CreateView")) {
    gen.diag(TR.DDL_NOTE, `index ${st.name.value} on view ${dotted(st.table)} dropped: an indexed view only materialises the same rows (use a materialized model if speed matters)`, st.loc, "note");
    return "";
  }
  const cols = obj ? gen.relationColumns(obj) : undefined;
  const relId = obj ? `${obj.schema}.${obj.name}` : undefined;
  const sc = bareScope(cols ?? []);
  const where = st.where ? ` WHERE ${gen.predicate(st.where, sc)}` : "";
  const include = st.include.length ? ` INCLUDE (${st.include.map((c) => gen.colName(relId, c.value)).join(", ")})` : "";
  return `CREATE ${st.unique ? "UNIQUE " : ""}INDEX ${indexName(st.table, st.name.value)} ON ${gen.relationSql(st.table, obj)} (${st.columns.map((c) => `${gen.colName(relId, c.name.value)}${c.direction === "DESC" ? " DESC NULLS LAST" : ""}`).join(", ")})${include}${where}`;
}

function drop(gen: PostgresGenerator, st: A.Drop): string {
  const kinds: Record<string, string> = { TABLE: "TABLE", VIEW: "VIEW", SEQUENCE: "SEQUENCE", SCHEMA: "SCHEMA", FUNCTION: "FUNCTION", INDEX: "INDEX" };
  const k = kinds[st.objectType];
  if (!k) {
    gen.diag(TR.UNSUPPORTED, `DROP ${st.objectType} is not translated`, st.loc);
    return "";
  }
  if (k === "INDEX") {
    return st.names.map((n) => {
      // DROP INDEX ix ON t, or the legacy DROP INDEX t.ix
      const table = st.on ?? (n.schema ? { ...n, name: n.schema, schema: undefined } : undefined);
      const schema = st.on?.schema?.value ?? (st.on ? undefined : n.database?.value);
      const idx = table ? indexName(table as A.ObjectName, n.name.value) : ident(n.name.value);
      return `DROP INDEX ${st.ifExists ? "IF EXISTS " : ""}${schema ? `${ident(schema)}.` : ""}${idx}`;
    }).join(";\n");
  }
  return `DROP ${k} ${st.ifExists ? "IF EXISTS " : ""}${st.names.map((n) => (k === "SCHEMA" ? ident(n.name.value) : gen.relationSql(n, undefined))).join(", ")}`;
}

function setOption(gen: PostgresGenerator, st: A.SetOption): string {
  const v = (st.value ?? "").toUpperCase();
  for (const o of st.options) {
    switch (o) {
      case "ANSI_NULLS":
      case "CONCAT_NULL_YIELDS_NULL":
      case "ANSI_WARNINGS":
      case "ARITHABORT":
      case "ANSI_PADDING":
      case "QUOTED_IDENTIFIER":
        if (v === "OFF") gen.diag(TR.SESSION_SETTING, `SET ${o} OFF changes results and is not emulated`, st.loc);
        else gen.diag(TR.SET_OPTION, `SET ${o} ${v} dropped (Postgres behaves as ON)`, st.loc, "note");
        break;
      case "NUMERIC_ROUNDABORT":
        if (v === "ON") gen.diag(TR.SESSION_SETTING, "SET NUMERIC_ROUNDABORT ON is not emulated", st.loc);
        break;
      case "DATEFIRST": {
        const n = Number(v || (st.expr?.kind === "Literal" ? st.expr.value : NaN));
        if (Number.isInteger(n) && n >= 1 && n <= 7) gen.datefirst = n;
        else gen.diag(TR.SESSION_SETTING, "SET DATEFIRST from a variable or out of range is not translated", st.loc);
        break;
      }
      case "DATEFORMAT":
        if (!/^'?MDY'?$/i.test(v) && !(st.expr?.kind === "Literal" && /^mdy$/i.test(st.expr.value))) gen.diag(TR.SESSION_SETTING, `SET DATEFORMAT ${v || "?"} is not emulated (translation assumes mdy)`, st.loc);
        break;
      case "LANGUAGE":
        if (!/us_english|english/i.test(v + (st.expr?.kind === "Literal" ? st.expr.value : ""))) gen.diag(TR.SESSION_SETTING, "SET LANGUAGE other than us_english is not emulated", st.loc);
        break;
      default:
        gen.diag(TR.SET_OPTION, `SET ${o} dropped`, st.loc, "note");
    }
  }
  return "";
}

function extendedProperty(gen: PostgresGenerator, st: A.ExtendedProperty): string {
  if (st.action !== "add" && st.action !== "update") return "";
  if (st.propertyName !== "MS_Description" || st.value?.kind !== "Literal") return "";
  const lv = st.levels;
  const schema = lv.find((l) => l.type === "SCHEMA")?.name;
  const table = lv.find((l) => l.type === "TABLE" || l.type === "VIEW");
  const column = lv.find((l) => l.type === "COLUMN");
  if (!schema || !table) return "";
  const rel = `${ident(schema)}.${ident(table.name)}`;
  const text = `'${st.value.value.replaceAll("'", "''")}'`;
  if (column) return `COMMENT ON COLUMN ${rel}.${ident(column.name)} IS ${text}`;
  return `COMMENT ON ${table.type === "VIEW" ? "VIEW" : "TABLE"} ${rel} IS ${text}`;
}

function createFunction(gen: PostgresGenerator, st: A.FunctionStatement): string {
  const name = gen.functionSql(qualified(gen, st.name), undefined);
  const sc = new Scope();
  gen.paramScope(sc, st.params);
  const params = st.params.map((p) => `${ident(p.name.replace(/^@+/, "p_"))} ${mapSqlType(gen.dataType(p.type, "declare")).sql}`).join(", ");
  if (st.returns.kind === "InlineTable" && st.returnQuery) {
    const r = gen.queryWith(st.returnQuery.with, st.returnQuery.query, sc, { nameUnnamed: true });
    if (!r.columns) {
      gen.diag(TR.UNKNOWN_TYPE, "inline table-valued function: result column types unknown", st.loc);
      return "";
    }
    const cols = r.columns.map((c) => `${ident(c.name)} ${isUnknown(c.type) ? "text" : mapSqlType(c.type).sql}`).join(", ");
    addLocalFunction(gen, st);
    return `CREATE OR REPLACE FUNCTION ${name}(${params}) RETURNS TABLE (${cols}) LANGUAGE sql STABLE AS $dm$ ${r.sql} $dm$`;
  }
  if (st.returns.kind === "Scalar" && st.body.length === 1 && st.body[0]!.kind === "Return" && st.body[0]!.value) {
    const rt = gen.dataType(st.returns.type, "declare");
    const g = gen.convert(gen.expr(st.body[0]!.value, sc), rt, st.loc);
    addLocalFunction(gen, st);
    return `CREATE OR REPLACE FUNCTION ${name}(${params}) RETURNS ${mapSqlType(rt).sql} LANGUAGE sql STABLE AS $dm$ SELECT ${g.sql} $dm$`;
  }
  if (st.returns.kind === "Scalar" && st.body.length === 1 && st.body[0]!.kind === "Block") {
    const b = st.body[0]!;
    if (b.body.length === 1 && b.body[0]!.kind === "Return" && b.body[0]!.value) {
      return createFunction(gen, { ...st, body: b.body });
    }
  }
  if (st.returns.kind === "Scalar") {
    const rt = gen.dataType(st.returns.type, "declare");
    const p = new Plpgsql(gen, rt);
    const body = p.block(st.body, 1);
    if (body !== undefined) {
      addLocalFunction(gen, st);
      const decl = p.declarations.length ? `DECLARE\n${p.declarations.map((d) => `  ${d}\n`).join("")}` : "";
      return `CREATE OR REPLACE FUNCTION ${name}(${params}) RETURNS ${mapSqlType(rt).sql} LANGUAGE plpgsql STABLE AS $dm$\n${decl}BEGIN\n${body}END\n$dm$`;
    }
    return "";
  }
  if (st.returns.kind === "TableVariable") {
    const cols: ColInfo[] = st.returns.columns.map((c) => {
      const t = c.type ? gen.dataType(c.type, "declare") : UNKNOWN;
      if (isString(t)) {
        t.collation = c.collation ?? gen.defaultCollation;
        t.collationDerivation = "implicit";
      }
      return { name: c.name.value, type: t };
    });
    if (cols.some((c) => isUnknown(c.type))) {
      gen.diag(TR.PROCEDURAL, "multi-statement table-valued function with computed result columns is not translated", st.loc);
      return "";
    }
    const p = new Plpgsql(gen, UNKNOWN, { name: st.returns.variable, cols });
    const body = p.block(st.body, 1);
    if (body === undefined) return "";
    addLocalFunction(gen, st);
    const decl = p.declarations.length ? `DECLARE\n${p.declarations.map((d) => `  ${d}\n`).join("")}` : "";
    const out = cols.map((c) => `${ident(c.name)} ${mapSqlType(c.type).sql}`).join(", ");
    // Result columns are OUT variables in PL/pgSQL; T-SQL names never clash with @variables, so columns win.
    return `CREATE OR REPLACE FUNCTION ${name}(${params}) RETURNS TABLE (${out}) LANGUAGE plpgsql STABLE AS $dm$\n#variable_conflict use_column\n${decl}BEGIN\n${body}END\n$dm$`;
  }
  gen.diag(TR.PROCEDURAL, "function body is not translated", st.loc);
  return "";
}

/**
 * Scalar function bodies as PL/pgSQL: DECLARE, SET, SELECT @v = ..., IF/ELSE, WHILE, BREAK/CONTINUE,
 * RETURN. Anything else is refused (returns undefined after a diagnostic).
 */
class Plpgsql {
  declarations: string[] = [];
  private recs = 0;
  constructor(private readonly gen: PostgresGenerator, private readonly returns: SqlType, private readonly table?: { name: string; cols: ColInfo[] }) {}

  private refuse(what: string, loc: A.Loc): undefined {
    this.gen.diag(TR.PROCEDURAL, `function body: ${what} is not translated`, loc);
    return undefined;
  }

  private v(name: string): string {
    return ident(name.replace(/^@+/, "p_"));
  }

  block(stmts: A.Statement[], depth: number): string | undefined {
    let out = "";
    for (const st of stmts) {
      const r = this.stmt(st, depth);
      if (r === undefined) return undefined;
      out += r;
    }
    return out;
  }

  /** Assignment to a variable: converted to its type (strings are truncated silently, as in SQL Server). */
  private assign(name: string, value: A.Expr, op: A.AssignOp, loc: A.Loc, sc: Scope): string | undefined {
    const t = this.gen.variables.get(name.toLowerCase());
    if (!t) return this.refuse(`assignment to undeclared ${name}`, loc);
    let g = this.gen.expr(value, sc);
    if (op !== "=") {
      const cur = this.gen.expr({ kind: "Variable", name, global: false, loc }, sc);
      g = this.gen.arithmetic(op.slice(0, 1) as A.BinaryOp, cur, g, loc);
    }
    return this.gen.convert(g, t, loc, { explicit: true }).sql;
  }

  private stmt(st: A.Statement, depth: number): string | undefined {
    const pad = "  ".repeat(depth);
    const sc = new Scope();
    switch (st.kind) {
      case "Declare": {
        let out = "";
        for (const it of st.items) {
          if (it.kind !== "DeclareVariable") return this.refuse("a table or cursor variable", it.loc);
          const t = this.gen.dataType(it.type, "declare");
          if (isString(t)) {
            t.collation = this.gen.defaultCollation;
            t.collationDerivation = "implicit";
          }
          this.gen.variables.set(it.name.toLowerCase(), t);
          this.declarations.push(`${this.v(it.name)} ${mapSqlType(t).sql};`);
          if (it.value) {
            const v = this.assign(it.name, it.value, "=", it.loc, sc);
            if (v === undefined) return undefined;
            out += `${pad}${this.v(it.name)} := ${v};\n`;
          }
        }
        return out;
      }
      case "SetVariable": {
        if (st.cursor || st.method || !st.value) return this.refuse("SET of a cursor or a method call", st.loc);
        const v = this.assign(st.variable.name, st.value, st.op, st.loc, sc);
        return v === undefined ? undefined : `${pad}${this.v(st.variable.name)} := ${v};\n`;
      }
      case "SelectStatement": {
        const q = st.query;
        if (q.kind !== "Select" || !q.columns.length || !q.columns.every((c) => c.kind === "SelectAssign")) return this.refuse("a SELECT that returns rows", st.loc);
        const assigns = q.columns as A.SelectAssign[];
        const names = new Set(assigns.map((a) => a.variable.name.toLowerCase()));
        // SQL Server assigns row by row; reading an assigned variable in the same SELECT has no exact PL/pgSQL form.
        if (assigns.some((a) => a.op !== "=" || mentionsVariable(a.expr, names))) return this.refuse("SELECT @v = expression reading an assigned variable (row-by-row accumulation)", st.loc);
        if (q.top && !q.orderBy.length && !(q.top.expr.kind === "Literal" && q.top.expr.value === "1")) return this.refuse("SELECT TOP n @v = ... without ORDER BY", st.loc);
        // One loop iteration per row: the variables end with the last row's values and keep their values when there is none.
        const rec = `dm_rec${++this.recs}`;
        this.declarations.push(`${rec} record;`);
        const items: A.SelectItem[] = assigns.map((a, i) => ({ kind: "SelectItem", expr: a.expr, alias: { kind: "Identifier", value: `c${i + 1}`, quote: "none", loc: a.loc }, aliasStyle: "as", loc: a.loc }));
        const sel: A.Select = { ...q, columns: items };
        const r = this.gen.queryWith(st.with, sel, new Scope());
        const sets = assigns.map((a, i) => {
          const t = this.gen.variables.get(a.variable.name.toLowerCase());
          const col = r.columns?.[i];
          const g = this.gen.convert({ sql: `${rec}.c${i + 1}`, type: col?.type ?? UNKNOWN, atom: true }, t ?? UNKNOWN, a.loc, { explicit: true });
          return `${pad}  ${this.v(a.variable.name)} := ${g.sql};\n`;
        });
        return `${pad}FOR ${rec} IN ${r.sql} LOOP\n${sets.join("")}${pad}END LOOP;\n`;
      }
      case "If": {
        const c = this.gen.predicate(st.condition, sc);
        const t = this.stmt(st.then, depth + 1);
        if (t === undefined) return undefined;
        const e = st.else ? this.stmt(st.else, depth + 1) : "";
        if (e === undefined) return undefined;
        return `${pad}IF ${c} THEN\n${t}${st.else ? `${pad}ELSE\n${e}` : ""}${pad}END IF;\n`;
      }
      case "While": {
        const c = this.gen.predicate(st.condition, sc);
        const b = this.stmt(st.body, depth + 1);
        return b === undefined ? undefined : `${pad}WHILE ${c} LOOP\n${b}${pad}END LOOP;\n`;
      }
      case "Block":
        return this.block(st.body, depth);
      case "Break":
        return `${pad}EXIT;\n`;
      case "Continue":
        return `${pad}CONTINUE;\n`;
      case "Insert": {
        // INSERT INTO @result ...: the rows are returned (rows are only ever added, in order).
        const t = st.target;
        if (!this.table || t.kind !== "VariableTableRef" || t.variable.name.toLowerCase() !== this.table.name.toLowerCase()) return this.refuse("INSERT into a table", st.loc);
        if (st.output || st.outputResult || st.top) return this.refuse("INSERT with OUTPUT/TOP", st.loc);
        const cols = this.table.cols;
        if (st.columns.length && (st.columns.length !== cols.length || st.columns.some((c, i) => c.value.toLowerCase() !== cols[i]!.name.toLowerCase()))) return this.refuse("INSERT into the result table with a partial or reordered column list", st.loc);
        let q: { sql: string; columns?: ColInfo[] };
        if (st.source.kind === "Query") q = this.gen.queryWith(st.with, st.source.query, new Scope());
        else if (st.source.kind === "Values") {
          const rows = st.source.rows.map((r) => r.map((x) => this.gen.expr(x, sc)));
          q = { sql: `VALUES ${rows.map((r) => `(${r.map((g) => g.sql).join(", ")})`).join(", ")}`, columns: rows[0]?.map((g, i) => ({ name: `column${i + 1}`, type: rows.reduce<SqlType>((acc, r) => (isUnknown(acc) || acc.name === "null" ? r[i]!.type : acc), g.type) })) };
        } else return this.refuse("INSERT ... EXEC / DEFAULT VALUES into the result table", st.loc);
        if (!q.columns || q.columns.length !== cols.length) return this.refuse("INSERT whose column count or types cannot be determined", st.loc);
        const w = `dm_ins${++this.recs}`;
        const names = q.columns.map((_, i) => `c${i + 1}`);
        const conv = q.columns.map((c, i) => `${this.gen.convert({ sql: `${w}.${names[i]}`, type: c.type, atom: true }, cols[i]!.type, st.loc, { assign: true }).sql}::${mapSqlType(cols[i]!.type).sql}`);
        return `${pad}RETURN QUERY SELECT ${conv.join(", ")} FROM (${q.sql}) AS ${w}(${names.join(", ")});\n`;
      }
      case "Return": {
        if (this.table) {
          if (st.value) return this.refuse("RETURN with a value in a table-valued function", st.loc);
          return `${pad}RETURN;\n`;
        }
        if (!st.value) return this.refuse("RETURN without a value", st.loc);
        const g = this.gen.convert(this.gen.expr(st.value, sc), this.returns, st.loc, { explicit: true });
        return `${pad}RETURN ${g.sql};\n`;
      }
      default:
        return this.refuse(st.kind, st.loc);
    }
  }
}

function mentionsVariable(e: A.Expr, names: Set<string>): boolean {
  let hit = false;
  const visit = (n: unknown): void => {
    if (hit || !n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(visit);
    const o = n as Record<string, unknown>;
    if (o.kind === "Variable" && names.has(String(o.name).toLowerCase())) hit = true;
    for (const k of Object.keys(o)) if (k !== "loc") visit(o[k]);
  };
  visit(e);
  return hit;
}

function registerType(gen: PostgresGenerator, name: A.ObjectName, base: A.DataType): void {
  const schema = name.schema?.value ?? gen.defaultSchema;
  const bt = columnTypeOf(base) as CatalogObject["baseType"];
  const obj: CatalogObject = {
    id: `${schema}.${name.name.value}`, schema, name: name.name.value, kind: "type", file: name.loc.file, line: name.loc.line, origin: "file",
    columns: [], constraints: [], indexes: [], dependsOn: [], references: [], ...(bt ? { baseType: bt } : {}),
  };
  gen.local.set(`type:${schema}.${name.name.value}`.toLowerCase(), obj);
}

function createType(gen: PostgresGenerator, st: A.CreateType): string {
  if (st.from) {
    registerType(gen, st.name, st.from);
    gen.diag(TR.DDL_NOTE, `alias type ${dotted(st.name)}: columns of this type get its base type`, st.loc, "note");
    return "";
  }
  gen.diag(TR.UNSUPPORTED, `CREATE TYPE ${dotted(st.name)} (${st.table ? "table type" : "CLR type"}) is not translated`, st.loc);
  return "";
}

function alterTable(gen: PostgresGenerator, st: A.AlterTable): string {
  const obj = lookupObject(gen.catalog, st.name, gen.defaultSchema, gen.local);
  const table = gen.relationSql(obj ? st.name : qualified(gen, st.name), obj);
  const cols = obj ? gen.relationColumns(obj) ?? [] : [];
  const out: string[] = [];
  for (const a of st.actions) {
    switch (a.kind) {
      case "AddItems":
        for (const it of a.items) {
          if (it.kind === "ColumnDef") {
            const r = createTable(gen, { kind: "CreateTable", name: st.name, columns: [it], constraints: [], indexes: [], options: [], loc: it.loc, comments: [] }, true);
            if (r) out.push(`ALTER TABLE ${table} ADD COLUMN ${r}`);
          } else if (it.kind === "InlineIndex" || it.kind === "PeriodForSystemTime") {
            gen.diag(TR.UNSUPPORTED, `ALTER TABLE ADD ${it.kind === "InlineIndex" ? "INDEX" : "PERIOD"} is not translated`, it.loc);
          } else if (it.kind === "Default") {
            if (!it.forColumn) continue;
            const col = cols.find((c) => c.name.toLowerCase() === it.forColumn!.value.toLowerCase());
            const g = gen.expr(it.expr, new Scope());
            const v = col ? gen.convert(g, col.type, it.loc) : g;
            out.push(`ALTER TABLE ${table} ALTER COLUMN ${ident(it.forColumn.value)} SET DEFAULT ${v.sql}`);
          } else {
            const r = constraint(gen, it, [], bareScope(cols));
            if (r) out.push(`ALTER TABLE ${table} ADD ${r}${a.withCheck === false && (it.kind === "ForeignKey" || it.kind === "Check") ? " NOT VALID" : ""}`);
            if ((it.kind === "PrimaryKey" || it.kind === "Unique") && it.clustered) gen.diag(TR.DDL_NOTE, "CLUSTERED dropped (Postgres tables are heaps)", it.loc, "note");
          }
        }
        break;
      case "DropItems":
        for (const it of a.items) {
          if (it.type === "PERIOD") gen.diag(TR.UNSUPPORTED, "DROP PERIOD is not translated", a.loc);
          else out.push(`ALTER TABLE ${table} DROP ${it.type} ${it.ifExists ? "IF EXISTS " : ""}${ident(it.name.value)}`);
        }
        break;
      case "AlterColumn": {
        if (!a.type) {
          gen.diag(TR.UNSUPPORTED, "ALTER COLUMN without a type (ADD/DROP ROWGUIDCOL, PERSISTED, ...) is not translated", a.loc);
          break;
        }
        const t = gen.dataType(a.type, "declare");
        out.push(`ALTER TABLE ${table} ALTER COLUMN ${ident(a.column.value)} TYPE ${mapSqlType(t).sql}`);
        if (a.nullable === false) out.push(`ALTER TABLE ${table} ALTER COLUMN ${ident(a.column.value)} SET NOT NULL`);
        if (a.nullable === true) out.push(`ALTER TABLE ${table} ALTER COLUMN ${ident(a.column.value)} DROP NOT NULL`);
        break;
      }
      case "CheckConstraints":
        if (a.check && !a.all) for (const n of a.names) out.push(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${ident(n.value)}`);
        else if (!a.check) gen.diag(TR.NOCHECK, "ALTER TABLE ... NOCHECK CONSTRAINT dropped: Postgres keeps enforcing the constraint, so rows SQL Server would accept unchecked (e.g. loaded out of order) are rejected", a.loc);
        else gen.diag(TR.DDL_NOTE, "ALTER TABLE ... CHECK CONSTRAINT ALL dropped (Postgres constraints are always enforced)", a.loc, "note");
        break;
      case "TriggerState":
        gen.diag(TR.DDL_NOTE, "ENABLE/DISABLE TRIGGER dropped (triggers are not converted here)", a.loc, "note");
        break;
      case "SetOptions":
        gen.diag(TR.DDL_NOTE, "ALTER TABLE SET options dropped", a.loc, "note");
        break;
      default:
        gen.diag(TR.UNSUPPORTED, `ALTER TABLE ${a.kind === "OtherAlter" ? a.text.slice(0, 40) : ""} is not translated`, a.loc);
    }
  }
  return out.join(";\n");
}

function addLocalFunction(gen: PostgresGenerator, st: A.FunctionStatement): void {
  const schema = st.name.schema?.value ?? gen.defaultSchema;
  const obj: CatalogObject = {
    id: `${schema}.${st.name.name.value}`, schema, name: st.name.name.value, kind: "function", file: st.loc.file, line: st.loc.line, origin: "file",
    columns: [], constraints: [], indexes: [], dependsOn: [], references: [],
    functionKind: st.returns.kind === "Scalar" ? "scalar" : st.returns.kind === "InlineTable" ? "inline_tvf" : "multi_tvf",
    module: { text: "", usesAnsiNulls: true, usesQuotedIdentifier: true, ast: st },
  };
  gen.local.set(`${schema}.${st.name.name.value}`.toLowerCase(), obj);
}

export { columnSqlType, columnTypeOf, dotted };
