// SQL Server column types → Postgres, for source DDL and staging casts. The translator owns the
// authoritative mapping (`mapColumnType` in server/translate/); this table is what the convert
// pipeline uses while that is not available, and it keeps every lossy choice visible as a
// diagnostic so nothing changes silently.
import type { Catalog, Column, ColumnType } from "../../catalog/model.ts";

export type TypeIssueSeverity = "error" | "functional_difference" | "note";

export interface MappedType {
  /** Postgres type as written in DDL and casts (e.g. `numeric(19,4)`, `timestamp(3)`). */
  sql: string;
  /** CHECK template keeping the SQL Server domain (`$col` stands for the column), e.g. tinyint's 0..255. */
  check?: string;
  /** Present when the mapping is not exact. */
  issue?: { code: string; severity: TypeIssueSeverity; message: string };
}

const clamp = (n: number | undefined, max: number, dflt: number) => Math.min(n ?? dflt, max);

/** Resolves alias types (`CREATE TYPE Name FROM nvarchar(50)`, `sp_addtype`) to their base type. */
export function resolveAliasType(type: ColumnType, catalog: Pick<Catalog, "objects">): ColumnType {
  let t = type;
  for (let guard = 0; t.userDefined && guard < 8; guard++) {
    const name = t.name.toLowerCase();
    const schema = t.schema?.toLowerCase();
    const def = catalog.objects.find(
      (o) => o.kind === "type" && o.name.toLowerCase() === name && (!schema || o.schema.toLowerCase() === schema) && o.baseType,
    );
    if (!def?.baseType) break;
    t = def.baseType;
  }
  return t;
}

/** Maps one SQL Server type to Postgres (`target` sqlserver keeps T-SQL spelling). */
export function mapSqlServerType(type: ColumnType, target: "postgres" | "sqlserver" = "postgres"): MappedType {
  if (target === "sqlserver") return { sql: tsqlTypeText(type) };
  const n = type.name.toLowerCase();
  const len = type.length;
  const lengthed = (base: string) => (len === undefined || len < 0 ? "text" : `${base}(${len})`);
  switch (n) {
    case "bigint":
      return { sql: "bigint" };
    case "int":
      return { sql: "integer" };
    case "smallint":
      return { sql: "smallint" };
    case "tinyint":
      return { sql: "smallint", issue: { code: "CNV1101", severity: "note", message: "tinyint (0..255) is stored as smallint; the range is not enforced by the type" } };
    case "bit":
      return { sql: "boolean" };
    case "decimal":
    case "numeric":
      return { sql: `numeric(${type.precision ?? 18},${type.scale ?? 0})` };
    case "money":
      return { sql: "numeric(19,4)" };
    case "smallmoney":
      return { sql: "numeric(10,4)" };
    case "float":
      // float(1..24) is real in SQL Server; float and float(25..53) are double precision.
      return { sql: type.precision !== undefined && type.precision <= 24 ? "real" : "double precision" };
    case "real":
      return { sql: "real" };
    case "date":
      return { sql: "date" };
    case "datetime":
      return { sql: "timestamp(3)", issue: { code: "CNV1102", severity: "note", message: "datetime keeps 1/300 s ticks in SQL Server; timestamp(3) keeps milliseconds (values copied from SQL Server are exact to 3 digits)" } };
    case "smalldatetime":
      return { sql: "timestamp(0)" };
    case "datetime2": {
      const p = type.scale ?? type.precision ?? type.length ?? 7;
      return p > 6
        ? { sql: "timestamp(6)", issue: { code: "CNV1103", severity: "functional_difference", message: `datetime2(${p}) keeps 100 ns; Postgres timestamps keep microseconds, so the 7th digit is rounded` } }
        : { sql: `timestamp(${p})` };
    }
    case "datetimeoffset": {
      const p = type.scale ?? type.precision ?? type.length ?? 7;
      return {
        sql: `timestamptz(${clamp(p, 6, 6)})`,
        issue: { code: "CNV1104", severity: "functional_difference", message: "datetimeoffset keeps the original UTC offset; timestamptz keeps the instant only (the offset is lost)" },
      };
    }
    case "time": {
      const p = type.scale ?? type.precision ?? type.length ?? 7;
      return p > 6
        ? { sql: "time(6)", issue: { code: "CNV1103", severity: "functional_difference", message: `time(${p}) keeps 100 ns; Postgres keeps microseconds` } }
        : { sql: `time(${p})` };
    }
    case "char":
    case "nchar":
      return { sql: len === undefined || len < 0 ? "char(1)" : `char(${len})` };
    case "varchar":
    case "nvarchar":
    case "sysname":
      return { sql: n === "sysname" ? "varchar(128)" : lengthed("varchar") };
    case "text":
    case "ntext":
      return { sql: "text" };
    case "binary":
    case "varbinary":
    case "image":
      return { sql: "bytea" };
    case "uniqueidentifier":
      return { sql: "uuid" };
    case "xml":
      return { sql: "xml" };
    case "rowversion":
    case "timestamp":
      return { sql: "bytea", issue: { code: "CNV1105", severity: "functional_difference", message: "rowversion is maintained by SQL Server on every update; in Postgres it is a plain bytea column nothing updates" } };
    case "sql_variant":
      return { sql: "text", issue: { code: "CNV1106", severity: "functional_difference", message: "sql_variant has no Postgres equivalent; values are kept as text and lose their base type" } };
    case "hierarchyid":
      return { sql: "bytea", issue: { code: "CNV1106", severity: "functional_difference", message: "hierarchyid is kept as its binary form (bytea); its methods (GetAncestor, IsDescendantOf, ...) are not available" } };
    case "geography":
    case "geometry":
      return { sql: "bytea", issue: { code: "CNV1106", severity: "functional_difference", message: `${n} is kept as bytes (bytea); spatial functions need PostGIS and a rewrite` } };
    default:
      return { sql: "text", issue: { code: "CNV1107", severity: "error", message: `type ${type.schema ? type.schema + "." : ""}${type.name} is not known; the column is declared as text` } };
  }
}

/** The type as T-SQL writes it (for the sqlserver target and messages). */
export function tsqlTypeText(t: ColumnType): string {
  const n = t.name.toLowerCase();
  const base = t.userDefined ? (t.schema ? `[${t.schema}].[${t.name}]` : `[${t.name}]`) : n;
  if (t.length !== undefined && ["char", "nchar", "varchar", "nvarchar", "binary", "varbinary"].includes(n)) return `${base}(${t.length < 0 ? "max" : t.length})`;
  if ((n === "decimal" || n === "numeric") && t.precision !== undefined) return `${base}(${t.precision},${t.scale ?? 0})`;
  if (["datetime2", "datetimeoffset", "time"].includes(n) && (t.scale ?? t.precision) !== undefined) return `${base}(${t.scale ?? t.precision})`;
  if (n === "float" && t.precision !== undefined) return `${base}(${t.precision})`;
  return base;
}

/** Character types whose comparisons follow a collation. */
export function isCharacterType(t: ColumnType | undefined): boolean {
  return !!t && ["char", "nchar", "varchar", "nvarchar", "text", "ntext", "sysname"].includes(t.name.toLowerCase());
}

/** Column type for the column: alias types resolved; computed columns without a type get none. */
export function columnBaseType(column: Column, catalog: Pick<Catalog, "objects">): ColumnType | undefined {
  return column.type ? resolveAliasType(column.type, catalog) : undefined;
}
