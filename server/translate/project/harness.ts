// Runs a converted project on Postgres the way `dbt build` would, without dbt: a scratch set of
// schemas (on the server named by a URL / TEST_DATABASE_URL, else an in-process PGlite), the source
// tables created from the catalog (sourceDdl) or from the sources' documented columns, the
// on-run-start hooks (runtime functions, UDFs), every enabled model in DAG order with its
// materialization (ephemeral ones inlined as CTEs by the dbt compiler), then every data test as
// dbt compiles it. Stands in for the validation runner (issue 6) until that exists.
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import type { Catalog } from "../../catalog/model.ts";
import type { Diagnostic } from "../../diagnostics.ts";
import { compileDataTests, ProjectCompiler, type CompiledModel } from "../../dbt/compile.ts";
import { parseDbtProject, type DbtProject, type DbtProjectInput } from "../../dbt/project.ts";
import { q, sourceDdl } from "./ddl.ts";
import { loadDbtProjectDir } from "./load.ts";
import { postgresIdentifier } from "../index.ts";
import type { ProjectTranslator } from "./translator.ts";

export interface ScratchDb {
  backend: "postgres" | "pglite";
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** One or more statements. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface ModelRun {
  name: string;
  path: string;
  materialized: string;
  status: "ran" | "failed" | "skipped";
  relation: string;
  error?: string;
  /** Compile diagnostics (Jinja errors). */
  diagnostics: Diagnostic[];
  ms: number;
}

export interface TestRun {
  name: string;
  attachedTo: string;
  status: "pass" | "fail" | "warn" | "error" | "skipped";
  failures?: number;
  error?: string;
}

export interface ProjectRun {
  backend: "postgres" | "pglite";
  /** Schema the models were created in. */
  schema: string;
  /** SQL Server schema (lower-cased) → Postgres schema of the source tables. */
  sourceSchemas: Record<string, string>;
  setup: { ok: boolean; error?: string };
  models: ModelRun[];
  tests: TestRun[];
  /** Models that were disabled in the project (not converted): not run. */
  disabled: string[];
  /** Open only with `keep: true`: query the scratch schemas, then call close(). */
  db?: ScratchDb;
  /** Relation text of a model (for assertions): `"schema"."name"`. */
  relation(model: string): string;
  /** Relation text of a source table by its SQL Server schema and name. */
  sourceTable(schema: string, name: string): string;
  close(): Promise<void>;
}

export interface RunOptions {
  /** The catalog the project came from: source tables get keys, identity and defaults. */
  catalog?: Catalog;
  translator?: ProjectTranslator;
  /** Postgres URL; default TEST_DATABASE_URL, else PGlite in memory. */
  databaseUrl?: string;
  /** An open database to use instead (left open; the scratch schemas are still dropped unless keep). */
  db?: ScratchDb;
  /** Keep the database open (and the schemas) for assertions; call `close()` afterwards. */
  keep?: boolean;
  /** Runs after the source tables exist and before any model (insert rows here). */
  beforeModels?(db: ScratchDb, run: Pick<ProjectRun, "sourceTable" | "sourceSchemas">): Promise<void>;
  /** Skip the data tests. */
  skipTests?: boolean;
  /** Per statement (Postgres only). Default 60 s. */
  statementTimeoutMs?: number;
}

export async function openScratchDb(url = process.env.TEST_DATABASE_URL, statementTimeoutMs = 60_000): Promise<ScratchDb> {
  if (url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const db: ScratchDb = {
      backend: "postgres",
      rows: async (s) => [...(await sql.unsafe(s))] as Record<string, unknown>[],
      exec: async (s) => {
        await sql.unsafe(s).simple();
      },
      close: async () => {
        await sql.end();
      },
    };
    await db.exec(`SET statement_timeout = ${Math.max(1, Math.floor(statementTimeoutMs))}; SET TimeZone = 'UTC'`);
    return db;
  }
  const pg = await PGlite.create();
  const db: ScratchDb = {
    backend: "pglite",
    rows: async (s) => (await pg.query<Record<string, unknown>>(s)).rows,
    exec: async (s) => {
      await pg.exec(s);
    },
    close: async () => {
      await pg.close();
    },
  };
  await db.exec("SET TimeZone = 'UTC'");
  return db;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

/** DDL from the sources' documented columns, for projects converted without a catalog at hand. */
function ddlFromSources(project: DbtProject, schemaOf: (s: string) => string): string[] {
  const out: string[] = [];
  for (const s of project.sources) {
    out.push(`CREATE SCHEMA IF NOT EXISTS ${q(schemaOf(s.schema))}`);
    for (const t of s.tables) {
      const cols = t.columns.map((c) => `${q(c.name)} ${c.data_type ?? "text"}`);
      if (cols.length) out.push(`CREATE TABLE ${q(schemaOf(s.schema))}.${q(t.identifier ?? t.name)} (${cols.join(", ")})`);
    }
  }
  return out;
}

/**
 * Runs a project (a DbtProject, or the directory of one) on a scratch set of schemas. Without a
 * catalog, the source tables are created from the sources' documented columns and types.
 */
export async function runProjectOnPostgres(input: DbtProjectInput | DbtProject | string, opts: RunOptions = {}): Promise<ProjectRun> {
  const project = typeof input === "string" ? (await loadDbtProjectDir(input)).project : parseDbtProject(input as DbtProjectInput);
  const tag = `dm_cnv_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const sourceSchemas: Record<string, string> = {};
  let n = 0;
  // Keyed lower-case: the sources file spells schemas as Postgres does, the catalog as SQL Server does.
  const schemaOf = (s: string) => (sourceSchemas[s.toLowerCase()] ??= `${tag}_s${++n}`);
  // Stable assignment: sort the SQL Server schemas first.
  for (const s of [...new Set([...project.sources.map((x) => x.schema), ...(opts.catalog?.objects.filter((o) => o.kind === "table").map((o) => o.schema) ?? [])])].sort()) schemaOf(s);
  const runtimeSchema = `${tag}_rt`;
  const db = opts.db ?? (await openScratchDb(opts.databaseUrl ?? process.env.TEST_DATABASE_URL, opts.statementTimeoutMs));
  const ownDb = !opts.db;
  const compiler = new ProjectCompiler(project, {
    schema: tag,
    sourceRelation: (s, t) => ({ schema: schemaOf(s.schema), identifier: t.identifier ?? t.name }),
    cliVars: { tsql_runtime_schema: runtimeSchema },
  });
  const relation = (model: string) => {
    const m = project.models.find((x) => x.name === model);
    return m ? `${q(tag)}.${q(m.config.alias ?? m.name)}` : `${q(tag)}.${q(model)}`;
  };
  const sourceTable = (schema: string, name: string) => `${q(schemaOf(schema))}.${postgresIdentifier(name)}`;
  const cleanup = async () => {
    try {
      if (db.backend === "postgres" || !ownDb) for (const s of [tag, runtimeSchema, ...Object.values(sourceSchemas)]) await db.exec(`DROP SCHEMA IF EXISTS ${q(s)} CASCADE`);
    } finally {
      if (ownDb) await db.close();
    }
  };
  const run: ProjectRun = {
    backend: db.backend,
    schema: tag,
    sourceSchemas,
    setup: { ok: true },
    models: [],
    tests: [],
    disabled: project.models.filter((m) => m.config.enabled === false).map((m) => m.name),
    relation,
    sourceTable,
    close: cleanup,
  };
  try {
    await db.exec(`CREATE SCHEMA ${q(tag)}`);
    const ddl = opts.catalog
      ? sourceDdl(opts.catalog, { schemaName: schemaOf, ...(opts.translator ? { translator: opts.translator } : {}) }).statements
      : ddlFromSources(project, schemaOf);
    for (const stmt of ddl) await db.exec(stmt);
    for (const hook of project.onRunStart) {
      const r = compiler.renderText(hook, "dbt_project.yml");
      if (!r.ok) throw new Error(`on-run-start ${hook}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
      if (r.sql.trim()) await db.exec(r.sql);
    }
    if (opts.beforeModels) await opts.beforeModels(db, { sourceTable, sourceSchemas });
  } catch (e) {
    run.setup = { ok: false, error: message(e) };
    if (!opts.keep) await cleanup();
    return run;
  }

  const disabled = new Set(run.disabled);
  const { models } = compiler.compileAll();
  const failed = new Set<string>();
  for (const m of models as CompiledModel[]) {
    if (disabled.has(m.name)) continue;
    const rel = [m.relation.schema, m.relation.identifier].filter((x): x is string => !!x).map(q).join(".");
    const base = { name: m.name, path: m.path, materialized: String(m.materialized), relation: rel, diagnostics: m.diagnostics };
    const blocked = m.dependsOn.filter((d) => failed.has(d) || disabled.has(d));
    if (blocked.length) {
      failed.add(m.name);
      run.models.push({ ...base, status: "skipped", error: `depends on ${blocked.join(", ")}, which did not run`, ms: 0 });
      continue;
    }
    if (!m.ok) {
      failed.add(m.name);
      run.models.push({ ...base, status: "failed", error: m.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code}: ${d.message}`).join("; "), ms: 0 });
      continue;
    }
    const body = m.sql.trim().replace(/;+\s*$/, "");
    const ddl =
      m.materialized === "view"
        ? `create view ${rel} as (\n${body}\n)`
        : m.materialized === "table" || m.materialized === "incremental"
          ? `create table ${rel} as (\n${body}\n)`
          : undefined;
    const started = Date.now();
    if (!ddl) {
      failed.add(m.name);
      run.models.push({ ...base, status: "failed", error: `materialization ${m.materialized} is not supported by the harness`, ms: 0 });
      continue;
    }
    try {
      await db.exec(ddl);
      run.models.push({ ...base, status: "ran", ms: Date.now() - started });
    } catch (e) {
      failed.add(m.name);
      run.models.push({ ...base, status: "failed", error: message(e), ms: Date.now() - started });
    }
  }

  if (!opts.skipTests) {
    for (const t of compileDataTests(compiler)) {
      const attached = t.attachedTo.kind === "model" ? t.attachedTo.model : t.attachedTo.kind === "source" ? `${t.attachedTo.source}.${t.attachedTo.table}` : t.attachedTo.seed;
      const refsDown = t.attachedTo.kind === "model" && (failed.has(t.attachedTo.model) || disabled.has(t.attachedTo.model));
      if (refsDown) {
        run.tests.push({ name: t.name, attachedTo: attached, status: "skipped" });
        continue;
      }
      if (!t.ok) {
        run.tests.push({ name: t.name, attachedTo: attached, status: "error", error: t.diagnostics.map((d) => d.message).join("; ") });
        continue;
      }
      try {
        const rows = await db.rows(t.countSql);
        const failures = Number(rows[0]?.failures ?? 0);
        run.tests.push({ name: t.name, attachedTo: attached, status: failures === 0 ? "pass" : t.severity === "warn" ? "warn" : "fail", failures });
      } catch (e) {
        run.tests.push({ name: t.name, attachedTo: attached, status: "error", error: message(e) });
      }
    }
  }

  if (opts.keep) run.db = db;
  else await cleanup();
  return run;
}
