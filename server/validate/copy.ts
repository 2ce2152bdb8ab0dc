// Copies rows from a live source (SQL Server through an mssql Connection, or any Connection) into
// the scratch source tables: streamed in batches, at most `rowCap` rows per table, values written
// as literals typed by the target column so nothing passes through a JavaScript float (decimals
// and bigints arrive as text, dates as ISO text, binary as hex). A source that fails mid-table
// leaves that table empty (not half-loaded) with a diagnostic, and the copy goes on with the next.
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import type { ColumnInfo, Connection, RelationName, Row } from "./connection.ts";
import type { TableLoad } from "./synthesize.ts";

export interface CopyTable {
  /** For messages and diagnostics: `Sales.Customer`. */
  id: string;
  source: RelationName;
  target: RelationName;
  /** Where the table is declared (diagnostic location). */
  at?: { file: string; line: number };
}

export interface CopyOptions {
  /** Rows per table. Default 10,000. */
  rowCap?: number;
  /** Rows per fetch and per INSERT. Default 1,000. */
  batchRows?: number;
}

export interface CopyResult {
  tables: Array<TableLoad & { capped: boolean }>;
  diagnostics: Diagnostic[];
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A value from any driver as a SQL literal for a Postgres column of the given kind. */
export function literalFor(v: unknown, c: ColumnInfo): string {
  if (v === null || v === undefined) return "NULL";
  if (c.kind === "boolean") return v === true || v === 1 || v === "1" || v === "true" ? "true" : "false";
  if (v instanceof Date) {
    const iso = v.toISOString().replace("T", " ").replace("Z", "");
    return c.kind === "date" ? lit(iso.slice(0, 10)) : c.kind === "timestamptz" ? lit(iso + "+00") : lit(iso);
  }
  if (v instanceof Uint8Array) return `'\\x${Buffer.from(v).toString("hex")}'`;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return lit(String(v));
    return c.kind === "text" ? lit(String(v)) : String(v);
  }
  if (typeof v === "object") return lit(JSON.stringify(v));
  return lit(String(v));
}

export async function copyTables(source: Connection, target: Connection, tables: CopyTable[], opts: CopyOptions = {}): Promise<CopyResult> {
  const cap = opts.rowCap ?? 10_000;
  const batch = opts.batchRows ?? 1000;
  const out: CopyResult = { tables: [], diagnostics: [] };
  for (const t of tables) {
    const relation = target.dialect.relation(t.target);
    const at = t.at ?? { file: t.id, line: 1 };
    const tcols = await target.describe(t.target);
    const scols = await source.describe(t.source).catch(() => undefined);
    if (!tcols || !scols) {
      out.diagnostics.push(diagnostic("VAL2201", "error", `table ${t.id} was not copied: ${!tcols ? "it does not exist in the scratch schema" : "the source does not have it"}`, at));
      out.tables.push({ table: t.id, relation, rows: 0, ok: false, error: "missing", capped: false });
      continue;
    }
    const tByName = new Map(tcols.map((c) => [c.name.toLowerCase(), c]));
    const pairs = scols.map((s) => ({ s, t: tByName.get(s.name.toLowerCase()) })).filter((p): p is { s: ColumnInfo; t: ColumnInfo } => !!p.t);
    const d = source.dialect;
    // Exact text for what a driver would round (decimal, bigint, datetime2's 100 ns); everything else as the driver returns it.
    const sel = pairs.map((p) => {
      const exact = d.exactText(d.quote(p.s.name), p.s.kind);
      return exact ? `${exact} as ${d.quote(p.s.name)}` : d.quote(p.s.name);
    });
    const query = d.limit(`select ${sel.join(", ")} from ${d.relation(t.source)}`, cap + 1);
    let rows = 0;
    let capped = false;
    try {
      for await (const chunk of source.stream(query, batch)) {
        let take: Row[] = chunk;
        if (rows + chunk.length > cap) {
          take = chunk.slice(0, cap - rows);
          capped = true;
        }
        if (take.length) {
          const values = take.map((r) => `(${pairs.map((p) => literalFor(r[p.s.name], p.t)).join(", ")})`);
          await target.exec(`INSERT INTO ${relation} (${pairs.map((p) => target.dialect.quote(p.t.name)).join(", ")}) OVERRIDING SYSTEM VALUE VALUES ${values.join(",\n")}`);
          rows += take.length;
        }
        if (capped) break;
      }
      if (capped) out.diagnostics.push(diagnostic("VAL2202", "note", `table ${t.id}: copied the first ${cap} rows (the row cap); results over it are compared on those rows only`, at));
      out.tables.push({ table: t.id, relation, rows, ok: true, capped });
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
      out.diagnostics.push(diagnostic("VAL2203", "error", `copying ${t.id} stopped after ${rows} rows: ${msg}; the table is left empty and the models that read it are validated on no rows`, at));
      await target.exec(`DELETE FROM ${relation}`).catch(() => {});
      out.tables.push({ table: t.id, relation, rows: 0, ok: false, error: msg, capped: false });
    }
  }
  return out;
}
