// Name resolution for the generator: which relations a FROM clause brings into scope, what columns
// (and SQL Server types) they have, from the catalog, CTEs, derived tables and local temp tables.
import type { Catalog, CatalogObject, Column } from "../catalog/model.ts";
import { isPostgresReserved } from "../dbt/naming.ts";
import type { ObjectName } from "../tsql/ast.ts";
import { fromColumnType, type SqlType, UNKNOWN } from "./types.ts";

export interface ColInfo {
  name: string;
  type: SqlType;
}

export interface Rel {
  /** Lower-cased names the relation answers to (alias, or table name and schema.table). */
  names: string[];
  /** Rendered qualifier for its columns. */
  qualifier: string;
  /** Catalog id when the relation is a catalog table/view. */
  relId?: string;
  /** undefined: columns unknown. */
  columns?: ColInfo[];
}

export interface CteInfo {
  columns?: ColInfo[];
  recursive: boolean;
  /** Rendered name when it differs from the CTE's (the recursion's internal CTE with a depth column). */
  renderName?: string;
}

export class Scope {
  rels: Rel[] = [];
  ctes = new Map<string, CteInfo>();
  /** Rendered SQL of case-insensitive GROUP BY keys (grouped on lower(rtrim())); bare uses become min(). */
  ciGroupKeys?: Map<string, { key: string; superAggregate: boolean }>;
  /** Inside an aggregate's arguments (no min() wrapping). */
  aggDepth = 0;
  /** Select-list aliases usable in ORDER BY. */
  constructor(readonly parent?: Scope) {}

  cte(name: string): CteInfo | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const c = s.ctes.get(name.toLowerCase());
      if (c) return c;
    }
    return undefined;
  }

  /** Finds a column: qualified by `qualifier` (lower-cased dotted name) or not. */
  findColumn(name: string, qualifier?: string): { rel: Rel; col?: ColInfo; depth: number } | undefined {
    const key = name.toLowerCase();
    let depth = 0;
    for (let s: Scope | undefined = this; s; s = s.parent, depth++) {
      if (qualifier) {
        const q = qualifier.toLowerCase();
        const rel = s.rels.find((r) => r.names.includes(q));
        if (rel) return { rel, col: rel.columns?.find((c) => c.name.toLowerCase() === key), depth };
        continue;
      }
      let unknownRel: Rel | undefined;
      for (const rel of s.rels) {
        if (!rel.columns) {
          unknownRel ??= rel;
          continue;
        }
        const col = rel.columns.find((c) => c.name.toLowerCase() === key);
        if (col) return { rel, col, depth };
      }
      if (unknownRel) return { rel: unknownRel, depth };
    }
    return undefined;
  }
}

/** Postgres spelling of an identifier: lower-cased (T-SQL names are case-insensitive), quoted when needed. */
export function ident(name: string): string {
  const n = name.toLowerCase();
  if (/^[a-z_][a-z0-9_$]*$/.test(n) && !isPostgresReserved(n)) return n;
  return `"${n.replaceAll('"', '""')}"`;
}

/** Catalog lookups by lower-cased id, cached per catalog. */
const indexes = new WeakMap<Catalog, Map<string, CatalogObject>>();

export function catalogIndex(catalog: Catalog): Map<string, CatalogObject> {
  let m = indexes.get(catalog);
  if (!m) {
    m = new Map();
    for (const o of catalog.objects) {
      if (o.kind === "index" || o.kind === "schema" || o.kind === "trigger") continue;
      const k = `${o.schema}.${o.name}`.toLowerCase();
      // Types share the namespace in the id but not in SQL usage: keep tables/views first.
      if (o.kind === "type") m.set(`type:${k}`, o);
      else if (!m.has(k)) m.set(k, o);
    }
    indexes.set(catalog, m);
  }
  return m;
}

export function lookupObject(catalog: Catalog | undefined, name: ObjectName, defaultSchema: string, local?: Map<string, CatalogObject>): CatalogObject | undefined {
  const schema = name.schema?.value ?? defaultSchema;
  const key = `${schema}.${name.name.value}`.toLowerCase();
  const l = local?.get(key) ?? local?.get(name.name.value.toLowerCase());
  if (l) return l;
  if (!catalog) return undefined;
  const idx = catalogIndex(catalog);
  let o = idx.get(key);
  if (!o && !name.schema) {
    // Unqualified names resolve in the default schema first, then any schema with that name.
    for (const cand of idx.values()) {
      if (cand.name.toLowerCase() === name.name.value.toLowerCase() && (cand.kind === "table" || cand.kind === "view" || cand.kind === "synonym" || cand.kind === "function")) {
        o = cand;
        break;
      }
    }
  }
  if (o?.kind === "synonym" && o.synonymTarget) {
    const t = idx.get(o.synonymTarget.toLowerCase());
    if (t) return t;
  }
  return o;
}

export function lookupType(catalog: Catalog | undefined, schema: string, name: string): CatalogObject | undefined {
  if (!catalog) return undefined;
  return catalogIndex(catalog).get(`type:${schema}.${name}`.toLowerCase());
}

export function columnSqlType(catalog: Catalog | undefined, c: Column, defaultSchema: string): SqlType {
  if (!c.type) return UNKNOWN;
  if (c.type.userDefined) {
    const t = lookupType(catalog, c.type.schema ?? defaultSchema, c.type.name);
    if (t?.baseType) return fromColumnType(t.baseType, c.collation);
    return fromColumnType(c.type);
  }
  return fromColumnType(c.type, c.collation);
}
