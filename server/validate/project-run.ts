// runProject: runValidation in the shape the convert pipeline's tests assert on (what the old
// translate/project harness returned): source tables left empty unless the caller inserts rows,
// the models that materialise (ephemeral ones are inlined, not listed), every data test in compile
// order, and, with `keep`, the open connection and the relation names to query before close().
import type { Catalog } from "../catalog/model.ts";
import { parseDbtProject, type DbtProject, type DbtProjectInput } from "../dbt/project.ts";
import { postgresIdentifier } from "../translate/index.ts";
import { loadDbtProjectDir } from "../translate/project/index.ts";
import { openConnection, type Connection } from "./connection.ts";
import { runValidation, type TestResult, type ValidationOptions, type ValidationResult } from "./run.ts";

export interface ModelRun {
  name: string;
  path: string;
  materialized: string;
  /** "failed" covers models that did not compile. */
  status: "ran" | "failed" | "skipped";
  relation: string;
  error?: string;
  diagnostics: ValidationResult["models"][number]["diagnostics"];
  ms: number;
}

export interface ProjectRun {
  backend: "postgres" | "pglite";
  /** Schema the models were created in. */
  schema: string;
  /** SQL Server schema (lower-cased) → Postgres schema of the source tables. */
  sourceSchemas: Record<string, string>;
  setup: { ok: boolean; error?: string };
  models: ModelRun[];
  tests: TestResult[];
  /** Models disabled in the project (not converted): not run. */
  disabled: string[];
  /** Open only with `keep: true`: query the scratch schemas, then call close(). */
  db?: Connection;
  /** Relation text of a model: `"schema"."name"`. */
  relation(model: string): string;
  /** Relation text of a source table by its SQL Server schema and name. */
  sourceTable(schema: string, name: string): string;
  /** Drops the kept scratch schemas and closes the connection the run opened. */
  close(): Promise<void>;
  /** The full validation result (evidence, diagnostics, loads). */
  validation: ValidationResult;
}

export interface RunProjectOptions extends Pick<ValidationOptions, "databaseUrl" | "beforeModels" | "statementTimeoutMs" | "onProgress"> {
  /** The catalog the project came from: source tables get keys, identity and defaults (no rows are synthesised). */
  catalog?: Catalog;
  /** An open connection to use instead (left open; the scratch schemas are still dropped unless keep). */
  connection?: Connection;
  /** Keep the connection and the scratch schemas for assertions; call close() afterwards. */
  keep?: boolean;
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Runs a project (a DbtProject, or the directory of one) on scratch schemas, on empty source tables plus what beforeModels inserts. */
export async function runProject(input: DbtProjectInput | DbtProject | string, opts: RunProjectOptions = {}): Promise<ProjectRun> {
  const project = typeof input === "string" ? (await loadDbtProjectDir(input)).project : parseDbtProject(input as DbtProjectInput);
  const statementTimeoutMs = opts.statementTimeoutMs ?? 60_000;
  const conn = opts.connection ?? (await openConnection(opts.databaseUrl ?? process.env.TEST_DATABASE_URL, { statementTimeoutMs }));
  const ownConn = !opts.connection;
  let v: ValidationResult;
  try {
    v = await runValidation(project, {
      connection: conn,
      statementTimeoutMs,
      synthesize: false,
      keep: !!opts.keep,
      ...(opts.catalog ? { catalog: opts.catalog } : {}),
      ...(opts.beforeModels ? { beforeModels: opts.beforeModels } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  } catch (e) {
    if (ownConn) await conn.close().catch(() => {});
    throw e;
  }
  const { models: schema, runtime, sources } = v.schemas;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      if (opts.keep && schema) for (const s of [schema, runtime, ...Object.values(sources)]) await conn.exec(`DROP SCHEMA IF EXISTS ${q(s)} CASCADE`);
    } finally {
      if (ownConn) await conn.close();
    }
  };
  if (!opts.keep) await close();
  const run: ProjectRun = {
    backend: v.backend,
    schema,
    sourceSchemas: sources,
    setup: v.setup,
    models: v.models
      .filter((m) => m.materialized !== "ephemeral")
      .map((m) => ({
        name: m.name,
        path: m.path,
        materialized: m.materialized,
        status: m.status === "not_compiled" ? "failed" : m.status,
        relation: m.relation,
        ...(m.error ? { error: m.error.message } : {}),
        diagnostics: m.diagnostics,
        ms: m.ms,
      })),
    tests: v.tests,
    disabled: project.models.filter((m) => m.config.enabled === false).map((m) => m.name),
    relation: (model) => {
      const m = project.models.find((x) => x.name === model);
      return `${q(schema)}.${q(m ? (m.config.alias ?? m.name) : model)}`;
    },
    sourceTable: (s, name) => `${q(sources[s.toLowerCase()] ?? s)}.${postgresIdentifier(name)}`,
    close,
    validation: v,
  };
  if (opts.keep) run.db = conn;
  return run;
}
