// The statements dbt-postgres runs for an incremental model's later runs, so the validator can run
// an incremental model twice (full, then incremental after new rows arrive) without dbt:
// the new rows into a temporary relation, then append, delete+insert or merge into the target,
// after applying on_schema_change. Mirrors dbt-core's default__get_*_sql macros and
// dbt-postgres's default strategy (delete+insert with a unique_key, else append).
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import type { RelationParts } from "./jinja.ts";

export type IncrementalStrategy = "append" | "delete+insert" | "merge";

export interface ColumnInfo {
  name: string;
  /** The type as Postgres prints it (format_type), for on_schema_change. */
  type?: string;
}

export interface IncrementalInput {
  /** The model's existing table. */
  target: RelationParts;
  /** The model's compiled SQL for this (incremental) run. */
  sql: string;
  /** Columns of the existing table, in order (dbt's dest_columns). */
  targetColumns: ColumnInfo[];
  /** Columns the new SQL produces, for on_schema_change (omit with 'ignore'). */
  sourceColumns?: ColumnInfo[];
  uniqueKey?: string | string[];
  strategy?: string;
  onSchemaChange?: string;
  file?: string;
}

export interface IncrementalPlan {
  /** Run in order, in one transaction. */
  statements: string[];
  strategy: IncrementalStrategy;
  diagnostics: Diagnostic[];
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
const relationText = (r: RelationParts) => [r.database, r.schema, r.identifier].filter((p): p is string => !!p).map(q).join(".");

export function incrementalStatements(input: IncrementalInput): IncrementalPlan {
  const diagnostics: Diagnostic[] = [];
  const at = { file: input.file ?? "", line: 1 };
  const keys = input.uniqueKey === undefined ? [] : Array.isArray(input.uniqueKey) ? input.uniqueKey : [input.uniqueKey];
  const requested = input.strategy ?? (keys.length ? "delete+insert" : "append");
  let strategy: IncrementalStrategy;
  if (requested === "append" || requested === "delete+insert" || requested === "merge") strategy = requested;
  else {
    diagnostics.push(diagnostic("DBT3013", "error", `incremental_strategy '${requested}' is not supported by dbt-postgres (append, delete+insert, merge)`, at));
    return { statements: [], strategy: "append", diagnostics };
  }
  const target = relationText(input.target);
  // dbt-postgres: a temporary relation named <identifier>__dbt_tmp<suffix>.
  const tmp = q(`${input.target.identifier}__dbt_tmp`);
  const statements = [`create temporary table ${tmp} as (\n${input.sql}\n)`];

  let dest = input.targetColumns.map((c) => c.name);
  const mode = input.onSchemaChange ?? "ignore";
  if (mode !== "ignore" && input.sourceColumns) {
    const targetNames = new Set(input.targetColumns.map((c) => c.name));
    const sourceNames = new Set(input.sourceColumns.map((c) => c.name));
    const added = input.sourceColumns.filter((c) => !targetNames.has(c.name));
    const removed = input.targetColumns.filter((c) => !sourceNames.has(c.name));
    const changed = input.sourceColumns.filter((c) => {
      const t = input.targetColumns.find((x) => x.name === c.name);
      return t !== undefined && c.type !== undefined && t.type !== undefined && t.type !== c.type;
    });
    if (added.length || removed.length || changed.length) {
      if (mode === "fail") {
        diagnostics.push(
          diagnostic(
            "DBT3014",
            "error",
            `The source and target schemas on this incremental model are out of sync (on_schema_change: fail): added ${added.map((c) => c.name).join(", ") || "none"}, removed ${removed.map((c) => c.name).join(", ") || "none"}, changed ${changed.map((c) => c.name).join(", ") || "none"}`,
            at,
          ),
        );
        return { statements: [], strategy, diagnostics };
      }
      if (mode === "append_new_columns" || mode === "sync_all_columns") {
        for (const c of added) statements.push(`alter table ${target} add column ${q(c.name)} ${c.type ?? "text"}`);
        dest = [...dest, ...added.map((c) => c.name)];
      }
      if (mode === "sync_all_columns") {
        for (const c of removed) statements.push(`alter table ${target} drop column ${q(c.name)}`);
        for (const c of changed) statements.push(`alter table ${target} alter column ${q(c.name)} type ${c.type}`);
        dest = dest.filter((n) => !removed.some((r) => r.name === n));
      }
    }
  }
  const cols = dest.map(q).join(", ");

  if (strategy === "append") statements.push(`insert into ${target} (${cols})\n(\n    select ${cols}\n    from ${tmp}\n)`);
  else if (strategy === "delete+insert") {
    if (keys.length > 1)
      statements.push(`delete from ${target}\nusing ${tmp}\nwhere (\n${keys.map((k) => `    ${tmp}.${k} = ${target}.${k}`).join("\n    and ")}\n)`);
    else if (keys.length === 1) statements.push(`delete from ${target}\nwhere (\n    ${keys[0]}) in (\n    select (${keys[0]})\n    from ${tmp}\n)`);
    statements.push(`insert into ${target} (${cols})\n(\n    select ${cols}\n    from ${tmp}\n)`);
  } else {
    // Without a unique key dbt's merge matches nothing (ON FALSE) and so inserts every row.
    const on = keys.length ? keys.map((k) => `(DBT_INTERNAL_SOURCE.${k} = DBT_INTERNAL_DEST.${k})`).join(" and ") : "(FALSE)";
    const update = keys.length ? `\nwhen matched then update set\n    ${dest.map((c) => `${q(c)} = DBT_INTERNAL_SOURCE.${q(c)}`).join(", ")}` : "";
    statements.push(
      `merge into ${target} as DBT_INTERNAL_DEST\n    using ${tmp} as DBT_INTERNAL_SOURCE\n    on ${on}${update}\nwhen not matched then insert\n    (${cols})\nvalues\n    (${cols})`,
    );
  }
  statements.push(`drop table if exists ${tmp}`);
  return { statements, strategy, diagnostics };
}
