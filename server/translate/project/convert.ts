// Catalog → DbtProject + report. The decisions, in one place:
//
// - Sources: one per SQL Server schema, every table with its columns as the source spells them
//   (type, MS_Description), so the sources file describes the relation that is really there.
// - Staging: one `stg_<source>__<table>` per table: rename (snake_case) and cast only. The
//   constraint tests sit on the staging models, in the names analysts will use.
// - Views become models that select from `{{ source() }}` for tables and `{{ ref() }}` for other
//   views, with the source's original column names. They do NOT read the staging models: staging
//   renames columns and may cast types, and a view's output (its column names, `SELECT *`, its
//   types, hence its answers) must stay exactly the view's. Reading the sources keeps the translated
//   query a faithful copy of the original over the same relations.
// - Scalar functions: SQL UDFs in the target schema, created by on-run-start; inline TVFs: macros
//   that expand to their query (parameters as macro arguments).
// - Whatever could not be translated is still written, disabled (`enabled: false`) with the
//   original T-SQL in a comment, and every model that refs it is disabled too: `dbt build` runs
//   only what was converted, and the report says why each of the others was not.
// - Procedures (postgres target): server/translate/procedures classifies each one and compiles the
//   etl ones into models (orchestration: selectors); the report carries class, reason, lineage.
// - Triggers, CLR objects, linked-server and cross-database references have no place in dbt: they
//   are in the report, status unsupported, with what to do instead.
import { readFileSync } from "node:fs";
import { diagnostic, type Diagnostic } from "../../diagnostics.ts";
import { dependencyOrder } from "../../catalog/graph.ts";
import type { Catalog, CatalogObject } from "../../catalog/model.ts";
import { buildReport, summarize, type Report, type ReportObjectInput } from "../../dbt/report.ts";
import { parseDbtProject, type DbtProject, type DbtProjectInput, type Macro, type ModelInput, type SourceTable, type ColumnInput, type TableDataTest } from "../../dbt/project.ts";
import { isPlainPostgresIdentifier, toIdentifier, type NamingStyle } from "../../dbt/naming.ts";
import { dbtMacros, DEFAULT_RUNTIME_SCHEMA } from "../runtime/index.ts";
import type { ObjectName } from "../../tsql/ast.ts";
import { complexityOf } from "./complexity.ts";
import { assignNames, type ProjectNames } from "./naming.ts";
import { checkExpression, tableTests } from "./tests.ts";
import { viewDataTests } from "./view-tests.ts";
import { formatModelSql } from "./format.ts";
import { moduleTranslator, type ConvertTarget, type ModuleTranslation, type ProjectTranslator, type ScalarFunctionTranslation } from "./translator.ts";
import { columnBaseType, tsqlTypeText } from "./types-map.ts";
import { compileProcedures, type CompileProceduresResult, type ProcedureReport } from "../procedures/index.ts";

export interface ConvertOptions {
  target?: ConvertTarget;
  /** dbt project (and profile) name; default from the database name, else `datamigrate`. */
  projectName?: string;
  naming?: NamingStyle;
  translator?: ProjectTranslator;
  /** Schema of the tsql_* runtime functions (dbt var `tsql_runtime_schema`). Default `tsql`. */
  runtimeSchema?: string;
  /** Extra dbt vars written into dbt_project.yml. */
  vars?: Record<string, unknown>;
}

export interface ConvertResult {
  project: DbtProject;
  report: Report;
  names: ProjectNames;
  /** Per catalog object id: what it became. */
  outcomes: Map<string, ObjectOutcome>;
  /** Diagnostics not tied to one object (naming collisions, catalog problems). */
  diagnostics: Diagnostic[];
}

export interface ObjectOutcome {
  object: CatalogObject;
  /** Project-relative path of the resource it became, or null. */
  model: string | null;
  /** Report kind: table, view, scalar_function, inline_function, procedure, trigger, ... */
  kind: string;
  diagnostics: Diagnostic[];
  /** Written but disabled because it (or something it refs) was not converted. */
  disabled?: boolean;
  /** Status to report when worse than the diagnostics imply (procedures out of scope). */
  status?: "converted" | "needs_review" | "unsupported";
  /** Extra report.json fields (procedures and triggers: class, reason, lineage, after, models). */
  extra?: Record<string, unknown>;
}

const RUNTIME_VAR = "tsql_runtime_schema";
const unquote = (s: string) => (/^".*"$/s.test(s) ? s.slice(1, -1).replace(/""/g, '"') : s);
const at = (o: CatalogObject) => ({ file: o.file, line: o.line });
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A Jinja comment holding arbitrary text. */
function jinjaComment(text: string): string {
  return `{#\n${text.replace(/#\}/g, "# }").replace(/\{#/g, "{ #")}\n#}`;
}

function reportKind(o: CatalogObject): string {
  if (o.kind === "function") {
    switch (o.functionKind) {
      case "scalar":
        return "scalar_function";
      case "inline_tvf":
        return "inline_function";
      case "multi_tvf":
        return "table_function";
      case "clr":
        return "clr_function";
    }
    return "function";
  }
  return o.kind;
}

export function convertCatalog(catalog: Catalog, opts: ConvertOptions = {}): ConvertResult {
  const target: ConvertTarget = opts.target ?? "postgres";
  const style = opts.naming ?? "snake";
  const translator = opts.translator ?? moduleTranslator;
  const runtimeSchema = opts.runtimeSchema ?? DEFAULT_RUNTIME_SCHEMA;
  const objects = catalog.objects.filter((o) => !o.implicit);
  const tables = objects.filter((o) => o.kind === "table" && !o.isTableType).sort(byId);
  const views = objects.filter((o) => o.kind === "view").sort(byId);
  const functions = objects.filter((o) => o.kind === "function").sort(byId);
  const names = assignNames(catalog, tables, views, functions.filter((f) => f.functionKind === "inline_tvf" || f.functionKind === "scalar" || (f.functionKind === "multi_tvf" && target === "sqlserver")), style);
  const diagnostics: Diagnostic[] = [...names.diagnostics];
  const outcomes = new Map<string, ObjectOutcome>();
  const objById = new Map(objects.map((o) => [o.id, o]));
  const lowerId = new Map(objects.map((o) => [o.id.toLowerCase(), o.id]));
  const idOf = (schema: string | undefined, name: string) => lowerId.get(`${schema ?? catalog.defaultSchema}.${name}`.toLowerCase());
  const quoteCol = (n: string) => (target === "sqlserver" ? `[${n.replace(/]/g, "]]")}]` : translator.identifier(n));
  // How a source relation is spelled on the target: SQL Server keeps its names; on Postgres they
  // are what the translator writes for them (lower-cased, quoted when needed), which is also how
  // sourceDdl creates the tables.
  const pgRaw = (n: string) => (target === "sqlserver" ? n : unquote(translator.identifier(n)));
  const runtimeUsed = new Set<string>();

  const unresolvedOf = new Map<string, Catalog["unresolved"]>();
  for (const u of catalog.unresolved) unresolvedOf.set(u.from, [...(unresolvedOf.get(u.from) ?? []), u]);

  // ---------------------------------------------------------------- sources and staging
  const sourcesOut = new Map<string, { name: string; schema: string; tables: SourceTable[] }>();
  const models: ModelInput[] = [];
  for (const t of tables) {
    const n = names.tables.get(t.id)!;
    const d: Diagnostic[] = [];
    const srcColumns: ColumnInput[] = [];
    const selects: string[] = [];
    const sourceTests: TableDataTest[] = [];
    const tests = tableTests(t, n, (id) => names.tables.get(id), idOf, (k) => {
      if (target !== "postgres" || !k.expression) return false;
      const expression = checkExpression(catalog, t, k.expression);
      if (!expression) return false;
      sourceTests.push({
        test: "expression_is_true",
        expression,
        ...(k.name ? { name: `${n.source}_${n.table}_${toIdentifier(k.name, { reserved: "keep" })}` } : {}),
        // WITH NOCHECK: rows already there were never checked by SQL Server.
        ...(k.enabled === false ? { config: { severity: "warn" as const } } : {}),
      });
      return true;
    });
    d.push(...tests.diagnostics);
    const stgColumns: ColumnInput[] = [];
    for (const c of t.columns) {
      const base = columnBaseType(c, catalog);
      const mapped = base ? translator.mapColumnType(base, c, target) : undefined;
      if (mapped?.issue) d.push(diagnostic(mapped.issue.code, mapped.issue.severity, `${t.id}.${c.name}: ${mapped.issue.message}`, at(t)));
      const newName = n.columns.get(c.name)!;
      const dataType = mapped?.sql;
      srcColumns.push({
        name: pgRaw(c.name),
        ...(dataType ? { data_type: target === "sqlserver" && base ? tsqlTypeText(base) : dataType } : {}),
        ...(c.description ? { description: c.description } : {}),
        ...(target === "postgres" && !isPlainPostgresIdentifier(pgRaw(c.name)) ? { quote: true } : {}),
        ...(c.collation && c.collation !== catalog.defaultCollation ? { meta: { sqlserver_collation: c.collation } } : {}),
      });
      // Rename and cast only. A type the mapping does not know is passed through uncast.
      const castable = mapped && !(mapped.issue && mapped.issue.severity === "error");
      selects.push(castable ? `cast(${quoteCol(c.name)} as ${mapped.sql}) as ${newName}` : `${quoteCol(c.name)} as ${newName}`);
      stgColumns.push({
        name: newName,
        ...(c.name !== newName ? { origin: c.name } : {}),
        ...(dataType ? { data_type: dataType } : {}),
        ...(c.description ? { description: c.description } : {}),
        data_tests: tests.columns.get(newName) ?? [],
      });
    }
    const src = sourcesOut.get(t.schema) ?? { name: n.source, schema: pgRaw(t.schema), tables: [] };
    src.tables.push({
      name: n.table,
      ...(n.table !== pgRaw(t.name) ? { identifier: pgRaw(t.name) } : {}),
      ...(t.description ? { description: t.description } : {}),
      columns: srcColumns as SourceTable["columns"],
      data_tests: sourceTests,
      origin: { ...(catalog.databaseName ? { database: catalog.databaseName } : {}), schema: t.schema, name: t.name, kind: "table" },
    });
    sourcesOut.set(t.schema, src);
    const sql =
      selects.length === 0
        ? `select * from {{ source('${n.source}', '${n.table}') }}`
        : `with source as (\n\n    select * from {{ source('${n.source}', '${n.table}') }}\n\n),\n\nrenamed as (\n\n    select\n        ${selects.join(",\n        ")}\n    from source\n\n)\n\nselect * from renamed\n`;
    if (selects.length === 0) d.push(diagnostic("CNV1305", "warning", `table ${t.id} has no columns in the catalog; its staging model selects *`, at(t)));
    models.push({
      name: n.staging,
      path: n.stagingPath,
      sql,
      ...(t.description ? { description: t.description } : {}),
      columns: stgColumns,
      data_tests: tests.table,
      origin: { ...(catalog.databaseName ? { database: catalog.databaseName } : {}), schema: t.schema, name: t.name, kind: "table" },
    });
    outcomes.set(t.id, { object: t, model: n.stagingPath, kind: "table", diagnostics: d });
  }

  // ---------------------------------------------------------------- procedures (server/translate/procedures)
  // Postgres target only: etl procedures become models, orchestration procedures selectors; every
  // procedure and trigger gets a class and a reason in the report. On SQL Server they stay as they are.
  let procs: CompileProceduresResult | undefined;
  const procReports = new Map<string, ProcedureReport>();
  if (target === "postgres") {
    try {
      procs = compileProcedures(catalog, {
        sourceRelation: (t) => {
          const n = names.tables.get(t.id);
          return n ? `{{ source('${n.source}', '${n.table}') }}` : `{{ source('${toIdentifier(t.schema, { style: "snake", reserved: "keep" })}', '${t.name.toLowerCase()}') }}`;
        },
        viewRelation: (v) => `{{ ref('${names.views.get(v.id)?.model ?? toIdentifier(v.name)}') }}`,
        reservedNames: [...models.map((m) => m.name), ...[...names.views.values()].map((v) => v.model)],
        runtimeSchema: "{{ tsql_runtime_schema() }}",
      });
    } catch (e) {
      diagnostics.push(diagnostic("CNV2005", "error", `procedure compiler failed: ${e instanceof Error ? e.message : String(e)}; procedures are reported as not converted`, { file: objects[0]?.file ?? "", line: 1 }));
    }
    if (procs) {
      models.push(...procs.models.map((m) => ({ ...m, sql: formatModelSql(m.sql) })));
      for (const f of procs.runtimeFunctions) runtimeUsed.add(f);
      diagnostics.push(...procs.diagnostics);
      for (const r of procs.reportObjects) procReports.set(r.id, r);
    }
  }
  const procModelPath = new Map((procs?.models ?? []).map((m) => [m.name, m.path]));

  // ---------------------------------------------------------------- relation resolution
  const resolveId = (o: CatalogObject, name: ObjectName): string | undefined => {
    if (name.server) return undefined;
    if (name.database && catalog.databaseName && name.database.value.toLowerCase() !== catalog.databaseName.toLowerCase()) return undefined;
    if (name.database && !catalog.databaseName) return undefined;
    const written = [name.schema?.value, name.name.value].filter((x) => x !== undefined).join(".").toLowerCase();
    const ref = o.references.find((r) => r.resolved && r.name.toLowerCase().endsWith(written) && r.name.split(".").pop()!.toLowerCase() === name.name.value.toLowerCase());
    if (ref?.resolved) return ref.resolved;
    if (name.name.value.startsWith("#")) return undefined;
    return idOf(name.schema?.value ?? o.schema, name.name.value) ?? (name.schema ? undefined : idOf(catalog.defaultSchema, name.name.value));
  };
  const disabledViews = new Set<string>();
  const relationFor = (o: CatalogObject, usedViews: Set<string>) => (name: ObjectName): string | undefined => {
    let id = resolveId(o, name);
    const obj = id ? objById.get(id) : undefined;
    if (obj?.kind === "synonym" && obj.synonymTarget) id = obj.synonymTarget;
    const real = id ? objById.get(id) : undefined;
    if (!real) return undefined;
    if (real.kind === "table") {
      const n = names.tables.get(real.id);
      return n ? `{{ source('${n.source}', '${n.table}') }}` : undefined;
    }
    if (real.kind === "view") {
      const v = names.views.get(real.id);
      if (!v) return undefined;
      usedViews.add(real.id);
      return `{{ ref('${v.model}') }}`;
    }
    return undefined;
  };

  const convertedFunctions = new Map<string, string>();
  const functionFor = (o: CatalogObject) => (name: ObjectName): string | undefined => {
    if (name.server || name.database) return undefined;
    const id = idOf(name.schema?.value ?? o.schema, name.name.value) ?? (name.schema ? undefined : idOf(catalog.defaultSchema, name.name.value));
    const f = id ? objById.get(id) : undefined;
    if (!f || f.kind !== "function") return undefined;
    // The function being defined is named like its calls, so a recursive call stays consistent.
    if (f.id === o.id || convertedFunctions.has(f.id)) return `{{ target.schema }}.${names.functions.get(f.id)?.macro ?? toIdentifier(f.name)}`;
    return undefined;
  };
  /** Functions this object calls that were not converted: it cannot run without them. */
  const missingFunctions = (o: CatalogObject) =>
    o.dependsOn.filter((id) => id !== o.id && objById.get(id)?.kind === "function" && !convertedFunctions.has(id));

  const refusalNotes = (o: CatalogObject, d: Diagnostic[]) => {
    for (const u of unresolvedOf.get(o.id) ?? []) {
      const loc = { file: u.file, line: u.line };
      // On SQL Server the reference still works as written; dbt just does not see it in the lineage.
      if (target === "sqlserver" && u.reason !== "missing") {
        d.push(diagnostic("CNV3013", "warning", `${o.id} reads ${u.name} outside this database (${u.reason.replace("_", " ")}); kept as written, but dbt's lineage and tests do not cover it: declare it as a source if you can`, loc));
        continue;
      }
      if (u.reason === "linked_server")
        d.push(diagnostic("CNV3004", "error", `${o.id} reads ${u.name} through a linked server; dbt reads one database: land that data as a source (an extract/load job) and point the model at it`, loc));
      else if (u.reason === "cross_database")
        d.push(diagnostic("CNV3005", "error", `${o.id} reads ${u.name} from another database; convert that database too and declare its tables as a source of this project`, loc));
      else if (u.reason === "missing" && o.kind === "view")
        d.push(diagnostic("CNV3006", "error", `${o.id} reads ${u.name}, which none of the inputs define`, loc));
      else if (u.reason === "external_rowset")
        d.push(diagnostic("CNV3007", "error", `${o.id} reads ${u.name} with OPENROWSET/OPENQUERY/OPENDATASOURCE; load that data as a source instead`, loc));
    }
  };

  const disabledModelSql = (o: CatalogObject, why: Diagnostic[]) =>
    `${jinjaComment(
      `DataMigrate could not convert ${o.kind} ${o.id}:\n${why.map((x) => `  ${x.code}: ${x.message}`).join("\n")}\n\nOriginal T-SQL (${o.file}:${o.line}):\n\n${o.module?.text ?? ""}`,
    )}\nselect 1 as not_converted\n`;

  // ---------------------------------------------------------------- functions
  const macros: Macro[] = [];
  const onRunStart: string[] = [];
  const fnOrder = dependencyOrder(catalog, { kinds: ["function"] }).order.map((id) => objById.get(id)).filter((o): o is CatalogObject => o?.kind === "function");
  for (const f of fnOrder) {
    const d: Diagnostic[] = [];
    refusalNotes(f, d);
    const nm = names.functions.get(f.id);
    if (f.functionKind === "clr" || f.module?.ast?.kind === "CreateFunction" && (f.module.ast as { externalName?: string }).externalName) {
      d.push(diagnostic("CNV3003", "error", `${f.id} is a CLR function (.NET code); Postgres cannot run it: rewrite it in SQL or PL/pgSQL, or compute its result upstream`, at(f)));
      outcomes.set(f.id, { object: f, model: null, kind: reportKind(f), diagnostics: d });
      continue;
    }
    // On SQL Server a multi-statement TVF is kept as written like any other function.
    if ((f.functionKind === "multi_tvf" && target === "postgres") || !nm) {
      d.push(
        diagnostic("CNV3008", "error", `${f.id} is a multi-statement table-valued function; it is compiled with procedures by a later stage and not yet converted (a model or a PL/pgSQL set-returning function is the usual replacement)`, at(f)),
      );
      outcomes.set(f.id, { object: f, model: null, kind: reportKind(f), diagnostics: d });
      continue;
    }
    const input = { catalog, object: f, target, resolveRelation: relationFor(f, new Set<string>()), resolveFunction: functionFor(f), runtimeSchema: "{{ tsql_runtime_schema() }}" };
    // Scalar functions and inline TVFs become functions in the target schema, created by an
    // on-run-start macro, so calls keep their shape (`fn(args)`, `FROM fn(args) AS t`).
    let tr: ScalarFunctionTranslation;
    try {
      tr = translator.translateFunction(input);
    } catch (e) {
      tr = { sql: "", diagnostics: [diagnostic("CNV2005", "error", `translator failed on ${f.id}: ${e instanceof Error ? e.message : String(e)}`, at(f))], runtime: [] };
    }
    d.push(...tr.diagnostics);
    const missing = missingFunctions(f);
    if (missing.length) d.push(diagnostic("CNV2006", "error", `${f.id} calls ${missing.join(", ")}, which could not be converted`, at(f)));
    const viewsRead = f.dependsOn.filter((id) => objById.get(id)?.kind === "view");
    if (viewsRead.length && target === "postgres")
      d.push(diagnostic("CNV2007", "error", `${f.id} reads view(s) ${viewsRead.join(", ")}; functions are created before models are built, so it cannot read a model`, at(f)));
    const ok = !!tr.sql && !d.some((x) => x.severity === "error");
    if (ok) {
      convertedFunctions.set(f.id, nm.macro);
      for (const r of tr.runtime) runtimeUsed.add(r);
      const macro = `create_${nm.macro}`;
      const body = target === "postgres" ? `create schema if not exists {{ target.schema }};\n${tr.sql.trim()}` : tr.sql.trim();
      macros.push({
        path: `macros/udf/${macro}.sql`,
        content: `{# ${f.id} (${f.functionKind === "inline_tvf" ? "inline table-valued" : "scalar"} function), created in the target schema by on-run-start. #}\n{% macro ${macro}() -%}\n${body}\n{%- endmacro %}\n`,
        docs: [{ name: macro, description: f.description ?? `Creates ${f.functionKind === "inline_tvf" ? "table-valued" : "scalar"} function ${nm.macro} (from ${f.id})` }],
      });
      onRunStart.push(`{{ ${macro}() }}`);
    }
    outcomes.set(f.id, { object: f, model: ok ? `macros/udf/create_${nm.macro}.sql` : null, kind: reportKind(f), diagnostics: d });
  }

  // ---------------------------------------------------------------- views, in dependency order
  const order = dependencyOrder(catalog, { kinds: ["view"] });
  for (const cycle of order.cycles)
    diagnostics.push(diagnostic("CNV2004", "error", `views depend on each other in a cycle: ${cycle.join(" -> ")}`, at(objById.get(cycle[0]!)!)));
  for (const id of order.order) {
    const v = objById.get(id);
    if (!v || v.kind !== "view") continue;
    const n = names.views.get(v.id)!;
    const d: Diagnostic[] = [];
    refusalNotes(v, d);
    const usedViews = new Set<string>();
    let tr: ModuleTranslation;
    try {
      tr = translator.translateView({ catalog, object: v, target, resolveRelation: relationFor(v, usedViews), resolveFunction: functionFor(v), runtimeSchema: "{{ tsql_runtime_schema() }}" });
    } catch (e) {
      tr = { sql: "", diagnostics: [diagnostic("CNV2005", "error", `translator failed on ${v.id}: ${e instanceof Error ? e.message : String(e)}`, at(v))], runtime: [] };
    }
    d.push(...tr.diagnostics);
    const missing = missingFunctions(v);
    if (missing.length) d.push(diagnostic("CNV2006", "error", `${v.id} calls ${missing.join(", ")}, which could not be converted; this model is disabled with it`, at(v)));
    const upstream = [...usedViews].filter((u) => disabledViews.has(u));
    if (upstream.length) d.push(diagnostic("CNV2003", "error", `${v.id} reads ${upstream.join(", ")}, which could not be converted; this model is disabled with it`, at(v)));
    const failed = !tr.sql || d.some((x) => x.severity === "error");
    // Tests only where the Postgres translation is run (the SQL Server target keeps T-SQL as written).
    const viewTests =
      !failed && tr.columns && target === "postgres"
        ? viewDataTests(v, (name) => {
            const id = resolveId(v, name);
            const o = id ? objById.get(id) : undefined;
            return o?.kind === "synonym" && o.synonymTarget ? objById.get(o.synonymTarget) : o;
          }, tr.columns.length)
        : undefined;
    if (failed) disabledViews.add(v.id);
    else for (const r of tr.runtime) runtimeUsed.add(r);
    models.push({
      name: n.model,
      path: n.path,
      sql: failed ? disabledModelSql(v, d.filter((x) => x.severity === "error")) : target === "postgres" ? formatModelSql(`${tr.sql.trim()}\n`) : `${tr.sql.trim()}\n`,
      materialized: "view",
      config: failed ? { enabled: false } : {},
      ...(v.description ? { description: v.description } : {}),
      ...(!failed && tr.columns ? { columns: tr.columns.map((c, i) => ({ name: c.name, ...(c.origin ? { origin: c.origin } : {}), ...(c.dataType ? { data_type: c.dataType } : {}), ...(!isPlainPostgresIdentifier(c.name) ? { quote: true } : {}), ...(viewTests?.columns.get(i)?.length ? { data_tests: viewTests.columns.get(i)! } : {}) })) } : {}),
      ...(!failed && tr.columns && viewTests?.keys.length ? { data_tests: viewTests.keys.map((k) => ({ test: "unique_combination" as const, columns: k.map((i) => tr.columns![i]!.name) })) } : {}),
      origin: { ...(catalog.databaseName ? { database: catalog.databaseName } : {}), schema: v.schema, name: v.name, kind: "view" },
    });
    outcomes.set(v.id, { object: v, model: n.path, kind: "view", diagnostics: d, ...(failed ? { disabled: true } : {}) });
  }

  // ---------------------------------------------------------------- what dbt has no place for
  for (const o of objects) {
    if (outcomes.has(o.id) || o.kind === "schema" || o.kind === "index") continue;
    const d: Diagnostic[] = [];
    refusalNotes(o, d);
    const isClr = !!(o.module?.ast && (o.module.ast as { externalName?: string }).externalName);
    switch (o.kind) {
      case "procedure": {
        const pr = isClr ? undefined : procReports.get(o.id);
        if (pr) {
          outcomes.set(o.id, procedureOutcome(o, pr, d, procs!.selectors, procModelPath));
          continue;
        }
        d.push(
          isClr
            ? diagnostic("CNV3003", "error", `${o.id} is a CLR procedure (.NET code); Postgres cannot run it: rewrite it, or run it in the source system`, at(o))
            : diagnostic("CNV3001", "error", `procedure ${o.id} is not yet converted: procedures are compiled into models or PL/pgSQL by a later stage; until then run it in the source system or rewrite its result as a model`, at(o)),
        );
        break;
      }
      case "trigger":
        d.push(
          diagnostic(
            "CNV3002",
            "error",
            `trigger ${o.id} has no dbt equivalent (dbt builds relations, it does not react to writes): keep the rule in the system that writes the data, or express what it guarantees as a data test`,
            at(o),
          ),
        );
        break;
      case "sequence":
        d.push(diagnostic("CNV3009", "note", `sequence ${o.id} is state of the writing system; dbt has no place for it (a model numbers rows with row_number())`, at(o)));
        break;
      case "synonym":
        d.push(diagnostic("CNV3010", "note", `synonym ${o.id}: references through it were pointed at ${o.synonymTarget ?? "its target"}`, at(o)));
        break;
      case "type":
        d.push(
          diagnostic(
            "CNV3011",
            "note",
            o.isTableType ? `table type ${o.id} only types procedure parameters; nothing to generate` : `alias type ${o.id} is replaced by its base type in every column`,
            at(o),
          ),
        );
        break;
      default:
        d.push(diagnostic("CNV3012", "error", `${o.kind} ${o.id} has no place in a dbt project and is not converted`, at(o)));
    }
    // Triggers keep CNV3002; the report also says how the procedure compiler classified them.
    const tr = o.kind === "trigger" ? procReports.get(o.id) : undefined;
    // A CLR procedure's body is .NET code, so no rule can read what it does; it is still classified (every
    // procedure is), as application code that stays outside dbt, and the reason says why.
    const clrClass =
      o.kind === "procedure" && isClr
        ? { class: "application", reason: "CLR procedure: its body is .NET assembly code, not T-SQL, so it cannot be read or turned into models; it stays application code outside dbt" }
        : undefined;
    const extra = tr ? { class: tr.class, reason: tr.reason, lineage: tr.lineage, after: tr.after, models: tr.models } : clrClass;
    outcomes.set(o.id, { object: o, model: null, kind: reportKind(o), diagnostics: d, ...(extra ? { extra } : {}) });
  }

  // Statements the catalog keeps as text but that define things dbt has no place for: row-level
  // security policies (the catalog does not model them; the parser notes them as TSQL2002).
  const extras: ObjectOutcome[] = [];
  for (const d of catalog.diagnostics) {
    if (d.code !== "TSQL2002" || !/^CREATE SECURITY\b/i.test(d.message)) continue;
    const name = securityPolicyName(d.file, d.line) ?? { schema: catalog.defaultSchema, name: `security policy at line ${d.line}` };
    const o: CatalogObject = { id: `${name.schema}.${name.name}`, schema: name.schema, name: name.name, kind: "schema", file: d.file, line: d.line, origin: "file", columns: [], constraints: [], indexes: [], dependsOn: [], references: [] };
    extras.push({
      object: o,
      model: null,
      kind: "security_policy",
      diagnostics: [
        diagnostic("CNV3014", "error", `security policy ${o.id} (row-level security) has no place in a dbt project: recreate it on the target with CREATE POLICY and ALTER TABLE ... ENABLE ROW LEVEL SECURITY, or filter rows in the models that expose the data`, { file: d.file, line: d.line }),
      ],
    });
  }

  // ---------------------------------------------------------------- runtime and project
  if (target === "postgres" && runtimeUsed.size) {
    for (const f of dbtMacros([...runtimeUsed], { schema: runtimeSchema })) macros.push({ path: f.path, content: f.content, docs: [] });
    onRunStart.unshift("{{ install_tsql_runtime() }}");
  }
  const projectName = opts.projectName ?? (catalog.databaseName ? toIdentifier(catalog.databaseName, { style: "snake", reserved: "keep" }) : "datamigrate");
  const input: DbtProjectInput = {
    name: /^[A-Za-z_]/.test(projectName) ? projectName : `_${projectName}`,
    profile: /^[A-Za-z_]/.test(projectName) ? projectName : `_${projectName}`,
    target,
    layers: { staging: "view", intermediate: "ephemeral", marts: "view" },
    sources: [...sourcesOut.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => ({ name: s.name, schema: s.schema, tables: s.tables })),
    models,
    macros,
    onRunStart,
    selectors: procs?.selectors ?? [],
    vars: { ...(target === "postgres" && runtimeUsed.size ? { [RUNTIME_VAR]: runtimeSchema } : {}), ...(procs?.vars ?? {}), ...(opts.vars ?? {}) },
  };
  const project = parseDbtProject(input);

  for (const e of extras) if (!outcomes.has(`policy:${e.object.id}`)) outcomes.set(`policy:${e.object.id}`, e);
  const reportObjects: ReportObjectInput[] = [...outcomes.values()]
    .sort((a, b) => byId(a.object, b.object))
    .map((o) => ({
      schema: o.object.schema,
      name: o.object.name,
      kind: o.kind,
      model: o.model,
      complexity: complexityOf(o.object),
      ...(o.status ? { status: o.status } : {}),
      diagnostics: o.diagnostics,
      file: o.object.file,
      line: o.object.line,
      ...(o.extra ?? {}),
    }));
  const report = buildReport(reportObjects, {
    target,
    translator: translator.name,
    // Procedure parameters without a default that models use: dbt needs them in --vars.
    ...(procs?.requiredVars.length ? { requiredVars: procs.requiredVars } : {}),
    ...(procs ? { procedureOrder: procs.order } : {}),
    diagnostics: [...diagnostics, ...catalog.diagnostics].map(({ code, severity, message, file, line }) => ({ code, severity, message, file, line })),
  });
  // A procedure the compiler refused (PROC/TR errors) is needs_review, not unsupported: it is an
  // etl job that a person finishes (buildReport alone would derive unsupported from the errors).
  const sorted = [...outcomes.values()].sort((a, b) => byId(a.object, b.object));
  let changed = false;
  sorted.forEach((o, i) => {
    const r = report.objects[i];
    if (o.kind === "procedure" && o.status === "needs_review" && r && r.status !== "needs_review") {
      r.status = "needs_review";
      changed = true;
    }
  });
  if (changed) report.summary = { ...report.summary, ...summarize(report.objects) };
  return { project, report, names, outcomes, diagnostics };
}

/**
 * A procedure as the procedure compiler left it: converted (models), needs_review (its PROC/TR
 * errors), out of scope (application/admin: unsupported, with the reason as CNV3015 note) or
 * orchestration (converted when it became a selector).
 */
function procedureOutcome(o: CatalogObject, pr: ProcedureReport, refusals: Diagnostic[], selectors: ReadonlyArray<{ name: string; description?: string }>, modelPath: Map<string, string>): ObjectOutcome {
  const d: Diagnostic[] = [...refusals, ...pr.diagnostics];
  const selector = pr.status === "orchestration" ? selectors.find((s) => s.description?.startsWith(`What ${pr.id} ran,`))?.name : undefined;
  let status: ObjectOutcome["status"];
  switch (pr.status) {
    case "converted":
      status = "converted";
      break;
    case "needs_review":
      status = "needs_review";
      break;
    case "out_of_scope":
      status = "unsupported";
      d.push(diagnostic("CNV3015", "note", `procedure ${pr.id} is ${pr.class}, not a dbt job: ${pr.reason}`, { file: pr.file, line: pr.line }));
      break;
    case "orchestration":
      status = selector ? "converted" : "needs_review";
      break;
  }
  const paths = pr.models.map((m) => modelPath.get(m) ?? m);
  return {
    object: o,
    model: paths[0] ?? null,
    kind: "procedure",
    diagnostics: d,
    status,
    extra: { class: pr.class, reason: pr.reason, models: pr.models, lineage: pr.lineage, after: pr.after, ...(selector ? { selector } : {}) },
  };
}

/** `CREATE SECURITY POLICY [schema].[name]` read from the statement's line, when the file is on disk. */
function securityPolicyName(file: string, line: number): { schema: string; name: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  }
  const rest = text.split(/\r?\n/).slice(line - 1, line + 3).join("\n");
  const part = String.raw`(?:\[([^\]]+)\]|"([^"]+)"|([A-Za-z_][\w@#$]*))`;
  const m = new RegExp(String.raw`CREATE\s+SECURITY\s+POLICY\s+${part}(?:\s*\.\s*${part})?`, "i").exec(rest);
  if (!m) return undefined;
  const first = m[1] ?? m[2] ?? m[3]!;
  const second = m[4] ?? m[5] ?? m[6];
  return second ? { schema: first, name: second } : { schema: "dbo", name: first };
}
