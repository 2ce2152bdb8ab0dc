// The normalised model of a source database. Every reader (scripts, SSDT, dacpac, live server)
// ends up here through buildCatalog, so downstream code never asks where a fact came from.
// zod checks the shape at the boundary; module ASTs are the parser's own types and pass as-is.
import { z } from "zod";
import type { Batch, Statement } from "../tsql/ast.ts";

export const DEFAULT_COLLATION = "SQL_Latin1_General_CP1_CI_AS";
export const DEFAULT_SCHEMA = "dbo";

export const ObjectKindSchema = z.enum(["schema", "table", "view", "procedure", "function", "trigger", "type", "sequence", "synonym", "index"]);
export type CatalogObjectKind = z.infer<typeof ObjectKindSchema>;

export const FunctionKindSchema = z.enum(["scalar", "inline_tvf", "multi_tvf", "clr"]);

export const ColumnTypeSchema = z.object({
  /** Lower-case built-in name (`nvarchar`) or the user type's name as written. */
  name: z.string(),
  schema: z.string().optional(),
  /** Characters for n-types, bytes otherwise; -1 = MAX. */
  length: z.number().int().optional(),
  precision: z.number().int().optional(),
  scale: z.number().int().optional(),
  userDefined: z.boolean().optional(),
});
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

export const ColumnSchema = z.object({
  name: z.string(),
  /** Absent for computed columns whose type SQL Server infers. */
  type: ColumnTypeSchema.optional(),
  nullable: z.boolean(),
  identity: z.object({ seed: z.string(), increment: z.string() }).optional(),
  computed: z.object({ expression: z.string(), persisted: z.boolean() }).optional(),
  /** Effective collation of a character column: its own, else the database default. */
  collation: z.string().optional(),
  /** True when the column states a collation other than the database default. */
  collationExplicit: z.boolean().optional(),
  default: z.object({ name: z.string().optional(), expression: z.string() }).optional(),
  description: z.string().optional(),
  rowguidcol: z.boolean().optional(),
  sparse: z.boolean().optional(),
});
export type Column = z.infer<typeof ColumnSchema>;

export const ConstraintSchema = z.object({
  kind: z.enum(["primary_key", "unique", "foreign_key", "check", "default"]),
  name: z.string().optional(),
  columns: z.array(z.string()),
  clustered: z.boolean().optional(),
  references: z.object({ schema: z.string().optional(), name: z.string(), columns: z.array(z.string()) }).optional(),
  onDelete: z.string().optional(),
  onUpdate: z.string().optional(),
  expression: z.string().optional(),
  enabled: z.boolean().optional(),
});
export type Constraint = z.infer<typeof ConstraintSchema>;

export const IndexSchema = z.object({
  name: z.string(),
  unique: z.boolean(),
  clustered: z.boolean(),
  columns: z.array(z.string()),
  include: z.array(z.string()),
  filter: z.string().optional(),
  kind: z.string().optional(),
});
export type Index = z.infer<typeof IndexSchema>;

export const ModuleSchema = z.object({
  /** The CREATE/ALTER statement's text as written (what sys.sql_modules.definition holds). */
  text: z.string(),
  usesAnsiNulls: z.boolean(),
  usesQuotedIdentifier: z.boolean(),
  /** The parsed statement (CreateView, CreateProcedure, CreateFunction, CreateTrigger). */
  ast: z.custom<Statement>((v) => v === undefined || (typeof v === "object" && v !== null && "kind" in v)).optional(),
  /** The batch the statement was parsed in: node offsets index into `batch.text`. */
  batch: z.custom<Batch>((v) => v === undefined || (typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "Batch")).optional(),
  /** True when the body did not parse into the expected statement (a Command or an error). */
  unparsed: z.boolean().optional(),
});
export type Module = z.infer<typeof ModuleSchema>;

export const ReferenceSchema = z.object({
  /** The name as written, dotted (`Sales.Orders`, `otherdb.dbo.T`). */
  name: z.string(),
  role: z.string(),
  /** Id of the catalog object it resolved to. */
  resolved: z.string().optional(),
  /** When resolved through a synonym: the synonym's id (resolved is then the target's, when local). */
  via: z.string().optional(),
  line: z.number().int(),
});
export type Reference = z.infer<typeof ReferenceSchema>;

export const CatalogObjectSchema = z.object({
  /** `schema.name`; indexes `schema.table.index`; schemas their name. Unique in the catalog. */
  id: z.string(),
  schema: z.string(),
  name: z.string(),
  kind: ObjectKindSchema,
  functionKind: FunctionKindSchema.optional(),
  file: z.string(),
  line: z.number().int(),
  origin: z.enum(["file", "folder", "zip", "sqlproj", "dacpac", "live"]),
  columns: z.array(ColumnSchema),
  constraints: z.array(ConstraintSchema),
  indexes: z.array(IndexSchema),
  module: ModuleSchema.optional(),
  description: z.string().optional(),
  synonymFor: z.object({ server: z.string().optional(), database: z.string().optional(), schema: z.string().optional(), name: z.string() }).optional(),
  /** Synonyms: the id of the local object they stand for, when it is in the catalog. */
  synonymTarget: z.string().optional(),
  parent: z.object({ schema: z.string(), name: z.string() }).optional(),
  baseType: ColumnTypeSchema.optional(),
  isTableType: z.boolean().optional(),
  /** Schemas: used by objects but created by none of the inputs (dbo, or one made elsewhere). */
  implicit: z.boolean().optional(),
  rowCount: z.number().optional(),
  /** Ids of the catalog objects this one needs (resolved references, sorted, no duplicates, no self). */
  dependsOn: z.array(z.string()),
  references: z.array(ReferenceSchema),
});
export type CatalogObject = z.infer<typeof CatalogObjectSchema>;

export const UnresolvedSchema = z.object({
  /** Id of the referencing object. */
  from: z.string(),
  name: z.string(),
  reason: z.enum(["missing", "cross_database", "linked_server", "dynamic_sql", "external_rowset"]),
  file: z.string(),
  line: z.number().int(),
});
export type Unresolved = z.infer<typeof UnresolvedSchema>;

export const DiagnosticSchema = z.object({
  code: z.string(),
  severity: z.enum(["error", "functional_difference", "warning", "note"]),
  message: z.string(),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int().optional(),
});

export const CatalogSchema = z.object({
  databaseName: z.string().optional(),
  defaultCollation: z.string(),
  defaultSchema: z.string(),
  compatibilityLevel: z.number().int().optional(),
  objects: z.array(CatalogObjectSchema),
  unresolved: z.array(UnresolvedSchema),
  diagnostics: z.array(DiagnosticSchema),
  /** Number of script files parsed and fragments merged. */
  inputs: z.object({ files: z.number().int(), fragments: z.number().int() }),
});
export type Catalog = z.infer<typeof CatalogSchema>;
