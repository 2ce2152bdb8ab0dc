// SQL Server type → Postgres type, as a data table plus the few rules that need arguments
// (TSQL-SEMANTICS.md §5.1). Used for DDL, casts and the types of output columns.
import type { ColumnType } from "../catalog/model.ts";
import { TR } from "./codes.ts";
import { canonicalName, fromColumnType, type SqlType } from "./types.ts";

export interface TypeNote {
  code: string;
  message: string;
}

export interface MappedType {
  sql: string;
  /** A CHECK expression template (`$col` stands for the column) that keeps the SQL Server domain. */
  check?: string;
  notes: TypeNote[];
  /** The mapping is not faithful (the notes say why, with an error code). */
  unsupported?: boolean;
}

const SIMPLE: Record<string, string> = {
  bigint: "bigint",
  int: "integer",
  smallint: "smallint",
  tinyint: "smallint",
  bit: "boolean",
  money: "numeric(19,4)",
  smallmoney: "numeric(10,4)",
  real: "real",
  float: "double precision",
  date: "date",
  datetime: "timestamp(3)",
  smalldatetime: "timestamp(0)",
  text: "text",
  ntext: "text",
  image: "bytea",
  binary: "bytea",
  varbinary: "bytea",
  uniqueidentifier: "uuid",
  timestamp: "bytea",
  xml: "xml",
  json: "json",
};

const REPORTED = new Set(["sql_variant", "hierarchyid", "geography", "geometry"]);

/** The Postgres type for a SQL Server type. */
export function mapSqlType(t: SqlType): MappedType {
  const name = canonicalName(t.name);
  const notes: TypeNote[] = [];
  switch (name) {
    case "decimal":
      return { sql: `numeric(${t.precision ?? 18},${t.scale ?? 0})`, notes };
    case "char":
    case "nchar":
      return { sql: `char(${t.length ?? 1})`, notes };
    case "varchar":
    case "nvarchar":
      return { sql: t.length === -1 || t.length === undefined ? "text" : `varchar(${t.length})`, notes };
    case "time":
    case "datetime2":
    case "datetimeoffset": {
      const s = t.scale ?? 7;
      if (s > 6) notes.push({ code: TR.PRECISION_LOSS, message: `${name}(${s}) keeps 6 fractional digits on Postgres (the 100 ns digit is lost)` });
      if (name === "datetimeoffset") {
        notes.push({ code: TR.DATETIMEOFFSET, message: "datetimeoffset becomes timestamptz: the instant is kept, the original UTC offset is not" });
      }
      const pg = name === "time" ? "time" : name === "datetime2" ? "timestamp" : "timestamptz";
      return { sql: `${pg}(${Math.min(s, 6)})`, notes };
    }
    case "tinyint":
      notes.push({ code: TR.TINYINT_RANGE, message: "tinyint becomes smallint with CHECK (0..255); arithmetic results above 255 do not raise" });
      return { sql: "smallint", check: "$col BETWEEN 0 AND 255", notes };
    case "money":
      return { sql: SIMPLE.money!, check: "$col BETWEEN -922337203685477.5808 AND 922337203685477.5807", notes };
    case "smallmoney":
      return { sql: SIMPLE.smallmoney!, check: "$col BETWEEN -214748.3648 AND 214748.3647", notes };
    case "date":
      return { sql: "date", check: "$col BETWEEN '0001-01-01' AND '9999-12-31'", notes };
    case "datetime":
      // Values loaded from SQL Server are already on the 1/300 s grid; arithmetic re-rounds with tsql_datetime().
      return { sql: SIMPLE.datetime!, notes };
    case "timestamp":
      notes.push({ code: TR.ROWVERSION, message: "rowversion/timestamp becomes bytea; Postgres does not maintain it on update" });
      return { sql: "bytea", notes };
    case "xml":
      notes.push({ code: TR.XML_TYPE, message: "xml maps to Postgres xml; XQuery methods are not translated" });
      return { sql: "xml", notes };
  }
  if (REPORTED.has(name)) {
    notes.push({ code: TR.UNSUPPORTED_TYPE, message: `${name} has no faithful Postgres type (${name === "sql_variant" ? "type-aware comparison of mixed base types" : name === "hierarchyid" ? "binary path encoding, methods and depth-first order" : "spatial type: needs PostGIS and method rewrites"}); mapped to text only as a placeholder` });
    return { sql: name === "geography" || name === "geometry" ? "bytea" : "text", notes, unsupported: true };
  }
  const simple = SIMPLE[name];
  if (simple) return { sql: simple, notes };
  if (name.startsWith("udt:") || name === "unknown") {
    notes.push({ code: name === "unknown" ? TR.UNKNOWN_TYPE : TR.UNSUPPORTED_TYPE, message: `type ${name.replace(/^udt:\.?/, "")} is not a SQL Server built-in the translator can map` });
    return { sql: "text", notes, unsupported: true };
  }
  notes.push({ code: TR.UNSUPPORTED_TYPE, message: `type ${name} is not known to the translator` });
  return { sql: "text", notes, unsupported: true };
}

/** Postgres type of a catalog column type (alias types must be resolved by the caller). */
export function mapCatalogType(ct: ColumnType): MappedType {
  return mapSqlType(fromColumnType(ct));
}

/** Just the Postgres spelling (casts inside expressions). */
export function pgType(t: SqlType): string {
  return mapSqlType(t).sql;
}
