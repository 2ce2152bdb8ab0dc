// The typed T-SQL syntax tree. Every node is a plain object discriminated on `kind`, carries its
// source location, and can give back its original text through its offsets into the batch text
// (see `sourceText` in index.ts). Nothing here knows about Postgres or dbt: the translator walks it.
//
// Conventions:
// - Names are `Identifier`s (original quoting kept in `quote`, unquoted text in `value`) and
//   `ObjectName`s (1 to 4 parts). Keywords are upper-cased strings.
// - Child lists are always arrays (possibly empty); optional children are `undefined` when absent.
// - A statement the parser does not model, or could not parse, is a `Command` holding its text.

export interface Loc {
  file: string;
  /** 1-based line of the first character (in `file`, after SQLCMD :r includes are mapped back). */
  line: number;
  /** 1-based column of the first character. */
  column: number;
  /** 1-based line of the last character. */
  endLine?: number;
  /** Offset of the first character in the batch text (`Batch.text`). */
  offset?: number;
  /** Offset one past the last character in the batch text. */
  end?: number;
}

export interface Comment {
  kind: "Comment";
  /** Full text including the `--` or `/* *\/` markers. */
  text: string;
  style: "line" | "block";
  loc: Loc;
}

interface NodeBase {
  loc: Loc;
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

export interface Identifier extends NodeBase {
  kind: "Identifier";
  /** The name without quoting, `]]`/`""` escapes resolved. Case is kept (SQL Server compares by collation). */
  value: string;
  quote: "none" | "bracket" | "double";
}

/** server.database.schema.name, any leading parts optional. `db..t` gives database with no schema. */
export interface ObjectName extends NodeBase {
  kind: "ObjectName";
  server?: Identifier;
  database?: Identifier;
  schema?: Identifier;
  name: Identifier;
  /** Number of parts written (1-4), counting an empty `..` part. */
  partCount: number;
}

/** `@name`; `@@name` globals have global=true. The name keeps its `@`s. */
export interface Variable extends NodeBase {
  kind: "Variable";
  name: string;
  global: boolean;
}

// ---------------------------------------------------------------------------------------------
// Data types
// ---------------------------------------------------------------------------------------------

export interface DataType extends NodeBase {
  kind: "DataType";
  /** Upper-cased type name for built-ins (e.g. NVARCHAR, DECIMAL, DOUBLE PRECISION); as written for user types. */
  name: string;
  schema?: string;
  /** The name as written (1-2 parts, quoting kept). */
  typeName: ObjectName;
  /** Length/precision/scale; `max` for (MAX). */
  args: (number | "max")[];
  /** xml(CONTENT|DOCUMENT schema_collection) */
  xmlSchema?: { mode?: "CONTENT" | "DOCUMENT"; collection: ObjectName };
  /** A type not in SQL Server's built-in list (alias type, table type, CLR type). */
  userDefined: boolean;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

export interface Literal extends NodeBase {
  kind: "Literal";
  literalType: "string" | "nstring" | "integer" | "decimal" | "float" | "money" | "binary" | "null";
  /** Strings: the value with quotes removed and '' resolved. Numbers: the text as written. Binary: `0x...` as written. */
  value: string;
}

export interface ColumnRef extends NodeBase {
  kind: "ColumnRef";
  /** The qualifier (table or alias, possibly schema.table, db.schema.table). */
  table?: ObjectName;
  name: Identifier;
}

/** `*` or `t.*` */
export interface Star extends NodeBase {
  kind: "Star";
  table?: ObjectName;
}

/** `$action`, `$identity`, `$rowguid`, `$node_id`, ... (upper-cased, with the `$`). */
export interface PseudoColumn extends NodeBase {
  kind: "PseudoColumn";
  name: string;
}

/** The DEFAULT keyword used as a value (VALUES lists, EXEC arguments, SET col = DEFAULT). */
export interface DefaultValue extends NodeBase {
  kind: "DefaultValue";
}

export type UnaryOp = "-" | "+" | "~" | "NOT";
export interface Unary extends NodeBase {
  kind: "Unary";
  op: UnaryOp;
  operand: Expr;
}

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "||"
  | "=" | "<>" | "!=" | "<" | ">" | "<=" | ">=" | "!<" | "!>"
  | "AND" | "OR";
export interface Binary extends NodeBase {
  kind: "Binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export interface Paren extends NodeBase {
  kind: "Paren";
  expr: Expr;
}

export interface Between extends NodeBase {
  kind: "Between";
  expr: Expr;
  low: Expr;
  high: Expr;
  not: boolean;
}

export interface InList extends NodeBase {
  kind: "InList";
  expr: Expr;
  list: Expr[];
  not: boolean;
}

export interface InSubquery extends NodeBase {
  kind: "InSubquery";
  expr: Expr;
  query: QueryExpr;
  not: boolean;
}

export interface Like extends NodeBase {
  kind: "Like";
  expr: Expr;
  pattern: Expr;
  escape?: Expr;
  not: boolean;
}

export interface IsNull extends NodeBase {
  kind: "IsNull";
  expr: Expr;
  not: boolean;
}

export interface Exists extends NodeBase {
  kind: "Exists";
  query: QueryExpr;
}

/** A scalar subquery `(SELECT ...)` used as a value. */
export interface Subquery extends NodeBase {
  kind: "Subquery";
  query: QueryExpr;
}

/** The right side of `x > ALL (subquery)` / ANY / SOME. */
export interface Quantified extends NodeBase {
  kind: "Quantified";
  quantifier: "ALL" | "ANY" | "SOME";
  query: QueryExpr;
}

export interface CaseWhen {
  when: Expr;
  then: Expr;
}
export interface Case extends NodeBase {
  kind: "Case";
  /** Simple CASE `CASE x WHEN 1 THEN ...`; absent for searched CASE. */
  operand?: Expr;
  whens: CaseWhen[];
  else?: Expr;
}

export interface Iif extends NodeBase {
  kind: "Iif";
  condition: Expr;
  then: Expr;
  else: Expr;
}

/** CAST, TRY_CAST, CONVERT, TRY_CONVERT, PARSE, TRY_PARSE. */
export interface Cast extends NodeBase {
  kind: "Cast";
  fn: "CAST" | "TRY_CAST" | "CONVERT" | "TRY_CONVERT" | "PARSE" | "TRY_PARSE";
  expr: Expr;
  type: DataType;
  /** CONVERT style argument. */
  style?: Expr;
  /** PARSE ... USING culture. */
  culture?: Expr;
}

export interface Collate extends NodeBase {
  kind: "Collate";
  expr: Expr;
  collation: string;
}

export interface AtTimeZone extends NodeBase {
  kind: "AtTimeZone";
  expr: Expr;
  zone: Expr;
}

export interface FrameBound {
  type: "UNBOUNDED PRECEDING" | "UNBOUNDED FOLLOWING" | "CURRENT ROW" | "PRECEDING" | "FOLLOWING";
  offset?: Expr;
}
export interface WindowFrame {
  unit: "ROWS" | "RANGE";
  start: FrameBound;
  end?: FrameBound;
}
export interface Over extends NodeBase {
  kind: "Over";
  /** `OVER w` / `OVER (w ORDER BY ...)`: a window named in the query's WINDOW clause (SQL Server 2022). */
  windowName?: Identifier;
  partitionBy: Expr[];
  orderBy: OrderItem[];
  frame?: WindowFrame;
}

export interface FunctionCall extends NodeBase {
  kind: "FunctionCall";
  /** 1-3 part name; built-ins have only `name`. */
  name: ObjectName;
  /** Upper-cased last part of the name, for quick matching of built-ins. */
  upperName: string;
  args: Expr[];
  distinct: boolean;
  /** false for niladic forms written without parentheses (CURRENT_TIMESTAMP, SESSION_USER, ...). */
  parens: boolean;
  over?: Over;
  withinGroup?: OrderItem[];
  /** TRIM([chars] FROM str): chars is args[0] when present and this is true. */
  trimFrom?: boolean;
}

/** `expr.method(args)`: XML .value/.nodes/.query/.exist/.modify, spatial/hierarchyid methods, col.WRITE(). */
export interface MethodCall extends NodeBase {
  kind: "MethodCall";
  target: Expr;
  method: Identifier;
  args: Expr[];
}

/** `type::Method(args)` or `type::Property`, e.g. geography::Point(...), hierarchyid::GetRoot(). */
export interface StaticMethodCall extends NodeBase {
  kind: "StaticMethodCall";
  type: ObjectName;
  method: Identifier;
  args: Expr[];
  parens: boolean;
}

export interface NextValueFor extends NodeBase {
  kind: "NextValueFor";
  sequence: ObjectName;
  over?: Over;
}

export type Expr =
  | Literal | ColumnRef | Star | PseudoColumn | DefaultValue | Variable | Unary | Binary | Paren
  | Between | InList | InSubquery | Like | IsNull | Exists | Subquery | Quantified | Case | Iif
  | Cast | Collate | AtTimeZone | FunctionCall | MethodCall | StaticMethodCall | NextValueFor;

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

export interface Cte extends NodeBase {
  kind: "Cte";
  name: Identifier;
  columns: Identifier[];
  query: QueryExpr;
}

/** WITH [XMLNAMESPACES(...),] cte, ... */
export interface WithClause extends NodeBase {
  kind: "With";
  ctes: Cte[];
  xmlNamespaces?: { uri: Expr; prefix?: Identifier; isDefault: boolean }[];
}

export interface Top extends NodeBase {
  kind: "Top";
  expr: Expr;
  percent: boolean;
  withTies: boolean;
}

export interface SelectItem extends NodeBase {
  kind: "SelectItem";
  expr: Expr;
  alias?: Identifier;
  /** How the alias was written: `expr AS a`, `expr a`, `a = expr`, `expr 'a'`. */
  aliasStyle?: "as" | "bare" | "equals" | "string";
}

/** `SELECT @v = expr` / `@v += expr`. */
export interface SelectAssign extends NodeBase {
  kind: "SelectAssign";
  variable: Variable;
  op: AssignOp;
  expr: Expr;
}

export interface OrderItem extends NodeBase {
  kind: "OrderItem";
  expr: Expr;
  direction?: "ASC" | "DESC";
}

export interface GroupingSets extends NodeBase {
  kind: "GroupingSets";
  type: "ROLLUP" | "CUBE" | "GROUPING SETS";
  /** Each set is a list of expressions (a single expression is a one-element list; `()` is empty). */
  sets: Expr[][];
}

export interface GroupBy extends NodeBase {
  kind: "GroupBy";
  all: boolean;
  items: (Expr | GroupingSets)[];
  /** Legacy `WITH ROLLUP` / `WITH CUBE`. */
  with?: "ROLLUP" | "CUBE";
}

export interface ForClause extends NodeBase {
  kind: "For";
  mode: "XML" | "JSON" | "BROWSE";
  /** RAW / AUTO / EXPLICIT / PATH for XML, AUTO / PATH for JSON. */
  submode?: string;
  /** Element name given to RAW('x') / PATH('x'). */
  name?: string;
  /** Directives such as TYPE, ROOT('r'), ELEMENTS XSINIL, INCLUDE_NULL_VALUES, WITHOUT_ARRAY_WRAPPER. */
  options: OptionItem[];
}

/** A generic `NAME [= value]` option (query hints, index options, table options, WITH clauses). */
export interface OptionItem extends NodeBase {
  kind: "Option";
  /** Upper-cased, multi-word names joined by a space (e.g. `MAXDOP`, `OPTIMIZE FOR`, `DATA_COMPRESSION`). */
  name: string;
  value?: Expr | OptionItem[] | string;
  /** Sub-options of `NAME = value (...)`, e.g. SYSTEM_VERSIONING = ON (HISTORY_TABLE = h). */
  options?: OptionItem[];
}

export interface Select extends NodeBase {
  kind: "Select";
  distinct: boolean;
  all: boolean;
  top?: Top;
  columns: (SelectItem | SelectAssign)[];
  into?: ObjectName;
  intoFileGroup?: Identifier;
  from: TableSource[];
  where?: Expr;
  groupBy?: GroupBy;
  having?: Expr;
  /** WINDOW w AS (...), ... (SQL Server 2022). */
  windows?: { name: Identifier; spec: Over }[];
  orderBy: OrderItem[];
  offset?: Expr;
  fetch?: Expr;
  for?: ForClause;
  option: OptionItem[];
}

export interface SetOperation extends NodeBase {
  kind: "SetOperation";
  op: "UNION" | "UNION ALL" | "EXCEPT" | "INTERSECT";
  left: QueryExpr;
  right: QueryExpr;
  /** ORDER BY / OFFSET / FOR / OPTION written after the last operand apply to the whole operation. */
  orderBy: OrderItem[];
  offset?: Expr;
  fetch?: Expr;
  for?: ForClause;
  option: OptionItem[];
}

/** A parenthesised query used as an operand of a set operation, e.g. `(SELECT ...) UNION (...)`. */
export interface ParenQuery extends NodeBase {
  kind: "ParenQuery";
  query: QueryExpr;
}

export type QueryExpr = Select | SetOperation | ParenQuery;

export interface TableHint extends NodeBase {
  kind: "TableHint";
  /** Upper-cased: NOLOCK, READUNCOMMITTED, UPDLOCK, INDEX, FORCESEEK, ... */
  name: string;
  args: Expr[];
}

export interface TemporalClause extends NodeBase {
  kind: "ForSystemTime";
  type: "AS OF" | "FROM" | "BETWEEN" | "CONTAINED IN" | "ALL";
  args: Expr[];
}

export interface TableRef extends NodeBase {
  kind: "TableRef";
  name: ObjectName;
  alias?: Identifier;
  hints: TableHint[];
  forSystemTime?: TemporalClause;
  tablesample?: string;
}

export interface VariableTableRef extends NodeBase {
  kind: "VariableTableRef";
  variable: Variable;
  alias?: Identifier;
}

export interface DerivedTable extends NodeBase {
  kind: "DerivedTable";
  query: QueryExpr;
  alias?: Identifier;
  columns: Identifier[];
}

export interface ValuesTable extends NodeBase {
  kind: "ValuesTable";
  rows: Expr[][];
  alias?: Identifier;
  columns: Identifier[];
}

/** A table-valued function call (including OPENJSON/OPENXML/OPENROWSET/OPENQUERY/STRING_SPLIT). */
export interface TableFunction extends NodeBase {
  kind: "TableFunction";
  call: FunctionCall | MethodCall;
  alias?: Identifier;
  columns: Identifier[];
  /** OPENJSON(...) WITH (col type 'path' [AS JSON], ...) / OPENXML ... WITH (...). */
  withSchema?: { name: Identifier; type: DataType; path?: string; asJson: boolean }[];
}

export interface Join extends NodeBase {
  kind: "Join";
  joinType: "INNER" | "LEFT" | "RIGHT" | "FULL" | "CROSS" | "CROSS APPLY" | "OUTER APPLY";
  /** LOOP / HASH / MERGE / REMOTE join hint. */
  hint?: string;
  left: TableSource;
  right: TableSource;
  on?: Expr;
}

export interface Pivot extends NodeBase {
  kind: "Pivot";
  source: TableSource;
  aggregate: FunctionCall;
  column: ColumnRef;
  values: Identifier[];
  alias?: Identifier;
}

export interface Unpivot extends NodeBase {
  kind: "Unpivot";
  source: TableSource;
  valueColumn: Identifier;
  forColumn: Identifier;
  columns: Identifier[];
  alias?: Identifier;
}

/** Composable DML used as a table: `FROM (MERGE ... OUTPUT ...) AS x`. */
export interface DmlTable extends NodeBase {
  kind: "DmlTable";
  statement: Insert | Update | Delete | Merge;
  alias?: Identifier;
  columns: Identifier[];
}

export type TableSource = TableRef | VariableTableRef | DerivedTable | ValuesTable | TableFunction | Join | Pivot | Unpivot | DmlTable;

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

interface StatementBase extends NodeBase {
  /** Comments written before the statement (since the previous token). All comments of a batch are in `Batch.comments`. */
  comments: Comment[];
  /** A `--` comment on the same line right after the statement's last token (or its `;`). */
  trailingComments?: Comment[];
}

export interface SelectStatement extends StatementBase {
  kind: "SelectStatement";
  with?: WithClause;
  query: QueryExpr;
}

export interface OutputClause extends NodeBase {
  kind: "Output";
  columns: SelectItem[];
  into?: ObjectName | Variable;
  intoColumns: Identifier[];
}

export type InsertSource =
  | { kind: "Values"; rows: Expr[][]; loc: Loc }
  | { kind: "Query"; query: QueryExpr; loc: Loc }
  | { kind: "ExecSource"; exec: Exec | ExecString; loc: Loc }
  | { kind: "DefaultValues"; loc: Loc };

export interface Insert extends StatementBase {
  kind: "Insert";
  with?: WithClause;
  top?: Top;
  target: TableSource;
  columns: Identifier[];
  output?: OutputClause;
  /** A second OUTPUT without INTO (both may appear). */
  outputResult?: OutputClause;
  source: InsertSource;
  option: OptionItem[];
}

export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=";

export interface SetClause extends NodeBase {
  kind: "SetClause";
  /** Column, `@var`, or `@var = column` (both set). */
  target?: ColumnRef;
  variable?: Variable;
  op: AssignOp;
  value: Expr;
  /** `col.WRITE(...)` or a UDT mutator `col.Method(...)` used as a SET item (value is the MethodCall). */
  method?: boolean;
}

export interface Update extends StatementBase {
  kind: "Update";
  with?: WithClause;
  top?: Top;
  target: TableSource;
  set: SetClause[];
  output?: OutputClause;
  outputResult?: OutputClause;
  from: TableSource[];
  where?: Expr;
  currentOf?: string;
  option: OptionItem[];
}

export interface Delete extends StatementBase {
  kind: "Delete";
  with?: WithClause;
  top?: Top;
  target: TableSource;
  output?: OutputClause;
  outputResult?: OutputClause;
  from: TableSource[];
  where?: Expr;
  currentOf?: string;
  option: OptionItem[];
}

export type MergeAction =
  | { kind: "MergeUpdate"; set: SetClause[] }
  | { kind: "MergeDelete" }
  | { kind: "MergeInsert"; columns: Identifier[]; values: Expr[]; defaultValues: boolean };

export interface MergeWhen extends NodeBase {
  kind: "MergeWhen";
  /** WHEN MATCHED / WHEN NOT MATCHED [BY TARGET] / WHEN NOT MATCHED BY SOURCE */
  match: "MATCHED" | "NOT MATCHED BY TARGET" | "NOT MATCHED BY SOURCE";
  condition?: Expr;
  action: MergeAction;
}

export interface Merge extends StatementBase {
  kind: "Merge";
  with?: WithClause;
  top?: Top;
  target: TableSource;
  using: TableSource;
  on: Expr;
  whens: MergeWhen[];
  output?: OutputClause;
  outputResult?: OutputClause;
  option: OptionItem[];
}

export interface Truncate extends StatementBase {
  kind: "Truncate";
  table: ObjectName;
  partitions?: string;
}

export interface BulkInsert extends StatementBase {
  kind: "BulkInsert";
  table: ObjectName;
  from: string;
  options: OptionItem[];
}

// --- DDL -------------------------------------------------------------------------------------

export type CreateMode = "CREATE" | "ALTER" | "CREATE OR ALTER";

export interface IndexColumn extends NodeBase {
  kind: "IndexColumn";
  name: Identifier;
  direction?: "ASC" | "DESC";
}

export interface PrimaryKeyConstraint extends NodeBase {
  kind: "PrimaryKey";
  name?: Identifier;
  clustered?: boolean;
  /** Empty for a column-level constraint (the column itself). */
  columns: IndexColumn[];
  options: OptionItem[];
  onFileGroup?: string;
  /** Memory-optimised tables: NONCLUSTERED HASH (...) WITH (BUCKET_COUNT = n). */
  hash: boolean;
}

export interface UniqueConstraint extends NodeBase {
  kind: "Unique";
  name?: Identifier;
  clustered?: boolean;
  columns: IndexColumn[];
  options: OptionItem[];
  onFileGroup?: string;
  hash: boolean;
}

export type ReferentialAction = "NO ACTION" | "CASCADE" | "SET NULL" | "SET DEFAULT";
export interface ForeignKeyConstraint extends NodeBase {
  kind: "ForeignKey";
  name?: Identifier;
  /** Empty for a column-level constraint. */
  columns: Identifier[];
  refTable: ObjectName;
  refColumns: Identifier[];
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
  notForReplication: boolean;
}

export interface CheckConstraint extends NodeBase {
  kind: "Check";
  name?: Identifier;
  expr: Expr;
  notForReplication: boolean;
}

export interface DefaultConstraint extends NodeBase {
  kind: "Default";
  name?: Identifier;
  expr: Expr;
  /** ALTER TABLE ... ADD CONSTRAINT d DEFAULT x FOR col */
  forColumn?: Identifier;
  withValues: boolean;
}

/** Inline index in CREATE TABLE / table types: `INDEX ix [UNIQUE] [CLUSTERED|NONCLUSTERED] [HASH] (cols)`. */
export interface InlineIndex extends NodeBase {
  kind: "InlineIndex";
  name: Identifier;
  unique: boolean;
  clustered?: boolean;
  columnstore: boolean;
  hash: boolean;
  columns: IndexColumn[];
  include: Identifier[];
  where?: Expr;
  options: OptionItem[];
  onFileGroup?: string;
}

export type TableConstraint = PrimaryKeyConstraint | UniqueConstraint | ForeignKeyConstraint | CheckConstraint | DefaultConstraint;

export interface ColumnDef extends NodeBase {
  kind: "ColumnDef";
  name: Identifier;
  /** Absent for computed columns. */
  type?: DataType;
  computed?: { expr: Expr; persisted: boolean };
  collation?: string;
  /** true: NULL, false: NOT NULL, undefined: not said. */
  nullable?: boolean;
  identity?: { seed?: Expr; increment?: Expr };
  notForReplication: boolean;
  rowguidcol: boolean;
  sparse: boolean;
  filestream: boolean;
  /** System-versioned period columns: GENERATED ALWAYS AS ROW START / ROW END (also TRANSACTION_ID/SEQUENCE_NUMBER START/END). */
  generatedAlways?: string;
  hidden: boolean;
  /** MASKED WITH (FUNCTION = '...') */
  mask?: string;
  /** ENCRYPTED WITH (...) as written. */
  encrypted?: string;
  default?: DefaultConstraint;
  constraints: TableConstraint[];
  /** Inline INDEX on the column. */
  index?: InlineIndex;
  comments: Comment[];
  /** A `--` comment on the same line after the column (or its comma). */
  trailingComments?: Comment[];
}

export interface PeriodForSystemTime extends NodeBase {
  kind: "PeriodForSystemTime";
  start: Identifier;
  end: Identifier;
}

export interface CreateTable extends StatementBase {
  kind: "CreateTable";
  name: ObjectName;
  columns: ColumnDef[];
  constraints: TableConstraint[];
  indexes: InlineIndex[];
  period?: PeriodForSystemTime;
  onFileGroup?: string;
  textImageOn?: string;
  fileStreamOn?: string;
  /** WITH (SYSTEM_VERSIONING = ON (HISTORY_TABLE = ...), MEMORY_OPTIMIZED = ON, DURABILITY = ..., DATA_COMPRESSION = ...) */
  options: OptionItem[];
  /** AS NODE / AS EDGE / AS FILETABLE */
  asType?: "NODE" | "EDGE" | "FILETABLE";
  /** Synapse / Fabric CREATE TABLE ... WITH (...) AS SELECT (CTAS). */
  asSelect?: SelectStatement;
}

export type AlterTableAction =
  | { kind: "AddItems"; loc: Loc; items: (ColumnDef | TableConstraint | InlineIndex | PeriodForSystemTime)[]; withCheck?: boolean }
  | { kind: "AlterColumn"; loc: Loc; column: Identifier; type?: DataType; collation?: string; nullable?: boolean; addDrop?: string }
  | { kind: "DropItems"; loc: Loc; items: { type: "COLUMN" | "CONSTRAINT" | "PERIOD"; name: Identifier; ifExists: boolean }[] }
  | { kind: "CheckConstraints"; loc: Loc; withCheck?: boolean; check: boolean; all: boolean; names: Identifier[] }
  | { kind: "TriggerState"; loc: Loc; enable: boolean; all: boolean; names: Identifier[] }
  | { kind: "SetOptions"; loc: Loc; options: OptionItem[] }
  | { kind: "OtherAlter"; loc: Loc; text: string };

export interface AlterTable extends StatementBase {
  kind: "AlterTable";
  name: ObjectName;
  actions: AlterTableAction[];
}

export interface ViewStatement extends StatementBase {
  kind: "CreateView";
  mode: CreateMode;
  name: ObjectName;
  columns: Identifier[];
  /** SCHEMABINDING, ENCRYPTION, VIEW_METADATA */
  options: string[];
  with?: WithClause;
  query: QueryExpr;
  checkOption: boolean;
}

export interface Parameter extends NodeBase {
  kind: "Parameter";
  name: string;
  type: DataType;
  default?: Expr;
  output: boolean;
  readonly: boolean;
  varying: boolean;
  nullable?: boolean;
}

export interface ProcedureStatement extends StatementBase {
  kind: "CreateProcedure";
  mode: CreateMode;
  name: ObjectName;
  /** `;n` procedure group number. */
  number?: number;
  params: Parameter[];
  /** RECOMPILE, ENCRYPTION, EXECUTE AS ..., NATIVE_COMPILATION, SCHEMABINDING */
  options: string[];
  forReplication: boolean;
  body: Statement[];
  /** AS EXTERNAL NAME assembly.class.method (CLR). */
  externalName?: string;
}

export type FunctionReturns =
  | { kind: "Scalar"; type: DataType }
  | { kind: "InlineTable" }
  | { kind: "TableVariable"; variable: string; columns: ColumnDef[]; constraints: TableConstraint[]; indexes: InlineIndex[] };

export interface FunctionStatement extends StatementBase {
  kind: "CreateFunction";
  mode: CreateMode;
  name: ObjectName;
  params: Parameter[];
  returns: FunctionReturns;
  /** SCHEMABINDING, RETURNS NULL ON NULL INPUT, INLINE = ON, EXECUTE AS ... */
  options: string[];
  /** Scalar and multi-statement functions: the statements of BEGIN ... END. */
  body: Statement[];
  /** Inline table-valued functions: the query after RETURN. */
  returnQuery?: SelectStatement;
  externalName?: string;
}

export interface TriggerStatement extends StatementBase {
  kind: "CreateTrigger";
  mode: CreateMode;
  name: ObjectName;
  /** DML triggers: the table or view; DDL triggers: undefined with `scope` set. */
  table?: ObjectName;
  scope?: "DATABASE" | "ALL SERVER";
  timing: "FOR" | "AFTER" | "INSTEAD OF";
  /** INSERT/UPDATE/DELETE, or DDL event names/groups (CREATE_TABLE, DDL_DATABASE_LEVEL_EVENTS). */
  events: string[];
  options: string[];
  notForReplication: boolean;
  body: Statement[];
  externalName?: string;
}

export interface CreateType extends StatementBase {
  kind: "CreateType";
  name: ObjectName;
  /** Alias type: FROM base_type [NULL|NOT NULL] */
  from?: DataType;
  nullable?: boolean;
  /** Table type: AS TABLE (...) */
  table?: { columns: ColumnDef[]; constraints: TableConstraint[]; indexes: InlineIndex[]; options: OptionItem[] };
  externalName?: string;
}

export interface CreateSequence extends StatementBase {
  kind: "CreateSequence";
  mode: "CREATE" | "ALTER";
  name: ObjectName;
  type?: DataType;
  startWith?: Expr;
  incrementBy?: Expr;
  /** null: NO MINVALUE */
  minValue?: Expr | null;
  maxValue?: Expr | null;
  cycle?: boolean;
  /** null: NO CACHE */
  cache?: Expr | null;
  restartWith?: Expr | true;
}

export interface CreateSynonym extends StatementBase {
  kind: "CreateSynonym";
  name: ObjectName;
  target: ObjectName;
}

export interface CreateSchema extends StatementBase {
  kind: "CreateSchema";
  name: Identifier;
  authorization?: Identifier;
  /** CREATE SCHEMA s CREATE TABLE ... (schema elements). */
  elements: Statement[];
}

export interface CreateIndex extends StatementBase {
  kind: "CreateIndex";
  mode: "CREATE";
  name: Identifier;
  table: ObjectName;
  unique: boolean;
  clustered?: boolean;
  columnstore: boolean;
  /** XML / SPATIAL / PRIMARY XML indexes. */
  special?: "XML" | "PRIMARY XML" | "SPATIAL" | "JSON" | "VECTOR";
  columns: IndexColumn[];
  include: Identifier[];
  where?: Expr;
  options: OptionItem[];
  onFileGroup?: string;
  fileStreamOn?: string;
}

export interface CreateStatistics extends StatementBase {
  kind: "CreateStatistics";
  name: Identifier;
  table: ObjectName;
  columns: Identifier[];
  where?: Expr;
  options: OptionItem[];
}

export interface Drop extends StatementBase {
  kind: "Drop";
  /** Upper-cased: TABLE, VIEW, PROCEDURE, FUNCTION, TRIGGER, TYPE, SEQUENCE, SYNONYM, SCHEMA, INDEX, STATISTICS, DEFAULT, RULE, ... */
  objectType: string;
  ifExists: boolean;
  names: ObjectName[];
  /** DROP INDEX ix ON table (one per name when given). */
  on?: ObjectName;
}

/** sp_addextendedproperty / sp_updateextendedproperty / sp_dropextendedproperty. */
export interface ExtendedProperty extends StatementBase {
  kind: "ExtendedProperty";
  action: "add" | "update" | "drop";
  /** e.g. MS_Description. */
  propertyName?: string;
  value?: Expr;
  /** Level 0..2 type/name pairs (SCHEMA/dbo, TABLE/Person, COLUMN/Name), upper-cased types. */
  levels: { type: string; name: string }[];
  exec: Exec;
}

/** sp_addtype name, 'base type' [, 'NULL'|'NOT NULL'] */
export interface AddType extends StatementBase {
  kind: "AddType";
  name: string;
  baseType?: DataType;
  nullable?: boolean;
  exec: Exec;
}

// --- Procedural ---------------------------------------------------------------------------------

export interface DeclareVariable extends NodeBase {
  kind: "DeclareVariable";
  name: string;
  type: DataType;
  value?: Expr;
}
export interface DeclareTableVariable extends NodeBase {
  kind: "DeclareTableVariable";
  name: string;
  columns: ColumnDef[];
  constraints: TableConstraint[];
  indexes: InlineIndex[];
}
/** DECLARE @c CURSOR (a cursor variable, assigned later with SET). */
export interface DeclareCursorVariable extends NodeBase {
  kind: "DeclareCursorVariable";
  name: string;
}

export interface Declare extends StatementBase {
  kind: "Declare";
  items: (DeclareVariable | DeclareTableVariable | DeclareCursorVariable)[];
}

export interface CursorDefinition extends NodeBase {
  kind: "CursorDefinition";
  /** LOCAL, GLOBAL, FORWARD_ONLY, SCROLL, STATIC, KEYSET, DYNAMIC, FAST_FORWARD, READ_ONLY, SCROLL_LOCKS, OPTIMISTIC, TYPE_WARNING, INSENSITIVE */
  options: string[];
  query: SelectStatement;
  /** FOR UPDATE [OF cols]; undefined when absent, [] for FOR UPDATE without OF. */
  forUpdate?: Identifier[];
  readOnly: boolean;
}

export interface DeclareCursor extends StatementBase {
  kind: "DeclareCursor";
  name: Identifier;
  cursor: CursorDefinition;
}

export interface SetVariable extends StatementBase {
  kind: "SetVariable";
  variable: Variable;
  op: AssignOp;
  value?: Expr;
  /** SET @c = CURSOR FOR ... */
  cursor?: CursorDefinition;
  /** SET @xml.modify(...) / SET @geo.Method(...) */
  method?: MethodCall;
}

export interface SetOption extends StatementBase {
  kind: "SetOption";
  /** Upper-cased option names: NOCOUNT, ANSI_NULLS, XACT_ABORT, TRANSACTION ISOLATION LEVEL, IDENTITY_INSERT, DATEFORMAT, ... */
  options: string[];
  /** ON / OFF, an isolation level, a value as written (upper-cased keyword) ... */
  value?: string;
  expr?: Expr;
  /** SET IDENTITY_INSERT t ON */
  table?: ObjectName;
}

export interface If extends StatementBase {
  kind: "If";
  condition: Expr;
  then: Statement;
  else?: Statement;
}

export interface While extends StatementBase {
  kind: "While";
  condition: Expr;
  body: Statement;
}

export interface Block extends StatementBase {
  kind: "Block";
  body: Statement[];
}

export interface TryCatch extends StatementBase {
  kind: "TryCatch";
  tryBody: Statement[];
  catchBody: Statement[];
}

export interface Break extends StatementBase { kind: "Break" }
export interface Continue extends StatementBase { kind: "Continue" }

export interface Throw extends StatementBase {
  kind: "Throw";
  /** Absent for a bare re-throw inside CATCH. */
  number?: Expr;
  message?: Expr;
  state?: Expr;
}

export interface Raiserror extends StatementBase {
  kind: "Raiserror";
  message: Expr;
  severity?: Expr;
  state?: Expr;
  args: Expr[];
  /** LOG, NOWAIT, SETERROR */
  options: string[];
  /** The pre-2012 form `RAISERROR 50001 'text' [, args]`. */
  legacy: boolean;
  /** The message number of the legacy form. */
  errorNumber?: Expr;
}

export interface Return extends StatementBase {
  kind: "Return";
  value?: Expr;
}

export interface Print extends StatementBase {
  kind: "Print";
  value: Expr;
}

export interface Goto extends StatementBase {
  kind: "Goto";
  label: string;
}

export interface Label extends StatementBase {
  kind: "Label";
  name: string;
}

export interface Waitfor extends StatementBase {
  kind: "Waitfor";
  mode: "DELAY" | "TIME";
  value: Expr;
}

export interface ExecArg extends NodeBase {
  kind: "ExecArg";
  /** `@param = value` */
  name?: string;
  value: Expr;
  output: boolean;
}

/** EXEC proc args / EXEC @rc = proc / EXEC @procvar. sp_executesql is an ordinary call of it. */
export interface Exec extends StatementBase {
  kind: "Exec";
  procedure: ObjectName | Variable;
  /** Upper-cased last name part (e.g. SP_EXECUTESQL), or "" for a procedure in a variable. */
  upperName: string;
  returnVariable?: Variable;
  args: ExecArg[];
  /** WITH RECOMPILE / WITH RESULT SETS (...) as written. */
  options: string[];
  /** `EXEC ... AT linked_server` */
  at?: Identifier;
  /** Whether the EXEC keyword was written (a batch may start with a bare procedure name). */
  keyword: boolean;
}

/** EXEC ('...' + @sql) [AS LOGIN|USER = '...'] [AT server] */
export interface ExecString extends StatementBase {
  kind: "ExecString";
  parts: Expr[];
  as?: { type: "LOGIN" | "USER"; name: Expr };
  at?: Identifier;
}

export interface Transaction extends StatementBase {
  kind: "Transaction";
  action: "BEGIN" | "BEGIN DISTRIBUTED" | "COMMIT" | "ROLLBACK" | "SAVE";
  name?: Identifier | Variable;
  /** WITH MARK 'description' */
  mark?: string;
  /** COMMIT WORK / ROLLBACK WORK */
  work: boolean;
  delayedDurability?: boolean;
}

export interface CursorOp extends StatementBase {
  kind: "CursorOp";
  op: "OPEN" | "CLOSE" | "DEALLOCATE";
  cursor: Identifier | Variable;
  global: boolean;
}

export interface Fetch extends StatementBase {
  kind: "Fetch";
  /** NEXT, PRIOR, FIRST, LAST, ABSOLUTE, RELATIVE (undefined when not written: NEXT). */
  direction?: string;
  offset?: Expr;
  cursor: Identifier | Variable;
  global: boolean;
  into: Variable[];
}

export interface Use extends StatementBase {
  kind: "Use";
  database: Identifier;
}

/**
 * A statement the parser does not model (CREATE LOGIN, GRANT, DBCC, ALTER DATABASE, ...) or could not
 * parse (`error` = true; a diagnostic says why). The text is kept verbatim.
 */
export interface Command extends StatementBase {
  kind: "Command";
  /** Upper-cased leading keywords, e.g. "CREATE LOGIN", "GRANT", "DBCC". */
  keyword: string;
  text: string;
  error: boolean;
}

export type Statement =
  | SelectStatement | Insert | Update | Delete | Merge | Truncate | BulkInsert
  | CreateTable | AlterTable | ViewStatement | ProcedureStatement | FunctionStatement | TriggerStatement
  | CreateType | CreateSequence | CreateSynonym | CreateSchema | CreateIndex | CreateStatistics | Drop
  | ExtendedProperty | AddType
  | Declare | DeclareCursor | SetVariable | SetOption | If | While | Block | TryCatch | Break | Continue
  | Throw | Raiserror | Return | Print | Goto | Label | Waitfor | Exec | ExecString | Transaction
  | CursorOp | Fetch | Use | Command;

export type StatementKind = Statement["kind"];

export interface Batch {
  kind: "Batch";
  /** The batch text after SQLCMD pre-processing, without its GO line. Node offsets index into it. */
  text: string;
  loc: Loc;
  statements: Statement[];
  /** Every comment in the batch, in order. */
  comments: Comment[];
  /** `GO n` with n > 1. */
  repeat?: number;
  /**
   * Session settings in effect when the batch starts (from top-level SET statements of earlier
   * batches; a module created in this batch keeps them, like sys.sql_modules.uses_ansi_nulls).
   */
  settings: SessionSettings;
}

/**
 * The session settings that change results (TSQL-SEMANTICS §1), as set by top-level SET statements of
 * the script. Defaults are what SSMS and modern drivers connect with. `null` means "set, but not to a
 * constant the parser can know" (SET DATEFIRST @v, or a language other than us_english for the
 * language-dependent DATEFIRST/DATEFORMAT defaults).
 */
export interface SessionSettings {
  ansiNulls: boolean;
  /** Default ON, or ParseOptions.quotedIdentifier. */
  quotedIdentifier: boolean;
  concatNullYieldsNull: boolean;
  ansiPadding: boolean;
  ansiWarnings: boolean;
  arithAbort: boolean;
  numericRoundAbort: boolean;
  xactAbort: boolean;
  /** Lower-cased language name (default us_english). */
  language: string | null;
  /** 1-7 (default 7). */
  dateFirst: number | null;
  /** mdy, dmy, ymd, ydm, myd, dym (default mdy). */
  dateFormat: string | null;
}

/** Any node the walker visits. */
export type Node =
  | Statement | Expr | TableSource | Identifier | ObjectName | DataType | Cte | WithClause | Top | SelectItem
  | SelectAssign | OrderItem | GroupingSets | GroupBy | ForClause | OptionItem | TableHint | TemporalClause
  | QueryExpr | Over | OutputClause | SetClause | MergeWhen | IndexColumn | TableConstraint | InlineIndex
  | ColumnDef | PeriodForSystemTime | Parameter | DeclareVariable | DeclareTableVariable | DeclareCursorVariable
  | CursorDefinition | ExecArg | Comment | Batch;
