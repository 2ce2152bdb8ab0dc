// The target-neutral description of a dbt project that the translator fills and the writer
// renders. It says what the project contains (sources, models, tests, macros), never how the
// YAML looks: the writer owns the dbt syntax, so a change in dbt's syntax is a change in one place.
import { z } from "zod";

export const TARGETS = ["postgres", "sqlserver"] as const;
export type Target = (typeof TARGETS)[number];

export const MATERIALIZATIONS = ["view", "table", "ephemeral", "incremental"] as const;
export type Materialization = (typeof MATERIALIZATIONS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const dbtName = z
  .string()
  .min(1)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a dbt resource name (letters, digits, underscore; not starting with a digit)");

/** Where a generated resource came from in the SQL Server source. */
export const SourceObjectRef = z.object({
  database: z.string().optional(),
  schema: z.string(),
  name: z.string(),
  /** table, view, procedure, function, ... as the catalog names it. */
  kind: z.string(),
});
export type SourceObjectRef = z.infer<typeof SourceObjectRef>;

/** The relation a relationships test points at: a model or a source table, by dbt name. */
export const RelationTarget = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ref"), model: dbtName, package: dbtName.optional() }),
  z.object({ kind: z.literal("source"), source: dbtName, table: z.string().min(1) }),
]);
export type RelationTarget = z.infer<typeof RelationTarget>;

export const DataTestConfig = z
  .object({
    severity: z.enum(["error", "warn"]).optional(),
    /** SQL predicate; dbt filters the tested relation with it. */
    where: z.string().optional(),
    error_if: z.string().optional(),
    warn_if: z.string().optional(),
    limit: z.number().int().positive().optional(),
    tags: z.array(z.string()).optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type DataTestConfig = z.infer<typeof DataTestConfig>;

const testCommon = {
  /** Overrides dbt's synthesised test name. */
  name: dbtName.optional(),
  description: z.string().optional(),
  config: DataTestConfig.optional(),
};

/** Tests on one column (dbt's built-in generic tests). */
export const ColumnDataTest = z.discriminatedUnion("test", [
  z.object({ test: z.literal("unique"), ...testCommon }).strict(),
  z.object({ test: z.literal("not_null"), ...testCommon }).strict(),
  z
    .object({
      test: z.literal("accepted_values"),
      values: z.array(scalar).min(1),
      /** dbt's `quote` argument: false compares unquoted (numbers). Default true, as in dbt. */
      quote: z.boolean().optional(),
      ...testCommon,
    })
    .strict(),
  z
    .object({ test: z.literal("relationships"), to: RelationTarget, field: z.string().min(1), ...testCommon })
    .strict(),
]);
export type ColumnDataTest = z.infer<typeof ColumnDataTest>;

/**
 * Tests on a whole model or source table. The two kinds are generic tests this project defines
 * itself (macros/datamigrate/tests/), so the generated project needs no package:
 * unique_combination for composite keys, expression_is_true for CHECK constraints (which
 * SQL Server treats as passed when the expression is NULL; the test does the same).
 */
export const TableDataTest = z.discriminatedUnion("test", [
  z.object({ test: z.literal("unique_combination"), columns: z.array(z.string().min(1)).min(1), ...testCommon }).strict(),
  z.object({ test: z.literal("expression_is_true"), expression: z.string().min(1), ...testCommon }).strict(),
]);
export type TableDataTest = z.infer<typeof TableDataTest>;

export const Column = z
  .object({
    name: z.string().min(1),
    data_type: z.string().optional(),
    description: z.string().optional(),
    data_tests: z.array(ColumnDataTest).default([]),
    /** The source column's original name (for the mapping file), when it was renamed. */
    origin: z.string().optional(),
    /** Set when the name must be quoted in SQL (mixed case, reserved word kept). */
    quote: z.boolean().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type Column = z.infer<typeof Column>;
export type ColumnInput = z.input<typeof Column>;

export const SourceTable = z
  .object({
    /** The dbt name used in source('<source>', '<name>'). */
    name: z.string().min(1),
    /** The relation's real name when it differs from `name` (SQL Server's original spelling). */
    identifier: z.string().optional(),
    description: z.string().optional(),
    columns: z.array(Column).default([]),
    data_tests: z.array(TableDataTest).default([]),
    origin: SourceObjectRef.optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type SourceTable = z.infer<typeof SourceTable>;

export const Source = z
  .object({
    name: dbtName,
    database: z.string().optional(),
    schema: z.string().min(1),
    description: z.string().optional(),
    loader: z.string().optional(),
    tables: z.array(SourceTable).default([]),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type Source = z.infer<typeof Source>;

export const ModelConfig = z
  .object({
    unique_key: z.union([z.string(), z.array(z.string())]).optional(),
    incremental_strategy: z.enum(["append", "merge", "delete+insert", "insert_overwrite", "microbatch"]).optional(),
    on_schema_change: z.enum(["ignore", "append_new_columns", "fail", "sync_all_columns"]).optional(),
    schema: z.string().optional(),
    alias: z.string().optional(),
    tags: z.array(z.string()).optional(),
    enabled: z.boolean().optional(),
    pre_hook: z.array(z.string()).optional(),
    post_hook: z.array(z.string()).optional(),
    indexes: z.array(z.object({ columns: z.array(z.string()).min(1), unique: z.boolean().optional(), type: z.string().optional() }).strict()).optional(),
  })
  .strict();
export type ModelConfig = z.infer<typeof ModelConfig>;

export const LAYERS = ["staging", "intermediate", "marts"] as const;

export const Model = z
  .object({
    name: dbtName,
    /** Project-relative path: models/<layer>/.../<name>.sql. */
    path: z.string(),
    sql: z.string(),
    /** Omitted: the layer's default from dbt_project.yml. */
    materialized: z.enum(MATERIALIZATIONS).optional(),
    config: ModelConfig.default({}),
    description: z.string().optional(),
    columns: z.array(Column).default([]),
    data_tests: z.array(TableDataTest).default([]),
    origin: SourceObjectRef.optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const parts = m.path.split("/");
    if (parts[0] !== "models" || parts.length < 3 || parts.some((p) => p === "" || p === "." || p === ".."))
      ctx.addIssue({ code: "custom", path: ["path"], message: `model path '${m.path}' must be models/<layer>/.../${m.name}.sql` });
    if (parts[parts.length - 1] !== `${m.name}.sql`)
      ctx.addIssue({ code: "custom", path: ["path"], message: `model path '${m.path}' must end in ${m.name}.sql` });
  });
export type Model = z.infer<typeof Model>;
export type ModelInput = z.input<typeof Model>;

const projectFilePath = (prefix: string, ext: string) =>
  z
    .string()
    .refine(
      (p) => p.startsWith(`${prefix}/`) && p.endsWith(ext) && !p.split("/").some((s) => s === "" || s === "." || s === ".."),
      `must be a relative path under ${prefix}/ ending in ${ext}`,
    );

export const MacroArgument = z.object({ name: z.string(), type: z.string().optional(), description: z.string().optional() }).strict();

export const Macro = z
  .object({
    /** Project-relative path: macros/.../<file>.sql. One file may define several macros. */
    path: projectFilePath("macros", ".sql"),
    content: z.string(),
    /** Documentation for the property file; keyed by macro name. */
    docs: z
      .array(z.object({ name: dbtName, description: z.string().optional(), arguments: z.array(MacroArgument).optional() }).strict())
      .default([]),
  })
  .strict();
export type Macro = z.infer<typeof Macro>;

export const Seed = z
  .object({
    name: dbtName,
    /** CSV text with a header row. */
    csv: z.string(),
    description: z.string().optional(),
    columns: z.array(Column).default([]),
    column_types: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type Seed = z.infer<typeof Seed>;

/** A YAML-defined snapshot (dbt 1.9+). */
export const Snapshot = z
  .object({
    name: dbtName,
    relation: RelationTarget,
    strategy: z.enum(["timestamp", "check"]),
    unique_key: z.union([z.string(), z.array(z.string())]),
    updated_at: z.string().optional(),
    check_cols: z.union([z.literal("all"), z.array(z.string())]).optional(),
    hard_deletes: z.enum(["ignore", "invalidate", "new_record"]).optional(),
    schema: z.string().optional(),
    description: z.string().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.strategy === "timestamp" && !s.updated_at)
      ctx.addIssue({ code: "custom", path: ["updated_at"], message: "timestamp snapshots need updated_at" });
    if (s.strategy === "check" && !s.check_cols)
      ctx.addIssue({ code: "custom", path: ["check_cols"], message: "check snapshots need check_cols" });
  });
export type Snapshot = z.infer<typeof Snapshot>;

/** A YAML selector (selectors.yml); the definition is dbt's selector syntax as data. */
export const Selector = z
  .object({ name: dbtName, description: z.string().optional(), definition: z.unknown(), default: z.boolean().optional() })
  .strict();
export type Selector = z.infer<typeof Selector>;

/** A `{% docs name %}` block, referenced from descriptions as {{ doc('name') }}. */
export const DocsBlock = z.object({ name: dbtName, content: z.string(), path: projectFilePath("models", ".md").optional() }).strict();
export type DocsBlock = z.infer<typeof DocsBlock>;

export const LayerMaterializations = z
  .object({
    staging: z.enum(MATERIALIZATIONS).default("view"),
    intermediate: z.enum(MATERIALIZATIONS).default("ephemeral"),
    marts: z.enum(MATERIALIZATIONS).default("table"),
  })
  .strict();

export const DbtProject = z
  .object({
    name: dbtName,
    version: z.string().default("1.0.0"),
    profile: dbtName,
    target: z.enum(TARGETS).default("postgres"),
    /** Database and schema written into the example profiles.yml. */
    targetDatabase: z.string().default("analytics"),
    targetSchema: z.string().default("dbt_dev"),
    layers: LayerMaterializations.default({ staging: "view", intermediate: "ephemeral", marts: "table" }),
    sources: z.array(Source).default([]),
    models: z.array(Model).default([]),
    macros: z.array(Macro).default([]),
    seeds: z.array(Seed).default([]),
    snapshots: z.array(Snapshot).default([]),
    selectors: z.array(Selector).default([]),
    docs: z.array(DocsBlock).default([]),
    onRunStart: z.array(z.string()).default([]),
    onRunEnd: z.array(z.string()).default([]),
    vars: z.record(z.string(), z.unknown()).default({}),
    requireDbtVersion: z.string().default(">=1.10.0"),
  })
  .strict();
export type DbtProject = z.infer<typeof DbtProject>;
export type DbtProjectInput = z.input<typeof DbtProject>;

/** Validates and fills defaults; throws a ZodError naming the offending field. */
export function parseDbtProject(input: DbtProjectInput): DbtProject {
  return DbtProject.parse(input);
}

/** The layer folder of a model path (models/<layer>/...). */
export function modelLayer(model: Pick<Model, "path">): string {
  return model.path.split("/")[1] ?? "";
}

/** The materialization a model gets once dbt_project.yml's layer defaults apply. */
export function effectiveMaterialization(project: DbtProject, model: Model): Materialization {
  if (model.materialized) return model.materialized;
  const layer = modelLayer(model);
  if (layer === "staging" || layer === "intermediate" || layer === "marts") return project.layers[layer];
  return "view"; // dbt's own default
}

/** dbt renders a relation target as the string a YAML test argument carries. */
export function relationTargetJinja(t: RelationTarget): string {
  return t.kind === "ref"
    ? t.package
      ? `ref('${t.package}', '${t.model}')`
      : `ref('${t.model}')`
    : `source('${t.source}', '${t.table}')`;
}
