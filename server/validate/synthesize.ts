// Data synthesis from the catalog, with a fixed seed: rows that respect each table's types,
// lengths, precision and scale, nullability, PRIMARY KEY and UNIQUE (also composite), FOREIGN KEY
// (parents first, values drawn from the parent's keys), CHECK IN-lists, identity and defaults; and
// that deliberately contain the values where SQL Server and Postgres answer differently: trailing
// spaces, mixed case, NULLs, empty strings, month-end and year-boundary datetimes, leap days,
// extreme lengths, negative and zero numbers, halves for rounding.
//
// The first rows of every column walk through that column's edge values; later rows are drawn
// from a seeded generator. Loaded with batched multi-row INSERTs into the tables `sourceDdl`
// created (column names as the translator spells them).
import type { Catalog, CatalogObject, Column, ColumnType } from "../catalog/model.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { postgresIdentifier } from "../translate/index.ts";
import { parseCheckInList, resolveAliasType } from "../translate/project/index.ts";
import type { ColumnInfo, Connection } from "./connection.ts";

export interface SynthesisOptions {
  /** Rows per table (default 60). */
  rows?: number;
  /** Per table id (`Sales.Customer`, case-insensitive): its own row count. */
  rowsPerTable?: Record<string, number>;
  seed?: number;
  /** Postgres schema of a SQL Server schema (the same function given to sourceDdl). */
  schemaName(sqlServerSchema: string): string;
  /** Postgres spelling of a column or table name (default: the translator's). */
  identifier?(name: string): string;
  /** Rows per INSERT statement. Default 500. */
  batchRows?: number;
  /** First generated row number (for incremental runs: new rows after the first load). */
  startRow?: number;
  /**
   * Literals the models filter on (see literalHints): some generated values are drawn from them,
   * so that `WHERE OrderDate BETWEEN '19970101' AND '19971231'` or `Status = 'Shipped'` selects rows.
   */
  hints?: LiteralHints;
}

export interface LiteralHints {
  /** ISO dates (YYYY-MM-DD). */
  dates: string[];
  strings: string[];
  /**
   * Column names (lower case, unqualified) that the models use as operands of arithmetic. Their
   * integers stay within what a product of two of them can hold: an overflow that SQL Server's
   * INT arithmetic would raise on the same rows (error 8115) proves nothing about the translation.
   */
  arithmetic?: string[];
}

/** Date and string literals in SQL text (model SQL): what the queries filter on. */
export function literalHints(sqlTexts: string[]): LiteralHints {
  const dates = new Set<string>();
  const strings = new Set<string>();
  const arithmetic = new Set<string>();
  for (const text of sqlTexts) {
    const noJinja = text.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g, " ");
    const code = noJinja.replace(/'(?:[^']|'')*'/g, " 0 ").replace(/--[^\n]*/g, " ");
    const name = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
    const operand = new RegExp(String.raw`(?:${name}\s*\.\s*)*(${name})`, "y");
    for (const m of code.matchAll(new RegExp(String.raw`(?:${name}\s*\.\s*)*(${name})\s*\)?\s*[-+*/%](?![-*/])`, "g"))) arithmetic.add(unquote(m[1]!).toLowerCase());
    for (const m of code.matchAll(/(?<![-*/])[-+*/%]\s*(?:abs\s*\(\s*)?/gi)) {
      operand.lastIndex = m.index! + m[0].length;
      const o = operand.exec(code);
      if (o) arithmetic.add(unquote(o[1]!).toLowerCase());
    }
    for (const m of noJinja.matchAll(/'((?:[^']|'')*)'/g)) {
      const v = m[1]!.replace(/''/g, "'");
      const d = /^((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?:[ T][\d:.]+)?$/.exec(v);
      if (d) dates.add(`${d[1]}-${d[2]}-${d[3]}`);
      else if (v.length > 0 && v.length <= 40 && !/[%_\[\]]/.test(v) && !/^(YYYY|HH|MM|DD|FM|utc|UTC|\s*)$/.test(v)) strings.add(v);
    }
  }
  return { dates: [...dates].sort(), strings: [...strings].sort(), arithmetic: [...arithmetic].sort() };
}



export interface TableLoad {
  table: string;
  relation: string;
  rows: number;
  ok: boolean;
  error?: string;
}

export interface SynthesisResult {
  tables: TableLoad[];
  diagnostics: Diagnostic[];
}

/** mulberry32: small, fast, and the same sequence on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const WORDS = ["alpha", "Bravo", "CHARLIE", "delta", "Écho", "foxtrot", "Golf", "hotel", "India", "juliett", "Kilo", "lima"];

/** Parents before children; cycles broken where the child's key columns allow NULL (or in catalog order). */
export function loadOrder(tables: CatalogObject[]): CatalogObject[] {
  const byId = new Map(tables.map((t) => [t.id.toLowerCase(), t]));
  const out: CatalogObject[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (t: CatalogObject) => {
    const k = t.id.toLowerCase();
    if (state.get(k)) return;
    state.set(k, 1);
    for (const c of t.constraints) {
      if (c.kind !== "foreign_key" || !c.references) continue;
      const p = byId.get(`${c.references.schema ?? t.schema}.${c.references.name}`.toLowerCase());
      if (p && p !== t && !state.get(p.id.toLowerCase())) visit(p);
    }
    state.set(k, 2);
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) visit(t);
  return out;
}

interface ColumnPlan {
  column: Column;
  ident: string;
  type: ColumnType | undefined;
  pg: ColumnInfo | undefined;
  inList?: Array<string | number>;
  /** Set by a foreign key: the value comes from the parent row chosen for that key. */
  fk?: { index: number; parentColumn: string };
}

export async function synthesizeData(catalog: Catalog, conn: Connection, opts: SynthesisOptions): Promise<SynthesisResult> {
  const ident = opts.identifier ?? ((n: string) => postgresIdentifier(n));
  const rand = seededRandom(opts.seed ?? 20240229);
  const diagnostics: Diagnostic[] = [];
  const tables = loadOrder(catalog.objects.filter((o) => o.kind === "table" && !o.isTableType && o.columns.length > 0));
  const byId = new Map(tables.map((t) => [t.id.toLowerCase(), t]));
  /** Generated rows per table (column name lower-case → SQL literal). */
  const generated = new Map<string, Array<Map<string, string>>>();
  const loads: TableLoad[] = [];
  const cycles: Array<{ t: CatalogObject; relation: string; f: { k: CatalogObject["constraints"][number]; parent: CatalogObject | undefined }; constraints: Array<{ name: string; def: string }> }> = [];
  const perTable = new Map(Object.entries(opts.rowsPerTable ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

  for (const t of tables) {
    const relation = `"${opts.schemaName(t.schema).replace(/"/g, '""')}".${ident(t.name)}`;
    const target = perTable.get(t.id.toLowerCase()) ?? opts.rows ?? 60;
    const described = await conn.describe({ schema: opts.schemaName(t.schema), name: unquote(ident(t.name)) });
    if (!described) {
      loads.push({ table: t.id, relation, rows: 0, ok: false, error: "table does not exist in the scratch schema" });
      continue;
    }
    const pgCols = new Map(described.map((c) => [c.name.toLowerCase(), c]));
    const plans: ColumnPlan[] = t.columns.map((c) => ({
      column: c,
      ident: ident(c.name),
      type: c.type ? resolveAliasType(c.type, catalog) : undefined,
      pg: pgCols.get(unquote(ident(c.name)).toLowerCase()),
    }));
    const planOf = (name: string) => plans.find((p) => p.column.name.toLowerCase() === name.toLowerCase());
    for (const k of t.constraints) {
      if (k.kind === "check" && k.expression) {
        const l = parseCheckInList(k.expression);
        const p = l && planOf(l.column);
        if (p && l) p.inList = l.values;
      }
    }
    const fks = t.constraints
      .filter((k) => k.kind === "foreign_key" && k.references && k.enabled !== false)
      .map((k) => ({ k, parent: byId.get(`${k.references!.schema ?? t.schema}.${k.references!.name}`.toLowerCase()) }))
      .filter((x) => x.parent && x.k.columns.every((c) => planOf(c)));
    fks.forEach((f, index) => f.k.columns.forEach((c, j) => (planOf(c)!.fk = { index, parentColumn: f.k.references!.columns[j]!.toLowerCase() })));
    const deferred = new Set(fks.filter((f) => f.parent !== t && !generated.has(f.parent!.id.toLowerCase())));
    const uniques = t.constraints.filter((k) => (k.kind === "primary_key" || k.kind === "unique") && k.columns.length && k.columns.every((c) => planOf(c)));
    for (const ix of t.indexes) if (ix.unique && !ix.filter && ix.columns.every((c) => planOf(c))) uniques.push({ kind: "unique", columns: ix.columns });
    const seen = uniques.map(() => new Set<string>());
    const keyColumns = new Set(uniques.flatMap((u) => u.columns.map((c) => c.toLowerCase())));

    const rows: Array<Map<string, string>> = [];
    const start = opts.startRow ?? 0;
    let attempts = 0;
    while (rows.length < target && attempts < target * 20) {
      const i = start + rows.length;
      attempts++;
      const row = new Map<string, string>();
      // One parent row per foreign key, so composite keys stay consistent.
      const parents = fks.map((f): Map<string, string> | "self" | "deferred" | undefined => {
        // Parent later in the load order (a cycle): placeholder now, real parent keys after it loads.
        if (deferred.has(f)) return "deferred";
        const self = f.parent === t;
        const pool = self ? rows : (generated.get(f.parent!.id.toLowerCase()) ?? []);
        // The first row of a self-referencing table (an employee who is their own manager).
        if (self && !pool.length) return "self";
        const nullable = f.k.columns.every((c) => planOf(c)!.column.nullable);
        if (!pool.length || (nullable && rand() < 0.1)) return undefined;
        // A foreign key inside a key (1:1 tables, link tables) walks the parents so keys stay distinct.
        if (f.k.columns.some((c) => keyColumns.has(c.toLowerCase()))) return pool[(rows.length + attempts - 1 + (attempts > rows.length + 1 ? Math.floor(rand() * pool.length) : 0)) % pool.length];
        return pool[Math.floor(rand() * pool.length)];
      });
      let skip = false;
      const selfRefs: ColumnPlan[] = [];
      for (const p of plans) {
        if (p.fk) {
          const parent = parents[p.fk.index];
          if (parent === "self") {
            selfRefs.push(p);
            continue;
          }
          if (parent === "deferred") {
            row.set(p.column.name.toLowerCase(), valueFor(p, i, attempts, rand, keyColumns.has(p.column.name.toLowerCase())));
            continue;
          }
          const v = parent?.get(p.fk.parentColumn);
          if (v === undefined || v === "DEFAULT") {
            if (!p.column.nullable) skip = true;
            row.set(p.column.name.toLowerCase(), "NULL");
          } else row.set(p.column.name.toLowerCase(), v);
          continue;
        }
        row.set(p.column.name.toLowerCase(), valueFor(p, i, attempts, rand, keyColumns.has(p.column.name.toLowerCase()), opts.hints));
      }
      for (const p of selfRefs) row.set(p.column.name.toLowerCase(), row.get(p.fk!.parentColumn) ?? "NULL");
      if (skip) {
        if (attempts > target * 2 && rows.length === 0) break;
        continue;
      }
      const keys = uniques.map((u) => u.columns.map((c) => normKey(row.get(c.toLowerCase())!)).join("\u001f"));
      // SQL Server allows one NULL in a UNIQUE column; Postgres many. Keep at most one either way.
      if (keys.some((k, j) => seen[j]!.has(k))) continue;
      keys.forEach((k, j) => seen[j]!.add(k));
      rows.push(row);
    }
    if (rows.length < target)
      diagnostics.push(diagnostic("VAL2101", "warning", `synthesised ${rows.length} of ${target} rows for ${t.id}: its keys, foreign keys or CHECK lists left no more distinct values`, { file: t.file, line: t.line }));
    generated.set(t.id.toLowerCase(), rows);

    const cols = plans.filter((p) => p.pg);
    const batch = opts.batchRows ?? 500;
    for (const f of deferred) {
      const parentRel = `"${opts.schemaName(f.parent!.schema).replace(/"/g, '""')}".${ident(f.parent!.name)}`;
      const cons = await conn
        .query(`select conname, pg_get_constraintdef(oid) as def from pg_constraint where contype = 'f' and conrelid = to_regclass(${lit(relation)}) and confrelid = to_regclass(${lit(parentRel)})`)
        .catch(() => []);
      for (const c of cons) await conn.exec(`ALTER TABLE ${relation} DROP CONSTRAINT "${String(c.conname).replace(/"/g, '""')}"`);
      cycles.push({ t, relation, f, constraints: cons.map((c) => ({ name: String(c.conname), def: String(c.def) })) });
    }
    const insert = (part: Array<Map<string, string>>) =>
      conn.exec(`INSERT INTO ${relation} (${cols.map((p) => p.ident).join(", ")}) OVERRIDING SYSTEM VALUE VALUES ${part.map((r) => `(${cols.map((p) => r.get(p.column.name.toLowerCase()) ?? "NULL").join(", ")})`).join(",\n")}`);
    try {
      const kept: Array<Map<string, string>> = [];
      let rejected = 0;
      let firstError = "";
      for (let b = 0; b < rows.length; b += batch) {
        const part = rows.slice(b, b + batch);
        try {
          await insert(part);
          kept.push(...part);
        } catch {
          // A constraint the catalog did not describe (a type's range CHECK, a trigger-less rule):
          // row by row, keeping the rows the table accepts.
          for (const r of part) {
            try {
              await insert([r]);
              kept.push(r);
            } catch (e) {
              rejected++;
              firstError ||= (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
            }
          }
        }
      }
      if (rejected) {
        diagnostics.push(diagnostic("VAL2103", "warning", `${rejected} of ${rows.length} synthesised rows for ${t.id} were rejected by the table (${firstError}); the others are loaded`, { file: t.file, line: t.line }));
        rows.splice(0, rows.length, ...kept);
      }
      // Identity columns were given explicit values: move their sequences past them.
      for (const p of cols)
        if (p.column.identity)
          await conn.exec(
            `SELECT setval(pg_get_serial_sequence(${lit(relation)}, ${lit(unquote(p.ident))}), coalesce((SELECT max(${p.ident}) FROM ${relation}), 0) + 1, false) WHERE pg_get_serial_sequence(${lit(relation)}, ${lit(unquote(p.ident))}) IS NOT NULL`,
          );
      loads.push({ table: t.id, relation, rows: rows.length, ok: true });
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
      diagnostics.push(diagnostic("VAL2102", "error", `synthesised rows for ${t.id} could not be loaded: ${msg}`, { file: t.file, line: t.line }));
      loads.push({ table: t.id, relation, rows: 0, ok: false, error: msg });
      generated.set(t.id.toLowerCase(), []);
      await conn.exec(`DELETE FROM ${relation}`).catch(() => {});
    }
  }
  // Cycles: every parent is loaded now; point the placeholder columns at real parent rows and put
  // the foreign keys back.
  for (const c of cycles) {
    const pool = generated.get(c.f.parent!.id.toLowerCase()) ?? [];
    const cols = c.f.k.columns.map((x) => ident(c.t.columns.find((y) => y.name.toLowerCase() === x.toLowerCase())!.name));
    const parentCols = c.f.k.references!.columns.map((x) => x.toLowerCase());
    try {
      if (pool.length) {
        const ctids = await conn.query(`select ctid::text as id from ${c.relation}`);
        for (let j = 0; j < ctids.length; j++) {
          const parent = pool[j % pool.length]!;
          await conn.exec(`UPDATE ${c.relation} SET ${cols.map((col, k) => `${col} = ${parent.get(parentCols[k]!) ?? "NULL"}`).join(", ")} WHERE ctid = ${lit(String(ctids[j]!.id))}::tid`);
        }
      }
      for (const k of c.constraints) await conn.exec(`ALTER TABLE ${c.relation} ADD CONSTRAINT "${k.name.replace(/"/g, '""')}" ${k.def}`);
    } catch (e) {
      diagnostics.push(diagnostic("VAL2104", "warning", `foreign key ${c.f.k.name ?? ""} of ${c.t.id} is part of a cycle and could not be restored after loading (${(e instanceof Error ? e.message : String(e)).split("\n")[0]}); the scratch table keeps the rows without it`, { file: c.t.file, line: c.t.line }));
    }
  }
  return { tables: loads, diagnostics };
}

const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);

/** The key as SQL Server's default collation sees it: case and trailing spaces do not count. */
function normKey(literal: string): string {
  return literal.toLowerCase().replace(/ +'$/, "'");
}

/** Integer columns named for a calendar part: range and edge values. */
const CALENDAR_PARTS: Array<[RegExp, number, number, number[]]> = [
  [/month(number)?(of(the)?year)?$/i, 1, 12, [12, 1, 2, 11]],
  [/week(number)?(of(the)?year)?$/i, 1, 52, [52, 1, 53]],
  [/day(number)?of(the)?week$/i, 1, 7, [7, 1]],
  [/day(number)?of(the)?year$/i, 1, 365, [366, 1, 59, 60]],
  [/day(number)?of(the)?month$|^day$/i, 1, 28, [31, 1, 29, 30]],
  [/quarter$/i, 1, 4, [4, 1]],
  [/semester$/i, 1, 2, [2, 1]],
  [/^(calendar|fiscal)?year$|(^|_)year$/i, 1996, 2030, [2024, 2000, 1999, 2023]],
];

const INT_RANGE: Record<string, [number, number]> = {
  tinyint: [0, 255],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
  bigint: [-9007199254740991, 9007199254740991],
};

/** One value as a SQL literal (or NULL / DEFAULT) for row i. */
function valueFor(p: ColumnPlan, i: number, attempt: number, rand: () => number, isKey: boolean, hints?: LiteralHints): string {
  const c = p.column;
  const tname = (p.type?.name ?? "").toLowerCase();
  const pgKind = p.pg?.kind;
  if (p.inList?.length) {
    if (c.nullable && !isKey && i === 1) return "NULL";
    const v = p.inList[i % p.inList.length]!;
    return typeof v === "number" ? String(v) : lit(v);
  }
  // Identity: the sequence number; every key gets distinct values from the row number.
  if (c.identity) return String(Number(/^-?\d+$/.test(c.identity.seed) ? c.identity.seed : 1) + i * Number(/^-?\d+$/.test(c.identity.increment) ? c.identity.increment : 1));
  if (c.nullable && !isKey && (i === 1 || (i > 8 && rand() < 0.12))) return "NULL";
  if (c.default && !isKey && i % 7 === 3) return "DEFAULT";
  const edge = i < 8;
  const nextAttempt = attempt; // varies the value when a key collides
  switch (true) {
    case tname in INT_RANGE || (pgKind === "integer" && !tname): {
      let [lo, hi] = INT_RANGE[tname] ?? [-2147483648, 2147483647];
      if (hints?.arithmetic?.includes(c.name.toLowerCase())) {
        // Operands of arithmetic: the square root of the type's maximum, so a product fits.
        const root = Math.floor(Math.sqrt(hi));
        [lo, hi] = [Math.max(lo, -root), Math.min(hi, root)];
      }
      if (isKey) return String(Math.min(hi, Math.max(lo, i + 1 + (nextAttempt - 1 - i > 0 ? 1000 * (nextAttempt - i) : 0))));
      // Calendar parts by name: code builds dates from them, and 0 or -1 is no month on either server.
      const part = CALENDAR_PARTS.find(([re, , phi]) => re.test(c.name) && phi <= hi);
      if (part) {
        const [, plo, phi, pedges] = part;
        if (edge && i < pedges.length) return String(pedges[i]);
        return String(plo + Math.floor(rand() * (phi - plo + 1)));
      }
      const edges = [0, -1, 1, hi, lo, 2, 100, -100].filter((v) => v >= lo && v <= hi);
      if (edge && i < edges.length) return String(edges[i]);
      return String(Math.floor(lo >= 0 ? rand() * Math.min(hi, 1000) : rand() * 2000 - 1000));
    }
    case tname === "bit" || pgKind === "boolean":
      return pgKind === "boolean" ? (i % 2 === 0 ? "true" : "false") : String(i % 2);
    case tname === "decimal" || tname === "numeric" || tname === "money" || tname === "smallmoney" || pgKind === "decimal": {
      const scale = tname === "money" || tname === "smallmoney" ? 4 : (p.type?.scale ?? p.pg?.scale ?? 0);
      const precision = tname === "money" ? 19 : tname === "smallmoney" ? 10 : (p.type?.precision ?? 18);
      const intDigits = Math.max(0, precision - scale);
      // The largest value of a narrow type; wide types stop at a million, so that a price times a
      // quantity does not overflow on both servers alike and prove nothing.
      const max = tname === "smallmoney" ? 214748.3647 : intDigits > 6 ? 1e6 : 10 ** intDigits - 10 ** -scale;
      if (isKey) return String(i + 1 + (attempt > i + 1 ? attempt * 1000 : 0));
      const halves = scale > 0 ? [0.5, -0.5, 2.5, -2.5, 0.05, 1.005] : [0, -1, 1];
      const edges = [0, ...halves, max, -max].filter((v) => Math.abs(v) <= max);
      if (edge && i < edges.length) return fix(edges[i]!, scale);
      return fix((rand() * 2 - 1) * Math.min(max, 10000), scale);
    }
    case tname === "float" || tname === "real" || pgKind === "float": {
      const edges = [0, -1.5, 0.5, 2.5, 123456.5, -2.5, 1 / 3, 0.125];
      if (isKey) return String(i + 1 + attempt / 1000);
      if (edge) return String(edges[i]);
      return String(Math.round((rand() * 2 - 1) * 1e6) / 1000);
    }
    case tname === "date" || tname === "datetime" || tname === "datetime2" || tname === "smalldatetime" || tname === "datetimeoffset" || pgKind === "date" || pgKind === "timestamp" || pgKind === "timestamptz": {
      const dateOnly = tname === "date" || pgKind === "date";
      const edges = ["2024-02-29 12:00:00", "2023-12-31 23:59:59.997", "2024-01-01 00:00:00", "2023-01-31 08:30:00", "2023-04-30 23:59:59", "2000-02-29 00:00:00", "1999-12-31 23:59:59.5", "2024-03-31 00:00:00.003"];
      let v: string;
      if (edge && !isKey) v = edges[i]!;
      else if (!isKey && hints?.dates.length && rand() < 0.4) {
        // Around a date the models filter on: the day itself or up to a month after it.
        const base = Date.parse(`${hints.dates[Math.floor(rand() * hints.dates.length)]}T00:00:00Z`);
        v = new Date(base + Math.floor(rand() * 31) * 86400000 + Math.floor(rand() * 86400) * 1000).toISOString().replace("T", " ").replace("Z", "");
      } else {
        const ms = Date.UTC(2000, 0, 1) + Math.floor((isKey ? (i + attempt * 1000) / 10000 : rand()) * 30 * 365.25 * 86400000);
        v = new Date(tname === "smalldatetime" ? Math.floor(ms / 60000) * 60000 : ms).toISOString().replace("T", " ").replace("Z", "");
      }
      if (tname === "smalldatetime") v = v.slice(0, 16) + ":00";
      if (dateOnly) v = v.slice(0, 10);
      return pgKind === "timestamptz" ? lit(v + "+00") : lit(v);
    }
    case tname === "time" || pgKind === "time": {
      const edges = ["00:00:00", "23:59:59.997", "12:00:00", "00:00:00.5"];
      if (edge && i < edges.length) return lit(edges[i]!);
      const s = Math.floor(rand() * 86400);
      return lit(`${String(Math.floor(s / 3600)).padStart(2, "0")}:${String(Math.floor(s / 60) % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`);
    }
    case tname === "uniqueidentifier" || pgKind === "uuid": {
      const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join("");
      return lit(`${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`);
    }
    case tname === "binary" || tname === "varbinary" || tname === "image" || tname === "timestamp" || tname === "rowversion" || pgKind === "binary": {
      const n = tname === "timestamp" || tname === "rowversion" ? 8 : Math.max(1, Math.min(p.type?.length && p.type.length > 0 ? p.type.length : 16, 16));
      const bytes = Array.from({ length: tname === "binary" ? n : 1 + Math.floor(rand() * n) }, () => Math.floor(rand() * 256).toString(16).padStart(2, "0")).join("");
      return `'\\x${bytes}'`;
    }
    case tname === "xml":
      return lit(`<row id="${i}"/>`);
    default: {
      // Character data (and anything the translator stores as text).
      const declared = p.type?.length;
      const max = declared === undefined ? (pgKind === "text" ? 30 : 30) : declared < 0 ? 4000 : declared;
      const fixed = tname === "char" || tname === "nchar";
      const unicode = tname.startsWith("n");
      if (isKey) {
        // Keys: distinct under a case-insensitive collation; still mixed case and trailing spaces.
        // Base 36 fits many distinct keys into char(2); odd rows upper-case (distinct only ignoring case).
        const n = i + (attempt > i + 1 ? attempt * 7919 : 0);
        const b36 = n.toString(36);
        const base = max >= b36.length + 1 ? `${i % 2 ? "K" : "k"}${b36}` : i % 2 ? b36.toUpperCase() : b36;
        const v = i % 3 === 0 && base.length < max ? base + " " : base;
        return lit(v.slice(0, max));
      }
      const edges = ["", "trail  ", "MiXeD Case", "mixed case", "x".repeat(max), " lead", unicode ? "Ünïcödé ß" : "plain", "O'Brien"];
      const hinted = hints?.strings.filter((h) => h.length <= max);
      let v =
        edge && i < edges.length
          ? edges[i]!
          : hinted?.length && rand() < 0.3
            ? hinted[Math.floor(rand() * hinted.length)]!
            : `${WORDS[Math.floor(rand() * WORDS.length)]} ${Math.floor(rand() * 1000)}`;
      if (!unicode) v = v.normalize("NFD").replace(/[^\x20-\x7e]/g, "");
      v = v.slice(0, max);
      if (fixed && declared && declared > 0) v = v.padEnd(declared, " ");
      return lit(v);
    }
  }
}

function fix(n: number, scale: number): string {
  return n.toFixed(Math.min(scale, 20));
}
