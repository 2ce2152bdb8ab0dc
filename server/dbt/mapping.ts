// datamigrate_mapping.yml: which dbt resource and column every SQL Server object and column
// became. Renames (snake_case, reserved words, collisions, truncation) are otherwise invisible to
// a reviewer, and the validator needs the same map to compare a view with its model.
//
// Format (version 1), one entry per SQL Server object that produced a dbt resource:
//
//   version: 1
//   project: northwind
//   target: postgres
//   objects:
//     - object: {database: Northwind, schema: dbo, name: Order Details, kind: table}
//       resource: {type: source, name: northwind.order_details, path: models/staging/northwind/_northwind__sources.yml}
//       columns:
//         - {source: OrderID, target: order_id}
//     - object: {schema: dbo, name: Order Details, kind: table}
//       resource: {type: model, name: stg_northwind__order_details, path: models/staging/northwind/stg_northwind__order_details.sql}
//       columns:
//         - {source: OrderID, target: order_id}
//
// `source` is the column's name in SQL Server (Column.origin, or its name when it was not renamed);
// `target` its name in the dbt resource. Entries are sorted by object then resource, so the file
// diffs cleanly between runs.
import { z } from "zod";
import { parseDbtYaml } from "./validate-yaml.ts";
import { SourceObjectRef, type Column, type DbtProject } from "./project.ts";

export const MAPPING_FILE = "datamigrate_mapping.yml";

export const MappingColumn = z.object({ source: z.string(), target: z.string() }).strict();

export const MappingEntry = z
  .object({
    object: SourceObjectRef,
    resource: z
      .object({ type: z.enum(["source", "model", "seed", "snapshot"]), name: z.string(), path: z.string() })
      .strict(),
    columns: z.array(MappingColumn).default([]),
  })
  .strict();
export type MappingEntry = z.infer<typeof MappingEntry>;

export const Mapping = z
  .object({ version: z.literal(1), project: z.string(), target: z.string(), objects: z.array(MappingEntry) })
  .strict();
export type Mapping = z.infer<typeof Mapping>;

function columnsOf(cols: Column[]): Array<z.infer<typeof MappingColumn>> {
  return cols.map((c) => ({ source: c.origin ?? c.name, target: c.name }));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const objectKey = (o: SourceObjectRef) => [o.database ?? "", o.schema, o.name, o.kind].join("\u0000");

export function buildMapping(project: DbtProject): Mapping {
  const objects: MappingEntry[] = [];
  for (const s of project.sources)
    for (const t of s.tables)
      if (t.origin)
        objects.push({
          object: t.origin,
          resource: { type: "source", name: `${s.name}.${t.name}`, path: `models/staging/${s.name}/_${s.name}__sources.yml` },
          columns: columnsOf(t.columns),
        });
  for (const m of project.models)
    if (m.origin) objects.push({ object: m.origin, resource: { type: "model", name: m.name, path: m.path }, columns: columnsOf(m.columns) });
  objects.sort((a, b) => cmp(objectKey(a.object), objectKey(b.object)) || cmp(a.resource.type, b.resource.type) || cmp(a.resource.name, b.resource.name));
  return { version: 1, project: project.name, target: project.target, objects };
}

/**
 * A YAML scalar for a string: plain when that is unambiguous in YAML 1.1 and 1.2, else
 * double-quoted with JSON escapes (a JSON string is a valid YAML double-quoted scalar).
 */
function scalar(s: string): string {
  const plain =
    /^[A-Za-z_][A-Za-z0-9_ .\/-]*$/.test(s) &&
    !/ $|[ ]#| -|: /.test(s) &&
    !/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/.test(s);
  return plain ? s : JSON.stringify(s);
}

/**
 * The mapping file is the largest file of a project (every column of every object); it is written
 * directly rather than through the generic YAML emitter, which is an order of magnitude slower here.
 */
export function renderMappingYaml(mapping: Mapping): string {
  const out: string[] = [
    "# DataMigrate mapping: the dbt resource and column each SQL Server object and column became.",
    "version: 1",
    `project: ${scalar(mapping.project)}`,
    `target: ${scalar(mapping.target)}`,
  ];
  if (!mapping.objects.length) out.push("objects: []");
  else out.push("objects:");
  for (const e of mapping.objects) {
    const o = e.object;
    out.push(
      `  - object: {${[o.database !== undefined ? `database: ${scalar(o.database)}` : "", `schema: ${scalar(o.schema)}`, `name: ${scalar(o.name)}`, `kind: ${scalar(o.kind)}`].filter(Boolean).join(", ")}}`,
      `    resource: {type: ${e.resource.type}, name: ${scalar(e.resource.name)}, path: ${scalar(e.resource.path)}}`,
    );
    if (!e.columns.length) out.push("    columns: []");
    else {
      out.push("    columns:");
      for (const c of e.columns) out.push(`      - {source: ${scalar(c.source)}, target: ${scalar(c.target)}}`);
    }
  }
  return out.join("\n") + "\n";
}

/** Reads a mapping file back (zod-validated). */
export function parseMapping(text: string): Mapping {
  return Mapping.parse(parseDbtYaml(text));
}

/** Looks up where a source column went: every (resource, column) it became. */
export function lookupColumn(mapping: Mapping, object: { schema: string; name: string }, column: string): Array<{ resource: MappingEntry["resource"]; column: string }> {
  const out: Array<{ resource: MappingEntry["resource"]; column: string }> = [];
  for (const e of mapping.objects) {
    if (e.object.schema !== object.schema || e.object.name !== object.name) continue;
    for (const c of e.columns) if (c.source === column) out.push({ resource: e.resource, column: c.target });
  }
  return out;
}
