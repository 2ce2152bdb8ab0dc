// Classifies procedures and triggers by what their statements do, so a data engineer sees why a
// procedure became dbt models, a selector, or was left out. Deterministic rules over the AST:
// which tables are written (persistent or temporary), how (set-based or keyed on parameters),
// whether result sets go back to a caller, and whether system objects or admin commands are used.
import type { Catalog, CatalogObject } from "../../catalog/model.ts";
import type * as A from "../../tsql/ast.ts";
import { walk } from "../../tsql/index.ts";

export type ProcedureClass = "etl" | "application" | "admin" | "mixed" | "orchestration";

export interface Classification {
  class: ProcedureClass;
  /** One sentence a data engineer understands. */
  reason: string;
  facts: ProcedureFacts;
}

export interface WriteFact {
  /** Catalog id when the table is in the catalog, else the name as written. */
  table: string;
  id?: string;
  statement: A.Statement["kind"];
  line: number;
  /** INSERT ... SELECT/EXEC, MERGE, UPDATE/DELETE not keyed on a parameter, TRUNCATE, SELECT INTO. */
  setBased: boolean;
  /** Written rows come from parameters (INSERT VALUES of @p, UPDATE/DELETE ... WHERE key = @p). */
  keyedOnParameter: boolean;
  /** The table's name says it is a log (log, audit, error, history of runs). */
  logTable: boolean;
}

export interface ProcedureFacts {
  writes: WriteFact[];
  tempWrites: number;
  reads: string[];
  resultSets: number[];
  admin: { what: string; line: number }[];
  execs: { name: string; id?: string; line: number }[];
  dynamicSql: number[];
  loops: number[];
  cursors: number[];
  parameters: string[];
}

const ADMIN_COMMANDS = /^(DBCC|BACKUP|RESTORE|ALTER INDEX|ALTER DATABASE|ALTER SERVER|UPDATE STATISTICS|CHECKPOINT|KILL|RECONFIGURE|GRANT|DENY|REVOKE|CREATE LOGIN|CREATE USER|CREATE ROLE|ALTER LOGIN|ALTER USER|ALTER ROLE|DROP LOGIN|DROP USER|DROP ROLE|EXECUTE AS|REVERT|ALTER AUTHORIZATION|ENABLE TRIGGER|DISABLE TRIGGER|SHUTDOWN|CREATE DATABASE|DROP DATABASE)/i;
const SYSTEM_SCHEMAS = new Set(["sys", "information_schema"]);
const SYSTEM_DATABASES = new Set(["master", "msdb", "tempdb", "model"]);
const LOG_TABLE = /(log|audit|error|runhistory|execution|journal)/i;

export function isTempName(name: string): boolean {
  return name.startsWith("#");
}

/** Every statement of a body, nested ones included (IF/WHILE/TRY/blocks), in source order. */
export function flattenStatements(body: A.Statement[]): A.Statement[] {
  const out: A.Statement[] = [];
  const visit = (s: A.Statement | undefined) => {
    if (!s) return;
    out.push(s);
    switch (s.kind) {
      case "Block":
        s.body.forEach(visit);
        break;
      case "If":
        visit(s.then);
        visit(s.else);
        break;
      case "While":
        visit(s.body);
        break;
      case "TryCatch":
        s.tryBody.forEach(visit);
        s.catchBody.forEach(visit);
        break;
    }
  };
  body.forEach(visit);
  return out;
}

function targetName(t: A.TableSource): { name: string; objectName?: A.ObjectName; variable?: boolean } | undefined {
  if (t.kind === "TableRef") return { name: [t.name.database?.value, t.name.schema?.value, t.name.name.value].filter(Boolean).join("."), objectName: t.name };
  if (t.kind === "VariableTableRef") return { name: t.variable.name, variable: true };
  return undefined;
}

export interface Resolver {
  /** Catalog id of a table/view name as a module of `schema` would resolve it. */
  id(name: A.ObjectName): string | undefined;
}

export function catalogResolver(catalog: Catalog, moduleSchema: string): Resolver {
  const byKey = new Map<string, CatalogObject>();
  for (const o of catalog.objects) if (o.kind !== "index" && o.kind !== "schema") byKey.set(`${o.schema}.${o.name}`.toLowerCase(), o);
  return {
    id(n) {
      if (n.server) return undefined;
      if (n.database && (!catalog.databaseName || n.database.value.toLowerCase() !== catalog.databaseName.toLowerCase())) return undefined;
      if (n.name.value.startsWith("#")) return undefined;
      const o = byKey.get(`${n.schema?.value ?? moduleSchema}.${n.name.value}`.toLowerCase()) ?? (n.schema ? undefined : byKey.get(`${catalog.defaultSchema}.${n.name.value}`.toLowerCase()));
      return o?.id;
    },
  };
}

/** A DML statement's real target: `UPDATE a SET .. FROM T a` names the alias; find T. */
export function dmlTarget(st: A.Update | A.Delete | A.Insert | A.Merge): A.TableSource {
  const t = st.target;
  if (t.kind !== "TableRef" || t.name.schema || (st.kind !== "Update" && st.kind !== "Delete")) return t;
  const alias = t.name.name.value.toLowerCase();
  let found: A.TableSource | undefined;
  walk(st.from as unknown as A.Node[], (n) => {
    if (found) return false;
    if ((n.kind === "TableRef" || n.kind === "VariableTableRef") && n.alias?.value.toLowerCase() === alias) found = n;
    return undefined;
  });
  return found ?? t;
}

function usesParameter(e: A.Node | undefined, params: Set<string>): boolean {
  if (!e) return false;
  let yes = false;
  walk(e, (n) => {
    if (n.kind === "Variable" && !n.global && params.has(n.name.toLowerCase())) yes = true;
    return yes ? false : undefined;
  });
  return yes;
}

/** WHERE col = @param (a conjunct): the statement touches the rows a caller names. */
function keyedOn(where: A.Expr | undefined, params: Set<string>): boolean {
  if (!where) return false;
  const conj: A.Expr[] = [];
  const split = (e: A.Expr): void => {
    if (e.kind === "Binary" && e.op === "AND") {
      split(e.left);
      split(e.right);
    } else if (e.kind === "Paren") split(e.expr);
    else conj.push(e);
  };
  split(where);
  return conj.some((c) => c.kind === "Binary" && c.op === "=" && ((c.left.kind === "ColumnRef" && usesParameter(c.right, params)) || (c.right.kind === "ColumnRef" && usesParameter(c.left, params))));
}

export function procedureFacts(obj: CatalogObject, body: A.Statement[], params: A.Parameter[], catalog: Catalog): ProcedureFacts {
  const resolver = catalogResolver(catalog, obj.schema);
  const pset = new Set(params.map((p) => p.name.toLowerCase()));
  const facts: ProcedureFacts = { writes: [], tempWrites: 0, reads: [], resultSets: [], admin: [], execs: [], dynamicSql: [], loops: [], cursors: [], parameters: params.map((p) => p.name) };
  const reads = new Set<string>();
  const addWrite = (t: A.TableSource | A.ObjectName, st: A.Statement, setBased: boolean, keyed: boolean) => {
    const tn = t.kind === "ObjectName" ? { name: t.name.value, objectName: t } : targetName(t);
    if (!tn) return;
    if (tn.variable || isTempName(tn.objectName?.name.value ?? "")) {
      facts.tempWrites++;
      return;
    }
    const on = tn.objectName!;
    const id = resolver.id(on);
    if (on.database && SYSTEM_DATABASES.has(on.database.value.toLowerCase())) facts.admin.push({ what: `writes ${tn.name}`, line: st.loc.line });
    facts.writes.push({ table: id ?? tn.name, ...(id ? { id } : {}), statement: st.kind, line: st.loc.line, setBased, keyedOnParameter: keyed, logTable: LOG_TABLE.test(on.name.value) });
  };
  const all = flattenStatements(body);
  const cursorQueries = new Set<A.Node>();
  for (const st of all) {
    switch (st.kind) {
      case "Insert": {
        const src = st.source;
        // Rows built from the caller's parameters (VALUES, or a SELECT over OPENJSON(@json) and no table) are an OLTP write.
        let readsTable = false;
        if (src.kind === "Query")
          walk(src.query, (n) => {
            if (n.kind === "TableRef" || n.kind === "VariableTableRef") readsTable = true;
            return readsTable ? false : undefined;
          });
        const keyed = (src.kind === "Values" && src.rows.some((r) => r.some((e) => usesParameter(e, pset)))) || (src.kind === "Query" && !readsTable && usesParameter(src.query, pset));
        addWrite(st.target, st, !keyed && src.kind !== "DefaultValues", keyed);
        if (src.kind === "ExecSource") facts.execs.push(...execFacts(src.exec, resolver));
        break;
      }
      case "Update":
      case "Delete": {
        const keyed = keyedOn(st.where, pset);
        addWrite(dmlTarget(st), st, !keyed, keyed);
        break;
      }
      case "Merge":
        addWrite(st.target, st, true, false);
        break;
      case "Truncate":
        addWrite(st.table, st, true, false);
        break;
      case "BulkInsert":
        addWrite(st.table, st, true, false);
        break;
      case "SelectStatement": {
        const q = st.query;
        if (q.kind === "Select" && q.into) addWrite(q.into, st, true, false);
        else if (!(q.kind === "Select" && q.columns.some((c) => c.kind === "SelectAssign")) && !cursorQueries.has(st)) facts.resultSets.push(st.loc.line);
        break;
      }
      case "Exec":
        facts.execs.push(...execFacts(st, resolver));
        if (st.upperName === "SP_EXECUTESQL") facts.dynamicSql.push(st.loc.line);
        if (/^(XP_|SP_(CONFIGURE|WHO|LOCK|SPACEUSED|HELP|ADD|DROP|GRANT|REVOKE|CHANGE|RENAME|SET|START_JOB|UPDATESTATS|RECOMPILE|REFRESH|DETACH|ATTACH|MSFOREACH|DBOPTION|ADDLOGIN|GRANTDBACCESS|SEND_DBMAIL|TRACE|CYCLE))/.test(st.upperName))
          facts.admin.push({ what: `runs system procedure ${st.upperName.toLowerCase()}`, line: st.loc.line });
        break;
      case "ExecString":
        facts.dynamicSql.push(st.loc.line);
        break;
      case "Command":
        if (!st.error && ADMIN_COMMANDS.test(st.text.trim())) facts.admin.push({ what: st.keyword.toUpperCase(), line: st.loc.line });
        break;
      case "CreateTable":
        if (!isTempName(st.name.name.value)) facts.admin.push({ what: `CREATE TABLE ${st.name.name.value}`, line: st.loc.line });
        break;
      case "AlterTable":
      case "CreateIndex":
      case "CreateStatistics":
      case "CreateView":
      case "CreateProcedure":
      case "CreateFunction":
      case "CreateTrigger":
      case "CreateType":
      case "CreateSchema":
      case "CreateSynonym":
      case "CreateSequence":
        facts.admin.push({ what: `${st.kind.replace(/^Create/, "CREATE ").replace(/^Alter/, "ALTER ").toUpperCase()}`, line: st.loc.line });
        break;
      case "Drop":
        if (!st.names.every((n) => isTempName(n.name.value))) facts.admin.push({ what: `DROP ${st.objectType}`, line: st.loc.line });
        break;
      case "While":
        facts.loops.push(st.loc.line);
        break;
      case "DeclareCursor":
        facts.cursors.push(st.loc.line);
        cursorQueries.add(st.cursor.query);
        break;
      case "SetVariable":
        if (st.cursor) facts.cursors.push(st.loc.line);
        break;
    }
  }
  // Reads: table references other than write targets; system objects mark admin code.
  walk(body as unknown as A.Node[], (n) => {
    if (n.kind === "TableRef") {
      const nm = n.name;
      const schema = nm.schema?.value.toLowerCase();
      if ((schema && SYSTEM_SCHEMAS.has(schema)) || (nm.database && SYSTEM_DATABASES.has(nm.database.value.toLowerCase())) || (!schema && /^(sysobjects|syscolumns|sysindexes|sysdatabases|sysprocesses|sysjobs)$/i.test(nm.name.value)))
        facts.admin.push({ what: `reads system catalog ${[nm.database?.value, nm.schema?.value, nm.name.value].filter(Boolean).join(".")}`, line: n.loc.line });
      const id = resolver.id(nm);
      if (id) reads.add(id);
    }
    if (n.kind === "FunctionCall" && /^(OBJECT_ID|DB_ID|DB_NAME|SERVERPROPERTY|DATABASEPROPERTYEX|HAS_PERMS_BY_NAME|IS_MEMBER|IS_SRVROLEMEMBER|OBJECTPROPERTY|COLUMNPROPERTY|INDEXPROPERTY)$/.test(n.upperName) && n.upperName !== "OBJECT_ID")
      facts.admin.push({ what: `calls ${n.upperName}`, line: n.loc.line });
    return undefined;
  });
  for (const w of facts.writes) if (w.id) reads.delete(w.id);
  facts.reads = [...reads].sort();
  return facts;
}

function execFacts(e: A.Exec | A.ExecString, resolver: Resolver): ProcedureFacts["execs"] {
  if (e.kind !== "Exec" || e.procedure.kind !== "ObjectName") return [];
  const id = resolver.id(e.procedure);
  return [{ name: [e.procedure.schema?.value, e.procedure.name.value].filter(Boolean).join("."), ...(id ? { id } : {}), line: e.loc.line }];
}

const list = (xs: string[], n = 4) => (xs.length <= n ? xs.join(", ") : `${xs.slice(0, n).join(", ")} and ${xs.length - n} more`);
const uniq = (xs: string[]) => [...new Set(xs)];

export function classifyProcedure(obj: CatalogObject, catalog: Catalog): Classification {
  const ast = obj.module?.ast;
  if (!ast || (ast.kind !== "CreateProcedure" && ast.kind !== "CreateTrigger")) {
    const facts: ProcedureFacts = { writes: [], tempWrites: 0, reads: [], resultSets: [], admin: [], execs: [], dynamicSql: [], loops: [], cursors: [], parameters: [] };
    return { class: "application", reason: obj.module?.unparsed ? "its body could not be parsed, so what it does is unknown; review it by hand" : "its body is not T-SQL (CLR or missing): no table logic to carry over", facts };
  }
  if (ast.kind === "CreateTrigger") return classifyTrigger(ast, obj, catalog);
  const facts = procedureFacts(obj, ast.body, ast.params, catalog);
  const procs = new Set(catalog.objects.filter((o) => o.kind === "procedure").map((o) => o.id));
  const userExecs = facts.execs.filter((e) => e.id && procs.has(e.id));
  const etlWrites = facts.writes.filter((w) => w.setBased && !w.logTable);
  const logWrites = facts.writes.filter((w) => w.logTable);
  const keyed = facts.writes.filter((w) => w.keyedOnParameter || (!w.setBased && !w.logTable));
  const adminWhat = uniq(facts.admin.map((a) => a.what));
  const etlTargets = uniq(etlWrites.map((w) => w.table));
  const etlText = `writes ${list(etlTargets)} set-based (${list(uniq(etlWrites.map((w) => stmtWord(w.statement))))})${facts.reads.length ? ` from ${list(facts.reads)}` : ""}`;

  if (etlWrites.length === 0) {
    if (adminWhat.length) return { class: "admin", reason: `maintenance/monitoring code: ${list(adminWhat)}; it loads no table a dbt model could hold`, facts };
    if (logWrites.length && !keyed.length && !facts.resultSets.length) return { class: "admin", reason: `writes only log tables (${list(uniq(logWrites.map((w) => w.table)))}): run bookkeeping, not data`, facts };
    if (userExecs.length && !facts.resultSets.length && !keyed.length)
      return { class: "orchestration", reason: `runs ${list(uniq(userExecs.map((e) => e.id!)))} in order${logWrites.length ? " (and logs the run)" : ""}: becomes a dbt selector with a run-order note`, facts };
    if (keyed.length)
      return { class: "application", reason: `parameterised OLTP call: ${list(uniq(keyed.map((w) => `${stmtWord(w.statement)} ${w.table}`)))} keyed on its parameters${facts.resultSets.length ? ", returns result sets to the caller" : ""}; not a batch load, so no dbt model`, facts };
    if (facts.resultSets.length)
      return {
        class: "application",
        reason: `returns result sets to its caller${facts.parameters.length ? ` filtered by ${list(facts.parameters)}` : ""} and writes no table; a query for an application or report (make it a view or model by hand if it is a data set you need)`,
        facts,
      };
    if (logWrites.length) return { class: "admin", reason: `writes only log tables (${list(uniq(logWrites.map((w) => w.table)))}): run bookkeeping, not data`, facts };
    if (facts.dynamicSql.length) return { class: "admin", reason: "builds and runs dynamic SQL whose text is not constant and writes no table it names: generic utility code", facts };
    return { class: "application", reason: "writes no table and returns no result set (messages, return codes or variables only)", facts };
  }
  // Reading its own log (CommandLog, ...) does not make maintenance code a data load.
  if (adminWhat.length && facts.reads.every((r) => LOG_TABLE.test(r.split(".").pop() ?? "")))
    return { class: "admin", reason: `maintenance/monitoring code: ${list(adminWhat)}; the tables it writes (${list(etlTargets)}) only track its own work and it reads no data table`, facts };
  const extras: string[] = [];
  if (adminWhat.length) extras.push(`also runs admin code (${list(adminWhat, 3)})`);
  if (facts.resultSets.length) extras.push(`returns ${facts.resultSets.length} result set(s) to its caller`);
  if (keyed.length) extras.push(`writes rows keyed on its parameters (${list(uniq(keyed.map((w) => w.table)), 3)})`);
  if (userExecs.length) extras.push(`runs ${list(uniq(userExecs.map((e) => e.id!)), 3)}`);
  if (extras.length) return { class: "mixed", reason: `${etlText}, and ${extras.join("; ")}: the loads become models, the rest is reported`, facts };
  // File loads (BULK INSERT, with the TRUNCATE before them) are EL work: their tables stay dbt sources.
  const dataWrites = facts.writes.filter((w) => !w.logTable);
  if (dataWrites.some((w) => w.statement === "BulkInsert") && dataWrites.every((w) => w.statement === "BulkInsert" || w.statement === "Truncate"))
    return { class: "etl", reason: `${etlText}: only loads files, which is an EL job rather than a dbt one; its tables stay dbt sources and no model is needed`, facts };
  return { class: "etl", reason: `${etlText}: becomes models that rebuild what it leaves behind`, facts };
}

function classifyTrigger(ast: A.TriggerStatement, obj: CatalogObject, catalog: Catalog): Classification {
  const facts = procedureFacts(obj, ast.body, [], catalog);
  if (ast.scope) return { class: "admin", reason: `DDL trigger on ${ast.scope} (${ast.events.join(", ")}): schema change policing, nothing for dbt`, facts };
  const table = ast.table ? [ast.table.schema?.value, ast.table.name.value].filter(Boolean).join(".") : "?";
  const writes = uniq(facts.writes.map((w) => w.table));
  return {
    class: "application",
    reason: `${ast.timing} ${ast.events.join("/")} trigger on ${table}: a row-level side effect of OLTP writes${writes.length ? ` (writes ${list(writes)})` : ""}; dbt rebuilds tables, it does not react to single writes (keep it in the source, or model its effect as a downstream model)`,
    facts,
  };
}

/** The statement's keyword(s) for reasons, refusals and lineage: "INSERT", "SELECT INTO", "BULK INSERT", ... */
export function stmtWord(k: A.Statement["kind"], selectInto = true): string {
  switch (k) {
    case "Insert":
      return "INSERT";
    case "Update":
      return "UPDATE";
    case "Delete":
      return "DELETE";
    case "Merge":
      return "MERGE";
    case "Truncate":
      return "TRUNCATE";
    case "SelectStatement":
      return selectInto ? "SELECT INTO" : "SELECT";
    case "BulkInsert":
      return "BULK INSERT";
    default:
      return k.toUpperCase();
  }
}

/**
 * Classifies every procedure and trigger of the catalog. A procedure that only runs others is
 * orchestration when what it runs (directly or through other orchestration) loads tables;
 * otherwise it is a caller of helpers and keeps the class of what it calls.
 */
export function classifyAll(catalog: Catalog): Map<string, Classification> {
  const objs = catalog.objects.filter((o) => o.kind === "procedure" || o.kind === "trigger");
  const out = new Map(objs.map((o) => [o.id, classifyProcedure(o, catalog)]));
  const loads = new Map<string, boolean>();
  const reaches = (id: string, seen: Set<string>): boolean => {
    const c = out.get(id);
    if (!c) return false;
    if (c.class === "etl" || c.class === "mixed") return true;
    if (c.class !== "orchestration" || seen.has(id)) return false;
    if (loads.has(id)) return loads.get(id)!;
    seen.add(id);
    const r = c.facts.execs.some((e) => e.id !== undefined && e.id !== id && reaches(e.id, seen));
    loads.set(id, r);
    return r;
  };
  for (const [id, c] of out) {
    if (c.class !== "orchestration" || reaches(id, new Set())) continue;
    const ran = uniq(c.facts.execs.filter((e) => e.id).map((e) => e.id!));
    const adminCalls = ran.filter((r) => out.get(r)?.class === "admin");
    out.set(
      id,
      adminCalls.length
        ? { ...c, class: "admin", reason: `runs maintenance procedures (${list(adminCalls)}); nothing it runs loads a data table` }
        : { ...c, class: "application", reason: `calls helper procedures (${list(ran)}) none of which loads a data table: application or test code, not a pipeline` },
    );
  }
  return out;
}
