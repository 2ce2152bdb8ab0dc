// Name helpers shared by the catalog and the translator: how names compare and print.
import type { Identifier, ObjectName } from "./ast.ts";

/**
 * The comparison key of an identifier under a case-insensitive collation (SQL Server's default).
 * Quoting never matters: [Order], "Order" and Order are the same name.
 */
export function identifierKey(id: Identifier | string | undefined): string {
  if (id === undefined) return "";
  return (typeof id === "string" ? id : id.value).toLowerCase();
}

/**
 * `schema.name` key (lower-cased) of an object name; the schema defaults to `defaultSchema`.
 * Database and server parts are prefixed when present so cross-database names never collide.
 */
export function objectNameKey(name: ObjectName, defaultSchema = "dbo"): string {
  const schema = name.schema ? identifierKey(name.schema) : defaultSchema.toLowerCase();
  const key = `${schema}.${identifierKey(name.name)}`;
  if (name.server) return `${identifierKey(name.server)}.${identifierKey(name.database)}.${key}`;
  if (name.database) return `${identifierKey(name.database)}.${key}`;
  return key;
}

/** Prints an object name the way SQL Server would script it: [schema].[name], brackets escaped. */
export function formatObjectName(name: ObjectName): string {
  const parts: string[] = [];
  const q = (id: Identifier | undefined) => (id ? `[${id.value.replace(/]/g, "]]")}]` : "");
  if (name.server) parts.push(q(name.server));
  if (name.server || name.database) parts.push(q(name.database));
  if (name.server || name.database || name.schema) parts.push(q(name.schema));
  parts.push(q(name.name));
  return parts.join(".");
}
