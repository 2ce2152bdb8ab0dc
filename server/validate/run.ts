// One validation run of a dbt project: a fresh set of scratch schemas on the validation database,
// the source tables created from the translated DDL, data synthesised (or copied from the live
// source), the on-run-start hooks, every model in DAG order with its materialisation (incremental
// models twice: full, then incremental after new rows), the data tests as dbt compiles them, and
// an evidence grade per model. Limits keep one bad model from stalling or swamping the run:
// statement_timeout, work_mem, temp_file_limit and a row cap per model. Every failure ends its
// own step with a diagnostic; the run goes on, and the scratch schemas are dropped unless kept.
import { randomBytes } from "node:crypto";
import type { Catalog } from "../catalog/model.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { compileDataTests, ProjectCompiler, type CompiledModel } from "../dbt/compile.ts";
import { parseDbtProject, type DbtProject, type DbtProjectInput } from "../dbt/project.ts";
import { postgresIdentifier } from "../translate/index.ts";
import { sourceDdl } from "../translate/project/index.ts";
import { openConnection, type Connection, type RelationName, type Row } from "./connection.ts";
import { compareRelations, type ParityOptions, type RowDifference } from "./parity.ts";
import { copyTables } from "./copy.ts";
import { gradeModel, type EvidenceGrade } from "./evidence.ts";
import { mapErrorToModelLine } from "./positions.ts";
import { literalHints, loadOrder, synthesizeData, type TableLoad } from "./synthesize.ts";

export interface ValidationOptions {
  /** Postgres URL of the validation database; PGlite in memory when absent. */
  databaseUrl?: string;
  /** An open connection to use instead (not closed by the run). */
  connection?: Connection;
  /** The catalog the project was converted from: source tables get their keys, identity, defaults; data is synthesised from it. */
  catalog?: Catalog;
  /** Copy data from this live source instead of synthesising (tables named by the catalog). */
  source?: Connection;
  /** Synthesised rows per table (default 60) or copied rows per table (row cap, default 10,000). */
  rows?: number;
  seed?: number;
  /** Rows added before the second (incremental) run of incremental models. Default 10. */
  incrementalRows?: number;
  /** Per statement. Default 30 s. */
  statementTimeoutMs?: number;
  /** Default "32MB". */
  workMem?: string;
  /** Spill limit for sorts and hashes (superuser only; ignored otherwise). Default "512MB". */
  tempFileLimit?: string;
  /** A model with more rows than this fails (a runaway join). Default 1,000,000. */
  modelRowCap?: number;
  /** Failing rows kept per data test. Default 5. */
  failingRowSample?: number;
  /** Keep the scratch schemas for inspection. */
  keep?: boolean;
  /** Scratch schema prefix (default dm_val_<random>). */
  schemaPrefix?: string;
  /**
   * Parity: compare each model that ran with the corresponding relation on another connection (the
   * source's view over the same data); equal → verified_equal, different → failed. Models for
   * which relationOf answers undefined are not compared.
   */
  parity?: {
    connection: Connection;
    relationOf(model: ModelResult): RelationName | undefined | Promise<RelationName | undefined>;
    /** Key columns of the model; default: every column (a multiset comparison). */
    keyOf?(model: ModelResult): string[] | undefined;
    options?: Omit<ParityOptions, "key">;
  };
  /** Called after each step (progress). */
  onProgress?(message: string): void;
  /** Synthesise rows from the catalog (default true). False leaves the source tables empty except for what beforeModels inserts. */
  synthesize?: boolean;
  /**
   * Runs after the source tables exist, the hooks ran and the data was loaded, before any model
   * (tests insert the rows they assert on here). A throw fails the setup.
   */
  beforeModels?(connection: Connection, at: { sourceTable(schema: string, name: string): string; sourceSchemas: Record<string, string> }): Promise<void>;
}

export interface TestResult {
  name: string;
  test: string;
  attachedTo: string;
  column?: string;
  status: "pass" | "fail" | "warn" | "error" | "skipped";
  failures?: number;
  /** Up to failingRowSample failing rows. */
  sample?: Row[];
  error?: string;
}

export interface ModelResult {
  name: string;
  path: string;
  materialized: string;
  relation: string;
  compiled: boolean;
  ran: boolean;
  status: "ran" | "failed" | "skipped" | "not_compiled";
  rows?: number;
  ms: number;
  error?: { message: string; line?: number; renderedLine?: number; code?: string };
  /** The model's relation in the scratch schema. */
  relationName: RelationName;
  /** Comparison with the source, when parity was asked for. */
  parity?: { equal: boolean; rowCount?: { left: number; right: number }; differences?: RowDifference[]; error?: string };
  /** Second run of an incremental model. */
  incremental?: { ran: boolean; rowsAfter?: number; error?: string; matchesFullRefresh?: boolean };
  tests: TestResult[];
  evidence: EvidenceGrade;
  origin?: { schema: string; name: string; kind: string };
  diagnostics: Diagnostic[];
}

export interface ValidationResult {
  backend: "postgres" | "pglite";
  schemas: { models: string; runtime: string; sources: Record<string, string> };
  setup: {
    ok: boolean;
    error?: string;
    /**
     * on-run-start hooks that failed (each hook runs on its own: one function that cannot be
     * created fails only itself and the models that call it, VAL1011).
     */
    failedHooks?: Array<{ hook: string; error: string }>;
  };
  loads: Array<TableLoad & { capped?: boolean }>;
  models: ModelResult[];
  /** Tests on sources (not attached to a model). */
  sourceTests: TestResult[];
  /** Every data test (model and source tests), in the order dbt compiles them. */
  tests: TestResult[];
  diagnostics: Diagnostic[];
  kept: boolean;
  ms: number;
  /** Grade counts. */
  grades: Record<EvidenceGrade, number>;
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
// out of memory, disk full, temp_file_limit, program limit exceeded
const MEMORY_CODES = new Set(["53100", "53200", "53400", "54000"]);
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
const errCode = (e: unknown) => (e && typeof e === "object" && "code" in e ? String((e as { code: unknown }).code) : undefined);

/** DDL from the sources' documented columns, for projects validated without their catalog. */
function ddlFromSources(project: DbtProject, schemaOf: (s: string) => string): string[] {
  const out: string[] = [];
  for (const s of project.sources) {
    out.push(`CREATE SCHEMA IF NOT EXISTS ${q(schemaOf(s.schema ?? s.name))}`);
    for (const t of s.tables) {
      const cols = t.columns.map((c) => `${q(c.name)} ${c.data_type ?? "text"}`);
      if (cols.length) out.push(`CREATE TABLE ${q(schemaOf(s.schema ?? s.name))}.${q(t.identifier ?? t.name)} (${cols.join(", ")})`);
    }
  }
  return out;
}

export async function runValidation(input: DbtProject | DbtProjectInput, opts: ValidationOptions = {}): Promise<ValidationResult> {
  const started = Date.now();
  const project = parseDbtProject(input as DbtProjectInput);
  const progress = opts.onProgress ?? (() => {});
  const diagnostics: Diagnostic[] = [];
  const projectAt = { file: "dbt_project.yml", line: 1 };
  const conn =
    opts.connection ??
    (await openConnection(opts.databaseUrl, { statementTimeoutMs: opts.statementTimeoutMs ?? 30_000, workMem: opts.workMem ?? "32MB", applicationName: "datamigrate-validate" }));
  const backend: "postgres" | "pglite" = conn.description.startsWith("PGlite") ? "pglite" : "postgres";
  if (opts.connection && backend === "postgres") await conn.exec(`SET statement_timeout = ${Math.floor(opts.statementTimeoutMs ?? 30_000)}; SET work_mem = '${(opts.workMem ?? "32MB").replace(/'/g, "")}'`);

  // The validation database may hold anything: we only ever create and drop schemas under our own
  // prefix, and choose another prefix when that one is taken.
  if (backend === "pglite")
    diagnostics.push(
      /statement timeout/.test(conn.description)
        ? diagnostic("VAL1010", "note", `validating on PGlite (${conn.description.replace(/^PGlite \(|\)$/g, "")}): a statement that overruns is stopped with the worker and the run goes on in a new one; memory limits are not enforced there, the row cap still holds. Give a Postgres URL for projects you do not trust`, projectAt)
        : diagnostic("VAL1010", "note", "validating on PGlite (in process): statement timeouts and memory limits are not enforced there, so a model that never ends stops the run; the row cap still holds. Give a Postgres URL for projects you do not trust", projectAt),
    );
  if (backend === "postgres") await conn.exec(`SET temp_file_limit = '${(opts.tempFileLimit ?? "512MB").replace(/'/g, "")}'`).catch(() => {});
  let tag = opts.schemaPrefix ?? `dm_val_${randomBytes(4).toString("hex")}`;
  let existing: string[];
  try {
    existing = (await conn.query(`select nspname from pg_namespace where nspname not like 'pg\\_%' and nspname not in ('information_schema', 'public')`)).map((r) => String(r.nspname));
  } catch (e) {
    // Unreachable server, wrong database, refused login: nothing was created, nothing to clean.
    diagnostics.push(diagnostic("VAL1009", "error", `cannot use the validation database (${conn.description}): ${firstLine(e)}`, projectAt));
    if (!opts.connection) await conn.close().catch(() => {});
    return {
      backend,
      schemas: { models: "", runtime: "", sources: {} },
      setup: { ok: false, error: firstLine(e) },
      loads: [],
      models: [],
      sourceTests: [],
      tests: [],
      diagnostics,
      kept: false,
      ms: Date.now() - started,
      grades: { verified_equal: 0, tests_passed: 0, ran: 0, compiled: 0, failed: 0 },
    };
  }
  if (existing.some((s) => s === tag || s.startsWith(`${tag}_`))) {
    const taken = tag;
    tag = `${tag}_${randomBytes(3).toString("hex")}`;
    diagnostics.push(diagnostic("VAL1002", "warning", `schemas named ${taken}* already exist in the validation database; they are left alone and this run uses ${tag}*`, projectAt));
  } else if (existing.length) {
    diagnostics.push(diagnostic("VAL1001", "note", `the validation database is not empty (${existing.length} schemas: ${existing.slice(0, 5).join(", ")}${existing.length > 5 ? ", ..." : ""}); they are left untouched, and this run works in schemas ${tag}*`, projectAt));
  }

  const sourceSchemas: Record<string, string> = {};
  let n = 0;
  const schemaOf = (s: string) => (sourceSchemas[s.toLowerCase()] ??= `${tag}_s${++n}`);
  for (const s of [...new Set([...project.sources.map((x) => x.schema ?? x.name), ...(opts.catalog?.objects.filter((o) => o.kind === "table").map((o) => o.schema) ?? [])])].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))) schemaOf(s);
  const runtimeSchema = `${tag}_rt`;
  const created: string[] = [];
  const result: ValidationResult = {
    backend,
    schemas: { models: tag, runtime: runtimeSchema, sources: sourceSchemas },
    setup: { ok: true },
    loads: [],
    models: [],
    sourceTests: [],
    tests: [],
    diagnostics,
    kept: !!opts.keep,
    ms: 0,
    grades: { verified_equal: 0, tests_passed: 0, ran: 0, compiled: 0, failed: 0 },
  };
  const cleanup = async () => {
    if (!opts.keep) {
      for (const s of created.reverse()) await conn.exec(`DROP SCHEMA IF EXISTS ${q(s)} CASCADE`).catch((e) => diagnostics.push(diagnostic("VAL1004", "warning", `scratch schema ${s} could not be dropped: ${firstLine(e)}`, projectAt)));
    }
    if (!opts.connection) await conn.close();
  };

  const makeCompiler = (isIncremental: boolean) =>
    new ProjectCompiler(project, {
      schema: tag,
      sourceRelation: (s, t) => ({ schema: schemaOf(s.schema ?? s.name), identifier: t.identifier ?? t.name }),
      cliVars: { tsql_runtime_schema: runtimeSchema },
      isIncremental,
    });
  const compiler = makeCompiler(false);
  const tables = opts.catalog?.objects.filter((o) => o.kind === "table" && !o.isTableType) ?? [];

  try {
    for (const s of [tag, ...Object.values(sourceSchemas)]) {
      await conn.exec(`CREATE SCHEMA ${q(s)}`);
      created.push(s);
    }
    // The runtime functions' schema is created by the on-run-start hook; drop it with the rest.
    created.splice(1, 0, runtimeSchema);
    const ddl = opts.catalog ? sourceDdl(opts.catalog, { schemaName: schemaOf, createSchemas: false }) : undefined;
    if (ddl) diagnostics.push(...ddl.diagnostics.filter((d) => d.severity !== "note"));
    for (const stmt of ddl?.statements ?? ddlFromSources(project, schemaOf).filter((s) => !s.startsWith("CREATE SCHEMA"))) await conn.exec(stmt);
    progress(`source tables created in ${Object.values(sourceSchemas).length} schemas`);
    // Each hook on its own (a converted function is one hook): a failure is that hook's alone.
    const failedHooks: Array<{ hook: string; error: string }> = [];
    for (const hook of project.onRunStart) {
      const r = compiler.renderText(hook, "dbt_project.yml");
      let error: string | undefined;
      if (!r.ok) error = r.diagnostics.map((d) => d.message).join("; ");
      else if (r.sql.trim()) {
        try {
          await conn.exec(r.sql);
        } catch (e) {
          error = firstLine(e);
        }
      }
      if (error === undefined) continue;
      failedHooks.push({ hook, error });
      diagnostics.push(diagnostic("VAL1011", "error", `on-run-start hook ${hook} failed: ${error}; only the models that use what it creates are affected`, hookAt(hook)));
    }
    if (failedHooks.length) result.setup.failedHooks = failedHooks;
    progress(`on-run-start hooks ran${failedHooks.length ? ` (${failedHooks.length} failed)` : ""}`);
  } catch (e) {
    result.setup = { ok: false, error: firstLine(e) };
    diagnostics.push(diagnostic("VAL1003", "error", `the scratch environment could not be set up: ${firstLine(e)}`, projectAt));
    await cleanup();
    result.ms = Date.now() - started;
    return result;
  }

  // Data: copied from the live source, or synthesised from the catalog (partly from the literals the models filter on).
  const hints = literalHints(project.models.map((m) => m.sql));
  if (opts.catalog && opts.source) {
    const copied = await copyTables(
      opts.source,
      conn,
      loadOrder(tables).map((t) => ({ id: t.id, source: { schema: t.schema, name: t.name }, target: { schema: schemaOf(t.schema), name: unquote(compilerIdent(t.name)) }, at: { file: t.file, line: t.line } })),
      { rowCap: opts.rows ?? 10_000 },
    );
    result.loads = copied.tables;
    diagnostics.push(...copied.diagnostics);
  } else if (opts.catalog && opts.synthesize !== false) {
    const syn = await synthesizeData(opts.catalog, conn, { schemaName: schemaOf, rows: opts.rows ?? 60, seed: opts.seed ?? 20240229, hints });
    result.loads = syn.tables;
    diagnostics.push(...syn.diagnostics);
  } else if (!opts.catalog) {
    diagnostics.push(diagnostic("VAL1005", "warning", "no catalog was given: source tables were created from the sources' documented columns and hold no rows, so models run on empty tables", projectAt));
  }
  progress(`data loaded: ${result.loads.reduce((a, l) => a + l.rows, 0)} rows in ${result.loads.length} tables`);
  if (opts.beforeModels) {
    try {
      await opts.beforeModels(conn, { sourceTable: (schema, name) => `${q(schemaOf(schema))}.${compilerIdent(name)}`, sourceSchemas });
    } catch (e) {
      result.setup = { ok: false, error: firstLine(e) };
      diagnostics.push(diagnostic("VAL1003", "error", `the scratch environment could not be set up: ${firstLine(e)}`, projectAt));
      await cleanup();
      result.ms = Date.now() - started;
      return result;
    }
  }

  const disabled = new Set(project.models.filter((m) => m.config.enabled === false).map((m) => m.name));
  const { models, diagnostics: dagDiagnostics } = compiler.compileAll();
  diagnostics.push(...dagDiagnostics);
  const failed = new Set<string>();
  const cap = opts.modelRowCap ?? 1_000_000;
  const byName = new Map(project.models.map((m) => [m.name, m]));

  for (const m of models as CompiledModel[]) {
    if (disabled.has(m.name)) continue;
    const source = byName.get(m.name);
    const rel = [m.relation.schema, m.relation.identifier].filter((x): x is string => !!x).map(q).join(".");
    const r: ModelResult = {
      name: m.name,
      path: m.path,
      materialized: String(m.materialized),
      relation: rel,
      relationName: { ...(m.relation.schema ? { schema: m.relation.schema } : {}), name: m.relation.identifier ?? m.name },
      compiled: m.ok,
      ran: false,
      status: "not_compiled",
      ms: 0,
      tests: [],
      evidence: "failed",
      ...(source?.origin ? { origin: { schema: source.origin.schema, name: source.origin.name, kind: source.origin.kind } } : {}),
      diagnostics: [...m.diagnostics],
    };
    result.models.push(r);
    const blocked = m.dependsOn.filter((d) => failed.has(d) || disabled.has(d));
    if (!m.ok) {
      failed.add(m.name);
      r.error = { message: m.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code}: ${d.message}`).join("; ") || "did not compile" };
      continue;
    }
    if (blocked.length) {
      failed.add(m.name);
      r.status = "skipped";
      r.error = { message: `depends on ${blocked.join(", ")}, which did not run` };
      r.diagnostics.push(diagnostic("VAL3003", "warning", `model ${m.name} was not run: it depends on ${blocked.join(", ")}, which did not run`, { file: m.path, line: 1 }));
      continue;
    }
    const body = m.sql.trim().replace(/;+\s*$/, "");
    const prefix =
      m.materialized === "view" ? `create view ${rel} as (\n` : m.materialized === "table" || m.materialized === "incremental" ? `create table ${rel} as select * from (\n` : undefined;
    if (!prefix) {
      failed.add(m.name);
      r.status = "failed";
      r.error = { message: `materialization ${m.materialized} is not run by the validator` };
      r.diagnostics.push(diagnostic("VAL3004", "warning", r.error.message, { file: m.path, line: 1 }));
      continue;
    }
    const suffix = m.materialized === "view" ? "\n)" : `\n) dm_model limit ${cap + 1}`;
    const t0 = Date.now();
    try {
      await conn.exec(prefix + body + suffix);
      r.ran = true;
      r.status = "ran";
      const [c] = await conn.query(`select count(*) as n from (select 1 from ${rel} limit ${cap + 1}) dm_count`);
      r.rows = Number(c?.n ?? 0);
      if (r.rows > cap) {
        r.ran = false;
        r.status = "failed";
        failed.add(m.name);
        r.error = { message: `more than ${cap} rows from the validation data (a join without its condition?)` };
        r.diagnostics.push(diagnostic("VAL3002", "error", `model ${m.name} produced more than ${cap} rows from ${result.loads.reduce((a, l) => a + l.rows, 0)} source rows; stopped at the row cap`, { file: m.path, line: 1 }));
        await conn.exec(`DROP ${m.materialized === "view" ? "VIEW" : "TABLE"} IF EXISTS ${rel} CASCADE`).catch(() => {});
      }
    } catch (e) {
      failed.add(m.name);
      r.status = "failed";
      const mapped = mapErrorToModelLine(e, prefix, body, source?.sql ?? "");
      const code = errCode(e);
      const what = code === "57014" ? `ran longer than the statement timeout (${opts.statementTimeoutMs ?? 30_000} ms) and was cancelled` : MEMORY_CODES.has(code ?? "") ? `exceeded the validation's memory or disk limits (${firstLine(e)})` : firstLine(e);
      r.error = { message: what, ...(code ? { code } : {}), ...(mapped.line ? { line: mapped.line } : {}), ...(mapped.renderedLine ? { renderedLine: mapped.renderedLine } : {}) };
      r.diagnostics.push(diagnostic(code === "57014" ? "VAL3005" : MEMORY_CODES.has(code ?? "") ? "VAL3006" : "VAL3001", "error", `model ${m.name} failed on Postgres: ${what}`, { file: m.path, line: mapped.line ?? 1 }));
    }
    r.ms = Date.now() - t0;
    progress(`${r.status} ${m.name} (${r.ms} ms)`);
  }

  // Ephemeral models are inlined as CTEs into the models that ref them: they ran when one of those ran.
  const ranNames = new Set(result.models.filter((m) => m.ran).map((m) => m.name));
  const ranDeps = new Set((models as CompiledModel[]).filter((m) => ranNames.has(m.name)).flatMap((m) => m.dependsOn));
  for (const pm of project.models) {
    if (disabled.has(pm.name) || result.models.some((x) => x.name === pm.name)) continue;
    const c = compiler.compile(pm.name);
    if (c.materialized !== "ephemeral") continue;
    const ran = c.ok && ranDeps.has(pm.name);
    result.models.push({
      name: pm.name,
      path: c.path,
      materialized: "ephemeral",
      relation: "",
      relationName: { name: pm.name },
      compiled: c.ok,
      ran,
      status: !c.ok ? "not_compiled" : ran ? "ran" : "skipped",
      ms: 0,
      tests: [],
      evidence: "failed",
      ...(pm.origin ? { origin: { schema: pm.origin.schema, name: pm.origin.name, kind: pm.origin.kind } } : {}),
      diagnostics: [...c.diagnostics],
      ...(!c.ok ? { error: { message: c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message).join("; ") || "did not compile" } } : {}),
    });
  }

  // Data tests, as dbt compiles them.
  const testsOf = new Map<string, TestResult[]>();
  for (const t of compileDataTests(compiler)) {
    const attached = t.attachedTo.kind === "model" ? t.attachedTo.model : t.attachedTo.kind === "source" ? `${t.attachedTo.source}.${t.attachedTo.table}` : t.attachedTo.seed;
    const tr: TestResult = { name: t.name, test: t.test, attachedTo: attached, ...(t.column ? { column: t.column } : {}), status: "skipped" };
    result.tests.push(tr);
    if (t.attachedTo.kind === "model") {
      const list = testsOf.get(t.attachedTo.model) ?? [];
      list.push(tr);
      testsOf.set(t.attachedTo.model, list);
    } else result.sourceTests.push(tr);
    if (t.attachedTo.kind === "model" && (failed.has(t.attachedTo.model) || disabled.has(t.attachedTo.model))) continue;
    if (!t.ok) {
      tr.status = "error";
      tr.error = t.diagnostics.map((d) => d.message).join("; ");
      continue;
    }
    try {
      const rows = await conn.query(t.countSql);
      tr.failures = Number(rows[0]?.failures ?? 0);
      tr.status = tr.failures === 0 ? "pass" : t.severity === "warn" ? "warn" : "fail";
      if (tr.failures > 0) tr.sample = await conn.query(`select * from (\n${t.sql}\n) dm_failing limit ${opts.failingRowSample ?? 5}`).catch(() => []);
    } catch (e) {
      tr.status = "error";
      tr.error = firstLine(e);
    }
  }
  for (const r of result.models) r.tests = testsOf.get(r.name) ?? [];
  progress("data tests ran");

  // Incremental models: new source rows, then the incremental run.
  const incremental = result.models.filter((r) => r.materialized === "incremental" && r.ran);
  if (incremental.length) {
    if (opts.catalog && !opts.source && opts.synthesize !== false) {
      const more = await synthesizeData(opts.catalog, conn, { schemaName: schemaOf, rows: opts.incrementalRows ?? 10, startRow: opts.rows ?? 60, seed: (opts.seed ?? 20240229) + 1, hints });
      diagnostics.push(...more.diagnostics);
    }
    const inc = makeCompiler(true);
    for (const r of incremental) {
      const c = inc.compile(r.name);
      const model = byName.get(r.name)!;
      try {
        if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join("; "));
        const body = c.sql.trim().replace(/;+\s*$/, "");
        const key = model.config.unique_key;
        const keys = key === undefined ? [] : Array.isArray(key) ? key : [key];
        const tmp = q(`${r.name}__dbt_tmp`.slice(0, 63));
        await conn.exec(`create temporary table ${tmp} as select * from (\n${body}\n) dm_inc`);
        if (keys.length && model.config.incremental_strategy !== "append")
          await conn.exec(`delete from ${r.relation} t using ${tmp} s where ${keys.map((k) => `t.${q(k)} is not distinct from s.${q(k)}`).join(" and ")}`);
        await conn.exec(`insert into ${r.relation} select * from ${tmp}; drop table ${tmp}`);
        const [cnt] = await conn.query(`select count(*) as n from ${r.relation}`);
        r.incremental = { ran: true, rowsAfter: Number(cnt?.n ?? 0) };
        // A history-dependent model (compiled procedures: appends, type-2 history, upserts) holds what
        // successive runs left; a full refresh is not expected to equal it, so it is not compared.
        const meta = (model.meta as { datamigrate?: { history_dependent?: unknown } } | undefined)?.datamigrate;
        if (meta?.history_dependent === true) continue;
        // What a full refresh would build now: an incremental filter that loses or repeats rows shows here.
        const full = compiler.compile(r.name);
        const fullRel = { ...(r.relationName.schema ? { schema: r.relationName.schema } : {}), name: `${r.relationName.name}__dm_full`.slice(0, 63) };
        const fullText = conn.dialect.relation(fullRel);
        try {
          await conn.exec(`create table ${fullText} as select * from (\n${full.sql.trim().replace(/;+\s*$/, "")}\n) dm_full`);
          const cmp = await compareRelations({ connection: conn, relation: fullRel }, { connection: conn, relation: r.relationName }, { key: keys.length ? keys : ((await conn.describe(fullRel)) ?? []).map((c) => c.name), profiles: false, maxDifferences: 5 });
          r.incremental.matchesFullRefresh = cmp.equal;
          if (!cmp.equal)
            r.diagnostics.push(
              diagnostic("VAL3008", "warning", `after its incremental run, ${r.name} holds ${cmp.rowCount.right} rows where a full refresh builds ${cmp.rowCount.left} (${cmp.differences.map((d) => d.kind).join(", ")}): check that the is_incremental() filter picks every new or changed row (synthesised new rows are not necessarily later in time)`, { file: r.path, line: 1 }),
            );
        } finally {
          await conn.exec(`drop table if exists ${fullText}`).catch(() => {});
        }
      } catch (e) {
        r.incremental = { ran: false, error: firstLine(e) };
        r.diagnostics.push(diagnostic("VAL3007", "error", `the incremental run of ${r.name} failed: ${firstLine(e)}`, { file: r.path, line: 1 }));
        await conn.exec(`drop table if exists ${q(`${r.name}__dbt_tmp`.slice(0, 63))}`).catch(() => {});
      }
    }
    progress("incremental models ran a second time");
  }

  if (opts.parity) {
    const par = opts.parity;
    for (const r of result.models) {
      if (!r.ran || r.materialized === "ephemeral") continue;
      try {
        const other = await par.relationOf(r);
        if (!other) continue;
        const cols = (await conn.describe(r.relationName)) ?? [];
        const key = par.keyOf?.(r) ?? cols.map((c) => c.name);
        const cmp = await compareRelations({ connection: par.connection, relation: other }, { connection: conn, relation: r.relationName }, { maxDifferences: 5, ...par.options, key });
        r.parity = { equal: cmp.equal, rowCount: cmp.rowCount, differences: cmp.differences };
        if (!cmp.equal)
          r.diagnostics.push(
            diagnostic("VAL4001", "error", `model ${r.name} differs from the source (${cmp.rowCount.left} rows there, ${cmp.rowCount.right} here; ${cmp.differences.length}${cmp.truncated ? "+" : ""} rows named${cmp.columns.leftOnly.length || cmp.columns.rightOnly.length ? `; columns only on one side: ${[...cmp.columns.leftOnly, ...cmp.columns.rightOnly].join(", ")}` : ""})`, { file: r.path, line: 1 }),
          );
      } catch (e) {
        r.parity = { equal: false, error: firstLine(e) };
        r.diagnostics.push(diagnostic("VAL4002", "warning", `model ${r.name} could not be compared with the source: ${firstLine(e)}`, { file: r.path, line: 1 }));
      }
    }
    progress("parity compared");
  }

  for (const r of result.models) {
    r.evidence = gradeModel(r.parity?.error ? { ...r, parity: undefined } : r);
    result.grades[r.evidence]++;
  }
  await cleanup();
  result.ms = Date.now() - started;
  return result;
}

/** Table names as sourceDdl spells them (the translator's identifier rule), unquoted. */
const compilerIdent = (name: string) => postgresIdentifier(name);
const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);

/** A hook `{{ create_x() }}` is defined in macros/udf/create_x.sql (how convert writes functions); else dbt_project.yml. */
function hookAt(hook: string): { file: string; line: number } {
  const m = /^\{\{\s*(create_[A-Za-z0-9_]+)\(\)\s*\}\}$/.exec(hook.trim());
  return { file: m ? `macros/udf/${m[1]}.sql` : "dbt_project.yml", line: 1 };
}
