// Compiles a DbtProject the way `dbt compile` would, for the validation runner: every model's
// Jinja rendered against a target schema, ephemeral models inlined as CTEs, models put in
// dependency order, and every data test turned into the query dbt runs for it.
import { createHash } from "node:crypto";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import {
  effectiveMaterialization,
  parseDbtProject,
  type ColumnDataTest,
  type DbtProject,
  type DbtProjectInput,
  type Materialization,
  type Model,
  type RelationTarget,
  type Source,
  type SourceTable,
  type TableDataTest,
} from "./project.ts";
import { GENERIC_TEST_FILES, GENERIC_TEST_NAMES, modelPropertyFilePath, sourcePropertyFilePath } from "./render.ts";
import {
  injectEphemeralCtes,
  parseMacros,
  renderModelSql,
  type DbtTarget,
  type MacroLibrary,
  type RefResolution,
  type RelationParts,
  type RenderContext,
  type RenderResult,
  type TargetType,
} from "./jinja.ts";

export interface ProjectCompileOptions {
  /** The target schema (the scratch schema, during validation). */
  schema: string;
  /** Include a database in rendered relations (dbt does; validation in one database does not need it). */
  database?: string;
  targetName?: string;
  targetType?: TargetType;
  /** Where a source table lives. Default: the source's schema and the table's identifier, as dbt renders it (without database unless `database` is set). */
  sourceRelation?(source: Source, table: SourceTable): RelationParts;
  cliVars?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  /** Which incremental models already have their table (second run). */
  isIncremental?: boolean | ((model: Model) => boolean);
  fullRefresh?: boolean;
  runStartedAt?: Date;
}

export interface CompiledModel {
  name: string;
  path: string;
  /** After config() in the SQL, the property file and the layer default, in dbt's precedence. */
  materialized: Materialization | string;
  relation: RelationParts;
  /** The SQL dbt would run inside its materialization (ephemeral CTEs injected). */
  sql: string;
  /** Model config from the property file merged with config() calls in the SQL. */
  config: Record<string, unknown>;
  /** Models this one depends on (through ref, including ephemeral ones). */
  dependsOn: string[];
  ok: boolean;
  diagnostics: Diagnostic[];
}

/** dbt's default generate_schema_name: a custom schema is appended to the target schema. */
export function generateSchemaName(custom: string | undefined, targetSchema: string): string {
  return custom ? `${targetSchema}_${custom.trim()}` : targetSchema;
}

export class ProjectCompiler {
  readonly project: DbtProject;
  readonly macros: MacroLibrary;
  readonly target: DbtTarget;
  private readonly models = new Map<string, Model>();
  private readonly cache = new Map<string, { result: RenderResult; model: Model }>();

  constructor(
    input: DbtProjectInput | DbtProject,
    readonly options: ProjectCompileOptions,
  ) {
    this.project = parseDbtProject(input as DbtProjectInput);
    for (const m of this.project.models) this.models.set(m.name, m);
    this.macros = parseMacros([
      ...this.project.macros.map((m) => ({ path: m.path, content: m.content })),
      ...Object.values(GENERIC_TEST_FILES),
      { path: DBT_BUILTIN_TESTS_PATH, content: DBT_BUILTIN_TESTS },
    ]);
    this.target = {
      name: options.targetName ?? "dev",
      schema: options.schema,
      type: options.targetType ?? this.project.target,
      ...(options.database ? { database: options.database } : {}),
      threads: 1,
    };
  }

  modelRelation(m: Model): RelationParts {
    return {
      ...(this.options.database ? { database: this.options.database } : {}),
      schema: generateSchemaName(m.config.schema, this.options.schema),
      identifier: m.config.alias ?? m.name,
    };
  }

  sourceRelation(sourceName: string, tableName: string): RelationParts | undefined {
    const source = this.project.sources.find((s) => s.name === sourceName);
    const table = source?.tables.find((t) => t.name === tableName);
    if (!source || !table) return undefined;
    if (this.options.sourceRelation) return this.options.sourceRelation(source, table);
    return {
      ...(this.options.database ? { database: this.options.database } : {}),
      schema: source.schema,
      identifier: table.identifier ?? table.name,
    };
  }

  /** Seeds load into the target schema; snapshots into theirs (dbt's generate_schema_name). */
  seedOrSnapshotRelation(name: string): RelationParts | undefined {
    const db = this.options.database ? { database: this.options.database } : {};
    if (this.project.seeds.some((x) => x.name === name)) return { ...db, schema: this.options.schema, identifier: name };
    const snap = this.project.snapshots.find((x) => x.name === name);
    if (snap) return { ...db, schema: generateSchemaName(snap.schema, this.options.schema), identifier: name };
    return undefined;
  }

  /** The materialization before rendering (property file, then layer default). */
  declaredMaterialization(m: Model): Materialization {
    return effectiveMaterialization(this.project, m);
  }

  private context(m: Model | undefined, file: string): RenderContext {
    const incremental = this.options.isIncremental;
    return {
      file,
      ...(m
        ? {
            model: { name: m.name, materialized: this.declaredMaterialization(m), config: stripUndefined(m.config) },
            this: this.modelRelation(m),
            isIncremental: typeof incremental === "function" ? incremental(m) : Boolean(incremental),
          }
        : {}),
      resolveRef: (name: string, pkg?: string): RefResolution | undefined => {
        if (pkg !== undefined && pkg !== this.project.name) return undefined;
        const target = this.models.get(name);
        if (!target) return this.seedOrSnapshotRelation(name);
        if (target.config.enabled === false) return { kind: "disabled", name };
        if (this.materializedOf(target) === "ephemeral") return { kind: "ephemeral", name };
        return this.modelRelation(target);
      },
      resolveSource: (s: string, t: string) => this.sourceRelation(s, t),
      vars: this.project.vars,
      ...(this.options.cliVars ? { cliVars: this.options.cliVars } : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
      target: this.target,
      ...(this.options.fullRefresh ? { fullRefresh: true } : {}),
      ...(this.options.runStartedAt ? { runStartedAt: this.options.runStartedAt } : {}),
      macros: this.macros,
    };
  }

  /** Renders a model's own SQL once (without CTE injection). */
  private render(name: string): { result: RenderResult; model: Model } | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const model = this.models.get(name);
    if (!model) return undefined;
    const result = renderModelSql(model.sql, this.context(model, model.path));
    const entry = { result, model };
    this.cache.set(name, entry);
    return entry;
  }

  private materializedOf(m: Model): string {
    // config() in the SQL wins over the property file and the layer default, as in dbt. Rendering
    // to find out is safe here: an ephemeral check never recurses into the model's own refs' CTEs.
    const rendered = this.cache.get(m.name)?.result.config.materialized ?? peekConfigMaterialized(m.sql);
    return typeof rendered === "string" ? rendered : this.declaredMaterialization(m);
  }

  /** Compiles one model: rendered SQL with the CTEs of every ephemeral model it depends on. */
  compile(name: string): CompiledModel {
    const entry = this.render(name);
    if (!entry) {
      return {
        name,
        path: "",
        materialized: "view",
        relation: { identifier: name },
        sql: "",
        config: {},
        dependsOn: [],
        ok: false,
        diagnostics: [diagnostic("DBT3002", "error", `no model named '${name}' in the project`, { file: "", line: 1 })],
      };
    }
    const { result, model } = entry;
    const diagnostics = [...result.diagnostics];
    const ctes: Array<{ name: string; sql: string }> = [];
    const seen = new Set<string>();
    const visit = (ephemeralName: string, chain: string[]) => {
      if (seen.has(ephemeralName)) return;
      if (chain.includes(ephemeralName)) {
        diagnostics.push(diagnostic("DBT3012", "error", `ephemeral models form a cycle: ${[...chain, ephemeralName].join(" -> ")}`, { file: model.path, line: 1 }));
        return;
      }
      const dep = this.render(ephemeralName);
      if (!dep) return;
      for (const inner of dep.result.ephemeral) visit(inner, [...chain, ephemeralName]);
      for (const d of dep.result.diagnostics) if (d.severity === "error") diagnostics.push(d);
      seen.add(ephemeralName);
      ctes.push({ name: ephemeralName, sql: dep.result.sql });
    };
    for (const e of result.ephemeral) visit(e, [name]);
    const config = { ...stripUndefined(model.config), ...result.config };
    return {
      name,
      path: model.path,
      materialized: (result.config.materialized as string | undefined) ?? this.declaredMaterialization(model),
      relation: this.modelRelation(model),
      sql: result.ok ? injectEphemeralCtes(result.sql, ctes) : "",
      config,
      dependsOn: [...new Set(result.refs.filter((r) => r.package === undefined || r.package === this.project.name).map((r) => r.model))],
      ok: !diagnostics.some((d) => d.severity === "error"),
      diagnostics,
    };
  }

  /**
   * Every non-ephemeral model, compiled, in an order where each model comes after the models it
   * refs (ties broken by name, so the order is stable). Models in a cycle are reported and left out.
   */
  compileAll(): { models: CompiledModel[]; diagnostics: Diagnostic[]; disabled: string[] } {
    const compiled = new Map<string, CompiledModel>();
    // dbt leaves disabled models out of the graph entirely.
    const disabled = this.project.models.filter((m) => m.config.enabled === false).map((m) => m.name);
    for (const m of this.project.models) if (m.config.enabled !== false) compiled.set(m.name, this.compile(m.name));
    const order: CompiledModel[] = [];
    const state = new Map<string, "visiting" | "done">();
    const diagnostics: Diagnostic[] = [];
    const visit = (name: string, chain: string[]) => {
      const s = state.get(name);
      if (s === "done") return;
      if (s === "visiting") {
        diagnostics.push(diagnostic("DBT3012", "error", `models form a cycle: ${[...chain, name].join(" -> ")}`, { file: this.models.get(name)?.path ?? "", line: 1 }));
        return;
      }
      const c = compiled.get(name);
      if (!c) return;
      state.set(name, "visiting");
      for (const dep of [...c.dependsOn].sort()) visit(dep, [...chain, name]);
      state.set(name, "done");
      if (c.materialized !== "ephemeral") order.push(c);
    };
    for (const name of [...compiled.keys()].sort()) visit(name, []);
    return { models: order, diagnostics, disabled };
  }

  /**
   * The project's on-run-start (or on-run-end) hooks rendered as dbt renders them (no model
   * context), one entry per hook. Scalar-function emulations created this way must exist before
   * the models run.
   */
  compileHooks(which: "on-run-start" | "on-run-end" = "on-run-start"): Array<{ sql: string; ok: boolean; diagnostics: Diagnostic[] }> {
    const hooks = which === "on-run-start" ? this.project.onRunStart : this.project.onRunEnd;
    return hooks.map((h, i) => {
      const r = this.renderText(h, `dbt_project.yml (${which} #${i + 1})`);
      return { sql: r.sql.trim(), ok: r.ok, diagnostics: r.diagnostics };
    });
  }

  /** Renders arbitrary Jinja (an on-run-start hook, a test) in the project's context. */
  renderText(text: string, file: string, extraGlobals?: Record<string, unknown>): RenderResult {
    return renderModelSql(text, { ...this.context(undefined, file), ...(extraGlobals ? { extraGlobals } : {}) });
  }

  /** Relation text for a relationships target or a tested resource, with ephemeral CTEs when needed. */
  relationFor(t: RelationTarget): { text: string; ctes: Array<{ name: string; sql: string }>; diagnostics: Diagnostic[] } | undefined {
    if (t.kind === "source") {
      const r = this.sourceRelation(t.source, t.table);
      return r ? { text: relationText(r), ctes: [], diagnostics: [] } : undefined;
    }
    const m = this.models.get(t.model);
    if (!m) {
      const r = this.seedOrSnapshotRelation(t.model);
      return r ? { text: relationText(r), ctes: [], diagnostics: [] } : undefined;
    }
    if (m.config.enabled === false) return undefined;
    if (this.materializedOf(m) !== "ephemeral") return { text: relationText(this.modelRelation(m)), ctes: [], diagnostics: [] };
    // A test on an ephemeral model selects from its CTE, as dbt does.
    const c = this.compile(m.name);
    return { text: `__dbt__cte__${m.name}`, ctes: [{ name: m.name, sql: c.sql }], diagnostics: c.diagnostics.filter((d) => d.severity === "error") };
  }
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** A literal materialized='...' in a config() call, read without rendering (to classify refs). */
function peekConfigMaterialized(sql: string): string | undefined {
  const m = /\{\{-?\s*config\s*\(([^)]*)\)\s*-?\}\}/.exec(sql);
  const v = m ? /\bmaterialized\s*=\s*['"]([a-z_]+)['"]/.exec(m[1]!) : null;
  return v?.[1];
}

function relationText(r: RelationParts): string {
  return [r.database, r.schema, r.identifier]
    .filter((p): p is string => p !== undefined && p !== "")
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join(".");
}

/** Compiles one model of a project. */
export function compileModel(project: DbtProjectInput | DbtProject, name: string, options: ProjectCompileOptions): CompiledModel {
  return new ProjectCompiler(project, options).compile(name);
}

// ---------------------------------------------------------------------------------------------
// Data tests

/**
 * dbt's built-in generic tests, as dbt-adapters defines them (default__test_*), and the wrapper
 * dbt puts around every test query (default__get_test_sql). Rendered by our Jinja renderer so the
 * SQL is what dbt's templates produce.
 */
const DBT_BUILTIN_TESTS_PATH = "dbt/include/global_project/macros/generic_test_sql.sql";
export const DBT_BUILTIN_TESTS = `{% test unique(model, column_name) %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records

from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1

{% endtest %}
{% test not_null(model, column_name) %}

{% set column_list = '*' if should_store_failures() else column_name %}

select {{ column_list }}
from {{ model }}
where {{ column_name }} is null

{% endtest %}
{% test accepted_values(model, column_name, values, quote=True) %}

with all_values as (

    select
        {{ column_name }} as value_field,
        count(*) as n_records

    from {{ model }}
    group by {{ column_name }}

)

select *
from all_values
where value_field not in (
    {% for value in values -%}
        {% if quote -%}
        '{{ value }}'
        {%- else -%}
        {{ value }}
        {%- endif -%}
        {%- if not loop.last -%},{%- endif %}
    {%- endfor %}
)

{% endtest %}
{% test relationships(model, column_name, to, field) %}

with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

{% endtest %}
{% macro get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
    select
      {{ fail_calc }} as failures,
      {{ fail_calc }} {{ warn_if }} as should_warn,
      {{ fail_calc }} {{ error_if }} as should_error
    from (
      {{ main_sql }}
      {{ "limit " ~ limit if limit != none else "" }}
    ) dbt_internal_test
{%- endmacro %}
`;

export interface CompiledDataTest {
  /** dbt's synthesised test name (what `dbt test` prints), or the test's own name. */
  name: string;
  /** The name dbt gives the test's file and relation (shortened with an md5 past 63 characters). */
  alias: string;
  /** The generic test: unique, not_null, accepted_values, relationships, datamigrate_*. */
  test: string;
  attachedTo: { kind: "model"; model: string } | { kind: "source"; source: string; table: string } | { kind: "seed"; seed: string };
  column?: string;
  severity: "error" | "warn";
  /** The property file that declares the test. */
  file: string;
  /** The test's query: the rows that fail it. */
  sql: string;
  /** dbt's wrapper: one row with failures, should_warn, should_error. */
  countSql: string;
  ok: boolean;
  diagnostics: Diagnostic[];
}

function md5(s: string): string {
  return createHash("md5").update(s, "utf8").digest("hex");
}

function pyStr(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  return String(v);
}

/**
 * dbt's synthesize_generic_test_names: `name` is the test's full name (what dbt prints and
 * selects by); `alias` is the same, or when that reaches 64 characters a 30-character prefix and
 * an md5 of the full name (dbt's file name and relation name for the test).
 */
export function synthesizeTestName(testType: string, testName: string, args: Record<string, unknown>): { name: string; alias: string } {
  const flat: string[] = [];
  for (const key of Object.keys(args).sort()) {
    if (key === "model") continue;
    const v = args[key];
    const parts = Array.isArray(v) ? v : v !== null && typeof v === "object" ? Object.values(v) : [v];
    flat.push(...parts.map(pyStr));
  }
  const unique = flat.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, "_")).join("__");
  const identifier = `${testType}_${testName}`;
  const full = `${identifier}_${unique}`;
  return { name: full, alias: full.length >= 64 ? `${identifier.slice(0, 30)}_${md5(full)}` : full };
}

interface TestSpec {
  test: string;
  args: Record<string, unknown>;
  relationArgs: { to?: RelationTarget };
  def: ColumnDataTest | TableDataTest;
}

function specOf(t: ColumnDataTest | TableDataTest, column: string | undefined): TestSpec {
  switch (t.test) {
    case "unique":
    case "not_null":
      return { test: t.test, args: { column_name: column }, relationArgs: {}, def: t };
    case "accepted_values":
      return { test: t.test, args: { column_name: column, values: t.values, ...(t.quote !== undefined ? { quote: t.quote } : {}) }, relationArgs: {}, def: t };
    case "relationships":
      return { test: t.test, args: { column_name: column, to: relationTargetString(t.to), field: t.field }, relationArgs: { to: t.to }, def: t };
    case "unique_combination":
      return { test: GENERIC_TEST_NAMES.unique_combination, args: { combination_of_columns: t.columns }, relationArgs: {}, def: t };
    case "expression_is_true":
      return { test: GENERIC_TEST_NAMES.expression_is_true, args: { expression: t.expression }, relationArgs: {}, def: t };
  }
}

function relationTargetString(t: RelationTarget): string {
  return t.kind === "ref" ? (t.package ? `ref('${t.package}', '${t.model}')` : `ref('${t.model}')`) : `source('${t.source}', '${t.table}')`;
}

/**
 * Turns every data test the project declares into the SQL dbt runs for it: the generic test's
 * query over the tested relation (filtered by `where` as dbt's get_where_subquery does), and
 * dbt's count wrapper. Tests of ephemeral models select from the model's CTE.
 */
export function compileDataTests(project: DbtProjectInput | DbtProject | ProjectCompiler, options?: ProjectCompileOptions): CompiledDataTest[] {
  const compiler =
    project instanceof ProjectCompiler ? project : new ProjectCompiler(project, options ?? { schema: parseDbtProject(project as DbtProjectInput).targetSchema });
  const p = compiler.project;
  const out: CompiledDataTest[] = [];

  const emit = (
    attachedTo: CompiledDataTest["attachedTo"],
    testedName: string,
    self: RelationTarget,
    file: string,
    column: string | undefined,
    t: ColumnDataTest | TableDataTest,
  ) => {
    const spec = specOf(t, column);
    // dbt names source tests source_<test>_<source>_<table>_... (TestBuilder.get_synthetic_test_names).
    const synthesized = synthesizeTestName(attachedTo.kind === "source" ? `source_${spec.test}` : spec.test, testedName, spec.args);
    const name = t.name ?? synthesized.name;
    const alias = t.name ?? synthesized.alias;
    const diagnostics: Diagnostic[] = [];
    const modelRel = compiler.relationFor(self);
    const toRel = spec.relationArgs.to ? compiler.relationFor(spec.relationArgs.to) : undefined;
    const where = t.config?.where;
    let sql = "";
    let countSql = "";
    if (!modelRel) diagnostics.push(diagnostic("DBT3002", "error", `test ${name}: the tested relation is not defined`, { file, line: 1 }));
    else if (spec.relationArgs.to && !toRel)
      diagnostics.push(diagnostic("DBT3002", "error", `test ${name}: ${relationTargetString(spec.relationArgs.to)} is not defined`, { file, line: 1 }));
    else {
      diagnostics.push(...modelRel.diagnostics, ...(toRel?.diagnostics ?? []));
      const model = where ? `(select * from ${modelRel.text} where ${where}) dbt_subquery` : modelRel.text;
      const args: Record<string, unknown> = { ...spec.args, model, ...(toRel ? { to: toRel.text } : {}) };
      const argNames = Object.keys(args);
      const call = `{{ test_${spec.test}(${argNames.map((a) => `${a}=__arg_${a}`).join(", ")}) }}`;
      const extra: Record<string, unknown> = Object.fromEntries(argNames.map((a) => [`__arg_${a}`, args[a]]));
      const rendered = compiler.renderText(call, file, extra);
      diagnostics.push(...rendered.diagnostics);
      if (rendered.ok) {
        const ctes = [...modelRel.ctes, ...(toRel?.ctes ?? []).filter((c) => !modelRel.ctes.some((m) => m.name === c.name))];
        sql = injectEphemeralCtes(rendered.sql.trim(), ctes);
        const wrapper = compiler.renderText(
          "{{ get_test_sql(main_sql=__main, fail_calc=__fail_calc, warn_if=__warn_if, error_if=__error_if, limit=__limit) }}",
          file,
          { __main: sql, __fail_calc: "count(*)", __warn_if: t.config?.warn_if ?? "!= 0", __error_if: t.config?.error_if ?? "!= 0", __limit: t.config?.limit ?? null },
        );
        diagnostics.push(...wrapper.diagnostics);
        countSql = wrapper.sql.trim();
      }
    }
    out.push({
      name,
      alias,
      test: spec.test,
      attachedTo,
      ...(column !== undefined ? { column } : {}),
      severity: t.config?.severity ?? "error",
      file,
      sql,
      countSql,
      ok: !diagnostics.some((d) => d.severity === "error"),
      diagnostics,
    });
  };

  // dbt disables the tests of a disabled model, and those that point at one.
  const disabledModels = new Set(p.models.filter((m) => m.config.enabled === false).map((m) => m.name));
  const live = <T extends ColumnDataTest | TableDataTest>(t: T) => !(t.test === "relationships" && t.to.kind === "ref" && t.to.package === undefined && disabledModels.has(t.to.model));
  for (const s of p.sources)
    for (const table of s.tables) {
      const file = sourcePropertyFilePath(s);
      const self: RelationTarget = { kind: "source", source: s.name, table: table.name };
      const attached = { kind: "source" as const, source: s.name, table: table.name };
      const testedName = `${s.name}_${table.name}`;
      for (const c of table.columns) for (const t of c.data_tests.filter(live)) emit(attached, testedName, self, file, testColumn(c), t);
      for (const t of table.data_tests) emit(attached, testedName, self, file, undefined, t);
    }
  for (const m of p.models) {
    if (disabledModels.has(m.name)) continue;
    const file = modelPropertyFilePath(m.path.slice(0, m.path.lastIndexOf("/")));
    const self: RelationTarget = { kind: "ref", model: m.name };
    const attached = { kind: "model" as const, model: m.name };
    for (const c of m.columns) for (const t of c.data_tests.filter(live)) emit(attached, m.name, self, file, testColumn(c), t);
    for (const t of m.data_tests) emit(attached, m.name, self, file, undefined, t);
  }
  for (const seed of p.seeds) {
    const self: RelationTarget = { kind: "ref", model: seed.name };
    for (const c of seed.columns) for (const t of c.data_tests) emit({ kind: "seed", seed: seed.name }, seed.name, self, "seeds/_seeds.yml", testColumn(c), t);
  }
  return out;
}

/** dbt passes a column with `quote: true` to its tests already quoted (and names the test after that). */
function testColumn(c: { name: string; quote?: boolean | undefined }): string {
  return c.quote ? `"${c.name.replace(/"/g, '""')}"` : c.name;
}
