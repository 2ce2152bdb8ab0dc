// Sources and staging models from table descriptions: one dbt source per SQL Server schema, one
// `stg_<source>__<table>` model per table (rename and cast only, per dbt Labs' guide), and data
// tests derived from the table's constraints. The input is a plain description rather than the
// catalog's types so this folder stays independent of the catalog; the translator maps one to the other.
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { NameScope, stagingModelName, type NamingStyle } from "./naming.ts";
import type { ColumnDataTest, ColumnInput, ModelInput, SourceObjectRef, TableDataTest } from "./project.ts";

export interface TableColumnSpec {
  /** The column's name in SQL Server (and in the loaded source table). */
  name: string;
  /** Type of the column in the source relation on the target (for documentation). */
  dataType?: string;
  /** Target type to cast to in the staging model, when the source type needs it. */
  castTo?: string;
  description?: string;
  nullable?: boolean;
}

export interface TableSpec {
  database?: string;
  schema: string;
  name: string;
  description?: string;
  columns: TableColumnSpec[];
  primaryKey?: string[];
  uniqueKeys?: string[][];
  foreignKeys?: Array<{ columns: string[]; references: { schema: string; table: string; columns: string[] } }>;
  /** CHECK (col IN (...)) constraints. */
  acceptedValues?: Array<{ column: string; values: Array<string | number> }>;
}

export interface StagingOptions {
  target?: "postgres" | "sqlserver";
  style?: NamingStyle;
  /** The schema that holds the loaded source tables on the target. Default: the SQL Server schema. */
  sourceSchema?(schema: string, database?: string): string;
  /** The file to cite in diagnostics. */
  file?: string;
  /** Model names already used elsewhere in the project. */
  reservedModelNames?: string[];
}

export interface StagingSource {
  name: string;
  database?: string;
  schema: string;
  description?: string;
  tables: Array<{ name: string; identifier?: string; description?: string; origin: SourceObjectRef; columns: ColumnInput[] }>;
}

export interface StagingResult {
  sources: StagingSource[];
  models: ModelInput[];
  /** SQL Server "schema.table" → staging model name, for the translator's ref() rewriting. */
  modelOf: Map<string, string>;
  /** SQL Server "schema.table" → {source, table} for source(). */
  sourceOf: Map<string, { source: string; table: string }>;
  /** SQL Server "schema.table" → original column name → staging column name. */
  columnsOf: Map<string, Map<string, string>>;
  diagnostics: Diagnostic[];
}

const key = (schema: string, name: string) => `${schema}.${name}`.toLowerCase();

function quoteSourceColumn(name: string, target: "postgres" | "sqlserver"): string {
  return target === "sqlserver" ? `[${name.replace(/]/g, "]]")}]` : `"${name.replace(/"/g, '""')}"`;
}

/** Builds sources, staging models and their constraint tests for a set of tables. */
export function buildStaging(tables: TableSpec[], options: StagingOptions = {}): StagingResult {
  const target = options.target ?? "postgres";
  const style = options.style ?? "snake";
  const at = { file: options.file ?? "", line: 0 };
  const diagnostics: Diagnostic[] = [];

  const sourceScope = new NameScope({ what: "source (schema)", style, at, reserved: "keep" });
  const sourceNames = sourceScope.assign(tables.map((t) => t.schema));
  const takenModels = new Set((options.reservedModelNames ?? []).map((n) => n.toLowerCase()));
  const tableScopes = new Map<string, NameScope>();

  // Names first (every table, every column), so that foreign keys can point at any table.
  const modelOf = new Map<string, string>();
  const sourceOf = new Map<string, { source: string; table: string }>();
  const columnsOf = new Map<string, Map<string, string>>();
  const sorted = [...tables].sort((a, b) => (key(a.schema, a.name) < key(b.schema, b.name) ? -1 : 1));
  for (const t of sorted) {
    const src = sourceNames.get(t.schema)!;
    let scope = tableScopes.get(src);
    if (!scope) tableScopes.set(src, (scope = new NameScope({ what: `table of source ${src}`, style, at, reserved: "keep" })));
    sourceOf.set(key(t.schema, t.name), { source: src, table: scope.name(t.name) });
    // Model names are already normalised (stg_<source>__<table>); only collisions are handled here.
    const base = stagingModelName(src, t.name, style);
    let modelName = base;
    for (let i = 2; takenModels.has(modelName.toLowerCase()); i++) modelName = `${base}_${i}`;
    if (modelName !== base)
      diagnostics.push(diagnostic("DBT1001", "warning", `model for table ${t.schema}.${t.name} normalises to '${base}', which is already taken; named '${modelName}'`, at));
    takenModels.add(modelName.toLowerCase());
    modelOf.set(key(t.schema, t.name), modelName);
    const colScope = new NameScope({ what: `column of ${t.schema}.${t.name}`, style, at });
    columnsOf.set(key(t.schema, t.name), colScope.assign(t.columns.map((c) => c.name)));
    diagnostics.push(...colScope.diagnostics);
  }
  diagnostics.push(...sourceScope.diagnostics, ...[...tableScopes.values()].flatMap((s) => s.diagnostics));

  const sources = new Map<string, StagingSource>();
  const models: ModelInput[] = [];
  for (const t of sorted) {
    const k = key(t.schema, t.name);
    const src = sourceOf.get(k)!;
    const cols = columnsOf.get(k)!;
    const origin: SourceObjectRef = { ...(t.database ? { database: t.database } : {}), schema: t.schema, name: t.name, kind: "table" };
    let source = sources.get(src.source);
    if (!source) {
      source = {
        name: src.source,
        ...(t.database ? { database: t.database } : {}),
        schema: options.sourceSchema ? options.sourceSchema(t.schema, t.database) : t.schema,
        description: `SQL Server schema ${t.database ? `${t.database}.` : ""}${t.schema}`,
        tables: [],
      };
      sources.set(src.source, source);
    }
    source.tables.push({
      name: src.table,
      ...(src.table !== t.name ? { identifier: t.name } : {}),
      ...(t.description ? { description: t.description } : {}),
      origin,
      columns: t.columns.map((c) => ({
        name: c.name,
        ...(c.dataType ? { data_type: c.dataType } : {}),
        ...(c.description ? { description: c.description } : {}),
        ...(/^[a-z_][a-z0-9_]*$/.test(c.name) ? {} : { quote: true }),
      })),
    });

    // Tests from constraints, on the staging model's (renamed) columns.
    const colTests = new Map<string, ColumnDataTest[]>();
    const addTest = (col: string, test: ColumnDataTest) => {
      const list = colTests.get(col) ?? [];
      if (!list.some((x) => JSON.stringify(x) === JSON.stringify(test))) list.push(test);
      colTests.set(col, list);
    };
    const tableTests: TableDataTest[] = [];
    const renamed = (c: string): string | undefined => {
      const n = cols.get(c) ?? [...cols.entries()].find(([o]) => o.toLowerCase() === c.toLowerCase())?.[1];
      if (n === undefined)
        diagnostics.push(diagnostic("DBT5001", "warning", `constraint on ${t.schema}.${t.name} names column '${c}', which the table does not have; no test for it`, at));
      return n;
    };
    const keyTests = (columns: string[], what: "primary key" | "unique") => {
      const names = columns.map(renamed);
      if (names.some((n) => n === undefined)) return;
      if (names.length === 1) addTest(names[0]!, { test: "unique" });
      else tableTests.push({ test: "unique_combination", columns: names as string[] });
      if (what === "primary key") for (const n of names) addTest(n!, { test: "not_null" });
    };
    if (t.primaryKey?.length) keyTests(t.primaryKey, "primary key");
    for (const u of t.uniqueKeys ?? []) keyTests(u, "unique");
    for (const c of t.columns) if (c.nullable === false) addTest(cols.get(c.name)!, { test: "not_null" });
    for (const fk of t.foreignKeys ?? []) {
      const parent = modelOf.get(key(fk.references.schema, fk.references.table));
      if (!parent) {
        diagnostics.push(
          diagnostic("DBT5002", "note", `foreign key of ${t.schema}.${t.name} references ${fk.references.schema}.${fk.references.table}, which is not converted; no relationships test`, at),
        );
        continue;
      }
      if (fk.columns.length !== 1 || fk.references.columns.length !== 1) {
        diagnostics.push(diagnostic("DBT5003", "note", `composite foreign key of ${t.schema}.${t.name} (${fk.columns.join(", ")}): dbt's relationships test takes one column; not tested`, at));
        continue;
      }
      const child = renamed(fk.columns[0]!);
      const parentCols = columnsOf.get(key(fk.references.schema, fk.references.table))!;
      const field = parentCols.get(fk.references.columns[0]!) ?? [...parentCols.entries()].find(([o]) => o.toLowerCase() === fk.references.columns[0]!.toLowerCase())?.[1];
      if (child === undefined || field === undefined) continue;
      addTest(child, { test: "relationships", to: { kind: "ref", model: parent }, field });
    }
    for (const av of t.acceptedValues ?? []) {
      const n = renamed(av.column);
      if (n === undefined) continue;
      const numeric = av.values.every((v) => typeof v === "number");
      addTest(n, { test: "accepted_values", values: av.values, ...(numeric ? { quote: false } : {}) });
    }

    const modelName = modelOf.get(k)!;
    const select = t.columns
      .map((c) => {
        const from = quoteSourceColumn(c.name, target);
        const expr = c.castTo ? `cast(${from} as ${c.castTo})` : from;
        return `    ${expr} as ${cols.get(c.name)}`;
      })
      .join(",\n");
    models.push({
      name: modelName,
      path: `models/staging/${src.source}/${modelName}.sql`,
      sql: `select\n${select}\nfrom {{ source('${src.source}', '${src.table}') }}\n`,
      description: t.description ? t.description : `Table ${t.schema}.${t.name}, renamed${t.columns.some((c) => c.castTo) ? " and cast" : ""}.`,
      origin,
      columns: t.columns.map((c) => {
        const n = cols.get(c.name)!;
        return {
          name: n,
          ...(n !== c.name ? { origin: c.name } : {}),
          ...(c.castTo ?? c.dataType ? { data_type: c.castTo ?? c.dataType } : {}),
          ...(c.description ? { description: c.description } : {}),
          data_tests: colTests.get(n) ?? [],
        };
      }),
      data_tests: tableTests,
    });
  }
  return { sources: [...sources.values()], models, modelOf, sourceOf, columnsOf, diagnostics };
}
