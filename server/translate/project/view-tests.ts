// Data tests for view models, derived from what the view's SELECT provably keeps of its tables'
// constraints. Only guarantees that hold for every possible content of the tables are stated:
//   not_null  an output column that is a plain reference to a NOT NULL column of a table that is
//             not on the optional side of an outer join (WHERE, DISTINCT and TOP only remove rows);
//   unique    the key (PRIMARY KEY, or UNIQUE over NOT NULL columns) of the first table of the FROM
//             clause, all of it in the output as plain references, when every join after it
//             matches at most one row: INNER or LEFT joins to a table on equalities that cover one
//             of that table's keys. No GROUP BY, no set operation, no APPLY, no derived table.
// Anything else gets no test: a wrong test would fail a correct model.
import type { CatalogObject, Column } from "../../catalog/model.ts";
import type { ColumnDataTest } from "../../dbt/project.ts";
import type { Expr, Join, ObjectName, SelectItem, TableSource, ViewStatement } from "../../tsql/ast.ts";

export interface ViewTests {
  /** Output column position → its tests. */
  columns: Map<number, ColumnDataTest[]>;
  /** Composite keys: output positions that are unique together. */
  keys: number[][];
}

interface Scope {
  alias: string;
  table: CatalogObject;
  optional: boolean;
}

const lc = (s: string) => s.toLowerCase();

function unparen(e: Expr): Expr {
  let x = e;
  while (x.kind === "Paren") x = x.expr;
  return x;
}

/** Every key of a table whose columns can never be NULL: the primary key and UNIQUE over NOT NULL columns. */
function keysOf(t: CatalogObject): string[][] {
  const notNull = new Set((t.columns ?? []).filter((c) => !c.nullable && !c.computed).map((c) => lc(c.name)));
  return t.constraints
    .filter((c) => (c.kind === "primary_key" || c.kind === "unique") && c.enabled !== false && c.columns.length > 0)
    .map((c) => c.columns.map(lc))
    .filter((cols) => cols.every((c) => notNull.has(c)));
}

function conjuncts(e: Expr | undefined): Expr[] {
  if (!e) return [];
  const x = unparen(e);
  if (x.kind === "Binary" && x.op === "AND") return [...conjuncts(x.left), ...conjuncts(x.right)];
  return [x];
}

/** The scope a column reference points into, when it can be told without doubt. */
function scopeOf(ref: { table?: ObjectName; name: { value: string } }, scopes: Scope[]): Scope | undefined {
  if (ref.table) {
    const q = lc(ref.table.name.value);
    const hits = scopes.filter((s) => s.alias === q);
    return hits.length === 1 ? hits[0] : undefined;
  }
  const hits = scopes.filter((s) => (s.table.columns ?? []).some((c) => lc(c.name) === lc(ref.name.value)));
  return hits.length === 1 ? hits[0] : undefined;
}

function refersTo(e: Expr, scope: Scope, scopes: Scope[]): boolean {
  let found = false;
  const visit = (n: unknown): void => {
    if (found || !n || typeof n !== "object") return;
    const node = n as { kind?: string };
    if (node.kind === "ColumnRef") {
      const s = scopeOf(n as { table?: ObjectName; name: { value: string } }, scopes);
      // An unresolvable reference might be to this table: assume the worst.
      if (!s || s === scope) found = true;
      return;
    }
    if (node.kind === "Subquery" || node.kind === "Exists" || node.kind === "InSubquery") {
      found = true;
      return;
    }
    for (const v of Object.values(n)) if (v && typeof v === "object") Array.isArray(v) ? v.forEach(visit) : visit(v);
  };
  visit(e);
  return found;
}

/** True when the join's ON clause pins one of the right table's keys to values of the other tables. */
function matchesAtMostOne(on: Expr | undefined, right: Scope, scopes: Scope[]): boolean {
  const pinned = new Set<string>();
  for (const c of conjuncts(on)) {
    if (c.kind !== "Binary" || c.op !== "=") continue;
    for (const [a, b] of [
      [c.left, c.right],
      [c.right, c.left],
    ] as const) {
      const x = unparen(a);
      if (x.kind === "ColumnRef" && scopeOf(x, scopes) === right && !refersTo(b, right, scopes)) pinned.add(lc(x.name.value));
    }
  }
  return keysOf(right.table).some((k) => k.every((col) => pinned.has(col)));
}

export function viewDataTests(
  view: CatalogObject,
  tableOf: (name: ObjectName) => CatalogObject | undefined,
  outputCount: number,
): ViewTests {
  const none: ViewTests = { columns: new Map(), keys: [] };
  const stmt = view.module?.ast as ViewStatement | undefined;
  if (!stmt || stmt.kind !== "CreateView" || stmt.with || view.module?.unparsed) return none;
  const q = stmt.query;
  if (q.kind !== "Select" || q.groupBy || q.having || q.into || q.for || q.from.length !== 1) return none;
  if (q.columns.length !== outputCount || q.columns.some((c) => c.kind !== "SelectItem")) return none;

  // Flatten the join tree, left-deep; anything other than tables and plain joins ends the analysis.
  const scopes: Scope[] = [];
  const joins: { join: Join; right: Scope | undefined }[] = [];
  let ok = true;
  const add = (src: TableSource, optional: boolean): void => {
    const table = src.kind === "TableRef" && !src.forSystemTime && !src.tablesample ? tableOf(src.name) : undefined;
    if (src.kind !== "TableRef" || !table || table.kind !== "table" || !table.columns) {
      ok = false;
      return;
    }
    scopes.push({ alias: lc((src.alias ?? src.name.name).value), table, optional });
  };
  const markOptional = (from: number, to: number) => {
    for (const s of scopes.slice(from, to)) s.optional = true;
  };
  const walk = (src: TableSource, optional: boolean): void => {
    if (!ok) return;
    if (src.kind !== "Join") {
      add(src, optional);
      return;
    }
    if (!["INNER", "LEFT", "RIGHT", "FULL", "CROSS"].includes(src.joinType)) {
      ok = false;
      return;
    }
    const leftStart = scopes.length;
    walk(src.left, optional);
    const rightStart = scopes.length;
    walk(src.right, optional || src.joinType === "LEFT" || src.joinType === "FULL");
    if (src.joinType === "RIGHT" || src.joinType === "FULL") markOptional(leftStart, rightStart);
    // A nested join on the right (bushy tree) is not analysed: no scope, so uniqueness is not claimed.
    joins.push({ join: src, right: src.right.kind === "TableRef" ? scopes[rightStart] : undefined });
  };
  walk(q.from[0]!, false);
  if (!ok || scopes.length === 0) return none;
  // Aliases must be unambiguous for the references to be resolved.
  if (new Set(scopes.map((s) => s.alias)).size !== scopes.length) return none;

  const outputs: Array<{ scope: Scope; column: Column } | undefined> = (q.columns as SelectItem[]).map((item) => {
    const e = unparen(item.expr);
    if (e.kind !== "ColumnRef") return undefined;
    const s = scopeOf(e, scopes);
    const column = s?.table.columns?.find((c) => lc(c.name) === lc(e.name.value));
    return s && column ? { scope: s, column } : undefined;
  });

  const result: ViewTests = { columns: new Map(), keys: [] };
  const push = (i: number, t: ColumnDataTest) => result.columns.set(i, [...(result.columns.get(i) ?? []), t]);
  outputs.forEach((o, i) => {
    if (o && !o.column.nullable && !o.column.computed && !o.scope.optional) push(i, { test: "not_null" });
  });

  // Uniqueness of the first table's key survives joins that match at most one row each.
  const root = scopes[0]!;
  const preserving = joins.every(
    ({ join, right }) => right !== undefined && (join.joinType === "INNER" || join.joinType === "LEFT") && matchesAtMostOne(join.on, right, scopes),
  );
  if (preserving && !root.optional) {
    for (const key of keysOf(root.table)) {
      const positions = key.map((col) => outputs.findIndex((o) => o?.scope === root && lc(o.column.name) === col));
      if (positions.some((p) => p < 0)) continue;
      if (positions.length === 1) {
        if (!(result.columns.get(positions[0]!) ?? []).some((t) => t.test === "unique")) push(positions[0]!, { test: "unique" });
      } else result.keys.push(positions);
    }
  }
  return result;
}

