// The live SQL Server source as a Connection, for copying rows into the scratch tables. Read-only
// (the runner connects with ApplicationIntent=ReadOnly). The copier's needs are covered: quoting,
// TOP, exact text for decimals, describe. Parity over SQL Server needs the normalisation functions
// to produce byte-identical text to Postgres' (UTF-8 md5, the same number and datetime spelling);
// until they are written and tested against a real server they refuse, so no comparison can
// report a wrong "equal".
import { createMssqlRunner, type LiveOptions } from "../sources/live.ts";
import type { ColumnInfo, Connection, Dialect, Row, ValueKind } from "./connection.ts";

const notYet = (what: string) => (): string => {
  throw new Error(`parity against SQL Server is not available yet (${what} has no SQL Server spelling that is proven identical to Postgres')`);
};

export const mssqlDialect: Dialect = {
  name: "mssql",
  quote: (s) => `[${s.replace(/]/g, "]]")}]`,
  relation: (r) => (r.schema ? `[${r.schema.replace(/]/g, "]]")}].[${r.name.replace(/]/g, "]]")}]` : `[${r.name.replace(/]/g, "]]")}]`),
  literal: (s) => `N'${s.replace(/'/g, "''")}'`,
  normalize: notYet("normalize"),
  rowText: notYet("rowText"),
  md5: notYet("md5"),
  hashNumber: notYet("hashNumber"),
  sumExact: notYet("sumExact"),
  bucket: notYet("bucket"),
  prefixMatch: notYet("prefixMatch"),
  substr: (e, from, len) => `substring(${e}, ${from}, ${len})`,
  // Decimal and bigint as exact text; style 121 keeps datetime's milliseconds.
  castText: (e) => `convert(nvarchar(100), ${e})`,
  // Style 121: yyyy-mm-dd hh:mi:ss.fffffff (every digit datetime2 has); 127: ISO 8601 with offset.
  exactText: (e, kind) =>
    kind === "decimal" || kind === "integer"
      ? `convert(varchar(60), ${e})`
      : kind === "timestamp"
        ? `convert(varchar(27), ${e}, 121)`
        : kind === "timestamptz"
          ? `convert(varchar(40), ${e}, 127)`
          : kind === "time"
            ? `convert(varchar(16), ${e})`
            : kind === "uuid"
              ? `lower(convert(varchar(36), ${e}))`
              : undefined,
  limit: (s, n) => s.replace(/^\s*select\s/i, `select top (${n}) `),
};

export function mssqlKind(type: string): ValueKind {
  const t = type.toLowerCase();
  if (/^(tinyint|smallint|int|bigint)$/.test(t)) return "integer";
  if (/^(decimal|numeric|money|smallmoney)$/.test(t)) return "decimal";
  if (/^(float|real)$/.test(t)) return "float";
  if (/^(n?char|n?varchar|n?text|sysname|xml)$/.test(t)) return "text";
  if (t === "date") return "date";
  if (/^(datetime|datetime2|smalldatetime)$/.test(t)) return "timestamp";
  if (t === "datetimeoffset") return "timestamptz";
  if (t === "time") return "time";
  if (t === "bit") return "boolean";
  if (t === "uniqueidentifier") return "uuid";
  if (/^(binary|varbinary|image|timestamp|rowversion)$/.test(t)) return "binary";
  return "other";
}

/** Connects to SQL Server (ADO string or mssql:// URL). */
export async function mssqlConnection(input: string, opts: LiveOptions = {}): Promise<Connection> {
  const runner = await (opts.runnerFactory ?? ((i: string) => createMssqlRunner(i, opts)))(input);
    // The runner names its queries for recordings; copies reuse the generic "objects" slot.
  const query = async (s: string) => (await runner.run("objects", s)) as Row[];
  return {
    dialect: mssqlDialect,
    description: "SQL Server source",
    query,
    exec: async (s) => {
      await query(s);
    },
    async describe(r) {
      const rows = await query(`
        select c.name, t.name as type, c.is_nullable as nullable, c.scale
        from sys.columns c join sys.types t on t.user_type_id = c.user_type_id
        where c.object_id = object_id(${mssqlDialect.literal(mssqlDialect.relation(r))})
        order by c.column_id`);
      if (!rows.length) return undefined;
      return rows.map((x): ColumnInfo => ({ name: String(x.name), type: String(x.type), kind: mssqlKind(String(x.type)), nullable: x.nullable === true || x.nullable === 1, scale: Number(x.scale ?? 0) }));
    },
    // The copier caps rows with TOP, so the result fits in memory; it is handed out in batches.
    async *stream(s, batchRows = 1000) {
      const rows = await query(s);
      for (let i = 0; i < rows.length; i += batchRows) yield rows.slice(i, i + batchRows);
    },
    close: () => runner.close(),
  };
}
