// The Postgres generator. It walks the T-SQL AST once, computing each expression's SQL Server type
// (annotation) and its Postgres rendering together, so every type-dependent decision (concatenation
// vs addition, collation-aware comparison, integer AVG, ISNULL typing, CONVERT styles) uses the
// T-SQL type and never Postgres's own resolution. Anything it cannot render exactly becomes a
// diagnostic (codes.ts); it never passes an unknown construct through.
import type { Catalog, CatalogObject } from "../catalog/model.ts";
import { diagnostic, type Diagnostic, type Severity } from "../diagnostics.ts";
import type * as A from "../tsql/ast.ts";
import { parseExpression } from "../tsql/index.ts";
import { runtimeFunctions, DEFAULT_RUNTIME_SCHEMA } from "./runtime/index.ts";
import { TR, TR_CODES } from "./codes.ts";
import type { OutputColumn, TranslateContext, Translation } from "./context.ts";
import { type ColInfo, columnSqlType, ident, lookupObject, lookupType as lookupTypeObj, type Rel, Scope } from "./scope.ts";
import { mapSqlType, pgType } from "./typemap.ts";
import {
  asDecimal, BIGINT, BIT, DATE, DATETIME, decimal, decimalResult, dominant, FLOAT, fromColumnType, fromDataType, INT, isBinary,
  isCaseInsensitive, isAccentInsensitive, isDateTime, isInteger, isMax, isNull, isNumeric, isString, isUnicode,
  isUnknown, literalType, NULL_TYPE, nvarchar, showType, type SqlType, UNIQUEIDENTIFIER, UNKNOWN, varchar,
} from "./types.ts";

/** A rendered expression with its SQL Server type. `atom`: needs no parentheses as an operand. */
export interface G {
  sql: string;
  type: SqlType;
  atom: boolean;
  /** The literal node when the expression is a literal (constant folding of collation keys). */
  lit?: A.Literal;
  /** Set for predicates (already boolean SQL). */
  pred?: boolean;
}

interface QueryResult {
  sql: string;
  columns?: ColInfo[];
}

/** Map from Postgres function name (any overload in a registry entry) to the registry entry name. */
function runtimeIndex(): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of runtimeFunctions.values()) {
    m.set(f.name, f.name);
    for (const s of f.signatures) {
      const n = s.slice(0, s.indexOf("(")).trim();
      if (n && !m.has(n)) m.set(n, f.name);
    }
  }
  return m;
}
let RUNTIME_INDEX: Map<string, string> | undefined;

const DATEPARTS: Record<string, string> = {
  year: "year", yy: "year", yyyy: "year", quarter: "quarter", qq: "quarter", q: "quarter", month: "month", mm: "month", m: "month",
  dayofyear: "dayofyear", dy: "dayofyear", y: "dayofyear", day: "day", dd: "day", d: "day", week: "week", wk: "week", ww: "week",
  weekday: "weekday", dw: "weekday", w: "weekday", hour: "hour", hh: "hour", minute: "minute", mi: "minute", n: "minute",
  second: "second", ss: "second", s: "second", millisecond: "millisecond", ms: "millisecond", microsecond: "microsecond",
  mcs: "microsecond", nanosecond: "nanosecond", ns: "nanosecond", tzoffset: "tzoffset", tz: "tzoffset", iso_week: "iso_week",
  isowk: "iso_week", isoww: "iso_week",
};

const AGGREGATES = new Set(["COUNT", "COUNT_BIG", "SUM", "AVG", "MIN", "MAX", "STRING_AGG", "STDEV", "STDEVP", "VAR", "VARP", "GROUPING", "GROUPING_ID", "CHECKSUM_AGG", "APPROX_COUNT_DISTINCT"]);

const lower = (s: string) => s.toLowerCase();
const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const paren = (g: G) => (g.atom ? g.sql : `(${g.sql})`);
const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

export class PostgresGenerator {
  readonly diagnostics: Diagnostic[] = [];
  readonly runtime = new Set<string>();
  private readonly seen = new Set<string>();
  readonly schema: string;
  readonly defaultCollation: string;
  readonly defaultSchema: string;
  datefirst: number;
  /** Temp tables and tables created earlier in the same input (CLI without --schema). */
  readonly local = new Map<string, CatalogObject>();
  private viewColumns = new Map<string, ColInfo[] | undefined>();
  private viewStack = new Set<string>();
  private nameCounter = 0;

  constructor(readonly ctx: TranslateContext) {
    this.schema = ctx.runtimeSchema ?? DEFAULT_RUNTIME_SCHEMA;
    this.defaultCollation = ctx.options?.defaultCollation ?? ctx.catalog?.defaultCollation ?? "SQL_Latin1_General_CP1_CI_AS";
    this.defaultSchema = ctx.options?.defaultSchema ?? ctx.catalog?.defaultSchema ?? "dbo";
    this.datefirst = ctx.options?.datefirst ?? 7;
  }

  get catalog(): Catalog | undefined {
    return this.ctx.catalog;
  }

  // -------------------------------------------------------------------------------------------
  // Diagnostics and runtime

  diag(code: string, message: string, loc: A.Loc | undefined, severity?: Severity): void {
    const sev = severity ?? TR_CODES[code]?.severity ?? "error";
    const at = { file: loc?.file ?? this.ctx.file ?? "<input>", line: loc?.line ?? 1, ...(loc?.column !== undefined ? { column: loc.column } : {}) };
    const key = `${code}|${at.file}|${at.line}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(diagnostic(code, sev, message, at));
  }

  /** Schema-qualified runtime function; records its use; refuses when the runtime lacks it. */
  rt(name: string, loc: A.Loc | undefined): string {
    RUNTIME_INDEX ??= runtimeIndex();
    let entry = RUNTIME_INDEX.get(name);
    if (!entry) {
      RUNTIME_INDEX = runtimeIndex();
      entry = RUNTIME_INDEX.get(name);
    }
    if (!entry) this.diag(TR.RUNTIME_MISSING, `needs runtime function ${name}, which the runtime library does not provide`, loc);
    else this.runtime.add(entry);
    return `${this.schema}.${name}`;
  }

  fresh(prefix: string): string {
    return `${prefix}${++this.nameCounter}`;
  }

  // -------------------------------------------------------------------------------------------
  // Names

  colName(relId: string | undefined, name: string): string {
    return this.ctx.columnName ? this.ctx.columnName(relId, name) : ident(name);
  }

  relationSql(name: A.ObjectName, obj: CatalogObject | undefined): string {
    if (name.server || name.database) {
      const local = name.database && this.catalog?.databaseName && lower(name.database.value) === lower(this.catalog.databaseName) && !name.server;
      if (!local) this.diag(TR.EXTERNAL_REFERENCE, `${name.server ? "linked server" : "cross-database"} reference ${dotted(name)} cannot be reached from the Postgres project`, name.loc);
    }
    if (name.name.value.startsWith("#")) return ident(name.name.value.replace(/^#+/, "tmp_"));
    if (!obj && isSystemCatalogName(name)) this.diag(TR.SYSTEM_CATALOG, `${dotted(name)} is a SQL Server system catalog object; Postgres has no such relation: rewrite this query against pg_catalog by hand`, name.loc);
    const r = this.ctx.resolveRelation?.(name, obj ? { object: obj, id: `${obj.schema}.${obj.name}` } : {});
    if (r !== undefined) return r;
    if (obj) return `${ident(obj.schema)}.${ident(obj.name)}`;
    return name.schema ? `${ident(name.schema.value)}.${ident(name.name.value)}` : ident(name.name.value);
  }

  functionSql(name: A.ObjectName, obj: CatalogObject | undefined): string {
    const r = this.ctx.resolveFunction?.(name, obj ? { object: obj, id: `${obj.schema}.${obj.name}` } : {});
    if (r !== undefined) return r;
    if (obj) return `${ident(obj.schema)}.${ident(obj.name)}`;
    return name.schema ? `${ident(name.schema.value)}.${ident(name.name.value)}` : ident(name.name.value);
  }

  /** Columns of a catalog relation (tables from the catalog; views by translating their query). */
  relationColumns(obj: CatalogObject): ColInfo[] | undefined {
    if (obj.kind === "table" || (obj.columns.length && !obj.module?.ast)) {
      return obj.columns.map((c) => ({ name: c.name, type: c.computed && !c.type ? this.computedType(obj, c.computed.expression) : columnSqlType(this.catalog, c, this.defaultSchema) }));
    }
    const id = `${obj.schema}.${obj.name}`.toLowerCase();
    if (this.viewColumns.has(id)) return this.viewColumns.get(id);
    if (this.viewStack.has(id)) return undefined;
    let cols: ColInfo[] | undefined;
    const ast = obj.module?.ast;
    this.viewStack.add(id);
    try {
      if (ast?.kind === "CreateView") {
        const sub = new PostgresGenerator({ ...this.ctx, resolveRelation: undefined, resolveFunction: undefined, columnName: undefined });
        sub.viewColumns = this.viewColumns;
        sub.viewStack = this.viewStack;
        const res = sub.queryWith(ast.with, ast.query, new Scope());
        cols = res.columns;
        if (cols && ast.columns.length) cols = cols.map((c, i) => ({ name: ast.columns[i]?.value ?? c.name, type: c.type }));
      } else if (ast?.kind === "CreateFunction") {
        if (ast.returns.kind === "TableVariable") {
          cols = ast.returns.columns.map((c) => ({ name: c.name.value, type: c.type ? fromDataType(c.type, "declare") : UNKNOWN }));
        } else if (ast.returnQuery) {
          const sub = new PostgresGenerator({ ...this.ctx, resolveRelation: undefined, resolveFunction: undefined, columnName: undefined });
          sub.viewColumns = this.viewColumns;
          sub.viewStack = this.viewStack;
          const sc = new Scope();
          sub.paramScope(sc, ast.params);
          cols = sub.queryWith(ast.returnQuery.with, ast.returnQuery.query, sc).columns;
        }
      }
    } catch {
      cols = undefined;
    } finally {
      this.viewStack.delete(id);
    }
    this.viewColumns.set(id, cols);
    return cols;
  }

  private computedType(_obj: CatalogObject, _expr: string): SqlType {
    return UNKNOWN;
  }

  /** A written data type, with alias types (CREATE TYPE x FROM base / sp_addtype) resolved to their base. */
  dataType(dt: A.DataType, context: "cast" | "declare"): SqlType {
    const t = fromDataType(dt, context);
    if (!t.name.startsWith("udt:")) return t;
    const schema = dt.schema ?? dt.typeName.schema?.value ?? this.defaultSchema;
    const key = `type:${schema}.${dt.typeName.name.value}`.toLowerCase();
    const local = this.local.get(key) ?? this.local.get(`type:${this.defaultSchema}.${dt.typeName.name.value}`.toLowerCase());
    const base = local?.baseType ?? (this.catalog ? (lookupTypeObj(this.catalog, schema, dt.typeName.name.value) ?? lookupTypeObj(this.catalog, this.defaultSchema, dt.typeName.name.value))?.baseType : undefined);
    return base ? fromColumnType(base) : t;
  }

  /** Variables/parameters of a function in scope as a pseudo relation. */
  paramScope(sc: Scope, params: A.Parameter[]): void {
    this.variables = new Map(params.map((p) => {
      const t = this.dataType(p.type, "declare");
      if (isString(t)) {
        t.collation = this.defaultCollation;
        t.collationDerivation = "implicit";
      }
      return [lower(p.name), t] as const;
    }));
  }
  variables = new Map<string, SqlType>();

  // -------------------------------------------------------------------------------------------
  // Expressions

  expr(e: A.Expr, sc: Scope): G {
    const g = this.exprInner(e, sc);
    // In a query grouped on lower(rtrim(x)), a bare x outside aggregates becomes one spelling of its group
    // (SQL Server returns an arbitrary one); in ROLLUP/CUBE super-aggregate rows it is NULL.
    const k = sc.ciGroupKeys && sc.aggDepth === 0 ? sc.ciGroupKeys.get(g.sql) : undefined;
    if (k) {
      const sql = k.superAggregate ? `CASE WHEN GROUPING(${k.key}) = 0 THEN min(${g.sql}) END` : `min(${g.sql})`;
      return { ...g, sql, atom: true };
    }
    return g;
  }

  private exprInner(e: A.Expr, sc: Scope): G {
    switch (e.kind) {
      case "Literal":
        return this.literal(e);
      case "ColumnRef":
        return this.columnRef(e, sc);
      case "Paren": {
        const g = this.expr(e.expr, sc);
        return { ...g, sql: `(${g.sql})`, atom: true };
      }
      case "Unary":
        return this.unary(e, sc);
      case "Binary":
        return this.binary(e, sc);
      case "Between": {
        const x = this.expr(e.expr, sc);
        const lo = this.expr(e.low, sc);
        const hi = this.expr(e.high, sc);
        const [kx, kl] = this.compareKeys(x, lo, e.loc, "<");
        const [kx2, kh] = this.compareKeys(x, hi, e.loc, "<");
        const sql = kx === kx2 ? `${kx} ${e.not ? "NOT " : ""}BETWEEN ${kl} AND ${kh}` : `${e.not ? "NOT " : ""}(${kx} >= ${kl} AND ${kx2} <= ${kh})`;
        return { sql, type: BIT, atom: false, pred: true };
      }
      case "InList":
        return this.inList(e, sc);
      case "InSubquery": {
        const x = this.expr(e.expr, sc);
        const sub = this.subquery(e.query, sc);
        const col = sub.columns?.[0];
        const t = col?.type ?? UNKNOWN;
        const { left, right } = this.keyedSubquery(x, t, sub.sql, e.loc);
        return { sql: `${left} ${e.not ? "NOT IN" : "IN"} (${right})`, type: BIT, atom: false, pred: true };
      }
      case "Like":
        return this.like(e, sc);
      case "IsNull": {
        const x = this.expr(e.expr, sc);
        return { sql: `${paren(x)} IS ${e.not ? "NOT " : ""}NULL`, type: BIT, atom: false, pred: true };
      }
      case "Exists":
        return { sql: `EXISTS (${this.subquery(e.query, sc).sql})`, type: BIT, atom: true, pred: true };
      case "Subquery": {
        const sub = this.subquery(e.query, sc);
        return { sql: `(${sub.sql})`, type: sub.columns?.[0]?.type ?? UNKNOWN, atom: true };
      }
      case "Quantified": {
        const sub = this.subquery(e.query, sc);
        return { sql: `${e.quantifier} (${sub.sql})`, type: sub.columns?.[0]?.type ?? UNKNOWN, atom: true };
      }
      case "Case":
        return this.caseExpr(e, sc);
      case "Iif": {
        const c = this.predicate(e.condition, sc);
        const t = this.expr(e.then, sc);
        const f = this.expr(e.else, sc);
        const type = dominant(t.type, f.type);
        return { sql: `CASE WHEN ${c} THEN ${this.convert(t, type, e.loc).sql} ELSE ${this.convert(f, type, e.loc).sql} END`, type, atom: true };
      }
      case "Cast":
        return this.cast(e, sc);
      case "Collate": {
        const x = this.expr(e.expr, sc);
        if (!isString(x.type) && !isUnknown(x.type)) this.diag(TR.TYPE_CLASH, `COLLATE applies to character data, not ${showType(x.type)}`, e.loc);
        if (isAccentInsensitive(e.collation)) this.diag(TR.COLLATION, `accent-insensitive collation ${e.collation} is not emulated`, e.loc);
        return { ...x, type: { ...x.type, collation: e.collation, collationDerivation: "explicit" } };
      }
      case "AtTimeZone": {
        this.diag(TR.UNSUPPORTED, "AT TIME ZONE (Windows zone names, DST overlap rule) is not translated", e.loc);
        const x = this.expr(e.expr, sc);
        return { sql: `${paren(x)} AT TIME ZONE ${this.expr(e.zone, sc).sql}`, type: { name: "datetimeoffset", scale: 7 }, atom: false };
      }
      case "FunctionCall":
        return this.call(e, sc);
      case "Variable": {
        if (e.global) return this.globalVariable(e);
        const t = this.variables.get(lower(e.name));
        if (!t) this.diag(TR.PROCEDURAL, `variable ${e.name} is not declared here; procedural code is not translated by the query translator`, e.loc);
        return { sql: ident(e.name.replace(/^@+/, "p_")), type: t ?? UNKNOWN, atom: true };
      }
      case "NextValueFor": {
        if (e.over) this.diag(TR.UNSUPPORTED, "NEXT VALUE FOR ... OVER (ORDER BY) is not translated", e.loc);
        const obj = lookupObject(this.catalog, e.sequence, this.defaultSchema, this.local);
        const name = obj ? `${ident(obj.schema)}.${ident(obj.name)}` : e.sequence.schema ? `${ident(e.sequence.schema.value)}.${ident(e.sequence.name.value)}` : ident(e.sequence.name.value);
        const key = `seq:${name}`;
        if (this.sequenceUses.has(key)) this.diag(TR.UNSUPPORTED, `sequence ${dotted(e.sequence)} is used twice in one statement: SQL Server gives both references the same value per row, nextval() does not`, e.loc);
        this.sequenceUses.add(key);
        const t = obj?.baseType ? columnSqlType(this.catalog, { name: "", nullable: false, type: obj.baseType }, this.defaultSchema) : BIGINT;
        return { sql: `nextval(${q(name)})`, type: t, atom: true };
      }
      case "Star":
        return { sql: e.table ? `${this.qualifierFor(e.table, sc)}.*` : "*", type: UNKNOWN, atom: true };
      case "DefaultValue":
        return { sql: "DEFAULT", type: NULL_TYPE, atom: true };
      case "PseudoColumn":
        this.diag(TR.UNSUPPORTED, `${e.name} is not translated`, e.loc);
        return { sql: "NULL", type: UNKNOWN, atom: true };
      case "MethodCall":
        return this.methodCall(e, sc);
      case "StaticMethodCall":
        this.diag(TR.UNSUPPORTED_TYPE, `${dotted(e.type)}::${e.method.value} (CLR type method) is not translated`, e.loc);
        return { sql: "NULL", type: UNKNOWN, atom: true };
    }
  }

  sequenceUses = new Set<string>();

  private qualifierFor(name: A.ObjectName, sc: Scope): string {
    const key = lower(name.name.value);
    for (let s: Scope | undefined = sc; s; s = s.parent) {
      const rel = s.rels.find((r) => r.names.includes(key) || r.names.includes(lower(dotted(name))));
      if (rel) return rel.qualifier;
    }
    return ident(name.name.value);
  }

  literal(e: A.Literal): G {
    const type = literalType(e, this.defaultCollation);
    switch (e.literalType) {
      case "string":
      case "nstring":
        return { sql: q(e.value), type, atom: true, lit: e };
      case "integer":
        return { sql: isInteger(type) ? e.value : `${e.value}::${pgType(type)}`, type, atom: isInteger(type), lit: e };
      case "decimal":
        return { sql: `${e.value.startsWith(".") ? "0" : ""}${e.value}::${pgType(type)}`, type, atom: false, lit: e };
      case "float":
        return { sql: `${e.value}::double precision`, type, atom: false, lit: e };
      case "money":
        return { sql: `${e.value.replace(/^[^\d.+-]+/, "")}::numeric(19,4)`, type, atom: false, lit: e };
      case "binary":
        return { sql: `'\\x${e.value.slice(2)}'::bytea`, type, atom: false, lit: e };
      default:
        return { sql: "NULL", type, atom: true, lit: e };
    }
  }

  private columnRef(e: A.ColumnRef, sc: Scope): G {
    const qual = e.table ? (e.table.schema ? `${e.table.schema.value}.${e.table.name.value}` : e.table.name.value) : undefined;
    let found = sc.findColumn(e.name.value, qual);
    if (!found && qual && e.table?.schema) found = sc.findColumn(e.name.value, e.table.name.value);
    let sql: string;
    let type: SqlType = UNKNOWN;
    if (found) {
      const colName = found.col ? this.colName(found.rel.relId, found.col.name) : this.colName(found.rel.relId, e.name.value);
      sql = found.rel.qualifier ? `${found.rel.qualifier}.${colName}` : colName;
      if (found.col) type = found.col.type;
    } else if (e.table && (sc.findColumn(e.table.name.value, e.table.schema?.value)?.col || (!e.table.schema && sc.findColumn(e.table.name.value)?.col))) {
      // `alias.column.Property` / `column.Property`: a property of a CLR type (geography, hierarchyid).
      const c = (sc.findColumn(e.table.name.value, e.table.schema?.value) ?? sc.findColumn(e.table.name.value))!.col!;
      this.diag(TR.UNSUPPORTED_TYPE, `property .${e.name.value} of ${c.name} (${showType(c.type)}) is a CLR type member and is not translated`, e.loc);
      return { sql: "NULL", type: UNKNOWN, atom: true };
    } else {
      // Not found anywhere: a column of a relation we cannot see (or a typo SQL Server would reject).
      sql = e.table ? `${ident(e.table.name.value)}.${ident(e.name.value)}` : ident(e.name.value);
      if (sc.rels.length || sc.parent) this.unknownColumns.add(e.name.value);
    }
    return { sql, type, atom: true };
  }
  unknownColumns = new Set<string>();

  private globalVariable(e: A.Variable): G {
    const n = e.name.toUpperCase();
    if (n === "@@DATEFIRST") return { sql: String(this.datefirst), type: { name: "tinyint" }, atom: true };
    if (n === "@@VERSION") return { sql: "version()", type: nvarchar(300), atom: true };
    this.diag(TR.PROCEDURAL, `${e.name} is not translated (session state of procedural code)`, e.loc);
    return { sql: "NULL", type: UNKNOWN, atom: true };
  }

  private unary(e: A.Unary, sc: Scope): G {
    if (e.op === "NOT") return { sql: `NOT ${this.predicateG(e.operand, sc)}`, type: BIT, atom: false, pred: true };
    const x = this.expr(e.operand, sc);
    if (e.op === "+") return x;
    if (e.op === "~") {
      if (x.type.name === "bit") return { sql: `NOT ${paren(x)}`, type: BIT, atom: false };
      return { sql: `~${paren(x)}`, type: x.type, atom: false };
    }
    if (x.type.name === "bit") this.diag(TR.TYPE_CLASH, "unary minus on bit", e.loc);
    if (x.lit && (x.lit.literalType === "integer" || x.lit.literalType === "decimal" || x.lit.literalType === "float" || x.lit.literalType === "money")) {
      // -2147483648 is an int literal in T-SQL only through negation; keep the literal's type.
      if (x.lit.literalType === "integer" && x.lit.value === "2147483648") return { sql: "(-2147483648)", type: INT, atom: true };
      return { sql: `(-${x.sql})`, type: x.type, atom: true };
    }
    return { sql: `-${paren(x)}`, type: x.type, atom: false };
  }

  /** A boolean SQL condition. */
  predicate(e: A.Expr, sc: Scope): string {
    return this.predicateG(e, sc);
  }

  private predicateG(e: A.Expr, sc: Scope): string {
    const g = this.expr(e, sc);
    if (g.pred) return g.pred && !g.atom ? `(${g.sql})` : g.sql;
    if (e.kind === "Paren") return g.sql;
    if (g.type.name === "bit") return g.sql;
    this.diag(TR.UNSUPPORTED, "a non-boolean expression used as a condition", e.loc);
    return g.sql;
  }

  private binary(e: A.Binary, sc: Scope): G {
    switch (e.op) {
      case "AND":
      case "OR": {
        const l = this.predicateG(e.left, sc);
        const r = this.predicateG(e.right, sc);
        return { sql: `${l} ${e.op} ${r}`, type: BIT, atom: false, pred: true };
      }
      case "=": case "<>": case "!=": case "<": case ">": case "<=": case ">=": case "!<": case "!>": {
        const op = e.op === "!=" ? "<>" : e.op === "!<" ? ">=" : e.op === "!>" ? "<=" : e.op;
        const l = this.expr(e.left, sc);
        const r = this.expr(e.right, sc);
        if (e.right.kind === "Quantified") {
          const sub = this.subquery(e.right.query, sc);
          const { left, right } = this.keyedSubquery(l, sub.columns?.[0]?.type ?? UNKNOWN, sub.sql, e.loc);
          return { sql: `${left} ${op} ${e.right.quantifier} (${right})`, type: BIT, atom: false, pred: true };
        }
        return { sql: this.compare(op, l, r, e.loc), type: BIT, atom: false, pred: true };
      }
      default:
        return this.arithmetic(e.op, this.expr(e.left, sc), this.expr(e.right, sc), e.loc);
    }
  }

  /** Renders `l op r` with SQL Server's conversion and collation rules. */
  compare(op: string, l: G, r: G, loc: A.Loc): string {
    const [a, b] = this.compareKeys(l, r, loc, op);
    return `${a} ${op} ${b}`;
  }

  /** Comparison keys of two operands: implicit conversion by precedence, collation emulation for strings. */
  compareKeys(l: G, r: G, loc: A.Loc, op: string): [string, string] {
    const lt = l.type;
    const rt = r.type;
    if (isUnknown(lt) || isUnknown(rt)) {
      const known = isUnknown(lt) ? rt : lt;
      if (isUnknown(known) || isString(known) || isNull(known)) {
        if (!isNull(known)) this.diag(TR.UNKNOWN_TYPE, `comparison ${l.sql.slice(0, 60)} ${op} ${r.sql.slice(0, 60)}: the type of an operand is unknown, so case-insensitive/trailing-space semantics cannot be decided`, loc);
        return [l.sql, r.sql];
      }
      if (known.name === "bit") return [isUnknown(lt) ? l.sql : `${paren(l)}::int`, isUnknown(rt) ? r.sql : `${paren(r)}::int`];
      return [paren(l), paren(r)];
    }
    if (isString(lt) && isString(rt)) {
      const coll = this.resolveCollation(lt, rt, loc);
      if (op !== "=" && op !== "<>") this.noteOrder(loc);
      return [this.stringKey(l, coll), this.stringKey(r, coll)];
    }
    if (isNull(lt) || isNull(rt)) return [paren(l), paren(r)];
    // bit against numbers: bit is the lower type and converts to int.
    if (lt.name === "bit" || rt.name === "bit") {
      if (lt.name === "bit" && rt.name === "bit") return [paren(l), paren(r)];
      const bitSide = lt.name === "bit" ? l : r;
      const other = lt.name === "bit" ? r : l;
      if (other.lit && other.lit.literalType === "integer" && (op === "=" || op === "<>") && (other.lit.value === "0" || other.lit.value === "1")) {
        const v = other.lit.value === "1" ? "true" : "false";
        return lt.name === "bit" ? [paren(bitSide), v] : [v, paren(bitSide)];
      }
      if (isString(other.type)) {
        const conv = this.convert(other, BIT, loc);
        return lt.name === "bit" ? [paren(bitSide), paren(conv)] : [paren(conv), paren(bitSide)];
      }
      const bi = `${paren(bitSide)}::int`;
      return lt.name === "bit" ? [bi, paren(other)] : [paren(other), bi];
    }
    const target = dominant(lt, rt);
    const a = lt.name === target.name || (isNumeric(lt) && isNumeric(target) && !isString(rt)) ? l : this.convert(l, target, loc);
    const b = rt.name === target.name || (isNumeric(rt) && isNumeric(target) && !isString(lt)) ? r : this.convert(r, target, loc);
    if (target.name === "uniqueidentifier" && op !== "=" && op !== "<>") {
      return [`${this.rt("tsql_uuid_sort_key", loc)}(${a.sql})`, `${this.rt("tsql_uuid_sort_key", loc)}(${b.sql})`];
    }
    return [paren(a), paren(b)];
  }

  private noteOrder(loc: A.Loc): void {
    this.diag(TR.STRING_ORDER, "string ordering uses the code points of the lower-cased text; SQL Server's collation orders accented letters and punctuation differently", loc);
  }

  resolveCollation(a: SqlType, b: SqlType, loc: A.Loc): string {
    const ca = a.collation ?? this.defaultCollation;
    const cb = b.collation ?? this.defaultCollation;
    const da = a.collationDerivation ?? "coercible";
    const db = b.collationDerivation ?? "coercible";
    let c = ca;
    if (da === "explicit") c = ca;
    else if (db === "explicit") c = cb;
    else if (da === "implicit" && db === "implicit" && lower(ca) !== lower(cb)) {
      this.diag(TR.COLLATION, `collation conflict between ${ca} and ${cb}: SQL Server refuses this comparison without COLLATE`, loc);
    } else if (db === "implicit") c = cb;
    if (isAccentInsensitive(c)) this.diag(TR.COLLATION, `accent-insensitive collation ${c} is not emulated`, loc);
    return c;
  }

  /** The comparison key of a string under a collation: trailing spaces ignored, case folded for CI. */
  stringKey(g: G, collation: string): string {
    const ci = isCaseInsensitive(collation);
    if (g.lit && (g.lit.literalType === "string" || g.lit.literalType === "nstring") && isAscii(g.lit.value)) {
      const v = g.lit.value.replace(/ +$/, "");
      return q(ci ? v.toLowerCase() : v);
    }
    if (isNull(g.type)) return "NULL";
    const trimmed = `rtrim(${g.sql}, ' ')`;
    return ci ? `lower(${trimmed})` : trimmed;
  }

  /** Sort key of an ORDER BY / window / aggregate ordering. */
  orderKey(g: G, loc: A.Loc): string {
    if (isString(g.type)) {
      this.noteOrder(loc);
      return isCaseInsensitive(g.type.collation ?? this.defaultCollation) ? `lower(${g.sql})` : g.sql;
    }
    if (g.type.name === "uniqueidentifier") return `${this.rt("tsql_uuid_sort_key", loc)}(${g.sql})`;
    return g.sql;
  }

  /** `x IN (subquery)` keyed for collation. */
  keyedSubquery(x: G, subType: SqlType, subSql: string, loc: A.Loc): { left: string; right: string } {
    if (isString(x.type) && isString(subType)) {
      const coll = this.resolveCollation(x.type, subType, loc);
      const alias = this.fresh("dm_s");
      return { left: this.stringKey(x, coll), right: `SELECT ${this.stringKey({ sql: `${alias}.c`, type: subType, atom: true }, coll)} FROM (${subSql}) AS ${alias}(c)` };
    }
    if ((isString(x.type) || isString(subType)) && !(isNull(x.type) || isNull(subType))) {
      if (isUnknown(x.type) || isUnknown(subType)) this.diag(TR.UNKNOWN_TYPE, "IN/quantified subquery: an operand's type is unknown, so collation semantics cannot be decided", loc);
      else this.diag(TR.TYPE_CLASH, `IN subquery compares ${showType(x.type)} with ${showType(subType)}; implicit conversion of the subquery column is not translated`, loc);
    } else if (isUnknown(x.type) && isUnknown(subType)) {
      this.diag(TR.UNKNOWN_TYPE, "IN/quantified subquery: operand types unknown, so collation semantics cannot be decided", loc);
    }
    return { left: paren(x), right: subSql };
  }

  private inList(e: A.InList, sc: Scope): G {
    const x = this.expr(e.expr, sc);
    const items = e.list.map((i) => this.expr(i, sc));
    let keyX: string | undefined;
    const keys: string[] = [];
    for (const it of items) {
      const [kx, ki] = this.compareKeys(x, it, e.loc, "=");
      keyX ??= kx;
      if (kx !== keyX) {
        // Mixed key forms (e.g. bit vs literal): fall back to OR of comparisons.
        const ors = items.map((i) => this.compare("=", x, i, e.loc));
        return { sql: `${e.not ? "NOT " : ""}(${ors.join(" OR ")})`, type: BIT, atom: false, pred: true };
      }
      keys.push(ki);
    }
    return { sql: `${keyX} ${e.not ? "NOT IN" : "IN"} (${keys.join(", ")})`, type: BIT, atom: false, pred: true };
  }

  private like(e: A.Like, sc: Scope): G {
    let x = this.expr(e.expr, sc);
    let p = this.expr(e.pattern, sc);
    const esc = e.escape ? this.expr(e.escape, sc) : undefined;
    if (isUnknown(x.type)) this.diag(TR.UNKNOWN_TYPE, "LIKE on an expression of unknown type: case sensitivity and trailing-blank rules cannot be decided", e.loc);
    if (!isString(x.type) && !isUnknown(x.type) && !isNull(x.type)) x = this.convert(x, varchar(8000), e.loc);
    if (!isString(p.type) && !isUnknown(p.type) && !isNull(p.type)) p = this.convert(p, varchar(8000), e.loc);
    const coll = isString(x.type) && isString(p.type) ? this.resolveCollation(x.type, p.type, e.loc) : x.type.collation ?? this.defaultCollation;
    const unicode = isUnicode(x.type) || isUnicode(p.type) || (esc ? isUnicode(esc.type) : false);
    const ci = isCaseInsensitive(coll);
    // char(n)/nchar(n) operands keep their padding (significant for Unicode LIKE).
    const sql = `${this.rt("tsql_like", e.loc)}(${this.padded(x)}, ${this.padded(p)}, ${esc ? esc.sql : "NULL"}, ${ci}, ${unicode})`;
    return { sql: e.not ? `NOT ${sql}` : sql, type: BIT, atom: !e.not, pred: true };
  }

  private caseExpr(e: A.Case, sc: Scope): G {
    const operand = e.operand ? this.expr(e.operand, sc) : undefined;
    const whens = e.whens.map((w) => ({
      cond: operand ? this.compare("=", operand, this.expr(w.when, sc), w.when.loc) : this.predicate(w.when, sc),
      then: this.expr(w.then, sc),
    }));
    const els = e.else ? this.expr(e.else, sc) : undefined;
    let type: SqlType = NULL_TYPE;
    for (const w of whens) type = dominant(type, w.then.type);
    if (els) type = dominant(type, els.type);
    const parts = whens.map((w) => `WHEN ${w.cond} THEN ${this.convert(w.then, type, e.loc).sql}`);
    if (els) parts.push(`ELSE ${this.convert(els, type, e.loc).sql}`);
    return { sql: `CASE ${parts.join(" ")} END`, type, atom: true };
  }

  // -------------------------------------------------------------------------------------------
  // Arithmetic

  arithmetic(op: A.BinaryOp, l: G, r: G, loc: A.Loc): G {
    let lt = l.type;
    let rt = r.type;
    if (op === "||") op = "+";
    if (isUnknown(lt) || isUnknown(rt)) {
      const known = isUnknown(lt) ? rt : lt;
      if (op === "+" && (isUnknown(known) || isString(known) || isNull(known))) {
        this.diag(TR.UNKNOWN_TYPE, `'+' between ${l.sql.slice(0, 60)} and ${r.sql.slice(0, 60)}: an operand's type is unknown, so concatenation vs addition cannot be decided`, loc);
        return { sql: `${paren(l)} + ${paren(r)}`, type: UNKNOWN, atom: false };
      }
      if (isString(known)) this.diag(TR.UNKNOWN_TYPE, `arithmetic '${op}' with an operand of unknown type`, loc);
      return { sql: `${paren(l)} ${op === "^" ? "#" : op} ${paren(r)}`, type: isNumeric(known) && !isUnknown(known) && (op !== "/" || isInteger(known)) ? UNKNOWN : UNKNOWN, atom: false };
    }
    // Strings: + concatenates when both are strings; otherwise the string converts to the other type.
    if (op === "+" && (isString(lt) || isNull(lt)) && (isString(rt) || isNull(rt)) && !(isNull(lt) && isNull(rt))) {
      return this.concat(l, r);
    }
    if (isString(lt) && !isString(rt) && !isNull(rt)) {
      l = this.convert(l, rt, loc);
      lt = rt;
    } else if (isString(rt) && !isString(lt) && !isNull(lt)) {
      r = this.convert(r, lt, loc);
      rt = lt;
    }
    if (isNull(lt) && isNull(rt)) return { sql: "NULL::integer", type: INT, atom: false };
    if (isNull(lt)) lt = rt;
    if (isNull(rt)) rt = lt;
    // Date arithmetic: datetime/smalldatetime +/- number (days, fractions allowed).
    if (isDateTime(lt) || isDateTime(rt)) return this.dateArithmetic(op, l, r, lt, rt, loc);
    if (op === "&" || op === "|" || op === "^") {
      if (lt.name === "bit" && rt.name === "bit") {
        const sql = op === "&" ? `(${l.sql} AND ${r.sql})` : op === "|" ? `(${l.sql} OR ${r.sql})` : `(${l.sql} <> ${r.sql})`;
        return { sql, type: BIT, atom: true };
      }
      const t = dominant(lt, rt);
      if (!isInteger(t)) this.diag(TR.TYPE_CLASH, `bitwise ${op} needs integer operands, got ${showType(lt)} and ${showType(rt)}`, loc);
      const a = lt.name === "bit" ? `${paren(l)}::int` : paren(l);
      const b = rt.name === "bit" ? `${paren(r)}::int` : paren(r);
      return { sql: `${a} ${op === "^" ? "#" : op} ${b}`, type: t, atom: false };
    }
    if (!isNumeric(lt) || !isNumeric(rt)) {
      this.diag(TR.TYPE_CLASH, `operator ${op} between ${showType(lt)} and ${showType(rt)} is not valid in SQL Server or not translated`, loc);
      return { sql: `${paren(l)} ${op} ${paren(r)}`, type: UNKNOWN, atom: false };
    }
    if (lt.name === "bit" && rt.name === "bit") {
      this.diag(TR.TYPE_CLASH, `operator ${op} between two bit values is rejected by SQL Server`, loc);
    }
    const a = lt.name === "bit" ? { ...l, sql: `${paren(l)}::int`, atom: true, type: INT } : l;
    const b = rt.name === "bit" ? { ...r, sql: `${paren(r)}::int`, atom: true, type: INT } : r;
    const at = lt.name === "bit" ? INT : lt;
    const bt = rt.name === "bit" ? INT : rt;
    const t = dominant(at, bt);
    if (t.name === "float" || t.name === "real") {
      const sql = `${paren(a)}${at.name === "float" || at.name === "real" ? "" : "::double precision"} ${op} ${paren(b)}`;
      return { sql: op === "%" ? `mod(${a.sql}::numeric, ${b.sql}::numeric)::double precision` : sql, type: t, atom: false };
    }
    if (isInteger(t)) {
      if (t.name === "tinyint") this.diag(TR.TINYINT_RANGE, "tinyint arithmetic: results above 255 do not raise on Postgres (smallint)", loc);
      if (t.name === "bigint" && (at.name !== "bigint" || bt.name !== "bigint")) {
        return { sql: `${paren(a)}::bigint ${op} ${paren(b)}`, type: t, atom: false };
      }
      return { sql: `${paren(a)} ${op} ${paren(b)}`, type: t, atom: false };
    }
    if (t.name === "money" || t.name === "smallmoney") {
      // money op money / money op int: money; rounded to 4 places after each operation.
      return { sql: `round(${paren(a)}::numeric ${op} ${paren(b)}, 4)`, type: t, atom: true };
    }
    // decimal result per §4.2; an integer constant counts as decimal(digits, 0) (SQL Server types constants minimally).
    const litDec = (g: G, t0: SqlType): SqlType => (g.lit?.literalType === "integer" && isInteger(t0) ? decimal(Math.max(1, g.lit.value.replace(/^0+(?=\d)/, "").length), 0) : t0);
    const dt = decimalResult(op as "+" | "-" | "*" | "/" | "%", litDec(a, at), litDec(b, bt));
    const pg = `numeric(${dt.precision},${dt.scale})`;
    if (op === "/") return { sql: `(${paren(a)}::numeric / ${paren(b)})::${pg}`, type: dt, atom: false };
    return { sql: `(${paren(a)} ${op} ${paren(b)})::${pg}`, type: dt, atom: false };
  }

  private concat(l: G, r: G): G {
    const lt = isNull(l.type) ? r.type : l.type;
    const rt = isNull(r.type) ? l.type : r.type;
    const unicode = isUnicode(lt) || isUnicode(rt);
    const max = isMax(lt) || isMax(rt);
    const len = max ? -1 : Math.min((lt.length ?? 1) + (rt.length ?? 1), unicode ? 4000 : 8000);
    const t: SqlType = { name: unicode ? "nvarchar" : "varchar", length: len };
    const coll = l.type.collationDerivation === "implicit" || l.type.collationDerivation === "explicit" ? l.type : r.type;
    if (coll.collation) {
      t.collation = coll.collation;
      t.collationDerivation = coll.collationDerivation ?? "coercible";
    }
    return { sql: `${this.padded(l)} || ${this.padded(r)}`, type: t, atom: false };
  }

  /** char(n) values keep their padding in SQL Server expressions; Postgres bpchar drops it when cast to text. */
  padded(g: G): string {
    if ((g.type.name === "char" || g.type.name === "nchar") && !g.lit && g.type.length && g.type.length > 0) return `rpad(${g.sql}, ${g.type.length})`;
    return paren(g);
  }

  private dateArithmetic(op: string, l: G, r: G, lt: SqlType, rt: SqlType, loc: A.Loc): G {
    const dl = isDateTime(lt);
    const dr = isDateTime(rt);
    if (dl && dr) {
      if (op === "-" && (lt.name === "datetime" || lt.name === "smalldatetime") && (rt.name === "datetime" || rt.name === "smalldatetime")) {
        return { sql: `${this.rt("tsql_datetime", loc)}(timestamp '1900-01-01' + (${l.sql} - ${r.sql}))`, type: DATETIME, atom: true };
      }
      this.diag(TR.TYPE_CLASH, `operator ${op} between ${showType(lt)} and ${showType(rt)} is not allowed in SQL Server`, loc);
      return { sql: `${paren(l)} ${op} ${paren(r)}`, type: UNKNOWN, atom: false };
    }
    const d = dl ? l : r;
    const n = dl ? r : l;
    const dt = dl ? lt : rt;
    if ((dt.name !== "datetime" && dt.name !== "smalldatetime") || (op !== "+" && op !== "-") || (op === "-" && !dl)) {
      this.diag(TR.TYPE_CLASH, `operator ${op} between ${showType(lt)} and ${showType(rt)}: operand type clash in SQL Server`, loc);
      return { sql: `${paren(l)} ${op} ${paren(r)}`, type: UNKNOWN, atom: false };
    }
    const days = op === "-" ? `-(${n.sql})` : n.sql;
    const nSql = n.type.name === "bit" ? `(${n.sql})::int` : days;
    const inner = `${this.rt("tsql_datetime_add", loc)}(${d.sql}, ${nSql})`;
    if (dt.name === "smalldatetime") return { sql: `${this.rt("tsql_smalldatetime", loc)}(${inner})`, type: dt, atom: true };
    return { sql: inner, type: DATETIME, atom: true };
  }

  // -------------------------------------------------------------------------------------------
  // Conversions

  /** Implicit or explicit conversion of `g` to `to` (CAST semantics; style for CONVERT; try for TRY_*). */
  convert(g: G, to: SqlType, loc: A.Loc, opts: { explicit?: boolean; style?: G; try?: boolean; assign?: boolean } = {}): G {
    const from = g.type;
    // Storing a string in a column: SQL Server raises when it does not fit, and so does Postgres's
    // assignment cast; an explicit ::varchar(n) would truncate silently.
    if (opts.assign && isString(to) && isString(from)) return g;
    if (isNull(to) || isUnknown(to)) return g;
    if (isNull(from)) return { sql: `NULL::${pgType(to)}`, type: to, atom: false };
    if (["sql_variant", "hierarchyid", "geography", "geometry"].includes(to.name)) {
      this.diag(TR.UNSUPPORTED_TYPE, `conversion to ${to.name}: the type has no faithful Postgres mapping`, loc);
      return { ...g, type: to };
    }
    if (to.name.startsWith("udt:")) {
      this.diag(TR.UNSUPPORTED_TYPE, `conversion to user-defined type ${to.name.slice(4)}`, loc);
      return g;
    }
    const styleNum = opts.style ? this.constInt(opts.style) : undefined;
    if (opts.style && styleNum === undefined && !isNull(opts.style.type)) this.diag(TR.CONVERT_STYLE, "CONVERT style must be a constant to be translated", loc);
    if (isUnknown(from)) {
      if (opts.explicit) {
        this.diag(TR.UNKNOWN_TYPE, `CAST/CONVERT to ${showType(to)} of an expression of unknown type: SQL Server's conversion rules depend on the source type`, loc);
        return { sql: `${paren(g)}::${pgType(to)}`, type: to, atom: false };
      }
      return { ...g, type: to };
    }
    const same = from.name === to.name;
    // --- to strings
    if (isString(to)) return this.toString(g, to, loc, styleNum, opts.try ?? false);
    // --- from strings
    if (isString(from)) return this.fromString(g, to, loc, styleNum, opts.try ?? false);
    if (to.name === "bit") {
      if (from.name === "bit") return g;
      if (isNumeric(from)) return { sql: `(${g.sql} <> 0)`, type: BIT, atom: true };
      return this.clash(g, to, loc);
    }
    if (isNumeric(to)) {
      if (from.name === "bit") return this.convert({ sql: `${paren(g)}::int`, type: INT, atom: false }, to, loc, opts);
      if (isNumeric(from)) {
        if (isInteger(to)) {
          if (same && !opts.explicit) return g;
          if (isInteger(from)) return to.name === "tinyint" ? this.tinyint(g, loc) : same ? g : { sql: `${paren(g)}::${pgType(to)}`, type: to, atom: false };
          // decimal/float → int truncates; money → int rounds.
          const inner = from.name === "money" || from.name === "smallmoney" ? `round(${g.sql})` : `trunc(${g.sql})`;
          const res = { sql: `${inner}::${pgType(to)}`, type: to, atom: false };
          return to.name === "tinyint" ? this.tinyint(res, loc) : res;
        }
        if (to.name === "float" || to.name === "real") return { sql: `${paren(g)}::${pgType(to)}`, type: to, atom: false };
        if (to.name === "money" || to.name === "smallmoney") return { sql: `${paren(g)}::${pgType(to)}`, type: to, atom: false };
        if (to.name === "decimal") {
          if (same && from.precision === to.precision && from.scale === to.scale && !opts.explicit) return g;
          return { sql: `${paren(g)}::${pgType(to)}`, type: to, atom: false };
        }
      }
      if (from.name === "datetime" || from.name === "smalldatetime") {
        this.diag(TR.UNSUPPORTED, `conversion of ${from.name} to ${to.name} (days since 1900-01-01, rounded) is not translated`, loc);
        return this.clash(g, to, loc, true);
      }
      return this.clash(g, to, loc);
    }
    if (isDateTime(to)) {
      if (isDateTime(from)) return this.dateToDate(g, to, loc);
      if ((to.name === "datetime" || to.name === "smalldatetime") && (isNumeric(from) && from.name !== "bit")) {
        const r = `${this.rt("tsql_datetime_add", loc)}(timestamp '1900-01-01', ${g.sql})`;
        return to.name === "smalldatetime" ? { sql: `${this.rt("tsql_smalldatetime", loc)}(${r})`, type: to, atom: true } : { sql: r, type: to, atom: true };
      }
      return this.clash(g, to, loc);
    }
    if (to.name === "uniqueidentifier") {
      if (same) return g;
      if (isBinary(from)) {
        this.diag(TR.UNSUPPORTED, "binary → uniqueidentifier conversion (mixed-endian byte order) is not translated", loc);
      }
      return this.clash(g, to, loc);
    }
    if (isBinary(to)) {
      if (isBinary(from)) return g;
      this.diag(TR.UNSUPPORTED, `conversion of ${showType(from)} to ${showType(to)} (SQL Server's internal byte layout) is not translated`, loc);
      return { sql: `NULL::bytea`, type: to, atom: false };
    }
    if (to.name === "xml") {
      this.diag(TR.XML_TYPE, "conversion to xml: XML parsing rules differ (whitespace, encodings)", loc);
      return { sql: `${paren(g)}::xml`, type: to, atom: false };
    }
    if (same) return g;
    return this.clash(g, to, loc);
  }

  private clash(g: G, to: SqlType, loc: A.Loc, already = false): G {
    if (!already) this.diag(TR.TYPE_CLASH, `conversion from ${showType(g.type)} to ${showType(to)} is not allowed in SQL Server or not translated`, loc);
    return { sql: `${paren(g)}::${pgType(to)}`, type: to, atom: false };
  }

  private tinyint(g: G, loc: A.Loc): G {
    return { sql: `${this.rt("tsql_raise", loc) && ""}CASE WHEN ${g.sql} BETWEEN 0 AND 255 THEN (${g.sql})::smallint ELSE ${this.schema}.tsql_raise('Arithmetic overflow error for data type tinyint.', NULL::smallint, (${g.sql})::text) END`, type: { name: "tinyint" }, atom: true };
  }

  constInt(g: G): number | undefined {
    if (g.lit?.literalType === "integer") return Number(g.lit.value);
    const m = /^\(?(-?\d+)\)?$/.exec(g.sql);
    return m ? Number(m[1]) : undefined;
  }

  private toString(g: G, to: SqlType, loc: A.Loc, style: number | undefined, tryMode: boolean): G {
    const from = g.type;
    const len = to.length ?? 30;
    const target = len === -1 ? "text" : `varchar(${len})`;
    const fit = (sql: string, numeric = false): G => {
      if (len === -1) return { sql, type: to, atom: true };
      if (numeric) {
        // Integers whose longest text fits need no check.
        const widest: Record<string, number> = { tinyint: 3, smallint: 6, int: 11, bigint: 20 };
        if (isInteger(from) && (widest[from.name] ?? 99) <= len) return { sql, type: to, atom: false };
        // A number that does not fit: '*' for char/varchar, error for n-types (and for decimal/float/money).
        const tooLong = isInteger(from) && !isUnicode(to) ? q("*") : `${this.rt("tsql_raise", loc)}('Arithmetic overflow error converting expression to data type ${to.name}.', NULL::text, ${sql})`;
        return { sql: `CASE WHEN length(${sql}) > ${len} THEN ${tooLong} ELSE ${sql} END`, type: to, atom: true };
      }
      return { sql: `(${sql})::${target}`, type: to, atom: false };
    };
    const toChar = to.name === "char" || to.name === "nchar";
    const finish = (r: G): G => (toChar && len > 0 ? { sql: `rpad(${r.sql}, ${len})::char(${len})`, type: to, atom: true } : r);
    if (isString(from)) {
      if (style !== undefined && style !== 0) this.diag(TR.CONVERT_STYLE, `CONVERT style ${style} between character types is ignored by SQL Server`, loc, "note");
      if (len === -1) return { sql: `${this.padded(g)}::text`, type: { ...to, collation: from.collation, collationDerivation: from.collationDerivation }, atom: false };
      return finish({ sql: `${this.padded(g)}::${target}`, type: { ...to, collation: from.collation, collationDerivation: from.collationDerivation }, atom: false });
    }
    if (isInteger(from)) return finish(fit(`${g.sql}::text`, true));
    if (from.name === "bit") return finish(fit(`CASE WHEN ${g.sql} THEN '1' WHEN NOT ${g.sql} THEN '0' END`));
    if (from.name === "decimal") return finish(fit(`${paren(g)}::numeric(${from.precision ?? 18},${from.scale ?? 0})::text`, true));
    if (from.name === "money" || from.name === "smallmoney") {
      return finish(fit(`${this.rt("tsql_money_to_varchar", loc)}(${g.sql}, ${style ?? 0})`, true));
    }
    if (from.name === "float" || from.name === "real") {
      if (style !== undefined && style !== 0) this.diag(TR.CONVERT_STYLE, `CONVERT float style ${style} is not supported (only 0)`, loc);
      return finish(fit(`${this.rt("tsql_float_to_varchar", loc)}(${g.sql})`, true));
    }
    if (isDateTime(from)) {
      if (from.name === "datetimeoffset") {
        this.diag(TR.DATETIMEOFFSET, "datetimeoffset to string: the original offset is not kept", loc);
      }
      const defStyle = from.name === "datetime" || from.name === "smalldatetime" ? 0 : 121;
      const st = style ?? defStyle;
      const frac = from.name === "datetime" ? 3 : from.name === "smalldatetime" ? 0 : Math.min(from.scale ?? 7, 7);
      const arg = from.name === "date" ? g.sql : from.name === "time" ? g.sql : `${paren(g)}::timestamp`;
      const call = from.name === "date" || from.name === "time"
        ? `${this.rt("tsql_convert_dt", loc)}(${arg}, ${st}${from.name === "time" ? `, ${frac}` : ""})`
        : `${this.rt("tsql_convert_dt", loc)}(${arg}, ${st}, ${frac})`;
      if (len !== -1) return finish({ sql: `left(${call}, ${len})`, type: to, atom: true });
      return { sql: call, type: to, atom: true };
    }
    if (from.name === "uniqueidentifier") return finish(fit(`upper(${g.sql}::text)`));
    if (isBinary(from)) {
      if (style === 1) return finish(fit(`'0x' || upper(encode(${g.sql}, 'hex'))`));
      if (style === 2) return finish(fit(`upper(encode(${g.sql}, 'hex'))`));
      this.diag(TR.CONVERT_STYLE, "binary → character conversion with style 0 (code-page bytes as characters) is not translated", loc);
      return { sql: `encode(${g.sql}, 'escape')`, type: to, atom: true };
    }
    if (from.name === "xml") return finish(fit(`${g.sql}::text`));
    if (tryMode) return { sql: "NULL::text", type: to, atom: false };
    return this.clash(g, to, loc);
  }

  private fromString(g: G, to: SqlType, loc: A.Loc, style: number | undefined, tryMode: boolean): G {
    const lit = g.lit && (g.lit.literalType === "string" || g.lit.literalType === "nstring") ? g.lit.value : undefined;
    if (isInteger(to)) {
      if (lit !== undefined && /^\s*[-+]?\d+\s*$/.test(lit)) {
        const v = BigInt(lit.trim());
        const lim: Record<string, [bigint, bigint]> = { tinyint: [0n, 255n], smallint: [-32768n, 32767n], int: [-2147483648n, 2147483647n], bigint: [-(2n ** 63n), 2n ** 63n - 1n] };
        const [lo, hi] = lim[to.name]!;
        if (v >= lo && v <= hi) return { sql: v < 0n ? `(${v})` : String(v), type: to, atom: true };
      }
      const fn = `${tryMode ? "tsql_try_cast_" : "tsql_cast_"}${to.name}`;
      return { sql: `${this.rt(fn, loc)}(${g.sql})`, type: to, atom: true };
    }
    if (to.name === "decimal" || to.name === "money" || to.name === "smallmoney") {
      const p = to.name === "decimal" ? to.precision ?? 18 : to.name === "money" ? 19 : 10;
      const s = to.name === "decimal" ? to.scale ?? 0 : 4;
      if (lit !== undefined && /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/.test(lit)) return { sql: `${q(lit.trim())}::numeric(${p},${s})`, type: to, atom: false };
      return { sql: `${this.rt(tryMode ? "tsql_try_cast_numeric" : "tsql_cast_numeric", loc)}(${g.sql}, ${p}, ${s})`, type: to, atom: true };
    }
    if (to.name === "float" || to.name === "real") {
      const r = `${this.rt(tryMode ? "tsql_try_cast_float" : "tsql_cast_float", loc)}(${g.sql})`;
      return to.name === "real" ? { sql: `${r}::real`, type: to, atom: false } : { sql: r, type: to, atom: true };
    }
    if (to.name === "bit") {
      if (tryMode) this.diag(TR.UNSUPPORTED, "TRY_CAST of a string to bit is translated as CAST (errors are not turned into NULL)", loc);
      return { sql: `${this.rt("tsql_to_bit", loc)}(${g.sql})`, type: BIT, atom: true };
    }
    if (isDateTime(to)) {
      if (lit !== undefined && (style === undefined || style === 0 || style === 120 || style === 121 || style === 126 || style === 112 || style === 23 || style === 20 || style === 21)) {
        let iso = parseDateLiteral(lit, to.name);
        if (iso && /\.\d{7}$/.test(iso)) {
          // Postgres keeps microseconds: truncate the 100 ns digit (rounding could cross a second/day boundary).
          iso = iso.slice(0, -1);
          if (!/0$/.test(lit.trim())) this.diag(TR.PRECISION_LOSS, `'${lit}': the 100 ns digit is dropped (Postgres keeps microseconds)`, loc);
        }
        if (iso) {
          const pg = to.name === "date" ? "date" : to.name === "time" ? `time(${Math.min(to.scale ?? 7, 6)})` : to.name === "datetimeoffset" ? "timestamptz" : to.name === "datetime" ? "timestamp(3)" : to.name === "smalldatetime" ? "timestamp(0)" : `timestamp(${Math.min(to.scale ?? 7, 6)})`;
          let sql = `${q(iso)}::${pg}`;
          if (to.name === "datetime") sql = `${this.rt("tsql_datetime", loc)}(${q(iso)}::timestamp)`;
          if (to.name === "smalldatetime") sql = `${this.rt("tsql_smalldatetime", loc)}(${q(iso)}::timestamp)`;
          return { sql, type: to, atom: !sql.includes("::") || sql.startsWith(this.schema) };
        }
        if (style === undefined) {
          this.diag(TR.DATE_LITERAL, `'${lit}' is not in a form the translator reads unambiguously as ${to.name} (use 'YYYYMMDD' or ISO 8601)`, loc);
          return { sql: `${q(lit)}::${pgType(to)}`, type: to, atom: false };
        }
      }
      const fnByType: Record<string, string> = { datetime: "datetime", datetime2: "datetime2", date: "date", smalldatetime: "smalldatetime" };
      const suffix = fnByType[to.name];
      if (!suffix || (tryMode && to.name === "smalldatetime")) {
        this.diag(TR.UNSUPPORTED, `conversion of a string to ${to.name} at run time is not translated`, loc);
        return { sql: `${paren(g)}::${pgType(to)}`, type: to, atom: false };
      }
      const fn = tryMode ? `tsql_try_convert_${suffix}` : `tsql_convert_to_${suffix}`;
      return { sql: `${this.rt(fn, loc)}(${g.sql}, ${style ?? 0})`, type: to, atom: true };
    }
    if (to.name === "uniqueidentifier") {
      if (lit !== undefined) {
        const m = /^\s*\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?/i.exec(lit);
        if (m) return { sql: `${q(m[1]!.toLowerCase())}::uuid`, type: to, atom: false };
        if (!tryMode) this.diag(TR.TYPE_CLASH, `'${lit}' is not a valid uniqueidentifier (SQL Server raises a conversion error)`, loc);
        return { sql: "NULL::uuid", type: to, atom: false };
      }
      if (tryMode) this.diag(TR.UNSUPPORTED, "TRY_CAST of a string to uniqueidentifier is translated as CAST", loc);
      return { sql: `${paren(g)}::uuid`, type: to, atom: false };
    }
    if (isBinary(to)) {
      if (style === 1 || style === 2) return { sql: `decode(${style === 1 ? `substr(${g.sql}, 3)` : g.sql}, 'hex')`, type: to, atom: true };
      if (isUnicode(g.type)) return { sql: `${this.rt("tsql_utf16le", loc)}(${g.sql})`, type: to, atom: true };
      return { sql: `${this.rt("tsql_cp1252", loc)}(${g.sql})`, type: to, atom: true };
    }
    if (to.name === "xml") {
      this.diag(TR.XML_TYPE, "string → xml: XML parsing rules differ (whitespace, encodings)", loc);
      return { sql: `${paren(g)}::xml`, type: to, atom: false };
    }
    return this.clash(g, to, loc);
  }

  private dateToDate(g: G, to: SqlType, loc: A.Loc): G {
    const from = g.type;
    if (from.name === to.name && (from.scale ?? 7) <= (to.scale ?? 7)) return g;
    switch (to.name) {
      case "date":
        if (from.name === "time") return this.clash(g, to, loc);
        return { sql: `${paren(g)}::date`, type: to, atom: false };
      case "time":
        if (from.name === "date") return this.clash(g, to, loc);
        return { sql: `${paren(g)}::time(${Math.min(to.scale ?? 7, 6)})`, type: to, atom: false };
      case "datetime": {
        const base = from.name === "time" ? `(date '1900-01-01' + ${g.sql})` : `${paren(g)}::timestamp`;
        return { sql: `${this.rt("tsql_datetime", loc)}(${base})`, type: to, atom: true };
      }
      case "smalldatetime": {
        const base = from.name === "time" ? `(date '1900-01-01' + ${g.sql})` : `${paren(g)}::timestamp`;
        return { sql: `${this.rt("tsql_smalldatetime", loc)}(${base})`, type: to, atom: true };
      }
      case "datetime2": {
        const base = from.name === "time" ? `(date '1900-01-01' + ${g.sql})` : paren(g);
        return { sql: `${base}::timestamp(${Math.min(to.scale ?? 7, 6)})`, type: to, atom: false };
      }
      case "datetimeoffset":
        this.diag(TR.DATETIMEOFFSET, "conversion to datetimeoffset: the offset (+00:00 for local values) is not kept", loc);
        return { sql: `(${paren(g)}::timestamp AT TIME ZONE 'UTC')`, type: to, atom: true };
    }
    return this.clash(g, to, loc);
  }

  private cast(e: A.Cast, sc: Scope): G {
    const x = this.expr(e.expr, sc);
    const to = this.dataType(e.type, "cast");
    if (e.fn === "PARSE" || e.fn === "TRY_PARSE") {
      this.diag(TR.UNSUPPORTED, `${e.fn} (.NET culture-aware parsing) is not translated`, e.loc);
      return { sql: `${paren(x)}::${pgType(to)}`, type: to, atom: false };
    }
    const style = e.style ? this.expr(e.style, sc) : undefined;
    return this.convert(x, to, e.loc, { explicit: true, ...(style ? { style } : {}), try: e.fn === "TRY_CAST" || e.fn === "TRY_CONVERT" });
  }

  // -------------------------------------------------------------------------------------------
  // Function calls

  private call(e: A.FunctionCall, sc: Scope): G {
    if (e.name.schema || e.name.database) return this.userFunction(e, sc);
    const name = e.upperName;
    if (AGGREGATES.has(name) || e.over) return this.aggregateOrWindow(e, sc);
    const r = this.builtin(name, e, sc);
    if (r) return r;
    // An unqualified name that is a catalog function (SQL Server requires schema for scalar UDFs, but be lenient).
    const obj = lookupObject(this.catalog, e.name, this.defaultSchema, this.local);
    if (obj?.kind === "function") return this.userFunction(e, sc);
    this.diag(TR.UNKNOWN_FUNCTION, `function ${e.name.name.value} is not a built-in the translator maps and not in the catalog`, e.loc);
    return { sql: `${ident(e.name.name.value)}(${e.args.map((a) => this.expr(a, sc).sql).join(", ")})`, type: UNKNOWN, atom: true };
  }

  private userFunction(e: A.FunctionCall, sc: Scope): G {
    // `col.method(...)` / `alias.col.method(...)` parse as multi-part function names: XML or CLR type methods.
    if (e.name.schema) {
      const col = sc.findColumn(e.name.schema.value, e.name.database?.value);
      if (col?.col || (e.name.database && col)) {
        const target: A.ColumnRef = { kind: "ColumnRef", name: e.name.schema, loc: e.loc, ...(e.name.database ? { table: { kind: "ObjectName", name: e.name.database, partCount: 1, loc: e.loc } } : {}) };
        return this.methodCall({ kind: "MethodCall", target, method: e.name.name, args: e.args, loc: e.loc }, sc);
      }
    }
    const obj = lookupObject(this.catalog, e.name, this.defaultSchema, this.local);
    if (e.name.database && !(this.catalog?.databaseName && lower(e.name.database.value) === lower(this.catalog.databaseName))) {
      this.diag(TR.EXTERNAL_REFERENCE, `cross-database function ${dotted(e.name)}`, e.loc);
    }
    if (!obj || obj.kind !== "function") {
      this.diag(TR.UNKNOWN_FUNCTION, `function ${dotted(e.name)} is not in the catalog`, e.loc);
      return { sql: `${this.functionSql(e.name, undefined)}(${e.args.map((a) => this.expr(a, sc).sql).join(", ")})`, type: UNKNOWN, atom: true };
    }
    const ast = obj.module?.ast;
    let params: A.Parameter[] = [];
    let ret: SqlType = UNKNOWN;
    if (ast?.kind === "CreateFunction") {
      params = ast.params;
      if (ast.returns.kind === "Scalar") ret = this.dataType(ast.returns.type, "declare");
    }
    const args = e.args.map((a, i) => {
      const g = this.expr(a, sc);
      const p = params[i];
      if (a.kind === "DefaultValue") return "DEFAULT";
      return p ? this.convert(g, this.dataType(p.type, "declare"), a.loc).sql : g.sql;
    });
    this.userCalls++;
    return { sql: `${this.functionSql(e.name, obj)}(${args.join(", ")})`, type: ret, atom: true };
  }
  /** User function calls rendered so far (generated columns must not call them: not immutable). */
  userCalls = 0;

  private datepart(e: A.Expr): string | undefined {
    let v: string | undefined;
    if (e.kind === "ColumnRef" && !e.table) v = e.name.value;
    else if (e.kind === "Literal" && (e.literalType === "string" || e.literalType === "nstring")) v = e.value;
    return v ? DATEPARTS[lower(v)] : undefined;
  }

  /** A date/time argument as Postgres timestamp/date/time, with its T-SQL type (string literals are datetime2/datetime). */
  private dateArg(g: G, loc: A.Loc, literalAs: SqlType): G {
    if (isString(g.type)) return this.convert(g, literalAs, loc);
    if (isNull(g.type)) return { sql: "NULL::timestamp", type: literalAs, atom: false };
    if (g.type.name === "datetimeoffset") {
      this.diag(TR.DATETIMEOFFSET, "date function on datetimeoffset uses the UTC instant, not the stored local time", loc);
      return { sql: `(${g.sql} AT TIME ZONE 'UTC')`, type: { name: "datetime2", scale: 7 }, atom: true };
    }
    if (isInteger(g.type) || g.type.name === "decimal" || g.type.name === "float") return this.convert(g, DATETIME, loc);
    if (isUnknown(g.type)) {
      this.diag(TR.UNKNOWN_TYPE, "date function argument of unknown type", loc);
      return { ...g, sql: `${paren(g)}::timestamp` };
    }
    if (!isDateTime(g.type)) this.diag(TR.TYPE_CLASH, `${showType(g.type)} is not a date/time type`, loc);
    return g;
  }

  private builtin(name: string, e: A.FunctionCall, sc: Scope): G | undefined {
    const L = e.loc;
    const a = (i: number) => this.expr(e.args[i]!, sc);
    const n = e.args.length;
    const rt = (f: string) => this.rt(f, L);
    const want = (min: number, max = min) => {
      if (n < min || n > max) this.diag(TR.UNSUPPORTED, `${name} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${n}`, L);
    };
    const strArg = (i: number): G => {
      const g = a(i);
      if (isString(g.type) || isNull(g.type)) return g;
      if (isUnknown(g.type)) return g;
      return this.convert(g, nvarchar(4000), L);
    };
    const strType = (g: G, len?: number): SqlType => ({ name: isUnicode(g.type) ? "nvarchar" : "varchar", length: len ?? (g.type.length ?? 8000), ...(g.type.collation ? { collation: g.type.collation, collationDerivation: g.type.collationDerivation ?? "implicit" } : {}) });
    const ci = (...gs: G[]) => {
      const ts = gs.map((g) => g.type).filter(isString);
      let c = ts[0]?.collation ?? this.defaultCollation;
      if (ts.length >= 2) c = this.resolveCollation(ts[0]!, ts[1]!, L);
      return isCaseInsensitive(c);
    };
    switch (name) {
      // ---- strings
      case "LEN": {
        want(1);
        const s = strArg(0);
        return { sql: `${rt("tsql_len")}(${this.padded(s)})`, type: isMax(s.type) ? BIGINT : INT, atom: true };
      }
      case "DATALENGTH": {
        want(1);
        const s = a(0);
        if (isBinary(s.type)) return { sql: `${rt("tsql_datalength")}(${s.sql})`, type: INT, atom: true };
        if (isString(s.type)) return { sql: `${rt("tsql_datalength")}(${this.padded(s)}, ${isUnicode(s.type)})`, type: isMax(s.type) ? BIGINT : INT, atom: true };
        const sizes: Record<string, number> = { tinyint: 1, smallint: 2, int: 4, bigint: 8, bit: 1, float: 8, real: 4, money: 8, smallmoney: 4, date: 3, datetime: 8, smalldatetime: 4, uniqueidentifier: 16 };
        const size = sizes[s.type.name];
        if (size !== undefined) return { sql: `CASE WHEN ${s.sql} IS NULL THEN NULL ELSE ${size} END`, type: INT, atom: true };
        this.diag(TR.UNSUPPORTED, `DATALENGTH of ${showType(s.type)} is not translated`, L);
        return { sql: "NULL::integer", type: INT, atom: false };
      }
      case "LEFT":
      case "RIGHT": {
        want(2);
        const s = strArg(0);
        return { sql: `${rt(name === "LEFT" ? "tsql_left" : "tsql_right")}(${this.padded(s)}, ${this.convert(a(1), BIGINT, L).sql})`, type: strType(s), atom: true };
      }
      case "SUBSTRING": {
        want(2, 3);
        const s = a(0);
        const len = n > 2 ? this.convert(a(2), BIGINT, L).sql : "NULL";
        if (isBinary(s.type)) return { sql: `${rt("tsql_substring")}(${s.sql}, ${this.convert(a(1), BIGINT, L).sql}, ${len})`, type: { name: "varbinary", length: s.type.length ?? 8000 }, atom: true };
        const ss = isString(s.type) || isUnknown(s.type) || isNull(s.type) ? s : this.convert(s, varchar(8000), L);
        return { sql: `${rt("tsql_substring")}(${this.padded(ss)}, ${this.convert(a(1), BIGINT, L).sql}, ${len})`, type: strType(ss), atom: true };
      }
      case "CHARINDEX": {
        want(2, 3);
        const f = strArg(0);
        const s = strArg(1);
        const start = n > 2 ? this.convert(a(2), BIGINT, L).sql : "1";
        return { sql: `${rt("tsql_charindex")}(${this.padded(f)}, ${this.padded(s)}, ${start}, ${ci(f, s)})`, type: isMax(s.type) ? BIGINT : INT, atom: true };
      }
      case "PATINDEX": {
        want(2);
        const p = strArg(0);
        const s = strArg(1);
        return { sql: `${rt("tsql_patindex")}(${p.sql}, ${this.padded(s)}, ${ci(p, s)}, ${isUnicode(p.type) || isUnicode(s.type)})`, type: isMax(s.type) ? BIGINT : INT, atom: true };
      }
      case "STUFF": {
        want(4);
        const s = strArg(0);
        const r = strArg(3);
        return { sql: `${rt("tsql_stuff")}(${this.padded(s)}, ${this.convert(a(1), BIGINT, L).sql}, ${this.convert(a(2), BIGINT, L).sql}, ${r.sql})`, type: strType(s, isMax(s.type) ? -1 : 8000), atom: true };
      }
      case "REPLICATE": {
        want(2);
        const s = strArg(0);
        const cap = isMax(s.type) ? "NULL" : isUnicode(s.type) ? "4000" : "8000";
        return { sql: `${rt("tsql_replicate")}(${this.padded(s)}, ${this.convert(a(1), BIGINT, L).sql}, ${cap})`, type: strType(s, isMax(s.type) ? -1 : 8000), atom: true };
      }
      case "SPACE":
        want(1);
        return { sql: `${rt("tsql_space")}(${this.convert(a(0), BIGINT, L).sql})`, type: varchar(8000), atom: true };
      case "QUOTENAME": {
        want(1, 2);
        return { sql: `${rt("tsql_quotename")}(${strArg(0).sql}${n > 1 ? `, ${strArg(1).sql}` : ""})`, type: nvarchar(258), atom: true };
      }
      case "REPLACE": {
        want(3);
        const s = strArg(0);
        const f = strArg(1);
        const r = strArg(2);
        const t = strType(isUnicode(f.type) || isUnicode(r.type) ? { ...s, type: { ...s.type, name: "nvarchar" } } : s, isMax(s.type) ? -1 : 8000);
        if (ci(s, f)) return { sql: `${rt("tsql_replace_ci")}(${this.padded(s)}, ${f.sql}, ${r.sql})`, type: t, atom: true };
        return { sql: `replace(${this.padded(s)}, ${f.sql}, ${r.sql})`, type: t, atom: true };
      }
      case "UPPER":
      case "LOWER": {
        want(1);
        const s = strArg(0);
        return { sql: `${lower(name)}(${s.sql})`, type: s.type, atom: true };
      }
      case "LTRIM":
      case "RTRIM": {
        want(1, 2);
        const s = strArg(0);
        const chars = n > 1 ? strArg(1).sql : "' '";
        return { sql: `${lower(name)}(${this.padded(s)}, ${chars})`, type: strType(s), atom: true };
      }
      case "TRIM": {
        if (e.trimFrom && n === 2) {
          const s = strArg(1);
          return { sql: `btrim(${this.padded(s)}, ${strArg(0).sql})`, type: strType(s), atom: true };
        }
        want(1);
        const s = strArg(0);
        return { sql: `btrim(${this.padded(s)}, ' ')`, type: strType(s), atom: true };
      }
      case "REVERSE": {
        want(1);
        const s = strArg(0);
        return { sql: `reverse(${this.padded(s)})`, type: strType(s), atom: true };
      }
      case "CONCAT":
      case "CONCAT_WS": {
        const parts = e.args.map((_, i) => a(i));
        const strs = parts.map((g) => (isString(g.type) ? this.padded(g) : isNull(g.type) ? "NULL" : isUnknown(g.type) ? (this.diag(TR.UNKNOWN_TYPE, `${name} argument of unknown type: its string conversion depends on the type`, L), g.sql) : this.convert(g, nvarchar(4000), L).sql));
        const unicode = parts.some((g) => isUnicode(g.type));
        const max = parts.some((g) => isMax(g.type));
        const t: SqlType = { name: unicode ? "nvarchar" : "varchar", length: max ? -1 : unicode ? 4000 : 8000 };
        if (name === "CONCAT_WS") {
          return { sql: `coalesce(concat_ws(${strs.join(", ")}), '')`, type: t, atom: true };
        }
        return { sql: `concat(${strs.join(", ")})`, type: t, atom: true };
      }
      case "ASCII":
      case "UNICODE": {
        want(1);
        const s = strArg(0);
        if (name === "ASCII") return { sql: `CASE WHEN ${s.sql} = '' THEN NULL ELSE get_byte(${rt("tsql_cp1252")}(left(${s.sql}, 1)), 0) END`, type: INT, atom: true };
        return { sql: `ascii(${s.sql})`, type: INT, atom: true };
      }
      case "CHAR":
      case "NCHAR": {
        want(1);
        const x = this.convert(a(0), INT, L);
        if (name === "CHAR") return { sql: `CASE WHEN ${x.sql} BETWEEN 0 AND 255 THEN convert_from(set_byte('\\x00'::bytea, 0, ${x.sql}), 'WIN1252') END`, type: varchar(1), atom: true };
        return { sql: `CASE WHEN ${x.sql} BETWEEN 0 AND 1114111 THEN chr(${x.sql}) END`, type: nvarchar(1), atom: true };
      }
      case "STRING_ESCAPE":
        this.diag(TR.UNSUPPORTED, "STRING_ESCAPE is not translated", L);
        return { sql: "NULL::text", type: nvarchar(-1), atom: false };
      case "TRANSLATE": {
        want(3);
        const s = strArg(0);
        return { sql: `translate(${s.sql}, ${strArg(1).sql}, ${strArg(2).sql})`, type: strType(s), atom: true };
      }
      case "FORMAT":
        return this.format(e, sc);
      // ---- numbers
      case "ABS": {
        want(1);
        const x = a(0);
        return { sql: `abs(${x.sql})`, type: x.type, atom: true };
      }
      case "CEILING":
      case "FLOOR": {
        want(1);
        const x = a(0);
        const f = name === "CEILING" ? "ceil" : "floor";
        if (isInteger(x.type)) return x;
        if (x.type.name === "decimal") return { sql: `${f}(${x.sql})::numeric(${x.type.precision ?? 18},0)`, type: decimal(x.type.precision ?? 18, 0), atom: false };
        return { sql: `${f}(${x.sql})`, type: x.type, atom: true };
      }
      case "ROUND": {
        want(2, 3);
        const x = a(0);
        const len = this.convert(a(1), INT, L).sql;
        const fn = n > 2 ? this.convert(a(2), INT, L).sql : "0";
        if (isInteger(x.type)) return { sql: `${rt("tsql_round")}(${x.sql}::numeric, ${len}, ${fn})::${pgType(x.type.name === "bigint" ? BIGINT : INT)}`, type: x.type.name === "bigint" ? BIGINT : INT, atom: false };
        if (x.type.name === "float" || x.type.name === "real") return { sql: `${rt("tsql_round")}(${x.sql}::double precision, ${len}, ${fn})`, type: FLOAT, atom: true };
        if (x.type.name === "decimal" || x.type.name === "money" || x.type.name === "smallmoney") return { sql: `${rt("tsql_round")}(${x.sql}, ${len}, ${fn})::${pgType(x.type)}`, type: x.type, atom: false };
        if (isUnknown(x.type)) this.diag(TR.UNKNOWN_TYPE, "ROUND's result type follows its argument's type, which is unknown", L);
        return { sql: `${rt("tsql_round")}(${x.sql}, ${len}, ${fn})`, type: x.type, atom: true };
      }
      case "POWER": {
        want(2);
        const x = a(0);
        const y = a(1);
        const v = `power(${x.sql}::double precision, ${y.sql}::double precision)`;
        if (isInteger(x.type)) return { sql: `trunc(${v})::${pgType(x.type)}`, type: x.type, atom: false };
        if (x.type.name === "decimal") return { sql: `${v}::numeric(38,${x.type.scale ?? 0})`, type: decimal(38, x.type.scale ?? 0), atom: false };
        return { sql: v, type: FLOAT, atom: true };
      }
      case "SQRT": case "EXP": case "LOG10": case "SIN": case "COS": case "TAN": case "ASIN": case "ACOS": case "ATAN": case "DEGREES": case "RADIANS": case "SQUARE": {
        want(1);
        const x = a(0).sql;
        if (name === "SQUARE") return { sql: `power(${x}::double precision, 2)`, type: FLOAT, atom: true };
        if (name === "DEGREES" || name === "RADIANS") {
          const g = a(0);
          return { sql: `${lower(name)}(${x}::double precision)${isInteger(g.type) ? `::${pgType(g.type)}` : ""}`, type: isInteger(g.type) ? g.type : FLOAT, atom: true };
        }
        return { sql: `${lower(name === "LOG10" ? "log" : name)}(${x}::double precision)`, type: FLOAT, atom: true };
      }
      case "LOG": {
        want(1, 2);
        if (n === 2) return { sql: `(ln(${a(0).sql}::double precision) / ln(${a(1).sql}::double precision))`, type: FLOAT, atom: true };
        return { sql: `ln(${a(0).sql}::double precision)`, type: FLOAT, atom: true };
      }
      case "ATN2":
        want(2);
        return { sql: `atan2(${a(0).sql}::double precision, ${a(1).sql}::double precision)`, type: FLOAT, atom: true };
      case "PI":
        return { sql: "pi()", type: FLOAT, atom: true };
      case "SIGN": {
        want(1);
        const x = a(0);
        return { sql: `sign(${x.sql})${isInteger(x.type) ? `::${pgType(x.type)}` : ""}`, type: x.type, atom: !isInteger(x.type) };
      }
      case "RAND":
        if (n > 0) this.diag(TR.UNSUPPORTED, "RAND(seed): seeded sequences differ from SQL Server's", L);
        return { sql: "random()", type: FLOAT, atom: true };
      case "ISNUMERIC": {
        want(1);
        this.diag(TR.ISNUMERIC, "ISNUMERIC is approximated; SQL Server's accepted grammar is undocumented", L);
        return { sql: `${rt("tsql_isnumeric")}(${strArg(0).sql})`, type: INT, atom: true };
      }
      // ---- null handling
      case "ISNULL": {
        want(2);
        const x = a(0);
        const y = a(1);
        const t = isNull(x.type) ? (isNull(y.type) ? INT : y.type) : x.type;
        return { sql: `coalesce(${x.sql}, ${this.convert(y, t, L).sql})`, type: t, atom: true };
      }
      case "COALESCE": {
        const gs = e.args.map((_, i) => a(i));
        let t: SqlType = NULL_TYPE;
        for (const g of gs) t = dominant(t, g.type);
        if (isUnknown(t) && gs.some((g) => !isUnknown(g.type) && !isNull(g.type))) this.diag(TR.UNKNOWN_TYPE, "COALESCE's result type depends on an argument of unknown type", L);
        return { sql: `coalesce(${gs.map((g) => this.convert(g, t, L).sql).join(", ")})`, type: t, atom: true };
      }
      case "NULLIF": {
        want(2);
        const x = a(0);
        const y = a(1);
        if (isString(x.type) || isString(y.type) || isUnknown(x.type) || isUnknown(y.type)) {
          return { sql: `CASE WHEN ${this.compare("=", x, y, L)} THEN NULL ELSE ${x.sql} END`, type: x.type, atom: true };
        }
        return { sql: `nullif(${x.sql}, ${this.convert(y, dominant(x.type, y.type), L).sql})`, type: x.type, atom: true };
      }
      case "CHOOSE": {
        const idx = this.convert(a(0), INT, L);
        const gs = e.args.slice(1).map((_, i) => a(i + 1));
        let t: SqlType = NULL_TYPE;
        for (const g of gs) t = dominant(t, g.type);
        return { sql: `CASE ${idx.sql} ${gs.map((g, i) => `WHEN ${i + 1} THEN ${this.convert(g, t, L).sql}`).join(" ")} END`, type: t, atom: true };
      }
      // ---- dates
      case "GETDATE":
      case "CURRENT_TIMESTAMP":
        return { sql: `${rt("tsql_getdate")}()`, type: DATETIME, atom: true };
      case "GETUTCDATE":
        return { sql: `${rt("tsql_getutcdate")}()`, type: DATETIME, atom: true };
      case "SYSDATETIME":
        return { sql: `${rt("tsql_sysdatetime")}()`, type: { name: "datetime2", scale: 7 }, atom: true };
      case "SYSUTCDATETIME":
        return { sql: `${rt("tsql_sysutcdatetime")}()`, type: { name: "datetime2", scale: 7 }, atom: true };
      case "SYSDATETIMEOFFSET":
        this.diag(TR.DATETIMEOFFSET, "SYSDATETIMEOFFSET(): the server's offset is not kept (timestamptz)", L);
        return { sql: "statement_timestamp()", type: { name: "datetimeoffset", scale: 7 }, atom: true };
      case "DATEADD": {
        want(3);
        const part = this.datepart(e.args[0]!);
        if (!part) {
          this.diag(TR.UNSUPPORTED, "DATEADD with an unknown datepart", L);
          return { sql: "NULL", type: UNKNOWN, atom: true };
        }
        const num = a(1);
        const d0 = a(2);
        const d = this.dateArg(d0, L, DATETIME);
        const t = d.type;
        if ((part === "microsecond" || part === "nanosecond") && (t.name === "datetime" || t.name === "smalldatetime" || t.name === "date")) {
          this.diag(TR.TYPE_CLASH, `DATEADD(${part}) is not allowed for ${t.name} in SQL Server`, L);
        }
        if (t.name === "date" && ["hour", "minute", "second", "millisecond", "microsecond", "nanosecond"].includes(part)) this.diag(TR.TYPE_CLASH, `DATEADD(${part}) is not allowed for date in SQL Server`, L);
        const nSql = isNumeric(num.type) || isNull(num.type) ? (num.type.name === "bit" ? `${paren(num)}::int` : num.sql) : this.convert(num, INT, L).sql;
        const arg = t.name === "date" ? `${d.sql}::date` : t.name === "time" ? `${d.sql}::time` : `${paren(d)}::timestamp`;
        let sql = `${rt("tsql_dateadd")}(${q(part)}, ${nSql}, ${arg})`;
        if (t.name === "datetime") sql = `${rt("tsql_datetime")}(${sql})`;
        else if (t.name === "smalldatetime") sql = `${rt("tsql_smalldatetime")}(${sql})`;
        else if (t.name === "datetime2") sql = `${sql}::timestamp(${Math.min(t.scale ?? 7, 6)})`;
        return { sql, type: t, atom: !sql.endsWith(")") ? false : true };
      }
      case "DATEDIFF":
      case "DATEDIFF_BIG": {
        want(3);
        const part = this.datepart(e.args[0]!);
        if (!part) {
          this.diag(TR.UNSUPPORTED, `${name} with an unknown datepart`, L);
          return { sql: "NULL", type: UNKNOWN, atom: true };
        }
        const s = this.dateArg(a(1), L, { name: "datetime2", scale: 7 });
        const en = this.dateArg(a(2), L, { name: "datetime2", scale: 7 });
        const bothTime = s.type.name === "time" && en.type.name === "time";
        const cast = (g: G) => (bothTime ? `${paren(g)}::time` : g.type.name === "time" ? `(date '1900-01-01' + ${g.sql})` : `${paren(g)}::timestamp`);
        return { sql: `${rt(name === "DATEDIFF" ? "tsql_datediff" : "tsql_datediff_big")}(${q(part)}, ${cast(s)}, ${cast(en)})`, type: name === "DATEDIFF" ? INT : BIGINT, atom: true };
      }
      case "DATEPART":
      case "DATENAME": {
        want(2);
        const part = this.datepart(e.args[0]!);
        if (!part) {
          this.diag(TR.UNSUPPORTED, `${name} with an unknown datepart`, L);
          return { sql: "NULL", type: UNKNOWN, atom: true };
        }
        if (part === "tzoffset") {
          this.diag(TR.DATETIMEOFFSET, `${name}(tzoffset): the offset is not kept on Postgres`, L);
        }
        const d = this.dateArg(a(1), L, { name: "datetime2", scale: 7 });
        const arg = d.type.name === "date" ? `${d.sql}::date` : d.type.name === "time" ? `${d.sql}::time` : `${paren(d)}::timestamp`;
        const fn = name === "DATEPART" ? "tsql_datepart" : "tsql_datename";
        return { sql: `${rt(fn)}(${q(part)}, ${arg}, ${this.datefirst})`, type: name === "DATEPART" ? INT : nvarchar(30), atom: true };
      }
      case "YEAR":
      case "MONTH":
      case "DAY": {
        want(1);
        const d = this.dateArg(a(0), L, { name: "datetime2", scale: 7 });
        const arg = d.type.name === "date" ? `${d.sql}::date` : d.type.name === "time" ? `${d.sql}::time` : `${paren(d)}::timestamp`;
        return { sql: `${rt("tsql_datepart")}(${q(lower(name))}, ${arg}, ${this.datefirst})`, type: INT, atom: true };
      }
      case "EOMONTH": {
        want(1, 2);
        const d = this.dateArg(a(0), L, DATE);
        const arg = d.type.name === "date" ? d.sql : `${paren(d)}::timestamp`;
        return { sql: `${rt("tsql_eomonth")}(${arg}${n > 1 ? `, ${this.convert(a(1), INT, L).sql}` : ""})`, type: DATE, atom: true };
      }
      case "DATEFROMPARTS":
        want(3);
        return { sql: `${rt("tsql_datefromparts")}(${e.args.map((_, i) => this.convert(a(i), INT, L).sql).join(", ")})`, type: DATE, atom: true };
      case "DATETIMEFROMPARTS":
        want(7);
        return { sql: `${rt("tsql_datetimefromparts")}(${e.args.map((_, i) => this.convert(a(i), INT, L).sql).join(", ")})`, type: DATETIME, atom: true };
      case "DATETIME2FROMPARTS": {
        want(8);
        const p = this.constInt(a(7));
        return { sql: `${rt("tsql_datetime2fromparts")}(${e.args.map((_, i) => this.convert(a(i), INT, L).sql).join(", ")})::timestamp(${Math.min(p ?? 7, 6)})`, type: { name: "datetime2", scale: p ?? 7 }, atom: false };
      }
      case "SMALLDATETIMEFROMPARTS":
        want(5);
        return { sql: `${rt("tsql_smalldatetimefromparts")}(${e.args.map((_, i) => this.convert(a(i), INT, L).sql).join(", ")})`, type: { name: "smalldatetime" }, atom: true };
      case "TIMEFROMPARTS": {
        want(5);
        const p = this.constInt(a(4));
        return { sql: `${rt("tsql_timefromparts")}(${e.args.map((_, i) => this.convert(a(i), INT, L).sql).join(", ")})`, type: { name: "time", scale: p ?? 7 }, atom: true };
      }
      case "ISDATE": {
        want(1);
        return { sql: `${rt("tsql_isdate")}(${strArg(0).sql})`, type: INT, atom: true };
      }
      // ---- identifiers, hashing
      case "NEWID":
        return { sql: "gen_random_uuid()", type: UNIQUEIDENTIFIER, atom: true };
      case "NEWSEQUENTIALID":
        this.diag(TR.UNSUPPORTED, "NEWSEQUENTIALID(): Postgres has no generator with SQL Server's GUID ordering", L);
        return { sql: "gen_random_uuid()", type: UNIQUEIDENTIFIER, atom: true };
      case "HASHBYTES": {
        want(2);
        const alg = a(0);
        const x = a(1);
        if (isBinary(x.type)) return { sql: `${rt("tsql_hashbytes")}(${alg.sql}, ${x.sql})`, type: { name: "varbinary", length: 8000 }, atom: true };
        const s = isString(x.type) ? x : this.convert(x, nvarchar(4000), L);
        return { sql: `${rt("tsql_hashbytes")}(${alg.sql}, ${this.padded(s)}, ${isUnicode(s.type)})`, type: { name: "varbinary", length: 8000 }, atom: true };
      }
      case "CHECKSUM":
      case "BINARY_CHECKSUM":
        this.diag(TR.CHECKSUM, `${name} uses an undocumented hash algorithm; its values cannot be reproduced on Postgres`, L);
        return { sql: "NULL::integer", type: INT, atom: false };
      // ---- JSON
      case "ISJSON":
        want(1, 2);
        return { sql: `${rt("tsql_isjson")}(${strArg(0).sql}${n > 1 ? `, ${q(this.jsonTypeArg(e.args[1]!))}` : ""})`, type: INT, atom: true };
      case "JSON_VALUE":
        want(2);
        return { sql: `${rt("tsql_json_value")}(${strArg(0).sql}, ${strArg(1).sql})`, type: nvarchar(4000), atom: true };
      case "JSON_QUERY":
        want(1, 2);
        return { sql: `${rt("tsql_json_query")}(${strArg(0).sql}${n > 1 ? `, ${strArg(1).sql}` : ""})`, type: nvarchar(-1), atom: true };
      case "JSON_MODIFY":
        this.diag(TR.UNSUPPORTED, "JSON_MODIFY is not translated", L);
        return { sql: "NULL::text", type: nvarchar(-1), atom: false };
      // ---- misc
      case "IIF":
        return undefined;
      case "SCOPE_IDENTITY":
      case "IDENT_CURRENT":
      case "@@IDENTITY":
      case "ERROR_MESSAGE":
      case "ERROR_NUMBER":
      case "ERROR_LINE":
      case "ERROR_SEVERITY":
      case "ERROR_STATE":
      case "ERROR_PROCEDURE":
      case "XACT_STATE":
      case "ROWCOUNT_BIG":
        this.diag(TR.PROCEDURAL, `${name}() belongs to procedural code and is not translated by the query translator`, L);
        return { sql: "NULL", type: UNKNOWN, atom: true };
      case "DB_NAME":
        if (n === 0) return { sql: "current_database()", type: nvarchar(128), atom: true };
        return undefined;
      case "SCHEMA_NAME":
        if (n === 0) return { sql: "current_schema()", type: nvarchar(128), atom: true };
        return undefined;
      case "SUSER_SNAME":
      case "SUSER_NAME":
      case "USER_NAME":
      case "CURRENT_USER":
      case "SESSION_USER":
      case "SYSTEM_USER":
      case "ORIGINAL_LOGIN":
        if (n === 0) return { sql: "current_user", type: nvarchar(128), atom: true };
        return undefined;
      case "HOST_NAME":
      case "APP_NAME":
        this.diag(TR.UNSUPPORTED, `${name}() has no Postgres equivalent with the same value`, L);
        return { sql: "NULL::text", type: nvarchar(128), atom: false };
    }
    return undefined;
  }

  private jsonTypeArg(e: A.Expr): string {
    if (e.kind === "ColumnRef") return e.name.value.toUpperCase();
    if (e.kind === "Literal") return e.value.toUpperCase();
    return "VALUE";
  }

  private format(e: A.FunctionCall, sc: Scope): G {
    const L = e.loc;
    const x = this.expr(e.args[0]!, sc);
    const f = e.args[1] ? this.expr(e.args[1], sc) : undefined;
    const culture = e.args[2] ? this.expr(e.args[2], sc) : undefined;
    if (!f) {
      this.diag(TR.FORMAT, "FORMAT needs a format string", L);
      return { sql: "NULL::text", type: nvarchar(4000), atom: false };
    }
    if (culture && !(culture.lit && /^en-us$/i.test(culture.lit.value))) this.diag(TR.FORMAT, "FORMAT with a culture other than en-US is not supported", L);
    let arg: string;
    if (isDateTime(x.type)) {
      if (x.type.name === "time") {
        this.diag(TR.FORMAT, "FORMAT of time (.NET TimeSpan patterns) is not supported", L);
        return { sql: "NULL::text", type: nvarchar(4000), atom: false };
      }
      arg = x.type.name === "datetimeoffset" ? `(${x.sql} AT TIME ZONE 'UTC')` : `${paren(x)}::timestamp`;
    } else if (x.type.name === "float" || x.type.name === "real") arg = `${paren(x)}::double precision`;
    else if (isNumeric(x.type) && x.type.name !== "bit") arg = `${paren(x)}::numeric`;
    else {
      this.diag(isUnknown(x.type) ? TR.UNKNOWN_TYPE : TR.FORMAT, `FORMAT of ${showType(x.type)} is not supported`, L);
      return { sql: "NULL::text", type: nvarchar(4000), atom: false };
    }
    return { sql: `${this.rt("tsql_format", L)}(${arg}, ${f.sql}${culture ? `, ${culture.sql}` : ""})`, type: nvarchar(4000), atom: true };
  }

  private aggregateOrWindow(e: A.FunctionCall, sc: Scope): G {
    const L = e.loc;
    const name = e.upperName;
    const over = e.over ? this.overClause(e.over, sc) : "";
    const withOver = (sql: string) => (over ? `${sql} OVER (${over})` : sql);
    sc.aggDepth++;
    let args: G[];
    try {
      args = e.args.map((x) => this.expr(x, sc));
    } finally {
      sc.aggDepth--;
    }
    const d = e.distinct ? "DISTINCT " : "";
    const x = args[0];
    const aggKey = (g: G) => (isString(g.type) && e.distinct ? this.stringKey(g, g.type.collation ?? this.defaultCollation) : g.sql);
    switch (name) {
      case "COUNT":
      case "COUNT_BIG": {
        const inner = e.args[0]?.kind === "Star" ? "*" : `${d}${aggKey(x!)}`;
        const c = withOver(`count(${inner})`);
        return name === "COUNT" ? { sql: `(${c})::integer`, type: INT, atom: true } : { sql: c, type: BIGINT, atom: true };
      }
      case "SUM":
      case "AVG": {
        const t = x!.type;
        if (t.name === "bit") this.diag(TR.TYPE_CLASH, `${name} of bit is rejected by SQL Server`, L);
        if (isUnknown(t)) {
          this.diag(TR.UNKNOWN_TYPE, `${name}'s result type follows its argument's type, which is unknown`, L);
          return { sql: withOver(`${lower(name)}(${d}${x!.sql})`), type: UNKNOWN, atom: true };
        }
        if (isString(t)) this.diag(TR.TYPE_CLASH, `${name} of a character type is rejected by SQL Server`, L);
        if (isInteger(t)) {
          const rt = t.name === "bigint" ? "bigint" : "integer";
          const rtype = t.name === "bigint" ? BIGINT : INT;
          if (name === "SUM") return { sql: `(${withOver(`sum(${d}${x!.sql})`)})::${rt}`, type: rtype, atom: true };
          // Integer AVG: the sum divided by the count with integer (truncating) division.
          return { sql: `((${withOver(`sum(${d}${x!.sql})`)})::${rt} / (${withOver(`count(${d}${x!.sql})`)}))::${rt}`, type: rtype, atom: true };
        }
        if (t.name === "decimal") {
          const s = t.scale ?? 0;
          if (name === "SUM") return { sql: `(${withOver(`sum(${d}${x!.sql})`)})::numeric(38,${s})`, type: decimal(38, s), atom: true };
          const rs = Math.max(s, 6);
          return { sql: `round(${withOver(`avg(${d}${x!.sql})`)}, ${rs})::numeric(38,${rs})`, type: decimal(38, rs), atom: false };
        }
        if (t.name === "money" || t.name === "smallmoney") {
          return { sql: `round(${withOver(`${lower(name)}(${d}${x!.sql})`)}, 4)::numeric(19,4)`, type: { name: "money" }, atom: false };
        }
        return { sql: withOver(`${lower(name)}(${d}${x!.sql})`), type: FLOAT, atom: true };
      }
      case "MIN":
      case "MAX": {
        const t = x!.type;
        if (isString(t) && isCaseInsensitive(t.collation ?? this.defaultCollation) && e.over) {
          this.noteOrder(L);
          // Aggregate ORDER BY is not allowed in window calls: take the first value of the partition in collation order.
          if (e.over.orderBy.length || e.over.frame) this.diag(TR.UNSUPPORTED, `${name}(string) OVER (... ORDER BY ...) (running collation-aware ${lower(name)}) is not translated`, L);
          const part = e.over.partitionBy.length ? `PARTITION BY ${e.over.partitionBy.map((p) => {
            const g = this.expr(p, sc);
            return isString(g.type) ? this.stringKey(g, g.type.collation ?? this.defaultCollation) : g.sql;
          }).join(", ")} ` : "";
          return { sql: `first_value(${x!.sql}) OVER (${part}ORDER BY lower(${x!.sql}) ${name === "MIN" ? "ASC" : "DESC"} NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)`, type: t, atom: true };
        }
        if (isString(t) && isCaseInsensitive(t.collation ?? this.defaultCollation)) {
          this.noteOrder(L);
          const dir = name === "MIN" ? "ASC" : "DESC";
          // The collation-smallest value: order case-insensitively, skip NULLs, take the first.
          return { sql: `(${withOver(`array_agg(${x!.sql} ORDER BY lower(${x!.sql}) ${dir}) FILTER (WHERE ${x!.sql} IS NOT NULL)`)})[1]`, type: t, atom: true };
        }
        if (t.name === "bit") {
          return { sql: withOver(`${name === "MIN" ? "bool_and" : "bool_or"}(${x!.sql})`), type: t, atom: true };
        }
        if (t.name === "uniqueidentifier") this.diag(TR.UNSUPPORTED, `${name} of uniqueidentifier (SQL Server's GUID order) is not translated`, L);
        if (isString(t)) this.noteOrder(L);
        return { sql: withOver(`${lower(name)}(${x!.sql})`), type: t, atom: true };
      }
      case "STRING_AGG": {
        const v = x!;
        const sep = args[1]!;
        const vs = isString(v.type) ? this.padded(v) : isNull(v.type) ? "NULL::text" : this.convert(v, nvarchar(4000), L).sql;
        const order = e.withinGroup?.length ? ` ORDER BY ${this.orderItems(e.withinGroup, sc)}` : "";
        const t: SqlType = { name: isUnicode(v.type) || isUnicode(sep.type) || !isString(v.type) ? "nvarchar" : "varchar", length: isMax(v.type) ? -1 : isUnicode(v.type) || !isString(v.type) ? 4000 : 8000 };
        if (!isMax(v.type)) this.diag(TR.STRING_LIMIT, "STRING_AGG: SQL Server raises an error past 8000 bytes for non-max input; Postgres does not", L);
        return { sql: withOver(`string_agg(${vs}, ${sep.sql}${order})`), type: t, atom: true };
      }
      case "STDEV": case "STDEVP": case "VAR": case "VARP": {
        const fn = { STDEV: "stddev_samp", STDEVP: "stddev_pop", VAR: "var_samp", VARP: "var_pop" }[name];
        return { sql: `(${withOver(`${fn}(${d}${x!.sql}::double precision)`)})::double precision`, type: FLOAT, atom: true };
      }
      case "GROUPING":
        return { sql: `GROUPING(${args.map((g) => g.sql).join(", ")})`, type: { name: "tinyint" }, atom: true };
      case "GROUPING_ID":
        return { sql: `GROUPING(${args.map((g) => g.sql).join(", ")})`, type: INT, atom: true };
      case "CHECKSUM_AGG":
        this.diag(TR.CHECKSUM, "CHECKSUM_AGG uses an undocumented algorithm", L);
        return { sql: "NULL::integer", type: INT, atom: false };
      case "APPROX_COUNT_DISTINCT":
        return { sql: withOver(`count(DISTINCT ${aggKey(x!)})`), type: BIGINT, atom: true };
      case "ROW_NUMBER":
      case "RANK":
      case "DENSE_RANK":
        return { sql: withOver(`${lower(name)}()`), type: BIGINT, atom: true };
      case "NTILE":
        return { sql: withOver(`ntile(${x!.sql})`), type: BIGINT, atom: true };
      case "PERCENT_RANK":
      case "CUME_DIST":
        return { sql: withOver(`${lower(name)}()`), type: FLOAT, atom: true };
      case "LAG":
      case "LEAD": {
        const t = x!.type;
        const rest = args.slice(1).map((g, i) => (i === 1 ? this.convert(g, t, L).sql : g.sql));
        return { sql: withOver(`${lower(name)}(${[x!.sql, ...rest].join(", ")})`), type: t, atom: true };
      }
      case "FIRST_VALUE":
      case "LAST_VALUE":
        return { sql: withOver(`${lower(name)}(${x!.sql})`), type: x!.type, atom: true };
    }
    if (e.over) {
      // A user aggregate or other function with OVER: not known.
      this.diag(TR.UNKNOWN_FUNCTION, `window function ${name} is not translated`, L);
      return { sql: withOver(`${lower(name)}(${args.map((g) => g.sql).join(", ")})`), type: UNKNOWN, atom: true };
    }
    this.diag(TR.UNKNOWN_FUNCTION, `aggregate ${name} is not translated`, L);
    return { sql: "NULL", type: UNKNOWN, atom: true };
  }

  private overClause(o: A.Over, sc: Scope): string {
    const parts: string[] = [];
    if (o.partitionBy.length) {
      parts.push(`PARTITION BY ${o.partitionBy.map((p) => {
        const g = this.expr(p, sc);
        return isString(g.type) ? this.stringKey(g, g.type.collation ?? this.defaultCollation) : g.sql;
      }).join(", ")}`);
    }
    if (o.orderBy.length) parts.push(`ORDER BY ${this.orderItems(o.orderBy, sc)}`);
    if (o.frame) {
      const b = (f: A.FrameBound) => (f.offset ? `${this.expr(f.offset, sc).sql} ${f.type}` : f.type);
      parts.push(o.frame.end ? `${o.frame.unit} BETWEEN ${b(o.frame.start)} AND ${b(o.frame.end)}` : `${o.frame.unit} ${b(o.frame.start)}`);
    } else if (o.orderBy.length) {
      // SQL Server's default frame with ORDER BY is RANGE UNBOUNDED PRECEDING .. CURRENT ROW, as in Postgres.
    }
    return parts.join(" ");
  }

  /** ORDER BY items with SQL Server's NULL ordering made explicit. */
  orderItems(items: A.OrderItem[], sc: Scope, resolve?: (e: A.Expr) => G | undefined): string {
    return items
      .map((o) => {
        const g = resolve?.(o.expr) ?? this.expr(o.expr, sc);
        const key = this.orderKey(g, o.loc);
        const desc = o.direction === "DESC";
        return `${key}${desc ? " DESC NULLS LAST" : " NULLS FIRST"}`;
      })
      .join(", ");
  }

  private methodCall(e: A.MethodCall, sc: Scope): G {
    const m = lower(e.method.value);
    // (SELECT ... FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)'): string aggregation without escaping.
    if (m === "value" && e.target.kind === "Subquery" || (m === "value" && e.target.kind === "Paren" && e.target.expr.kind === "Subquery")) {
      const sub = e.target.kind === "Subquery" ? e.target : (e.target as A.Paren).expr as A.Subquery;
      const path = e.args[0];
      if (sub.query.kind === "Select" && sub.query.for?.mode === "XML" && path?.kind === "Literal" && path.value === ".") {
        const r = this.forXmlPath(sub.query, sc, false);
        if (r) return { sql: `(${r})`, type: nvarchar(-1), atom: true };
      }
    }
    if (m === "value" || m === "exist") {
      const x = this.expr(e.target, sc);
      const r = this.xmlMethod(m, x, e.args, e.loc);
      if (r) return r;
    }
    this.diag(TR.UNSUPPORTED, `method call .${e.method.value}() (XML/CLR type method) is not translated`, e.loc);
    return { sql: "NULL", type: UNKNOWN, atom: true };
  }

  /** xml.value(xquery, type) / xml.exist(xquery) for simple paths, through Postgres xpath(). */
  private xmlMethod(m: string, x: G, args: A.Expr[], loc: A.Loc): G | undefined {
    if (x.type.name !== "xml") return undefined;
    const q0 = args[0];
    if (q0?.kind !== "Literal" || (q0.literalType !== "string" && q0.literalType !== "nstring")) return undefined;
    const xp = xqueryToXpath(q0.value, x.type.xmlRoot ? "root" : x.type.xmlNode === true);
    if (!xp) {
      this.diag(TR.UNSUPPORTED, `XQuery '${q0.value.replace(/\s+/g, " ").slice(0, 80)}' is beyond the simple paths the translator maps to XPath`, loc);
      return { sql: "NULL", type: UNKNOWN, atom: true };
    }
    const ns = xp.ns.length ? `, ARRAY[${xp.ns.map(([p, u]) => `ARRAY[${q(p)}, ${q(u)}]`).join(", ")}]` : "";
    if (m === "exist") return { sql: `xpath_exists(${q(xp.path)}, ${x.sql}${ns})`, type: BIT, atom: true };
    const t1 = args[1];
    if (t1?.kind !== "Literal") return undefined;
    const parsed = parseExpression(`CAST(NULL AS ${t1.value})`);
    if (parsed.expr?.kind !== "Cast") return undefined;
    const to = fromDataType(parsed.expr.type, "cast");
    // string() of the first node; xpath() returns it XML-escaped (&amp; &lt; &gt; &#x0d;), so unescape; a
    // missing node is NULL in SQL Server (string() would give '').
    const str = `(xpath(${q(`string(${xp.path})`)}, ${x.sql}${ns}))[1]::text`;
    const unescaped = `replace(replace(replace(replace(${str}, '&lt;', '<'), '&gt;', '>'), '&#x0d;', chr(13)), '&amp;', '&')`;
    const v: G = { sql: `CASE WHEN xpath_exists(${q(xp.path)}, ${x.sql}${ns}) THEN ${unescaped} END`, type: nvarchar(-1), atom: true };
    return this.convert(v, to, loc, { explicit: true });
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  /** A query used as a subquery (own scope whose parent is `sc`). */
  subquery(q: A.QueryExpr, sc: Scope): QueryResult {
    return this.query(q, new Scope(sc));
  }

  queryWith(w: A.WithClause | undefined, q: A.QueryExpr, sc: Scope, opts: QueryOpts = {}): QueryResult {
    if (!w) return this.query(q, sc, opts);
    const parts: string[] = [];
    let recursive = false;
    for (const c of w.ctes) {
      const isRec = referencesName(c.query, c.name.value);
      const info = { recursive: isRec } as { recursive: boolean; columns?: ColInfo[] };
      let res: QueryResult;
      if (isRec) {
        recursive = true;
        const opt = (q.kind === "Select" || q.kind === "SetOperation" ? q.option : []).find((o) => o.name === "MAXRECURSION");
        const v = opt && typeof opt.value === "object" && !Array.isArray(opt.value) && opt.value.kind === "Literal" ? Number(opt.value.value) : opt && typeof opt.value === "string" ? Number(opt.value) : 100;
        const rec = this.recursiveCte(c, sc, Number.isFinite(v) ? v : 100);
        res = rec;
        if (rec.internal) {
          // The recursion runs in <name>_dm_rec with a depth column; <name> exposes the CTE's own columns.
          parts.push(`${rec.internal} AS (${rec.sql})`);
          const names = (rec.columns ?? []).map((col, i) => ident(col.name || `column${i + 1}`));
          res = { sql: `SELECT ${names.join(", ")} FROM ${rec.internal}`, ...(rec.columns ? { columns: rec.columns } : {}) };
        }
      } else {
        res = this.query(c.query, new Scope(sc));
      }
      let cols = res.columns;
      if (cols && c.columns.length) cols = cols.map((col, i) => ({ name: c.columns[i]?.value ?? col.name, type: col.type }));
      else if (!cols && c.columns.length) cols = c.columns.map((id) => ({ name: id.value, type: UNKNOWN }));
      if (cols) info.columns = cols;
      sc.ctes.set(lower(c.name.value), info);
      parts.push(`${ident(c.name.value)}${c.columns.length ? `(${c.columns.map((i) => ident(i.value)).join(", ")})` : ""} AS (${res.sql})`);
    }
    if (w.xmlNamespaces) this.diag(TR.FOR_XML_JSON, "WITH XMLNAMESPACES is not translated", w.loc);
    const body = this.query(q, sc, opts);
    return { sql: `WITH ${recursive ? "RECURSIVE " : ""}${parts.join(", ")} ${body.sql}`, ...(body.columns ? { columns: body.columns } : {}) };
  }

  private recursiveCte(c: A.Cte, sc: Scope, limit = 100): QueryResult & { internal?: string } {
    // Split anchor(s) and recursive member(s) of the UNION ALL chain.
    const members: A.QueryExpr[] = [];
    const ops: string[] = [];
    const flatten = (q: A.QueryExpr): void => {
      if (q.kind === "SetOperation" && !q.orderBy.length) {
        flatten(q.left);
        ops.push(q.op);
        members.push(q.right);
      } else members.push(q);
    };
    flatten(c.query);
    const anchors = members.filter((m) => !referencesName(m, c.name.value));
    const recs = members.filter((m) => referencesName(m, c.name.value));
    if (recs.length > 1) this.diag(TR.RECURSIVE_CTE, `recursive CTE ${c.name.value} has ${recs.length} recursive members; Postgres allows one`, c.loc);
    const anchorSc = new Scope(sc);
    const anchorRes = anchors.map((m) => this.query(m, new Scope(anchorSc)));
    const first = anchorRes[0];
    const cols = first?.columns?.map((col, i) => ({ name: c.columns[i]?.value ?? col.name, type: col.type }));
    // The CTE's columns have the anchor's types; strings become text so the recursive member's concatenations match.
    const castCols = (r: QueryResult): string => {
      if (!r.columns || !cols) return r.sql;
      const names = r.columns.map((_, i) => `c${i + 1}`);
      const a = this.fresh("dm_a");
      return `SELECT ${cols.map((col, i) => `${a}.${names[i]}::${isString(col.type) ? "text" : pgType(col.type)} AS ${ident(col.name || `column${i + 1}`)}`).join(", ")} FROM (${r.sql}) AS ${a}(${names.join(", ")})`;
    };
    const recSc = new Scope(sc);
    const info: { recursive: boolean; columns?: ColInfo[]; renderName?: string } = { recursive: true };
    if (cols) info.columns = cols;
    recSc.ctes.set(lower(c.name.value), info);
    // MAXRECURSION: carry a depth column and raise SQL Server's error past the limit (0 = unlimited).
    const member = recs[0];
    const refAlias = member?.kind === "Select" ? cteAlias(member, c.name.value) : undefined;
    if (limit > 0 && recs.length === 1 && member?.kind === "Select" && refAlias && cols && anchorRes.every((r) => r.columns)) {
      const internal = ident(`${c.name.value}_dm_rec`);
      info.columns = [...cols, { name: "dm_depth", type: INT }];
      info.renderName = internal;
      const depthItem: A.SelectItem = { kind: "SelectItem", expr: { kind: "ColumnRef", table: { kind: "ObjectName", name: { kind: "Identifier", value: refAlias, quote: "none", loc: c.loc }, partCount: 1, loc: c.loc }, name: { kind: "Identifier", value: "dm_depth", quote: "none", loc: c.loc }, loc: c.loc }, loc: c.loc };
      const recR = this.query({ ...member, columns: [...member.columns, depthItem] }, new Scope(recSc));
      this.diag(TR.RECURSION_ORDER, "recursive CTE: Postgres evaluates breadth-first; rows of an unordered result come in a different order", c.loc);
      const cast = (r: QueryResult, depth: (a: string, name: string) => string): string => {
        const names = r.columns!.map((_, i) => `c${i + 1}`);
        const a = this.fresh("dm_a");
        const items = cols.map((col, i) => `${a}.${names[i]}::${isString(col.type) ? "text" : pgType(col.type)} AS ${ident(col.name || `column${i + 1}`)}`);
        return `SELECT ${items.join(", ")}, ${depth(a, names[names.length - 1]!)} AS dm_depth FROM (${r.sql}) AS ${a}(${names.join(", ")})`;
      };
      const anchorSql = anchorRes.map((r) => {
        const names = r.columns!.map((_, i) => `c${i + 1}`);
        const a = this.fresh("dm_a");
        return `SELECT ${cols.map((col, i) => `${a}.${names[i]}::${isString(col.type) ? "text" : pgType(col.type)} AS ${ident(col.name || `column${i + 1}`)}`).join(", ")}, 0 AS dm_depth FROM (${r.sql}) AS ${a}(${names.join(", ")})`;
      }).join(" UNION ALL ");
      const msg = `The statement terminated. The maximum recursion ${limit} has been exhausted before statement completion.`;
      const recSql = cast(recR, (a, n) => `CASE WHEN ${a}.${n} + 1 > ${limit} THEN ${this.rt("tsql_raise", c.loc)}(${q(msg)}, NULL::integer, (${a}.${n} + 1)::text) ELSE ${a}.${n} + 1 END`);
      return { sql: `${anchorSql} UNION ALL ${recSql}`, columns: cols, internal };
    }
    this.diag(TR.RECURSION_ORDER, "recursive CTE: Postgres evaluates breadth-first (unordered output differs) and has no MAXRECURSION limit here", c.loc);
    const recRes = recs.map((m) => this.query(m, new Scope(recSc)));
    const anchorSql = anchorRes.map((r) => castCols(r)).join(" UNION ALL ");
    const recSql = recRes.map((r) => castCols(r)).join(" UNION ALL ");
    const op = ops[ops.length - recs.length] ?? "UNION ALL";
    if (op !== "UNION ALL") this.diag(TR.RECURSIVE_CTE, "recursive CTE members must be joined by UNION ALL", c.loc);
    return { sql: `${anchorSql} ${op} ${recSql}`, ...(cols ? { columns: cols } : {}) };
  }

  query(q: A.QueryExpr, sc: Scope, opts: QueryOpts = {}): QueryResult {
    switch (q.kind) {
      case "Select":
        return this.select(q, sc, opts);
      case "ParenQuery": {
        const r = this.query(q.query, new Scope(sc.parent), opts);
        return { sql: `(${r.sql})`, ...(r.columns ? { columns: r.columns } : {}) };
      }
      case "SetOperation":
        return this.setOperation(q, sc, opts);
    }
  }

  private setOperation(q: A.SetOperation, sc: Scope, opts: QueryOpts): QueryResult {
    const branches: A.QueryExpr[] = [];
    const ops: string[] = [];
    const flatten = (x: A.QueryExpr): void => {
      if (x.kind === "SetOperation" && x !== q && (x.orderBy.length || x.offset)) {
        branches.push(x);
        return;
      }
      if (x.kind === "SetOperation") {
        flatten(x.left);
        ops.push(x.op);
        branches.push(x.right);
      } else branches.push(x);
    };
    flatten(q);
    const rs0 = branches.map((b) => this.query(b, new Scope(sc.parent)));
    const cols = mergeColumns(rs0.map((r) => r.columns));
    // Each branch's columns converted to the result type by T-SQL precedence (Postgres would resolve
    // differently or refuse: int vs varchar, bit vs int, decimal scales).
    const rs = rs0.map((r, bi) => {
      if (!cols || !r.columns) return r;
      const needs = r.columns.map((c, i) => !sameType(c.type, cols[i]!.type) && !isNull(c.type) && !isUnknown(cols[i]!.type));
      if (!needs.some(Boolean)) return r;
      const w = this.fresh("dm_b");
      const names = r.columns.map((_, i) => `c${i + 1}`);
      const items = r.columns.map((c, i) => {
        const ref: G = { sql: `${w}.${names[i]}`, type: c.type, atom: true };
        const g = needs[i] ? this.convert(ref, cols[i]!.type, q.loc) : ref;
        const pgT = isUnknown(cols[i]!.type) ? "" : `::${pgType(cols[i]!.type)}`;
        return `${needs[i] ? `(${g.sql})${pgT}` : g.sql} AS ${ident(bi === 0 ? cols[i]!.name || `column${i + 1}` : names[i]!)}`;
      });
      return { sql: `SELECT ${items.join(", ")} FROM (${r.sql}) AS ${w}(${names.join(", ")})`, columns: r.columns };
    });
    const ciCols = cols?.map((c) => isString(c.type) && isCaseInsensitive(c.type.collation ?? this.defaultCollation)) ?? [];
    const distinctOps = ops.filter((o) => o !== "UNION ALL");
    const parts: string[] = [];
    rs.forEach((r, i) => {
      if (i > 0) parts.push(ops[i - 1]!);
      parts.push(r.sql);
    });
    let sql: string;
    if (distinctOps.length && ciCols.some(Boolean)) {
      // UNION / INTERSECT / EXCEPT compare rows with the collation: fold the chain left to right on the
      // comparison keys (one row per collation-equal group; its spelling is arbitrary, as in SQL Server).
      const names = cols!.map((_, i) => `c${i + 1}`);
      const keysOf = (a: string) => cols!.map((c, i) => (isString(c.type) ? this.stringKey({ sql: `${a}.${names[i]}`, type: c.type, atom: true }, c.type.collation ?? this.defaultCollation) : `${a}.${names[i]}`));
      let acc = rs[0]!.sql;
      rs.slice(1).forEach((r, i) => {
        const op = ops[i]!;
        const a = this.fresh("dm_u");
        if (op === "UNION ALL") acc = `SELECT * FROM (${acc} UNION ALL ${r.sql}) AS ${a}(${names.join(", ")})`;
        else if (op === "UNION") acc = `SELECT DISTINCT ON (${keysOf(a).join(", ")}) * FROM (${acc} UNION ALL ${r.sql}) AS ${a}(${names.join(", ")})`;
        else {
          const b = this.fresh("dm_u");
          const ka = keysOf(a);
          const kb = keysOf(b);
          const match = ka.map((k, j) => `${k} IS NOT DISTINCT FROM ${kb[j]}`).join(" AND ");
          acc = `SELECT DISTINCT ON (${ka.join(", ")}) ${a}.* FROM (${acc}) AS ${a}(${names.join(", ")}) WHERE ${op === "EXCEPT" ? "NOT " : ""}EXISTS (SELECT 1 FROM (${r.sql}) AS ${b}(${names.join(", ")}) WHERE ${match})`;
        }
      });
      const f = this.fresh("dm_u");
      sql = `SELECT ${names.map((n, i) => `${f}.${n} AS ${ident(cols![i]!.name || `column${i + 1}`)}`).join(", ")} FROM (${acc}) AS ${f}(${names.join(", ")})`;
    } else {
      sql = parts.join(" ");
    }
    if (q.for) this.diag(TR.FOR_XML_JSON, `FOR ${q.for.mode} on a set operation is not translated`, q.for.loc);
    this.dropOptions(q.option);
    if (q.orderBy.length || q.offset || q.fetch) {
      const o = this.fresh("dm_o");
      const osc = new Scope(sc.parent);
      osc.rels.push({ names: [o], qualifier: o, ...(cols ? { columns: cols } : {}) });
      const resolve = (e: A.Expr): G | undefined => {
        if (e.kind === "Literal" && e.literalType === "integer" && cols) {
          const c = cols[Number(e.value) - 1];
          if (c) return { sql: `${o}.${ident(c.name)}`, type: c.type, atom: true };
        }
        if (e.kind === "ColumnRef" && cols) {
          const c = cols.find((cc) => lower(cc.name) === lower(e.name.value));
          if (c) return { sql: `${o}.${ident(c.name)}`, type: c.type, atom: true };
        }
        return undefined;
      };
      let tail = q.orderBy.length ? ` ORDER BY ${this.orderItems(q.orderBy, osc, resolve)}` : "";
      tail += this.offsetFetch(q.offset, q.fetch, osc);
      sql = `SELECT * FROM (${sql}) AS ${o}${tail}`;
    }
    return { sql, ...(cols ? { columns: cols } : {}) };
  }

  private offsetFetch(offset: A.Expr | undefined, fetch: A.Expr | undefined, sc: Scope): string {
    let s = "";
    if (offset) s += ` OFFSET ${this.rowCount(offset, sc)} ROWS`;
    if (fetch) s += ` FETCH NEXT ${this.rowCount(fetch, sc)} ROWS ONLY`;
    return s;
  }

  /** A row count for LIMIT/OFFSET/FETCH: integer literals as written, anything else converted and parenthesised. */
  private rowCount(e: A.Expr, sc: Scope): string {
    const g = this.expr(e, sc);
    if (g.lit?.literalType === "integer") return g.lit.value;
    return `(${this.convert(g, BIGINT, e.loc).sql})`;
  }

  private dropOptions(option: A.OptionItem[]): void {
    for (const o of option) {
      if (o.name === "MAXRECURSION") {
        this.diag(TR.QUERY_HINT, "OPTION (MAXRECURSION) is applied by the recursive CTE's depth guard", o.loc);
      } else this.diag(TR.QUERY_HINT, `query hint ${o.name} dropped`, o.loc, "note");
    }
  }

  private select(s: A.Select, sc: Scope, opts: QueryOpts): QueryResult {
    // FOR XML PATH('') string aggregation idiom.
    if (s.for) {
      if (s.for.mode === "XML") {
        const r = this.forXmlPath(s, sc.parent ?? sc, true);
        if (r) return { sql: r, columns: [{ name: "", type: nvarchar(-1) }] };
      }
      if (s.for.mode === "JSON") this.diag(TR.FOR_XML_JSON, "FOR JSON is not translated", s.for.loc);
      else if (s.for.mode === "XML") this.diag(TR.FOR_XML_JSON, "FOR XML is only translated in the PATH('') string-aggregation form with one unnamed column", s.for.loc);
      else this.diag(TR.FOR_XML_JSON, `FOR ${s.for.mode} is not translated`, s.for.loc);
    }
    const from = s.from.length ? this.fromClause(s.from, sc) : "";
    const where = s.where ? this.predicate(s.where, sc) : undefined;

    // GROUP BY: case-insensitive string keys group on their comparison key.
    let groupSql = "";
    if (s.groupBy) {
      if (s.groupBy.all) this.diag(TR.UNSUPPORTED, "GROUP BY ALL is not translated", s.groupBy.loc);
      const ciKeys = new Map<string, { key: string; superAggregate: boolean }>();
      let superAggregate = !!s.groupBy.with;
      const key = (e: A.Expr): string => {
        const g = this.expr(e, sc);
        if (isString(g.type)) {
          const k = this.stringKey(g, g.type.collation ?? this.defaultCollation);
          ciKeys.set(g.sql, { key: k, superAggregate });
          return k;
        }
        if (isUnknown(g.type)) this.diag(TR.UNKNOWN_TYPE, "GROUP BY on an expression of unknown type: case-insensitive grouping cannot be decided", e.loc);
        return g.sql;
      };
      const items = s.groupBy.items.map((it) => {
        if (it.kind === "GroupingSets") {
          superAggregate = true;
          const sets = it.sets.map((set) => (set.length === 1 ? key(set[0]!) : `(${set.map(key).join(", ")})`));
          superAggregate = !!s.groupBy!.with;
          return `${it.type}(${sets.join(", ")})`;
        }
        return key(it);
      });
      groupSql = s.groupBy.with ? ` GROUP BY ${s.groupBy.with}(${items.join(", ")})` : ` GROUP BY ${items.join(", ")}`;
      if (ciKeys.size) sc.ciGroupKeys = ciKeys;
    }

    // Select list.
    const cols: ColInfo[] = [];
    let colsKnown = true;
    const items: string[] = [];
    const itemGs: (G | undefined)[] = [];
    let unnamed = 0;
    for (const c of s.columns) {
      if (c.kind === "SelectAssign") {
        this.diag(TR.PROCEDURAL, "SELECT @variable = ... assigns variables (procedural code); not translated", c.loc);
        items.push("NULL");
        itemGs.push(undefined);
        continue;
      }
      if (c.expr.kind === "Star") {
        const expanded = this.expandStar(c.expr, sc);
        if (expanded) {
          for (const ec of expanded) cols.push(ec);
        } else colsKnown = false;
        items.push(this.expr(c.expr, sc).sql);
        itemGs.push(undefined);
        continue;
      }
      const g = this.expr(c.expr, sc);
      itemGs.push(g);
      let name = c.alias?.value;
      if (!name && c.expr.kind === "ColumnRef") name = c.expr.name.value;
      let sql = g.sql;
      if (g.type.name === "tinyint" && false) sql = g.sql;
      if (name !== undefined) {
        const bare = c.expr.kind === "ColumnRef" && !c.alias && g.sql.endsWith(`.${this.colName(undefined, name)}`) && !g.sql.startsWith("min(");
        if (!bare || c.alias) sql = `${sql} AS ${ident(name)}`;
      } else {
        unnamed++;
        if (opts.nameUnnamed) {
          name = `column${unnamed}`;
          sql = `${sql} AS ${ident(name)}`;
        }
      }
      items.push(sql);
      cols.push({ name: name ?? "", type: g.type });
    }

    const having = s.having ? this.predicate(s.having, sc) : undefined;

    // DISTINCT over case-insensitive strings: one row per comparison key.
    let distinct = s.distinct ? "DISTINCT " : "";
    const ciDistinct = s.distinct && itemGs.some((g) => g && isString(g.type));
    if (ciDistinct) {
      if (!colsKnown || itemGs.some((g) => !g)) this.diag(TR.UNKNOWN_TYPE, "SELECT DISTINCT * over string columns: case-insensitive de-duplication needs the column list", s.loc);
      const keys = itemGs.map((g) => (g && isString(g.type) ? this.stringKey(g, g.type.collation ?? this.defaultCollation) : g?.sql ?? "NULL"));
      distinct = `DISTINCT ON (${keys.join(", ")}) `;
    } else if (s.distinct && itemGs.some((g) => g && isUnknown(g.type))) {
      this.diag(TR.UNKNOWN_TYPE, "SELECT DISTINCT over columns of unknown type: case-insensitive de-duplication cannot be decided", s.loc);
    }

    // ORDER BY: aliases and ordinals refer to the select list.
    const resolve = (e: A.Expr): G | undefined => {
      if (e.kind === "Literal" && e.literalType === "integer") {
        const i = Number(e.value) - 1;
        const g = itemGs[i];
        if (g) return g;
      }
      if (e.kind === "ColumnRef" && !e.table) {
        const i = s.columns.findIndex((c) => c.kind === "SelectItem" && c.alias && lower(c.alias.value) === lower(e.name.value));
        if (i >= 0 && itemGs[i]) return itemGs[i];
      }
      return undefined;
    };
    const orderNeedsWrap = (s.distinct || ciDistinct) && s.orderBy.length > 0;
    let orderSql = "";
    if (s.orderBy.length && !orderNeedsWrap) orderSql = ` ORDER BY ${this.orderItems(s.orderBy, sc, resolve)}`;

    // TOP
    let limit = "";
    let percent: { n: string; ties: boolean } | undefined;
    if (s.top) {
      const n = this.expr(s.top.expr, sc);
      if (s.top.percent && n.lit?.literalType === "integer" && n.lit.value === "100" && !s.top.withTies) {
        // TOP 100 PERCENT: every row (the idiom that allows ORDER BY in a view).
      } else if (s.top.percent) {
        percent = { n: this.convert(n, FLOAT, s.top.loc).sql, ties: s.top.withTies };
        if (s.top.withTies) this.diag(TR.UNSUPPORTED, "TOP ... PERCENT WITH TIES is not translated", s.top.loc);
      } else if (s.top.withTies) {
        if (!s.orderBy.length) this.diag(TR.UNSUPPORTED, "TOP WITH TIES requires ORDER BY", s.top.loc);
        limit = ` FETCH FIRST ${this.rowCount(s.top.expr, sc)} ROWS WITH TIES`;
      } else {
        limit = ` LIMIT ${this.rowCount(s.top.expr, sc)}`;
      }
    }
    const offset = this.offsetFetch(s.offset, s.fetch, sc);
    this.dropOptions(s.option);
    if (s.into) {
      if (!opts.allowInto) this.diag(TR.UNSUPPORTED, "SELECT ... INTO inside a query is not translated", s.into.loc);
    }

    const core = `SELECT ${distinct}${items.join(", ")}${from ? ` FROM ${from}` : ""}${where ? ` WHERE ${where}` : ""}${groupSql}${having ? ` HAVING ${having}` : ""}`;
    sc.ciGroupKeys = undefined;
    let sql: string;
    if (percent) {
      // TOP n PERCENT: ceil(count * n / 100) rows in ORDER BY order.
      if (!colsKnown || cols.some((c) => !c.name)) {
        this.diag(TR.UNSUPPORTED, "TOP ... PERCENT needs named select-list columns to be translated", s.top!.loc);
      }
      const w = this.fresh("dm_p");
      const orderInner = s.orderBy.length ? `ORDER BY ${this.orderItems(s.orderBy, sc, resolve)}` : "";
      const inner = `SELECT ${distinct}${items.join(", ")}, row_number() OVER (${orderInner}) AS dm_rn, count(*) OVER () AS dm_cnt${from ? ` FROM ${from}` : ""}${where ? ` WHERE ${where}` : ""}${groupSql}${having ? ` HAVING ${having}` : ""}`;
      sql = `SELECT ${cols.map((c) => `${w}.${ident(c.name)}`).join(", ")} FROM (${inner}) AS ${w} WHERE ${w}.dm_rn <= ceil(${w}.dm_cnt * (${percent.n}) / 100.0) ORDER BY ${w}.dm_rn`;
    } else if (orderNeedsWrap) {
      const w = this.fresh("dm_d");
      const osc = new Scope(sc.parent);
      osc.rels.push({ names: [w], qualifier: w, columns: cols });
      const resolveOut = (e: A.Expr): G | undefined => {
        let i = -1;
        if (e.kind === "Literal" && e.literalType === "integer") i = Number(e.value) - 1;
        else {
          const g = this.exprQuiet(e, sc);
          i = itemGs.findIndex((ig) => ig && g && ig.sql === g.sql);
          if (i < 0 && e.kind === "ColumnRef") i = cols.findIndex((c) => lower(c.name) === lower(e.name.value));
        }
        const c = cols[i];
        if (!c || !c.name) {
          this.diag(TR.UNSUPPORTED, "ORDER BY item of a SELECT DISTINCT must be a named select-list column to be translated", e.loc);
          return undefined;
        }
        return { sql: `${w}.${ident(c.name)}`, type: c.type, atom: true };
      };
      sql = `SELECT * FROM (${core}) AS ${w} ORDER BY ${this.orderItems(s.orderBy, osc, resolveOut)}${limit}${offset}`;
    } else {
      sql = `${core}${orderSql}${limit}${offset}`;
    }
    return colsKnown ? { sql, columns: cols } : { sql };
  }

  /** Renders an expression without recording diagnostics (for matching). */
  private exprQuiet(e: A.Expr, sc: Scope): G | undefined {
    const n = this.diagnostics.length;
    const seen = new Set(this.seen);
    try {
      return this.expr(e, sc);
    } finally {
      this.diagnostics.length = n;
      this.seen.clear();
      for (const k of seen) this.seen.add(k);
    }
  }

  private expandStar(st: A.Star, sc: Scope): ColInfo[] | undefined {
    if (st.table) {
      const key = lower(st.table.name.value);
      const rel = sc.rels.find((r) => r.names.includes(key));
      return rel?.columns;
    }
    const out: ColInfo[] = [];
    for (const r of sc.rels) {
      if (!r.columns) return undefined;
      out.push(...r.columns);
    }
    return out;
  }

  /** `(SELECT sep + col FROM ... [ORDER BY] FOR XML PATH(''))` → string_agg. Undefined when not the idiom. */
  forXmlPath(s: A.Select, outer: Scope, escape: boolean): string | undefined {
    const f = s.for;
    if (!f || f.mode !== "XML" || f.submode !== "PATH" || (f.name !== undefined && f.name !== "")) return undefined;
    const typeOpt = f.options.some((o) => o.name === "TYPE");
    if (f.options.some((o) => o.name !== "TYPE")) return undefined;
    if (typeOpt && escape) {
      // The TYPE form is only a string after .value(...); a bare xml value is not translated.
      return undefined;
    }
    if (s.columns.length !== 1 || s.columns[0]!.kind !== "SelectItem") return undefined;
    const item = s.columns[0] as A.SelectItem;
    if (item.alias && !/^(text\(\)|\*)$/i.test(item.alias.value)) return undefined;
    if (s.top || s.groupBy || s.distinct) return undefined;
    const sc = new Scope(outer);
    const from = s.from.length ? this.fromClause(s.from, sc) : "";
    const where = s.where ? this.predicate(s.where, sc) : undefined;
    const g = this.expr(item.expr, sc);
    const v = isString(g.type) ? this.padded(g) : this.convert(g, nvarchar(4000), item.loc).sql;
    const val = escape ? `${this.rt("tsql_xml_escape", item.loc)}(${v})` : v;
    const order = s.orderBy.length ? ` ORDER BY ${this.orderItems(s.orderBy, sc)}` : "";
    return `SELECT string_agg(${val}, ''${order})${from ? ` FROM ${from}` : ""}${where ? ` WHERE ${where}` : ""}`;
  }

  // -------------------------------------------------------------------------------------------
  // FROM

  fromClause(items: A.TableSource[], sc: Scope): string {
    return items.map((t) => this.tableSource(t, sc)).join(", ");
  }

  tableSource(t: A.TableSource, sc: Scope): string {
    switch (t.kind) {
      case "TableRef":
        return this.tableRef(t, sc);
      case "DerivedTable": {
        const r = this.query(t.query, new Scope(sc.parent));
        const alias = t.alias?.value ?? this.fresh("dm_t");
        let cols = r.columns;
        if (t.columns.length) cols = t.columns.map((c, i) => ({ name: c.value, type: r.columns?.[i]?.type ?? UNKNOWN }));
        sc.rels.push({ names: [lower(alias)], qualifier: ident(alias), ...(cols ? { columns: cols } : {}) });
        return `(${r.sql}) AS ${ident(alias)}${t.columns.length ? `(${t.columns.map((c) => ident(c.value)).join(", ")})` : ""}`;
      }
      case "ValuesTable": {
        const rows = t.rows.map((row) => row.map((x) => this.expr(x, sc)));
        const types = rows[0]?.map((_, i) => rows.reduce<SqlType>((acc, r) => dominant(acc, r[i]?.type ?? NULL_TYPE), NULL_TYPE)) ?? [];
        const alias = t.alias?.value ?? this.fresh("dm_v");
        const cols = t.columns.map((c, i) => ({ name: c.value, type: types[i] ?? UNKNOWN }));
        sc.rels.push({ names: [lower(alias)], qualifier: ident(alias), columns: cols });
        const body = rows.map((r) => `(${r.map((g, i) => this.convert(g, types[i]!, t.loc).sql).join(", ")})`).join(", ");
        return `(VALUES ${body}) AS ${ident(alias)}${t.columns.length ? `(${t.columns.map((c) => ident(c.value)).join(", ")})` : ""}`;
      }
      case "Join":
        return this.join(t, sc);
      case "TableFunction":
        return this.tableFunction(t, sc, "");
      case "Pivot":
        return this.pivot(t, sc);
      case "Unpivot":
        return this.unpivot(t, sc);
      case "VariableTableRef":
        this.diag(TR.PROCEDURAL, `table variable ${t.variable.name} belongs to procedural code and is not translated`, t.loc);
        sc.rels.push({ names: [lower(t.alias?.value ?? t.variable.name)], qualifier: ident(t.alias?.value ?? t.variable.name.replace(/^@/, "")) });
        return ident(t.variable.name.replace(/^@/, "tv_"));
      case "DmlTable":
        this.diag(TR.UNSUPPORTED, "composable DML (FROM (MERGE/INSERT ... OUTPUT) AS x) is not translated", t.loc);
        return "(SELECT NULL) AS dm_x";
    }
  }

  private tableRef(t: A.TableRef, sc: Scope): string {
    for (const h of t.hints) this.diag(TR.TABLE_HINT, `table hint ${h.name} dropped`, h.loc);
    if (t.forSystemTime) this.diag(TR.UNSUPPORTED, "FOR SYSTEM_TIME (temporal tables) is not translated", t.loc);
    if (t.tablesample) this.diag(TR.UNSUPPORTED, "TABLESAMPLE is not translated", t.loc);
    const n = t.name;
    const aliasName = t.alias?.value;
    // CTE reference
    if (!n.schema && !n.database) {
      const cte = sc.cte(n.name.value);
      if (cte) {
        const alias = aliasName ?? n.name.value;
        sc.rels.push({ names: [lower(alias)], qualifier: ident(alias), ...(cte.columns ? { columns: cte.columns } : {}) });
        if (cte.renderName) return `${cte.renderName} AS ${ident(alias)}`;
        return aliasName ? `${ident(n.name.value)} AS ${ident(aliasName)}` : ident(n.name.value);
      }
    }
    const obj = lookupObject(this.catalog, n, this.defaultSchema, this.local);
    const rendered = this.relationSql(n, obj);
    let columns: ColInfo[] | undefined;
    if (obj) {
      if (obj.kind === "function") {
        this.diag(TR.UNSUPPORTED, `${dotted(n)} is a function used without arguments`, t.loc);
      } else columns = this.relationColumns(obj);
    }
    const alias = aliasName ?? n.name.value;
    const names = [lower(alias)];
    if (!aliasName) {
      if (n.schema) names.push(lower(`${n.schema.value}.${n.name.value}`));
      if (n.database && n.schema) names.push(lower(`${n.database.value}.${n.schema.value}.${n.name.value}`));
    }
    const qualifier = ident(aliasName ?? n.name.value.replace(/^#+/, "tmp_"));
    const relId = obj ? `${obj.schema}.${obj.name}` : undefined;
    sc.rels.push({ names, qualifier, ...(relId ? { relId } : {}), ...(columns ? { columns } : {}) });
    return `${rendered} AS ${qualifier}`;
  }

  private join(j: A.Join, sc: Scope): string {
    if (j.hint) this.diag(TR.JOIN_HINT, `join hint ${j.hint} dropped`, j.loc);
    const left = this.tableSource(j.left, sc);
    if (j.joinType === "CROSS APPLY" || j.joinType === "OUTER APPLY") {
      const right = this.lateral(j.right, sc);
      return j.joinType === "CROSS APPLY" ? `${left} CROSS JOIN LATERAL ${right}` : `${left} LEFT JOIN LATERAL ${right} ON true`;
    }
    const right = this.tableSource(j.right, sc);
    if (j.joinType === "CROSS") return `${left} CROSS JOIN ${right}`;
    const on = j.on ? this.predicate(j.on, sc) : "true";
    const kw = j.joinType === "INNER" ? "JOIN" : `${j.joinType} JOIN`;
    return `${left} ${kw} ${right} ON ${on}`;
  }

  /** The right side of APPLY: it sees the left side's columns. */
  private lateral(t: A.TableSource, sc: Scope): string {
    if (t.kind === "DerivedTable") {
      const r = this.query(t.query, new Scope(sc));
      const alias = t.alias?.value ?? this.fresh("dm_t");
      let cols = r.columns;
      if (t.columns.length) cols = t.columns.map((c, i) => ({ name: c.value, type: r.columns?.[i]?.type ?? UNKNOWN }));
      sc.rels.push({ names: [lower(alias)], qualifier: ident(alias), ...(cols ? { columns: cols } : {}) });
      return `(${r.sql}) AS ${ident(alias)}${t.columns.length ? `(${t.columns.map((c) => ident(c.value)).join(", ")})` : ""}`;
    }
    if (t.kind === "TableFunction") return this.tableFunction(t, sc, "");
    return this.tableSource(t, sc);
  }

  private tableFunction(t: A.TableFunction, sc: Scope, _prefix: string): string {
    const call = t.call;
    const alias = t.alias?.value ?? this.fresh("dm_f");
    if (call.kind === "MethodCall" && lower(call.method.value) === "nodes" && call.args[0]?.kind === "Literal") {
      const x = this.expr(call.target, sc);
      const xp = x.type.name === "xml" ? xqueryToXpath(call.args[0].value, x.type.xmlRoot ? "root" : x.type.xmlNode === true) : undefined;
      if (xp && t.columns.length === 1) {
        const ns = xp.ns.length ? `, ARRAY[${xp.ns.map(([p, u]) => `ARRAY[${q(p)}, ${q(u)}]`).join(", ")}]` : "";
        const root = !x.type.xmlNode && /^\/[A-Za-z_][\w.:-]*$/.test(xp.path);
        sc.rels.push({ names: [lower(alias)], qualifier: ident(alias), columns: [{ name: t.columns[0]!.value, type: { name: "xml", xmlNode: true, ...(root ? { xmlRoot: true } : {}) } }] });
        return `unnest(xpath(${q(xp.path)}, ${x.sql}${ns})) AS ${ident(alias)}(${ident(t.columns[0]!.value)})`;
      }
    }
    if (call.kind === "MethodCall") {
      this.diag(TR.UNSUPPORTED, `table-valued method .${call.method.value}() (XML nodes) is not translated`, t.loc);
      sc.rels.push({ names: [lower(alias)], qualifier: ident(alias) });
      return `(SELECT NULL) AS ${ident(alias)}`;
    }
    const name = call.upperName;
    const args = () => call.args.map((a) => this.expr(a, sc));
    const colList = t.columns.length ? `(${t.columns.map((c) => ident(c.value)).join(", ")})` : "";
    const push = (cols: ColInfo[]) => {
      const named = t.columns.length ? cols.map((c, i) => ({ name: t.columns[i]?.value ?? c.name, type: c.type })) : cols;
      sc.rels.push({ names: [lower(alias)], qualifier: ident(alias), columns: named });
    };
    if (!call.name.schema && name === "STRING_SPLIT") {
      const [s, sep, ord] = args();
      if (ord && this.constInt(ord) === 1) {
        push([{ name: "value", type: s?.type && isString(s.type) ? s.type : nvarchar(4000) }, { name: "ordinal", type: BIGINT }]);
        return `${this.rt("tsql_string_split", t.loc)}(${s!.sql}, ${sep!.sql}) AS ${ident(alias)}${colList}`;
      }
      push([{ name: "value", type: s?.type && isString(s.type) ? s.type : nvarchar(4000) }]);
      return `(SELECT value FROM ${this.rt("tsql_string_split", t.loc)}(${s!.sql}, ${sep!.sql})) AS ${ident(alias)}${colList}`;
    }
    if (!call.name.schema && name === "OPENJSON") {
      const as = args();
      if (t.withSchema) {
        const j = this.fresh("dm_j");
        const base = as[1] ? `${this.rt("tsql_json_query", t.loc)}(${as[0]!.sql}, ${as[1].sql})` : as[0]!.sql;
        const cols = t.withSchema.map((c) => {
          const ty = fromDataType(c.type, "declare");
          const path = c.path ?? `$.${c.name.value}`;
          const val = c.asJson ? `${this.rt("tsql_json_query", t.loc)}(${j}.value, ${q(path)})` : `${this.rt("tsql_json_value", t.loc)}(${j}.value, ${q(path)})`;
          const g = this.convert({ sql: val, type: nvarchar(4000), atom: true }, ty, t.loc, { explicit: true });
          return { sql: `${g.sql} AS ${ident(c.name.value)}`, col: { name: c.name.value, type: ty } };
        });
        push(cols.map((c) => c.col));
        // Each array element (or the object itself) becomes one row.
        return `(SELECT ${cols.map((c) => c.sql).join(", ")} FROM ${this.rt("tsql_openjson", t.loc)}(${base}) AS ${j} WHERE ${j}.type IN (4, 5) OR ${j}.key IS NOT NULL) AS ${ident(alias)}`;
      }
      push([{ name: "key", type: nvarchar(4000) }, { name: "value", type: nvarchar(-1) }, { name: "type", type: INT }]);
      return `${this.rt("tsql_openjson", t.loc)}(${as.map((a) => a.sql).join(", ")}) AS ${ident(alias)}${colList}`;
    }
    if (!call.name.schema && ["OPENROWSET", "OPENQUERY", "OPENDATASOURCE", "OPENXML", "CONTAINSTABLE", "FREETEXTTABLE"].includes(name)) {
      this.diag(TR.EXTERNAL_REFERENCE, `${name} (external or full-text rowset) is not translated`, t.loc);
      sc.rels.push({ names: [lower(alias)], qualifier: ident(alias) });
      return `(SELECT NULL) AS ${ident(alias)}`;
    }
    const obj = lookupObject(this.catalog, call.name, this.defaultSchema, this.local);
    if (!obj || obj.kind !== "function") {
      this.diag(TR.UNKNOWN_FUNCTION, `table-valued function ${dotted(call.name)} is not in the catalog`, t.loc);
      sc.rels.push({ names: [lower(alias)], qualifier: ident(alias) });
      return `${this.functionSql(call.name, undefined)}(${args().map((a) => a.sql).join(", ")}) AS ${ident(alias)}${colList}`;
    }
    const g = this.userFunction(call, sc);
    const cols = this.relationColumns(obj);
    if (cols) push(cols);
    else sc.rels.push({ names: [lower(alias)], qualifier: ident(alias) });
    return `${g.sql} AS ${ident(alias)}${colList}`;
  }

  private pivot(p: A.Pivot, sc: Scope): string {
    const inner = new Scope(sc.parent);
    const src = this.tableSource(p.source, inner);
    const srcCols = inner.rels.length === 1 ? inner.rels[0]!.columns : undefined;
    const alias = p.alias?.value ?? this.fresh("dm_pv");
    if (!srcCols) {
      this.diag(TR.PIVOT, "PIVOT source columns are unknown, so the implicit grouping columns cannot be determined", p.loc);
      sc.rels.push({ names: [lower(alias)], qualifier: ident(alias) });
      return `(SELECT NULL) AS ${ident(alias)}`;
    }
    const aggArg = p.aggregate.args[0];
    const valueName = aggArg?.kind === "ColumnRef" ? lower(aggArg.name.value) : undefined;
    const pivotName = lower(p.column.name.value);
    const groupCols = srcCols.filter((c) => lower(c.name) !== valueName && lower(c.name) !== pivotName);
    const qual = inner.rels[0]!.qualifier;
    const pivotCol = srcCols.find((c) => lower(c.name) === pivotName);
    const pc: G = { sql: `${qual}.${ident(pivotCol?.name ?? p.column.name.value)}`, type: pivotCol?.type ?? UNKNOWN, atom: true };
    const gsc = new Scope(sc.parent);
    gsc.rels.push(inner.rels[0]!);
    const groupKeys = groupCols.map((c) => {
      const g: G = { sql: `${qual}.${this.colName(inner.rels[0]!.relId, c.name)}`, type: c.type, atom: true };
      if (isString(g.type)) return this.stringKey(g, g.type.collation ?? this.defaultCollation);
      return g.sql;
    });
    const outCols: ColInfo[] = groupCols.map((c) => ({ name: c.name, type: c.type }));
    const aggCols = p.values.map((v) => {
      // agg(CASE WHEN pivot_column = value THEN arg END): aggregates ignore NULLs, so this equals a FILTER.
      const lit: A.Literal = isString(pc.type) || isUnknown(pc.type)
        ? { kind: "Literal", literalType: "nstring", value: v.value, loc: v.loc }
        : { kind: "Literal", literalType: /^-?\d+$/.test(v.value) ? "integer" : /^-?\d*\.\d+$/.test(v.value) ? "decimal" : "string", value: v.value, loc: v.loc };
      const cond: A.Expr = { kind: "Binary", op: "=", left: { kind: "ColumnRef", name: { kind: "Identifier", value: pivotCol?.name ?? p.column.name.value, quote: "bracket", loc: v.loc }, loc: v.loc }, right: lit, loc: v.loc };
      const star = p.aggregate.args[0]?.kind === "Star";
      const arg: A.Expr = star ? { kind: "Literal", literalType: "integer", value: "1", loc: v.loc } : p.aggregate.args[0]!;
      const call: A.FunctionCall = { ...p.aggregate, args: [{ kind: "Case", whens: [{ when: cond, then: arg }], loc: v.loc }, ...p.aggregate.args.slice(1)] };
      const agg = this.aggregateOrWindow(call, gsc);
      outCols.push({ name: v.value, type: agg.type });
      return `${agg.sql} AS ${ident(v.value)}`;
    });
    const selectGroup = groupCols.map((c) => {
      const ref = `${qual}.${this.colName(inner.rels[0]!.relId, c.name)}`;
      return isString(c.type) ? `min(${ref}) AS ${ident(c.name)}` : `${ref} AS ${ident(c.name)}`;
    });
    sc.rels.push({ names: [lower(alias)], qualifier: ident(alias), columns: outCols });
    const groupBy = groupKeys.length ? ` GROUP BY ${groupKeys.join(", ")}` : "";
    return `(SELECT ${[...selectGroup, ...aggCols].join(", ")} FROM ${src}${groupBy}) AS ${ident(alias)}`;
  }

  private unpivot(u: A.Unpivot, sc: Scope): string {
    const inner = new Scope(sc.parent);
    const src = this.tableSource(u.source, inner);
    const srcCols = inner.rels.length === 1 ? inner.rels[0]!.columns : undefined;
    const alias = u.alias?.value ?? this.fresh("dm_up");
    if (!srcCols) {
      this.diag(TR.PIVOT, "UNPIVOT source columns are unknown", u.loc);
      sc.rels.push({ names: [lower(alias)], qualifier: ident(alias) });
      return `(SELECT NULL) AS ${ident(alias)}`;
    }
    const rel = inner.rels[0]!;
    const listed = new Set(u.columns.map((c) => lower(c.value)));
    const keep = srcCols.filter((c) => !listed.has(lower(c.name)));
    const valueCols = u.columns.map((c) => srcCols.find((s) => lower(s.name) === lower(c.value)) ?? { name: c.value, type: UNKNOWN });
    let vt: SqlType = NULL_TYPE;
    for (const c of valueCols) vt = dominant(vt, c.type);
    const v = this.fresh("dm_uv");
    const rows = valueCols.map((c) => `(${q(c.name)}, ${this.convert({ sql: `${rel.qualifier}.${this.colName(rel.relId, c.name)}`, type: c.type, atom: true }, vt, u.loc).sql})`);
    const outCols: ColInfo[] = [...keep, { name: u.forColumn.value, type: nvarchar(128) }, { name: u.valueColumn.value, type: vt }];
    sc.rels.push({ names: [lower(alias)], qualifier: ident(alias), columns: outCols });
    const sel = [...keep.map((c) => `${rel.qualifier}.${this.colName(rel.relId, c.name)} AS ${ident(c.name)}`), `${v}.n AS ${ident(u.forColumn.value)}`, `${v}.v AS ${ident(u.valueColumn.value)}`];
    return `(SELECT ${sel.join(", ")} FROM ${src} CROSS JOIN LATERAL (VALUES ${rows.join(", ")}) AS ${v}(n, v) WHERE ${v}.v IS NOT NULL) AS ${ident(alias)}`;
  }

  outputColumns(cols: ColInfo[] | undefined): OutputColumn[] | undefined {
    return cols?.map((c) => ({ name: c.name, type: c.type, pgType: isUnknown(c.type) ? "unknown" : pgType(c.type) }));
  }

  result(sql: string, cols?: ColInfo[]): Translation {
    const out: Translation = { sql, diagnostics: this.diagnostics, runtimeFunctions: [...this.runtime].sort() };
    const oc = this.outputColumns(cols);
    if (oc) out.outputColumns = oc;
    return out;
  }
}

export interface QueryOpts {
  allowInto?: boolean;
  /** Give unnamed select-list columns a name (columnN), e.g. for views and CREATE TABLE AS. */
  nameUnnamed?: boolean;
}

/**
 * The XPath 1.0 equivalent of a simple XQuery path (prolog namespace declarations, steps with names,
 * attributes, `.`, `*`, `text()` and numeric predicates). `node`: the context is a node from nodes(),
 * which Postgres sees as the root element of its own fragment.
 */
export function xqueryToXpath(text: string, node: boolean | "root"): { path: string; ns: [string, string][] } | undefined {
  let rest = text.trim();
  const ns: [string, string][] = [];
  let dflt: string | undefined;
  for (;;) {
    let m = /^declare\s+default\s+element\s+namespace\s+(["'])(.*?)\1\s*;/.exec(rest);
    if (m) {
      dflt = m[2]!;
      rest = rest.slice(m[0].length).trim();
      continue;
    }
    m = /^declare\s+namespace\s+([A-Za-z_][\w.-]*)\s*=\s*(["'])(.*?)\2\s*;/.exec(rest);
    if (m) {
      ns.push([m[1]!, m[3]!]);
      rest = rest.slice(m[0].length).trim();
      continue;
    }
    break;
  }
  let path = rest.replace(/\s+/g, "");
  // string(X)[1] is the string value of X, which is what value() returns anyway.
  const str = /^string\((.*)\)(\[1\])?$/.exec(path);
  if (str) path = str[1]!;
  if (!/^[\w:@/.*()\[\]-]+$/.test(path) || /\[(?!\d+\])/.test(path)) return undefined;
  // Parentheses only for grouping (no function calls other than text()).
  if (/[\w.*-]\(/.test(path.replace(/text\(\)/g, "T"))) return undefined;
  if (dflt !== undefined) {
    ns.push(["dmx", dflt]);
    path = path.replace(/(^|[/(])([A-Za-z_][\w.-]*)(?=$|[/[)])/g, (_m, pre: string, name: string) => (name === "text" ? `${pre}${name}` : `${pre}dmx:${name}`));
  }
  if (node) {
    const lead = /^\(*/.exec(path)![0];
    const body = path.slice(lead.length);
    if (body.startsWith("/")) {
      // Absolute paths mean the original document; the node's fragment is that document only when
      // nodes() selected the root element.
      if (node !== "root") return undefined;
    } else {
      path = lead + (body === "." ? "/*" : `/*/${body.replace(/^\.\//, "")}`);
    }
  }
  return { path, ns };
}

export function dotted(n: A.ObjectName): string {
  return [n.server?.value, n.database?.value, n.schema?.value, n.name.value].filter((x) => x !== undefined).join(".");
}

function sameType(a: SqlType, b: SqlType): boolean {
  if (a.name !== b.name) return false;
  if (a.name === "decimal") return (a.precision ?? 18) === (b.precision ?? 18) && (a.scale ?? 0) === (b.scale ?? 0);
  // String lengths differ freely: Postgres resolves varchar(n) UNION varchar(m) to varchar.
  return true;
}

/** Output columns of a set operation: names from the first branch, types by precedence. */
function mergeColumns(all: (ColInfo[] | undefined)[]): ColInfo[] | undefined {
  if (all.some((c) => !c)) return undefined;
  const first = all[0]!;
  return first.map((c, i) => {
    let t: SqlType = NULL_TYPE;
    for (const cols of all) t = dominant(t, cols![i]?.type ?? UNKNOWN);
    return { name: c.name, type: isNull(t) ? INT : t };
  });
}

/** The alias under which a Select's FROM references CTE `name` (undefined when not exactly once). */
function cteAlias(s: A.Select, name: string): string | undefined {
  const found: string[] = [];
  const visit = (t: A.TableSource): void => {
    if (t.kind === "TableRef" && !t.name.schema && lower(t.name.name.value) === lower(name)) found.push(t.alias?.value ?? t.name.name.value);
    else if (t.kind === "Join") {
      visit(t.left);
      visit(t.right);
    }
  };
  s.from.forEach(visit);
  return found.length === 1 ? found[0] : undefined;
}

/** Does a query mention a table named `name` (unqualified)? */
export function referencesName(q: A.QueryExpr, name: string): boolean {
  const key = lower(name);
  let found = false;
  const visit = (n: unknown): void => {
    if (found || n === null || typeof n !== "object") return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    const o = n as Record<string, unknown>;
    if (o.kind === "TableRef") {
      const tn = o.name as A.ObjectName;
      if (!tn.schema && lower(tn.name.value) === key) {
        found = true;
        return;
      }
    }
    for (const k of Object.keys(o)) if (k !== "loc") visit(o[k]);
  };
  visit(q);
  return found;
}

/** ISO text of a date/time literal in a DATEFORMAT-independent form, or undefined. */
export function parseDateLiteral(s: string, typeName: string): string | undefined {
  const t = s.trim();
  let m = /^(\d{4})(\d{2})(\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$/.exec(t);
  if (!m) m = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(t);
  if (!m && typeName !== "datetime" && typeName !== "smalldatetime") m = /^(\d{4})-(\d{2})-(\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$/.exec(t);
  // yyyy-mm-dd for datetime follows DATEFORMAT; us_english (mdy) reads it as ISO too.
  if (!m) m = /^(\d{4})-(\d{2})-(\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(t);
  if (!m) {
    // m/d/y under us_english (DATEFORMAT mdy); two-digit years use the cutoff 2049 (§1).
    const mdy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(t);
    if (mdy) {
      const yy = mdy[3]!.length === 2 ? String(Number(mdy[3]) <= 49 ? 2000 + Number(mdy[3]) : 1900 + Number(mdy[3])) : mdy[3]!;
      m = [mdy[0], yy, mdy[1]!.padStart(2, "0"), mdy[2]!.padStart(2, "0"), mdy[4]!, mdy[5]!, mdy[6]!, mdy[7]!] as unknown as RegExpExecArray;
    }
  }
  if (!m) {
    const time = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(t);
    if (time && typeName === "time") return `${time[1]!.padStart(2, "0")}:${time[2]}:${time[3] ?? "00"}${time[4] ? `.${time[4]}` : ""}`;
    if (time && typeName !== "date") return `1900-01-01 ${time[1]!.padStart(2, "0")}:${time[2]}:${time[3] ?? "00"}${time[4] ? `.${time[4]}` : ""}`;
    return undefined;
  }
  const [, y, mo, d, h, mi, sec, frac] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(y), month, 0)).getUTCDate()) return undefined;
  if (typeName === "time") return h !== undefined ? `${h.padStart(2, "0")}:${mi}:${sec ?? "00"}${frac ? `.${frac}` : ""}` : "00:00:00";
  const date = `${y}-${mo}-${d}`;
  if (typeName === "date") return date;
  if (h === undefined) return `${date} 00:00:00`;
  return `${date} ${h.padStart(2, "0")}:${mi}:${sec ?? "00"}${frac ? `.${frac}` : ""}`;
}

export { mapSqlType, type Rel };

/** sys.*, INFORMATION_SCHEMA.*, master/msdb/... objects and the compatibility views (sysobjects, dbo.syscolumns...). */
export function isSystemCatalogName(name: A.ObjectName): boolean {
  const schema = name.schema?.value.toLowerCase();
  if (schema === "sys" || schema === "information_schema") return true;
  if (name.database && /^(master|msdb|tempdb|model)$/i.test(name.database.value)) return true;
  return (!schema || schema === "dbo") && /^(sys[a-z_]+|spt_[a-z_]+)$/i.test(name.name.value) && /^(sysobjects|syscolumns|sysindexes|sysindexkeys|sysdatabases|sysprocesses|sysjobs|sysusers|systypes|syscomments|sysconstraints|sysforeignkeys|sysreferences|sysdepends|sysfiles|sysfilegroups|syslogins|sysmessages|syspermissions|sysprotects|sysservers|sysaltfiles|syscacheobjects|syscharsets|sysconfigures|syscurconfigs|syslanguages|syslockinfo|sysperfinfo|sysfulltextcatalogs|sysmembers|spt_values|spt_monitor)$/i.test(name.name.value);
}
