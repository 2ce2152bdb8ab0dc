// The public shapes of the translator: what a caller gives (TranslateContext) and gets back
// (Translation). Kept apart from the generator so the project writer can import them cheaply.
import type { Catalog, CatalogObject } from "../catalog/model.ts";
import type { Diagnostic } from "../diagnostics.ts";
import type { ObjectName } from "../tsql/ast.ts";
import type { SqlType } from "./types.ts";

export type Target = "postgres" | "sqlserver";

export interface RelationInfo {
  /** The catalog object the name resolved to (undefined: not in the catalog). */
  object?: CatalogObject;
  /** Catalog id (`schema.name`) when resolved. */
  id?: string;
}

export interface TranslateOptions {
  /** SET DATEFIRST in force (default 7, us_english). */
  datefirst?: number;
  /** Database default collation (default: the catalog's, else SQL_Latin1_General_CP1_CI_AS). */
  defaultCollation?: string;
  /** Schema for unqualified names (default: the catalog's, else dbo). */
  defaultSchema?: string;
}

export interface TranslateContext {
  target?: Target;
  /** Source of column types, collations, view/function definitions. */
  catalog?: Catalog;
  /**
   * Renders a table/view/synonym reference, e.g. `{{ ref('stg_x') }}` or `{{ source('s','t') }}`.
   * Return undefined to get the default rendering (`schema.name`, Postgres identifiers).
   */
  resolveRelation?: (name: ObjectName, info: RelationInfo) => string | undefined;
  /** Renders a call target of a user function (scalar or table-valued). Default `schema.name`. */
  resolveFunction?: (name: ObjectName, info: RelationInfo) => string | undefined;
  /**
   * Renders a column name of a catalog relation (staging models may rename columns). Default: the
   * Postgres spelling of the name (lower-cased, quoted when needed).
   */
  columnName?: (relationId: string | undefined, column: string) => string;
  /** Schema holding the runtime functions (`tsql_*`), default `tsql`. */
  runtimeSchema?: string;
  options?: TranslateOptions;
  /** File reported in diagnostics when a node has no location. */
  file?: string;
  /** The batch text the statement was parsed from (sqlserver target keeps the text). */
  batchText?: string;
}

export interface OutputColumn {
  name: string;
  /** SQL Server type (unknown when it cannot be known). */
  type: SqlType;
  /** Postgres type the column has in the translation. */
  pgType: string;
}

export interface Translation {
  sql: string;
  diagnostics: Diagnostic[];
  /** Runtime function names (registry keys) the SQL calls; install these (with dependencies). */
  runtimeFunctions: string[];
  outputColumns?: OutputColumn[];
}
