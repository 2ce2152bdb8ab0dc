// What every reader hands to the catalog: script text (SourceFile) and, for containers that already
// hold a structured model (dacpac, live server), catalog fragments. The catalog builds one model the
// same way from both, so these shapes carry facts, never decisions.
import type { Diagnostic } from "../diagnostics.ts";

export type TextEncoding = "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252";

export type OriginKind = "file" | "folder" | "zip" | "sqlproj" | "dacpac" | "live";

export interface SourceOrigin {
  kind: OriginKind;
  /** The path the user gave (a folder, a .zip, a .sqlproj's folder), when the file came from one. */
  container?: string;
  /**
   * For SSDT projects: the build action of the file. `None` files are not part of the model; they
   * are kept so that deployment scripts can include them with `:r`.
   */
  buildAction?: "Build" | "PreDeploy" | "PostDeploy" | "None";
}

export interface SourceFile {
  /** Relative to where the user pointed, with forward slashes, e.g. `db/Tables/Orders.sql` or `proj.zip/Tables/Orders.sql`. */
  path: string;
  /** Decoded text, line endings normalised to \n (one \n per original CRLF, so line numbers are unchanged). */
  text: string;
  encoding: TextEncoding;
  origin: SourceOrigin;
}

/** An SSDT project's settings, read from its .sqlproj. */
export interface ProjectSettings {
  path: string;
  name?: string;
  defaultSchema?: string;
  defaultCollation?: string;
  /** SQLCMD variables with their default values (`$(Name)` in scripts). */
  sqlcmdVariables: Record<string, string>;
  /** Target platform, e.g. Sql150 or SqlAzureV12 (from the DSP). */
  targetPlatform?: string;
}

// ---------------------------------------------------------------------------------------------
// Catalog fragments: structured objects read from a dacpac or a live server. Module bodies are text;
// the catalog parses them with the T-SQL parser like any script.

export type ObjectKind =
  | "schema"
  | "table"
  | "view"
  | "procedure"
  | "function"
  | "trigger"
  | "type"
  | "sequence"
  | "synonym"
  | "index";

export type FunctionKind = "scalar" | "inline_tvf" | "multi_tvf" | "clr";

export interface ColumnTypeDraft {
  /** Lower-case SQL Server type name (`nvarchar`, `decimal`) or the user type's name (`dbo.Name`). */
  name: string;
  schema?: string;
  /** Characters for n(var)char, bytes for (var)binary/(var)char; -1 for MAX. */
  length?: number;
  precision?: number;
  scale?: number;
  /** True when the type is a user-defined (alias or table) type. */
  userDefined?: boolean;
}

export interface ColumnDraft {
  name: string;
  type?: ColumnTypeDraft;
  nullable: boolean;
  identity?: { seed: string; increment: string };
  computed?: { expression: string; persisted: boolean };
  collation?: string;
  default?: { name?: string; expression: string };
  description?: string;
  rowguidcol?: boolean;
  sparse?: boolean;
}

export type ConstraintKind = "primary_key" | "unique" | "foreign_key" | "check" | "default";

export interface ConstraintDraft {
  kind: ConstraintKind;
  name?: string;
  columns: string[];
  clustered?: boolean;
  /** FOREIGN KEY target. */
  references?: { schema?: string; name: string; columns: string[] };
  onDelete?: string;
  onUpdate?: string;
  /** CHECK or DEFAULT expression text. */
  expression?: string;
  enabled?: boolean;
}

export interface IndexDraft {
  name: string;
  unique: boolean;
  clustered: boolean;
  /** Column names; descending ones carry a trailing " DESC". */
  columns: string[];
  include: string[];
  filter?: string;
  kind?: string;
}

export interface ModuleDraft {
  /** The full CREATE statement text (what sys.sql_modules.definition holds). */
  text: string;
  usesAnsiNulls?: boolean;
  usesQuotedIdentifier?: boolean;
  /** Line in `file` where `text` starts (1-based), so parser locations can be shifted. */
  startLine?: number;
}

export interface ObjectDraft {
  schema: string;
  name: string;
  kind: ObjectKind;
  functionKind?: FunctionKind;
  file: string;
  line: number;
  columns?: ColumnDraft[];
  constraints?: ConstraintDraft[];
  indexes?: IndexDraft[];
  module?: ModuleDraft;
  description?: string;
  /** Synonyms: the name as written, parts from server to object (missing parts omitted). */
  synonymFor?: { server?: string; database?: string; schema?: string; name: string };
  /** Triggers and indexes: the table or view they belong to. */
  parent?: { schema: string; name: string };
  /** Alias types: the base type. Table types: `columns` holds the columns. */
  baseType?: ColumnTypeDraft;
  isTableType?: boolean;
  rowCount?: number;
  /** Dependencies the source itself declares (sys.sql_expression_dependencies, dacpac BodyDependencies). */
  declaredDependencies?: DeclaredDependency[];
}

export interface DeclaredDependency {
  server?: string;
  database?: string;
  schema?: string;
  name: string;
  /** True when the server could not bind the name (is_ambiguous / missing referenced_id). */
  unresolved?: boolean;
}

export interface CatalogFragment {
  /** Where it came from: `x.dacpac` or the redacted server/database name. */
  source: string;
  origin: OriginKind;
  objects: ObjectDraft[];
  database?: {
    name?: string;
    collation?: string;
    compatibilityLevel?: number;
  };
}

/** Everything the readers produced for a set of user paths. */
export interface SourceSet {
  files: SourceFile[];
  fragments: CatalogFragment[];
  projects: ProjectSettings[];
  diagnostics: Diagnostic[];
}
