// The source tables as Postgres DDL: what the validator creates before it loads data and runs the
// models. Table and column names are spelled as the translator writes them in the models
// (lower-cased, quoted when needed: T-SQL names are case-insensitive), so the sources file, the
// staging models and every translated view meet the same relations.
import { diagnostic, type Diagnostic } from "../../diagnostics.ts";
import type { Catalog, CatalogObject, Column } from "../../catalog/model.ts";
import { moduleTranslator, type ProjectTranslator } from "./translator.ts";
import { columnBaseType } from "./types-map.ts";
import { identityClause, integerRange } from "../identity.ts";

export interface SourceDdlOptions {
  /** Postgres schema for a SQL Server schema (default: the name lower-cased). Used as is (quoted). */
  schemaName?(sqlServerSchema: string): string;
  /** Emit FOREIGN KEY constraints (after all tables). Default true. */
  foreignKeys?: boolean;
  /** Emit `CREATE SCHEMA IF NOT EXISTS`. Default true. */
  createSchemas?: boolean;
  translator?: ProjectTranslator;
}

export interface SourceDdl {
  /** One statement per entry, in execution order. */
  statements: string[];
  /** All statements, `;`-terminated. */
  sql: string;
  diagnostics: Diagnostic[];
  /** The same diagnostics by table id. */
  byTable: Map<string, Diagnostic[]>;
}

export const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A default SQL Server would apply, as Postgres: literals and the handful of functions whose
 * meaning is the same. Anything else is left out (with a note): the loader copies real values.
 */
export function defaultExpression(expression: string, pgType: string): string | undefined {
  let e = expression.trim();
  while (/^\((.*)\)$/s.test(e) && balanced(e.slice(1, -1))) e = e.slice(1, -1).trim();
  if (/^[-+]?\d+(\.\d+)?$/.test(e)) {
    if (pgType === "boolean") return e === "0" ? "false" : e === "1" ? "true" : undefined;
    return e;
  }
  const s = /^N?'((?:[^']|'')*)'$/s.exec(e);
  if (s) return pgType === "boolean" ? undefined : `'${s[1]}'`;
  const fn = e.toLowerCase().replace(/\s+/g, "");
  if (fn === "getdate()" || fn === "sysdatetime()" || fn === "current_timestamp") return pgType.startsWith("timestamp") ? "localtimestamp" : pgType === "date" ? "current_date" : undefined;
  if (fn === "getutcdate()" || fn === "sysutcdatetime()") return pgType.startsWith("timestamp") ? "(now() at time zone 'utc')" : undefined;
  if (fn === "newid()" || fn === "newsequentialid()") return pgType === "uuid" ? "gen_random_uuid()" : undefined;
  if (fn === "null") return "null";
  return undefined;
}

function balanced(s: string): boolean {
  let d = 0;
  for (const ch of s) {
    if (ch === "(") d++;
    else if (ch === ")" && --d < 0) return false;
  }
  return d === 0;
}

function columnDdl(t: CatalogObject, c: Column, catalog: Catalog, translator: ProjectTranslator, diagnostics: Diagnostic[], id: (n: string) => string): string {
  const at = { file: t.file, line: t.line };
  const base = columnBaseType(c, catalog);
  let type: string;
  let check: string | undefined;
  if (!base) {
    // A computed column without a declared type: the translator would infer it; the loader copies
    // the computed values, so text keeps them without claiming a type.
    type = "text";
    diagnostics.push(diagnostic("CNV1301", "note", `computed column ${t.id}.${c.name} is created as a plain text column holding the copied values (its formula is not re-evaluated in Postgres)`, at));
  } else {
    const m = translator.mapColumnType(base, c, "postgres");
    type = m.sql;
    check = m.check;
    if (c.computed)
      diagnostics.push(diagnostic("CNV1301", "note", `computed column ${t.id}.${c.name} is created as a plain ${type} column holding the copied values (its formula is not re-evaluated in Postgres)`, at));
  }
  const parts = [id(c.name), type];
  if (c.identity && !c.computed) {
    if (/^(smallint|integer|bigint)$/.test(type)) parts.push(identityClause(c.identity.seed, c.identity.increment, integerRange(base?.name ?? "") ? base!.name : type));
  } else if (c.default && !c.computed) {
    const d = defaultExpression(c.default.expression, type);
    if (d !== undefined) parts.push(`DEFAULT ${d}`);
    else diagnostics.push(diagnostic("CNV1302", "note", `default ${c.default.expression} of ${t.id}.${c.name} is not reproduced in the source DDL`, at));
  }
  if (!c.nullable && !c.computed) parts.push("NOT NULL");
  // The SQL Server domain the Postgres type is wider than (tinyint 0..255, money's range, ...).
  if (check) parts.push(`CHECK (${check.replaceAll("$col", id(c.name))})`);
  return parts.join(" ");
}

/** CREATE SCHEMA / TABLE (with keys) / foreign keys for every table of the catalog. */
export function sourceDdl(catalog: Catalog, opts: SourceDdlOptions = {}): SourceDdl {
  const translator = opts.translator ?? moduleTranslator;
  const schemaOf = opts.schemaName ?? ((s: string) => s.toLowerCase());
  const id = (n: string) => translator.identifier(n);
  const statements: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const tables = catalog.objects.filter((o) => o.kind === "table" && !o.isTableType).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(tables.map((t) => [t.id.toLowerCase(), t]));
  if (opts.createSchemas ?? true) for (const s of [...new Set(tables.map((t) => schemaOf(t.schema)))].sort()) statements.push(`CREATE SCHEMA IF NOT EXISTS ${q(s)}`);
  const rel = (t: { schema: string; name: string }) => `${q(schemaOf(t.schema))}.${id(t.name)}`;
  const fks: string[] = [];
  const byTable = new Map<string, Diagnostic[]>();
  for (const t of tables) {
    const before = diagnostics.length;
    const lines = t.columns.map((c) => columnDdl(t, c, catalog, translator, diagnostics, id));
    const colNames = new Set(t.columns.map((c) => c.name.toLowerCase()));
    const known = (cols: string[]) => cols.length > 0 && cols.every((c) => colNames.has(c.toLowerCase()));
    const exact = (c: string) => t.columns.find((x) => x.name.toLowerCase() === c.toLowerCase())?.name ?? c;
    const keyCols = (cols: string[]) => cols.map((c) => id(exact(c))).join(", ");
    // Computed columns hold copied values here; a key over one is kept (the values are the same).
    for (const k of t.constraints) {
      if ((k.kind === "primary_key" || k.kind === "unique") && known(k.columns)) {
        lines.push(`${k.name ? `CONSTRAINT ${q(k.name.slice(0, 63))} ` : ""}${k.kind === "primary_key" ? "PRIMARY KEY" : "UNIQUE"} (${keyCols(k.columns)})`);
      } else if (k.kind === "foreign_key" && k.references && (opts.foreignKeys ?? true)) {
        const parent = byId.get(`${k.references.schema ?? t.schema}.${k.references.name}`.toLowerCase());
        const parentHasKey =
          parent &&
          k.references.columns.length === k.columns.length &&
          parent.constraints.some(
            (pk) =>
              (pk.kind === "primary_key" || pk.kind === "unique") &&
              pk.columns.length === k.references!.columns.length &&
              pk.columns.every((c) => k.references!.columns.some((r) => r.toLowerCase() === c.toLowerCase())),
          );
        if (!parent || !known(k.columns) || !parentHasKey) {
          diagnostics.push(diagnostic("CNV1303", "note", `foreign key ${k.name ?? ""} of ${t.id} is not created in Postgres (its parent key is not among the tables read)`, { file: t.file, line: t.line }));
          continue;
        }
        const parentCols = k.references.columns.map((c) => id(parent.columns.find((x) => x.name.toLowerCase() === c.toLowerCase())?.name ?? c)).join(", ");
        const action = (what: string, a: string | undefined) => (a && /^(CASCADE|SET NULL|SET DEFAULT)$/i.test(a) ? ` ON ${what} ${a.toUpperCase()}` : "");
        fks.push(
          `ALTER TABLE ${rel(t)} ADD ${k.name ? `CONSTRAINT ${q(k.name.slice(0, 63))} ` : ""}FOREIGN KEY (${keyCols(k.columns)}) REFERENCES ${rel(parent)} (${parentCols})${action("DELETE", k.onDelete)}${action("UPDATE", k.onUpdate)}`,
        );
      } else if (k.kind === "check") {
        diagnostics.push(diagnostic("CNV1304", "note", `CHECK ${k.name ?? ""} of ${t.id} is not created in Postgres; it is checked by the project's data tests where dbt can express it`, { file: t.file, line: t.line }));
      }
    }
    if (lines.length === 0) {
      diagnostics.push(diagnostic("CNV1305", "warning", `table ${t.id} has no columns in the catalog; it is not created`, { file: t.file, line: t.line }));
      continue;
    }
    statements.push(`CREATE TABLE ${rel(t)} (\n  ${lines.join(",\n  ")}\n)`);
    byTable.set(t.id, diagnostics.slice(before));
  }
  statements.push(...fks);
  return { statements, sql: statements.map((s) => `${s};`).join("\n\n") + (statements.length ? "\n" : ""), diagnostics, byTable };
}
