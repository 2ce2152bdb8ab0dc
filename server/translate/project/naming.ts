// Every dbt name the conversion hands out, decided once per catalog so that sources, staging
// models, view models, tests and the mapping file agree. Deterministic: the same catalog always
// gives the same names, whatever order a reader listed the objects in.
import type { Diagnostic } from "../../diagnostics.ts";
import type { Catalog, CatalogObject } from "../../catalog/model.ts";
import { NameScope, stagingModelName, toIdentifier, type NamingStyle } from "../../dbt/naming.ts";

export interface TableNames {
  /** dbt source name (from the SQL Server schema). */
  source: string;
  /** dbt name of the table inside its source; `identifier` keeps the SQL Server spelling. */
  table: string;
  staging: string;
  stagingPath: string;
  /** Original column name → staging column name. */
  columns: Map<string, string>;
}

export interface ProjectNames {
  /** SQL Server schema (as spelled by the catalog) → dbt source name. */
  sources: Map<string, string>;
  /** Table id → names. */
  tables: Map<string, TableNames>;
  /** View id → model name and path. */
  views: Map<string, { model: string; path: string }>;
  /** Function id → macro name and path. */
  functions: Map<string, { macro: string; path: string }>;
  diagnostics: Diagnostic[];
}

const key = (s: string) => s.toLowerCase();

export function assignNames(catalog: Catalog, tables: CatalogObject[], views: CatalogObject[], functions: CatalogObject[], style: NamingStyle = "snake"): ProjectNames {
  const diagnostics: Diagnostic[] = [];
  const schemas = [...new Set([...tables, ...views, ...functions].map((o) => o.schema))];
  const sourceScope = new NameScope({ what: "source (SQL Server schema)", style, reserved: "keep" });
  const sources = sourceScope.assign(schemas);
  diagnostics.push(...sourceScope.diagnostics);

  // Model and macro names are built from already-normalised parts (`stg_<source>__<table>`), so
  // they are only made unique here, never normalised again (that would fold the `__`).
  const modelScope = new UniqueNames("model");
  const tableNames = new Map<string, TableNames>();
  const bySchema = new Map<string, CatalogObject[]>();
  for (const t of tables) bySchema.set(t.schema, [...(bySchema.get(t.schema) ?? []), t]);
  for (const [schema, list] of bySchema) {
    const source = sources.get(schema)!;
    const scope = new NameScope({ what: `source table of ${source}`, style, reserved: "keep" });
    const names = scope.assign(list.map((t) => t.name));
    diagnostics.push(...scope.diagnostics);
    for (const t of list) {
      const table = names.get(t.name)!;
      const staging = modelScope.name(stagingModelName(source, table, style));
      const colScope = new NameScope({ what: `column of ${t.id}`, style, at: { file: t.file, line: t.line } });
      const columns = colScope.assign(t.columns.map((c) => c.name));
      diagnostics.push(...colScope.diagnostics);
      tableNames.set(t.id, { source, table, staging, stagingPath: `models/staging/${source}/${staging}.sql`, columns });
    }
  }

  // View models live in models/marts/<source>/. A view name used in two schemas is prefixed with
  // its source so neither depends on which was read first.
  const bare = new Map<string, number>();
  for (const v of views) bare.set(key(toIdentifier(v.name, { style, reserved: "keep" })), (bare.get(key(toIdentifier(v.name, { style, reserved: "keep" }))) ?? 0) + 1);
  const viewNames = new Map<string, { model: string; path: string }>();
  for (const v of [...views].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const base = toIdentifier(v.name, { style, reserved: "keep" });
    const source = sources.get(v.schema)!;
    const wanted = bare.get(key(base))! > 1 ? `${source}__${base}` : base;
    const model = modelScope.name(wanted);
    viewNames.set(v.id, { model, path: `models/marts/${source}/${model}.sql` });
  }
  diagnostics.push(...modelScope.diagnostics);

  const macroScope = new UniqueNames("macro");
  const fnNames = new Map<string, { macro: string; path: string }>();
  for (const f of [...functions].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const source = sources.get(f.schema)!;
    const macro = macroScope.name(`${source}__${toIdentifier(f.name, { style, reserved: "keep" })}`);
    fnNames.set(f.id, { macro, path: `macros/functions/${macro}.sql` });
  }
  diagnostics.push(...macroScope.diagnostics);
  void catalog;
  return { sources, tables: tableNames, views: viewNames, functions: fnNames, diagnostics };
}

/** Case-insensitive uniqueness with `_2`, `_3` suffixes, in the order names are asked for. */
class UniqueNames {
  private readonly taken = new Set<string>();
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly what: string) {}
  name(wanted: string): string {
    let candidate = wanted;
    for (let i = 2; this.taken.has(key(candidate)); i++) candidate = `${wanted.slice(0, 60)}_${i}`;
    if (candidate !== wanted)
      this.diagnostics.push({ code: "DBT1001", severity: "warning", message: `${this.what} name '${wanted}' is already taken; named '${candidate}'`, file: "", line: 1 });
    this.taken.add(key(candidate));
    return candidate;
  }
}
