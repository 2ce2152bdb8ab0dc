// Test-only: runs the models compiled from procedures on a database (TEST_DATABASE_URL or PGlite),
// the way dbt would: a full run (tables, incremental models created), then an incremental run
// (incremental models through server/dbt's incrementalStatements), and reads tables back as text.
import type { Catalog } from "../../catalog/model.ts";
import { buildCatalog } from "../../catalog/index.ts";
import { ProjectCompiler } from "../../dbt/compile.ts";
import { incrementalStatements } from "../../dbt/incremental.ts";
import { parseDbtProject, type DbtProject } from "../../dbt/project.ts";
import { toIdentifier } from "../../dbt/naming.ts";
import type { RuntimeDb } from "../runtime/testdb.ts";
import { sourceDdl } from "../project/ddl.ts";
import { compileProcedures, type CompileProceduresResult } from "./compile.ts";

export function catalogOf(tsql: string, file = "procs.sql"): Catalog {
  return buildCatalog({ files: [{ path: file, text: tsql, encoding: "utf-8", origin: { kind: "file" } }], fragments: [], projects: [], diagnostics: [] } as unknown as Parameters<typeof buildCatalog>[0]);
}

export interface Warehouse {
  catalog: Catalog;
  compiled: CompileProceduresResult;
  project: DbtProject;
  /** Postgres schema of a SQL Server schema's source tables, and of the models / oracle tables. */
  src(schema: string): string;
  tgt: string;
  ora: string;
  /** Replaces {src:dbo}, {ora} and {tgt} in SQL. */
  sql(text: string): string;
  /** One dbt invocation over every enabled model: full (first) or incremental. */
  run(options: { incremental: boolean; vars?: Record<string, unknown> }): Promise<{ ran: string[]; errors: string[] }>;
  rows(relation: string, columns?: string[]): Promise<string[][]>;
  drop(): Promise<void>;
}

export async function openWarehouse(db: RuntimeDb, tsql: string, prefix: string): Promise<Warehouse> {
  return openWarehouseFor(db, catalogOf(tsql), prefix);
}

/** Scratch schemas for a catalog's procedures; with createSources, every source table is created empty (sourceDdl). */
export async function openWarehouseFor(db: RuntimeDb, catalog: Catalog, prefix: string, options: { createSources?: boolean } = {}): Promise<Warehouse> {
  const compiled = compileProcedures(catalog, { runtimeSchema: db.schema });
  const tag = `${prefix}_${Math.random().toString(36).slice(2, 7)}`;
  const src = (schema: string) => `${tag}_src_${schema.toLowerCase()}`;
  const tgt = `${tag}_tgt`;
  const ora = `${tag}_ora`;
  const schemas = [...new Set(catalog.objects.filter((o) => o.kind === "table").map((o) => o.schema))];
  for (const s of [...schemas.map(src), tgt, ora]) await db.exec(`create schema ${s}`);
  if (options.createSources) {
    const ddl = sourceDdl(catalog, { schemaName: src, foreignKeys: false, createSchemas: false });
    for (const st of ddl.statements) {
      try {
        await db.exec(st);
      } catch {
        // A table Postgres refuses (an unmapped type) only matters to the models that read it.
      }
    }
  }
  const sources = schemas.map((s) => ({
    name: toIdentifier(s, { reserved: "keep" }),
    schema: src(s),
    tables: catalog.objects.filter((o) => o.kind === "table" && o.schema === s).map((o) => ({ name: o.name.toLowerCase() })),
  }));
  const project = parseDbtProject({ name: "procs", profile: "procs", sources, models: compiled.models, selectors: compiled.selectors, vars: compiled.vars });
  const sql = (text: string) => text.replace(/\{src:(\w+)\}/g, (_m, s: string) => src(s)).replaceAll("{tgt}", tgt).replaceAll("{ora}", ora);
  return {
    catalog,
    compiled,
    project,
    src,
    tgt,
    ora,
    sql,
    async run({ incremental, vars }) {
      // Parameters without a default need a value, as the procedure needs an argument.
      const sample = Object.fromEntries(compiled.requiredVars.map((v) => [v.name, /DATE|TIME/i.test(v.type) ? "2020-01-01" : /INT|DEC|NUM|MONEY|FLOAT|REAL|BIT/i.test(v.type) ? 1 : "x"]));
      const compiler = new ProjectCompiler(project, { schema: tgt, isIncremental: incremental, cliVars: { ...sample, ...(vars ?? {}) } });
      const all = compiler.compileAll();
      const errors = all.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
      const ran: string[] = [];
      for (const m of all.models) {
        if (m.materialized === "ephemeral") continue;
        if (!m.ok) {
          errors.push(`${m.name}: ${m.diagnostics.map((d) => d.message).join("; ")}`);
          continue;
        }
        const rel = `"${tgt}"."${m.relation.identifier}"`;
        try {
          if (m.materialized === "incremental" && incremental) {
            const cols = await db.rows(`select column_name from information_schema.columns where table_schema = '${tgt}' and table_name = '${m.relation.identifier}' order by ordinal_position`);
            const plan = incrementalStatements({
              target: { schema: tgt, identifier: m.relation.identifier },
              sql: m.sql,
              targetColumns: cols.map((c) => ({ name: String(c.column_name) })),
              ...(m.config.unique_key !== undefined ? { uniqueKey: m.config.unique_key as string | string[] } : {}),
              ...(typeof m.config.incremental_strategy === "string" ? { strategy: m.config.incremental_strategy } : {}),
            });
            if (plan.diagnostics.length) errors.push(...plan.diagnostics.map((d) => d.message));
            for (const s of plan.statements) await db.exec(s);
          } else {
            await db.exec(`drop table if exists ${rel}; create table ${rel} as (\n${m.sql}\n)`);
          }
          ran.push(m.name);
        } catch (e) {
          errors.push(`${m.name}: ${e instanceof Error ? e.message : String(e)}\n${m.sql}`);
        }
      }
      return { ran, errors };
    },
    async rows(relation, columns) {
      const cols = columns ?? (await db.rows(`select column_name from information_schema.columns where table_schema || '.' || table_name = '${relation.replace(/"/g, "")}' order by ordinal_position`)).map((c) => String(c.column_name));
      const list = cols.map((c, i) => `(${c})::text as c${i}`).join(", ");
      const r = await db.rows(`select ${list} from ${relation} order by ${cols.map((_, i) => i + 1).join(", ")}`);
      return r.map((row) => Object.values(row).map((v) => (v === null ? "NULL" : String(v))));
    },
    async drop() {
      for (const s of [...schemas.map(src), tgt, ora]) await db.exec(`drop schema if exists ${s} cascade`);
    },
  };
}
