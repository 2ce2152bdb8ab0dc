// SQL Server types as the translator sees them: every expression gets one (or `unknown`), and the
// rules that combine them (data type precedence, decimal precision/scale, literal typing) are data
// and small pure functions here. Reference: TSQL-SEMANTICS.md §4.2, §5.2, "Numeric literals" in §4.1.
import type { ColumnType } from "../catalog/model.ts";
import type { DataType, Literal } from "../tsql/ast.ts";

/** A SQL Server type. `name` is the lower-case built-in name; `unknown` when it cannot be known. */
export interface SqlType {
  name: string;
  /** Characters for n-types, bytes otherwise; -1 = MAX. */
  length?: number;
  precision?: number;
  scale?: number;
  /** Collation of a character value (column's, explicit COLLATE, or the database default for literals). */
  collation?: string;
  /** How the collation was obtained (SQL Server collation precedence). */
  collationDerivation?: "explicit" | "implicit" | "coercible";
  /** xml: a node returned by .nodes() (paths are relative to it). */
  xmlNode?: boolean;
  /** xml node that is the root element of its document (nodes('/Root')): absolute paths still work. */
  xmlRoot?: boolean;
}

export const UNKNOWN: SqlType = { name: "unknown" };
/** The type of the NULL literal: converts to anything. */
export const NULL_TYPE: SqlType = { name: "null" };
export const INT: SqlType = { name: "int" };
export const BIGINT: SqlType = { name: "bigint" };
export const BIT: SqlType = { name: "bit" };
export const FLOAT: SqlType = { name: "float" };
export const DATE: SqlType = { name: "date" };
export const DATETIME: SqlType = { name: "datetime" };
export const DATETIME2: SqlType = { name: "datetime2", scale: 7 };
export const UNIQUEIDENTIFIER: SqlType = { name: "uniqueidentifier" };

export const nvarchar = (length: number): SqlType => ({ name: "nvarchar", length });
export const varchar = (length: number): SqlType => ({ name: "varchar", length });
export const decimal = (precision: number, scale: number): SqlType => ({ name: "decimal", precision, scale });

/** Highest first (TSQL-SEMANTICS.md §5.2). */
const PRECEDENCE = [
  "sql_variant", "xml", "datetimeoffset", "datetime2", "datetime", "smalldatetime", "date", "time", "float", "real",
  "decimal", "money", "smallmoney", "bigint", "int", "smallint", "tinyint", "bit", "ntext", "text", "image",
  "timestamp", "uniqueidentifier", "nvarchar", "nchar", "varchar", "char", "varbinary", "binary",
];
const RANK = new Map(PRECEDENCE.map((n, i) => [n, PRECEDENCE.length - i] as const));

const ALIASES: Record<string, string> = {
  numeric: "decimal", rowversion: "timestamp", sysname: "nvarchar", integer: "int", "double precision": "float",
  "national character varying": "nvarchar", "national char varying": "nvarchar", "national character": "nchar",
  "national char": "nchar", "character varying": "varchar", "char varying": "varchar", character: "char", dec: "decimal",
};

export function canonicalName(name: string): string {
  const n = name.toLowerCase();
  return ALIASES[n] ?? n;
}

export const STRING_TYPES = new Set(["char", "varchar", "nchar", "nvarchar", "text", "ntext"]);
export const UNICODE_TYPES = new Set(["nchar", "nvarchar", "ntext"]);
export const INTEGER_TYPES = new Set(["tinyint", "smallint", "int", "bigint"]);
export const EXACT_TYPES = new Set(["tinyint", "smallint", "int", "bigint", "decimal", "money", "smallmoney"]);
export const NUMERIC_TYPES = new Set([...EXACT_TYPES, "float", "real", "bit"]);
export const DATETIME_TYPES = new Set(["datetime", "datetime2", "smalldatetime", "date", "time", "datetimeoffset"]);
export const BINARY_TYPES = new Set(["binary", "varbinary", "image", "timestamp"]);

export const isUnknown = (t: SqlType): boolean => t.name === "unknown";
export const isNull = (t: SqlType): boolean => t.name === "null";
export const isString = (t: SqlType): boolean => STRING_TYPES.has(t.name);
export const isUnicode = (t: SqlType): boolean => UNICODE_TYPES.has(t.name);
export const isInteger = (t: SqlType): boolean => INTEGER_TYPES.has(t.name);
export const isNumeric = (t: SqlType): boolean => NUMERIC_TYPES.has(t.name);
export const isDateTime = (t: SqlType): boolean => DATETIME_TYPES.has(t.name);
export const isBinary = (t: SqlType): boolean => BINARY_TYPES.has(t.name);
export const isMax = (t: SqlType): boolean => t.length === -1 || t.name === "text" || t.name === "ntext" || t.name === "image";

export function rank(t: SqlType): number {
  return RANK.get(t.name) ?? 0;
}

/** Precision and scale of an exact numeric type seen as decimal (§4.2). */
export function asDecimal(t: SqlType): { p: number; s: number } | undefined {
  switch (t.name) {
    case "tinyint": return { p: 3, s: 0 };
    case "smallint": return { p: 5, s: 0 };
    case "int": return { p: 10, s: 0 };
    case "bigint": return { p: 19, s: 0 };
    case "bit": return { p: 1, s: 0 };
    case "money": return { p: 19, s: 4 };
    case "smallmoney": return { p: 10, s: 4 };
    case "decimal": return { p: t.precision ?? 18, s: t.scale ?? 0 };
    default: return undefined;
  }
}

/** The type that wins when two types meet in an operator, CASE, COALESCE or UNION (§5.2). */
export function dominant(a: SqlType, b: SqlType): SqlType {
  if (isNull(a)) return b;
  if (isNull(b)) return a;
  if (isUnknown(a) || isUnknown(b)) return UNKNOWN;
  const ra = rank(a);
  const rb = rank(b);
  if (a.name === b.name) {
    if (a.name === "decimal") return unionDecimal(a, b);
    if (isString(a) || isBinary(a)) return { ...a, length: maxLength(a.length, b.length) };
    return a;
  }
  const hi = ra >= rb ? a : b;
  const lo = ra >= rb ? b : a;
  if (hi.name === "decimal" && asDecimal(lo)) return unionDecimal(hi, lo);
  if (isString(hi) && isString(lo)) return { ...hi, length: maxLength(hi.length, lo.length) };
  return hi;
}

function maxLength(a?: number, b?: number): number | undefined {
  if (a === -1 || b === -1) return -1;
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function unionDecimal(a: SqlType, b: SqlType): SqlType {
  const x = asDecimal(a)!;
  const y = asDecimal(b)!;
  const s = Math.max(x.s, y.s);
  const p = Math.min(38, s + Math.max(x.p - x.s, y.p - y.s));
  return decimal(p, s);
}

/** Result type of `a op b` for exact numerics that end up decimal (§4.2, with the capping rules). */
export function decimalResult(op: "+" | "-" | "*" | "/" | "%", a: SqlType, b: SqlType): SqlType {
  const x = asDecimal(a)!;
  const y = asDecimal(b)!;
  const { p: p1, s: s1 } = x;
  const { p: p2, s: s2 } = y;
  let p: number;
  let s: number;
  switch (op) {
    case "+":
    case "-":
      s = Math.max(s1, s2);
      p = s + Math.max(p1 - s1, p2 - s2) + 1;
      if (p > 38) {
        const integral = Math.max(p1 - s1, p2 - s2) + 1;
        s = Math.max(0, Math.min(s, 38 - integral));
        p = 38;
      }
      return decimal(p, s);
    case "*":
      p = p1 + p2 + 1;
      s = s1 + s2;
      break;
    case "/":
      s = Math.max(6, s1 + p2 + 1);
      p = p1 - s1 + s2 + s;
      break;
    default:
      s = Math.max(s1, s2);
      p = Math.min(p1 - s1, p2 - s2) + s;
      return decimal(Math.min(p, 38), s);
  }
  if (p > 38) {
    const integral = p - s;
    if (integral < 32) s = Math.min(s, 38 - integral);
    else if (s > 6) s = 6;
    p = 38;
  }
  return decimal(p, s);
}

/** Type of a literal per T-SQL's constant rules (§4.1 "Numeric literals", §3 N'' literals). */
export function literalType(lit: Literal, defaultCollation: string): SqlType {
  switch (lit.literalType) {
    case "string": return { name: "varchar", length: Math.max(1, lit.value.length), collation: defaultCollation, collationDerivation: "coercible" };
    case "nstring": return { name: "nvarchar", length: Math.max(1, lit.value.length), collation: defaultCollation, collationDerivation: "coercible" };
    case "integer": {
      const v = BigInt(lit.value);
      if (v <= 2147483647n) return INT;
      return decimal(Math.max(lit.value.replace(/^0+(?=\d)/, "").length, 1), 0);
    }
    case "decimal": {
      const [i = "", f = ""] = lit.value.split(".");
      const intDigits = i.replace(/^0+/, "").length;
      const s = f.length;
      return decimal(Math.max(intDigits + s, 1, s), s);
    }
    case "float": return FLOAT;
    case "money": return { name: "money" };
    case "binary": return { name: "varbinary", length: Math.max(1, Math.ceil((lit.value.length - 2) / 2)) };
    default: return NULL_TYPE;
  }
}

const LENGTH_TYPES = new Set(["char", "varchar", "nchar", "nvarchar", "binary", "varbinary"]);
const SCALE_TYPES = new Set(["time", "datetime2", "datetimeoffset"]);

/** A written data type as SqlType (CAST targets, variables, parameters). `CAST(x AS varchar)` = varchar(30). */
export function fromDataType(dt: DataType, context: "cast" | "declare"): SqlType {
  if (dt.userDefined) return { name: `udt:${(dt.schema ?? dt.typeName.schema?.value ?? "").toLowerCase()}.${dt.typeName.name.value.toLowerCase()}` };
  const name = canonicalName(dt.name);
  const a0 = dt.args[0];
  const a1 = dt.args[1];
  if (dt.name.toLowerCase() === "sysname") return { name: "nvarchar", length: 128 };
  if (LENGTH_TYPES.has(name)) {
    const length = a0 === "max" ? -1 : typeof a0 === "number" ? a0 : context === "cast" ? 30 : 1;
    return { name, length };
  }
  if (name === "decimal") return decimal(typeof a0 === "number" ? a0 : 18, typeof a1 === "number" ? a1 : 0);
  if (SCALE_TYPES.has(name)) return { name, scale: typeof a0 === "number" ? a0 : 7 };
  if (name === "float") return typeof a0 === "number" && a0 <= 24 ? { name: "real" } : FLOAT;
  return { name };
}

/** A catalog column type as SqlType (alias types resolved by the caller). */
export function fromColumnType(ct: ColumnType, collation?: string): SqlType {
  const name = canonicalName(ct.name);
  const t: SqlType = { name: ct.userDefined ? `udt:${(ct.schema ?? "").toLowerCase()}.${ct.name.toLowerCase()}` : name };
  if (ct.name.toLowerCase() === "sysname") {
    t.name = "nvarchar";
    t.length = 128;
  }
  if (ct.length !== undefined) t.length = ct.length;
  if (name === "decimal") {
    t.precision = ct.precision ?? 18;
    t.scale = ct.scale ?? 0;
  } else if (SCALE_TYPES.has(name)) t.scale = ct.scale ?? 7;
  else if (name === "float" && ct.precision !== undefined && ct.precision <= 24) t.name = "real";
  if (collation && isString(t)) {
    t.collation = collation;
    t.collationDerivation = "implicit";
  }
  return t;
}

/** T-SQL spelling of a type, for messages. */
export function showType(t: SqlType): string {
  if (t.name === "decimal") return `decimal(${t.precision ?? 18},${t.scale ?? 0})`;
  if (t.length !== undefined) return `${t.name}(${t.length === -1 ? "max" : t.length})`;
  if (t.scale !== undefined && SCALE_TYPES.has(t.name)) return `${t.name}(${t.scale})`;
  return t.name;
}

/** Case-insensitive collation? (`_CI_` in the name; binary collations compare case-sensitively.) */
export function isCaseInsensitive(collation: string | undefined): boolean {
  if (!collation) return true;
  const c = collation.toUpperCase();
  if (c.includes("_BIN")) return false;
  return !c.includes("_CS");
}

export function isAccentInsensitive(collation: string | undefined): boolean {
  return !!collation && /_AI(_|$)/i.test(collation);
}
