// The heavy, deterministic data of a run: the catalog read from the stored sources, the complexity
// assessment, and the conversion. None of it goes into a checkpoint: a resumed run (another
// process, after a crash) derives it again from the same rows, and gets the same answer, because
// reading, cataloguing and converting are pure functions of the sources and the options. Only the
// model-written SQL (which no rule can re-derive) travels in the checkpoint state, keyed by object.
import { asc, and, eq } from "drizzle-orm";
import { z } from "zod";
import { buildCatalog } from "../catalog/build.ts";
import type { Catalog } from "../catalog/model.ts";
import type { Db } from "../db/client.ts";
import { migrationSources, migrations } from "../db/schema/migrations.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { readBuffer } from "../sources/read.ts";
import type { SourceSet } from "../sources/types.ts";
import { convertCatalog, type ConvertResult } from "../translate/project/convert.ts";
import { moduleTranslator, type ModuleTranslation, type ProjectTranslator } from "../translate/project/translator.ts";
import { assessObject, type Assessment } from "./assess.ts";

export const DEFAULT_MAX_ATTEMPTS = 3;

/** migrations.config as the run reads it; options may sit under `options` or at the top level. */
// The validation database is not an option: it comes from server configuration (VALIDATION_DATABASE_URL);
// a stored config that still names one is ignored (only the keys below are read).
export const RunOptions = z.object({
  /** Rebuild attempts per object (model calls after the first failed validation). */
  maxAttempts: z.number().int().min(0).max(10).optional(),
  /** Synthesised rows per table for validation (default 60). */
  rows: z.number().int().min(1).max(100_000).optional(),
  /** SQLCMD variables for the readers. */
  vars: z.record(z.string(), z.string()).optional(),
  collation: z.string().min(1).optional(),
  projectName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  /** false skips validation (grades stay `compiled`). */
  validate: z.boolean().optional(),
  /**
   * Statement timeout of validation statements, ms (default 30 s). 0 = none, which on PGlite keeps
   * the database in process (faster, but a statement that never ends stops the run): tests only.
   */
  statementTimeoutMs: z.number().int().min(0).optional(),
});
export type RunOptions = z.infer<typeof RunOptions>;

export const RunConfig = z
  .object({
    target: z.enum(["postgres", "sqlserver"]).default("postgres"),
    source: z.unknown().optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

export interface LoadedConfig {
  target: "postgres" | "sqlserver";
  options: RunOptions;
  maxAttempts: number;
  hasLiveSource: boolean;
}

export function parseRunConfig(raw: unknown): LoadedConfig {
  const c = RunConfig.parse(raw ?? {});
  const { target: _t, source: _s, options: nested, ...top } = c;
  // Keys this run does not know are ignored (other features keep their settings here too).
  const merged = { ...top, ...(nested ?? {}) };
  const options = RunOptions.parse(Object.fromEntries(Object.entries(merged).filter(([k]) => k in RunOptions.shape)));
  return { target: c.target, options, maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, hasLiveSource: c.source !== undefined && c.source !== null };
}

export class RunInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RunInputError";
  }
}

export interface Workspace {
  config: LoadedConfig;
  catalog: Catalog;
  /** Problems with the inputs as a whole (reader, catalog), not tied to one object. */
  inputDiagnostics: Diagnostic[];
  assessments: Map<string, Assessment>;
  /** The deterministic conversion (no model output). */
  base: ConvertResult;
  /** The conversion with model-written view SQL in place of the translator's. */
  convert(overrides: Record<string, string>): ConvertResult;
}

/** Runtime functions a model-written SQL calls through the runtime schema macro. */
function runtimeCalls(sqlText: string): string[] {
  return [...new Set([...sqlText.matchAll(/tsql_runtime_schema\(\)\s*\}\}\s*\.\s*"?(tsql_[A-Za-z0-9_]+)/g)].map((m) => m[1]!))];
}

/** The translator, except for the objects a model rewrote (validated before they are kept). */
export function overridingTranslator(base: ProjectTranslator, overrides: Record<string, string>): ProjectTranslator {
  return {
    name: base.name,
    translateView: (input): ModuleTranslation => {
      const o = overrides[input.object.id];
      if (o === undefined) return base.translateView(input);
      return { sql: o, diagnostics: [], runtime: runtimeCalls(o) };
    },
    translateFunction: (input) => base.translateFunction(input),
    mapColumnType: (type, column, target) => base.mapColumnType(type, column, target),
    identifier: (name) => base.identifier(name),
  };
}

async function readStoredSources(db: Db, orgId: string, migrationId: string): Promise<SourceSet> {
  const rows = await db
    .select({ filename: migrationSources.filename, content: migrationSources.content })
    .from(migrationSources)
    .where(and(eq(migrationSources.migrationId, migrationId), eq(migrationSources.orgId, orgId)))
    .orderBy(asc(migrationSources.createdAt), asc(migrationSources.filename));
  const set: SourceSet = { files: [], fragments: [], projects: [], diagnostics: [] };
  for (const r of rows) {
    const s = await readBuffer(r.filename, r.content);
    set.files.push(...s.files);
    set.fragments.push(...s.fragments);
    set.projects.push(...s.projects);
    set.diagnostics.push(...s.diagnostics);
  }
  return set;
}

/** Loads (or derives again) everything deterministic about the migration. */
export async function loadWorkspace(db: Db, orgId: string, migrationId: string): Promise<Workspace> {
  const [m] = await db
    .select({ config: migrations.config })
    .from(migrations)
    .where(and(eq(migrations.id, migrationId), eq(migrations.orgId, orgId)));
  if (!m) throw new RunInputError("AGT1003", `migration ${migrationId} does not exist in this organisation`);
  let config: LoadedConfig;
  try {
    config = parseRunConfig(m.config);
  } catch (e) {
    throw new RunInputError("AGT1004", `the migration's configuration is not valid: ${e instanceof Error ? e.message : String(e)}`);
  }
  const sources = await readStoredSources(db, orgId, migrationId);
  if (sources.files.length === 0 && sources.fragments.length === 0) {
    if (config.hasLiveSource)
      throw new RunInputError(
        "AGT1001",
        "reading a live SQL Server from a migration job is not supported yet: upload the database as .sql scripts, an SSDT .zip or a .dacpac (or run `datamigrate convert mssql://...` on a machine that reaches the server)",
      );
    const why = sources.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code}: ${d.message}`).slice(0, 3).join("; ");
    throw new RunInputError("AGT1002", `nothing readable in the migration's sources${why ? ` (${why})` : " (no file was uploaded)"}`);
  }
  const catalog = buildCatalog(sources, {
    ...(config.options.vars ? { vars: config.options.vars } : {}),
    ...(config.options.collation ? { defaultCollation: config.options.collation } : {}),
  });
  if (!catalog.objects.some((o) => !o.implicit && o.kind !== "schema")) {
    if (config.hasLiveSource)
      throw new RunInputError(
        "AGT1001",
        "reading a live SQL Server from a migration job is not supported yet, and the uploaded files define no object: upload the database as .sql scripts, an SSDT .zip or a .dacpac",
      );
    throw new RunInputError("AGT1002", "the migration's sources define no table, view, function or procedure");
  }
  const inputDiagnostics: Diagnostic[] = [];
  if (config.hasLiveSource)
    inputDiagnostics.push(
      diagnostic("AGT1001", "warning", "the configured live source is not read by migration jobs yet; the uploaded files were converted, and validation used synthesised data", { file: "source", line: 1 }),
    );
  const assessments = new Map<string, Assessment>();
  for (const o of catalog.objects) if (!o.implicit && o.kind !== "schema" && o.kind !== "index") assessments.set(o.id, assessObject(o));
  const convertOpts = { target: config.target, ...(config.options.projectName ? { projectName: config.options.projectName } : {}) };
  const base = convertCatalog(catalog, convertOpts);
  return {
    config,
    catalog,
    inputDiagnostics,
    assessments,
    base,
    convert: (overrides) =>
      Object.keys(overrides).length === 0 ? base : convertCatalog(catalog, { ...convertOpts, translator: overridingTranslator(moduleTranslator, overrides) }),
  };
}
