// Constraints → dbt data tests. Each SQL Server guarantee that dbt's built-in tests can state
// exactly becomes one; the rest are named in a note so the report says what is not tested.
import { diagnostic, type Diagnostic } from "../../diagnostics.ts";
import type { Catalog, CatalogObject, Constraint } from "../../catalog/model.ts";
import { parseScript } from "../../tsql/index.ts";
import { isCharacterType } from "./types-map.ts";
import { translateQuery } from "../index.ts";
import type { ColumnDataTest, TableDataTest } from "../../dbt/project.ts";
import type { TableNames } from "./naming.ts";

export interface TableTests {
  /** Staging column name → its tests. */
  columns: Map<string, ColumnDataTest[]>;
  table: TableDataTest[];
  diagnostics: Diagnostic[];
}

const unbracket = (s: string) => s.trim().replace(/^\[(.*)\]$/s, (_, x: string) => x.replace(/]]/g, "]")).replace(/^"(.*)"$/s, "$1");

type Literal = string | number;

function parseLiteral(text: string): Literal | undefined {
  const t = text.trim().replace(/^\((.*)\)$/s, "$1").trim();
  const s = /^N?'((?:[^']|'')*)'$/s.exec(t);
  if (s) return s[1]!.replace(/''/g, "'");
  if (/^[-+]?\d+(\.\d+)?$/.test(t)) return Number(t);
  return undefined;
}

function splitTopLevel(text: string, sep: RegExp): string[] {
  const out: string[] = [];
  let depth = 0;
  let inStr = false;
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inStr) {
      cur += ch;
      if (ch === "'") {
        if (text[i + 1] === "'") cur += text[++i];
        else inStr = false;
      }
      continue;
    }
    if (ch === "'") inStr = true;
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (depth === 0) {
      sep.lastIndex = 0;
      const m = sep.exec(text.slice(i));
      if (m && m.index === 0) {
        out.push(cur);
        cur = "";
        i += m[0].length - 1;
        continue;
      }
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function stripParens(t: string): string {
  let s = t.trim();
  for (;;) {
    if (!s.startsWith("(") || !s.endsWith(")")) return s;
    // Only strip when the outer pair matches itself.
    let depth = 0;
    let ok = true;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === "(") depth++;
      else if (s[i] === ")") depth--;
      if (depth === 0 && i < s.length - 1) {
        ok = false;
        break;
      }
    }
    if (!ok) return s;
    s = s.slice(1, -1).trim();
  }
}

const IDENT = String.raw`(\[(?:[^\]]|\]\])+\]|"[^"]+"|[A-Za-z_@#][\w@#$]*)`;

/**
 * `col IN ('a', 'b')` or `col = 'a' OR col = 'b'` (how SSMS scripts a CHECK) → the column and its
 * values; anything else → undefined.
 */
export function parseCheckInList(expression: string): { column: string; values: Literal[] } | undefined {
  const e = stripParens(expression);
  const inList = new RegExp(`^${IDENT}\\s+IN\\s*\\((.*)\\)$`, "is").exec(e);
  if (inList) {
    const values = splitTopLevel(inList[2]!, /,/y).map(parseLiteral);
    if (values.some((v) => v === undefined)) return undefined;
    return { column: unbracket(inList[1]!), values: values as Literal[] };
  }
  const terms = splitTopLevel(e, /\s+OR\s+/iy).map(stripParens);
  if (terms.length < 1) return undefined;
  let column: string | undefined;
  const values: Literal[] = [];
  for (const term of terms) {
    const m = new RegExp(`^${IDENT}\\s*=\\s*(.+)$`, "s").exec(term);
    if (!m) return undefined;
    const col = unbracket(m[1]!);
    const v = parseLiteral(m[2]!);
    if (v === undefined || (column !== undefined && column.toLowerCase() !== col.toLowerCase())) return undefined;
    column = col;
    values.push(v);
  }
  return column === undefined || terms.length < 2 ? undefined : { column, values };
}

/** The data tests of one table's staging model. */
export function tableTests(
  table: CatalogObject,
  names: TableNames,
  stagingOf: (tableId: string) => TableNames | undefined,
  idOf: (schema: string | undefined, name: string) => string | undefined,
  /** Turns a CHECK that is not a value list into some other test; true when it did. */
  otherCheck?: (k: Constraint) => boolean,
): TableTests {
  const columns = new Map<string, ColumnDataTest[]>();
  const tableLevel: TableDataTest[] = [];
  const diagnostics: Diagnostic[] = [];
  const at = { file: table.file, line: table.line };
  const colName = (original: string) => {
    const direct = names.columns.get(original);
    if (direct) return direct;
    const found = [...names.columns.entries()].find(([o]) => o.toLowerCase() === original.toLowerCase());
    return found?.[1];
  };
  const add = (col: string, t: ColumnDataTest) => {
    const list = columns.get(col) ?? [];
    if (!list.some((x) => JSON.stringify(x) === JSON.stringify(t))) list.push(t);
    columns.set(col, list);
  };
  const uniqueOn = (cols: string[], what: string) => {
    const mapped = cols.map(colName);
    if (mapped.some((c) => c === undefined)) {
      diagnostics.push(diagnostic("CNV1201", "note", `${what} of ${table.id} names a column the table does not have; no test written`, at));
      return;
    }
    if (mapped.length === 1) add(mapped[0]!, { test: "unique" });
    else tableLevel.push({ test: "unique_combination", columns: mapped as string[] });
  };

  const notNull = new Set<string>();
  for (const c of table.columns) if (!c.nullable && !c.computed) notNull.add(c.name);
  for (const k of table.constraints) {
    if (k.kind === "primary_key") {
      uniqueOn(k.columns, "the primary key");
      for (const c of k.columns) notNull.add(c);
    } else if (k.kind === "unique") uniqueOn(k.columns, `UNIQUE constraint ${k.name ?? ""}`.trim());
    else if (k.kind === "foreign_key") fkTest(k);
    else if (k.kind === "check") checkTest(k);
  }
  for (const ix of table.indexes) if (ix.unique && !ix.filter) uniqueOn(ix.columns, `unique index ${ix.name}`);
  for (const c of table.columns) {
    if (!notNull.has(c.name)) continue;
    const n = colName(c.name);
    if (n) add(n, { test: "not_null" });
  }
  return { columns, table: tableLevel, diagnostics };

  function fkTest(k: Constraint) {
    if (!k.references) return;
    if (k.columns.length !== 1) {
      diagnostics.push(
        diagnostic("CNV1202", "note", `foreign key ${k.name ?? ""} of ${table.id} has ${k.columns.length} columns; dbt's relationships test takes one, so it is not tested`, at),
      );
      return;
    }
    const parentId = idOf(k.references.schema ?? table.schema, k.references.name);
    const parent = parentId ? stagingOf(parentId) : undefined;
    const child = colName(k.columns[0]!);
    const parentCol = k.references.columns[0];
    const parentField = parent && parentCol ? [...parent.columns.entries()].find(([o]) => o.toLowerCase() === parentCol.toLowerCase())?.[1] : undefined;
    if (!parent || !child || !parentField) {
      diagnostics.push(diagnostic("CNV1203", "note", `foreign key ${k.name ?? ""} of ${table.id} points at ${k.references.schema ?? ""}.${k.references.name}, which is not a table of this conversion; not tested`, at));
      return;
    }
    // A string key under a case-insensitive collation matches 'abc' to 'ABC ' in SQL Server; the
    // relationships test compares exactly, so there it can only warn.
    const childColumn = table.columns.find((c) => c.name.toLowerCase() === k.columns[0]!.toLowerCase());
    const ciString = !!childColumn && isCharacterType(childColumn.type) && /_CI_/i.test(childColumn.collation ?? "");
    if (ciString)
      diagnostics.push(
        diagnostic("CNV1206", "note", `foreign key ${k.name ?? ""} of ${table.id} is on a case-insensitive string column; its relationships test compares exactly, so it is a warning (SQL Server matches values that differ in case or trailing spaces)`, at),
      );
    add(child, {
      test: "relationships",
      to: { kind: "ref", model: parent.staging },
      field: parentField,
      // WITH NOCHECK: SQL Server never checked the rows already there, so a failure is a finding, not a conversion error.
      ...(k.enabled === false || ciString ? { config: { severity: "warn" as const } } : {}),
    });
  }

  function checkTest(k: Constraint) {
    const parsed = k.expression ? parseCheckInList(k.expression) : undefined;
    const col = parsed ? colName(parsed.column) : undefined;
    if (!parsed || !col) {
      if (otherCheck?.(k)) return;
      diagnostics.push(
        diagnostic("CNV1204", "note", `CHECK ${k.name ?? ""} (${(k.expression ?? "").slice(0, 120)}) of ${table.id} is not a value list; it is not turned into a data test`, at),
      );
      return;
    }
    const numeric = parsed.values.every((v) => typeof v === "number");
    const column = table.columns.find((c) => c.name.toLowerCase() === parsed.column.toLowerCase());
    const ci = !!column?.collation && /_CI_/i.test(column.collation);
    // Under a case-insensitive collation SQL Server accepted 'Open' for 'open' (and ignores trailing
    // spaces): accepted_values compares exactly, so it only warns, and the constraint itself is
    // checked exactly by an expression test on the source when the translator can state it.
    const exact = ci && !numeric ? (otherCheck?.(k) ?? false) : false;
    const severity = k.enabled === false || (ci && !numeric) ? "warn" as const : undefined;
    add(col, {
      test: "accepted_values",
      values: parsed.values,
      ...(numeric ? { quote: false } : {}),
      ...(severity ? { config: { severity } } : {}),
    });
    if (ci && !numeric)
      diagnostics.push(
        diagnostic(
          "CNV1205",
          "note",
          `CHECK ${k.name ?? ""} of ${table.id} compares under a case-insensitive collation; the accepted_values test compares exactly, so it is a warning (a value differing only in case or trailing spaces is one SQL Server accepted)${exact ? "; the constraint is tested exactly by an expression test on the source" : ""}`,
          at,
        ),
      );
  }
}

/**
 * A CHECK constraint as a Postgres predicate over the source table's columns (as the translator
 * spells them), for an expression_is_true test on the source; undefined when the translator
 * cannot say it exactly without runtime functions (tests cannot reach the runtime's schema var).
 */
export function checkExpression(catalog: Catalog, table: CatalogObject, expression: string): string | undefined {
  if (/\{[{%#]|[}%#]\}|dm_chk/.test(expression)) return undefined;
  const q = (s: string) => `[${s.replace(/]/g, "]]")}]`;
  const parsed = parseScript(`SELECT 1 AS dm_x FROM ${q(table.schema)}.${q(table.name)} AS dm_chk WHERE ${expression}`, { file: table.file });
  const st = parsed.batches[0]?.statements[0];
  if (parsed.diagnostics.some((d) => d.severity === "error") || !st || st.kind !== "SelectStatement" || parsed.batches.length !== 1 || parsed.batches[0]!.statements.length !== 1) return undefined;
  const t = translateQuery(st, { target: "postgres", catalog, resolveRelation: () => "dm_rel", file: table.file });
  if (!t.sql || t.runtimeFunctions.length || t.diagnostics.some((d) => d.severity !== "note")) return undefined;
  const m = /^SELECT 1 AS dm_x FROM dm_rel AS dm_chk WHERE (.*)$/s.exec(t.sql);
  if (!m) return undefined;
  const predicate = m[1]!.replaceAll("dm_chk.", "");
  return /\bdm_chk\b/.test(predicate) ? undefined : predicate;
}
