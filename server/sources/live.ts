// Live SQL Server: a fixed set of read-only catalog queries (only VIEW DEFINITION is needed), run
// through a QueryRunner so the same code is tested against recorded results. Credentials never
// leave this file: every message is built from the redacted form of the connection string, and
// driver messages are scrubbed of the password before they are reported.
// mssql (with tedious and the Azure identity stack) takes ~0.4 s to load: only a live source needs it.
import type { config as MssqlConfig } from "mssql";
import type { Diagnostic } from "../diagnostics.ts";
import { diagnostic } from "../diagnostics.ts";
import type {
  CatalogFragment,
  ColumnDraft,
  ColumnTypeDraft,
  ConstraintDraft,
  DeclaredDependency,
  FunctionKind,
  IndexDraft,
  ObjectDraft,
  ObjectKind,
} from "./types.ts";

export type Row = Record<string, unknown>;

/** Runs one named catalog query. A recorded runner answers from JSON; the mssql runner asks the server. */
export interface QueryRunner {
  run(name: CatalogQueryName, sqlText: string): Promise<Row[]>;
  close(): Promise<void>;
}

// Table types are read from sys.table_types: their sys.objects rows ('TT') carry internal names.
const USER_OBJECT_TYPES = "('U','V','P','FN','IF','TF','TR','SO','SN','FS','FT','PC')";

/** The catalog queries. Each is read-only and works with VIEW DEFINITION on the database alone. */
export const CATALOG_QUERIES = {
  database: `SELECT DB_NAME() AS name,
  CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS nvarchar(128)) AS collation,
  d.compatibility_level
FROM sys.databases AS d WHERE d.database_id = DB_ID()`,
  schemas: `SELECT s.schema_id, s.name FROM sys.schemas AS s
WHERE s.schema_id < 16384 AND s.name NOT IN (N'sys', N'INFORMATION_SCHEMA', N'guest')`,
  objects: `SELECT o.object_id, SCHEMA_NAME(o.schema_id) AS schema_name, o.name, RTRIM(o.type) AS type,
  o.parent_object_id
FROM sys.objects AS o
WHERE o.is_ms_shipped = 0 AND o.type IN ${USER_OBJECT_TYPES}
UNION ALL
SELECT tt.type_table_object_id, SCHEMA_NAME(tt.schema_id), tt.name, 'TT', 0 FROM sys.table_types AS tt WHERE tt.is_user_defined = 1`,
  columns: `SELECT c.object_id, c.column_id, c.name,
  t.name AS type_name, SCHEMA_NAME(t.schema_id) AS type_schema, t.is_user_defined,
  TYPE_NAME(c.system_type_id) AS system_type_name,
  c.max_length, c.precision, c.scale, c.is_nullable, c.is_identity,
  CAST(ic.seed_value AS nvarchar(40)) AS identity_seed, CAST(ic.increment_value AS nvarchar(40)) AS identity_increment,
  c.is_computed, cc.definition AS computed_definition, cc.is_persisted,
  c.collation_name, c.is_rowguidcol, c.is_sparse
FROM sys.columns AS c
JOIN sys.types AS t ON t.user_type_id = c.user_type_id
LEFT JOIN sys.identity_columns AS ic ON ic.object_id = c.object_id AND ic.column_id = c.column_id
LEFT JOIN sys.computed_columns AS cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id
WHERE c.object_id IN (SELECT o.object_id FROM sys.objects AS o WHERE o.is_ms_shipped = 0 AND o.type IN ('U','V','IF','TF'))
   OR c.object_id IN (SELECT tt.type_table_object_id FROM sys.table_types AS tt WHERE tt.is_user_defined = 1)
ORDER BY c.object_id, c.column_id`,
  aliasTypes: `SELECT SCHEMA_NAME(t.schema_id) AS schema_name, t.name, TYPE_NAME(t.system_type_id) AS base_type,
  t.max_length, t.precision, t.scale, t.is_nullable
FROM sys.types AS t WHERE t.is_user_defined = 1 AND t.is_table_type = 0`,
  defaults: `SELECT dc.parent_object_id AS object_id, dc.parent_column_id AS column_id, dc.name, dc.definition
FROM sys.default_constraints AS dc`,
  keyConstraints: `SELECT kc.parent_object_id AS object_id, kc.name, RTRIM(kc.type) AS type, i.type_desc,
  ic.key_ordinal, COL_NAME(ic.object_id, ic.column_id) AS column_name, ic.is_descending_key
FROM sys.key_constraints AS kc
JOIN sys.indexes AS i ON i.object_id = kc.parent_object_id AND i.index_id = kc.unique_index_id
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0
ORDER BY kc.parent_object_id, kc.name, ic.key_ordinal`,
  foreignKeys: `SELECT fk.parent_object_id AS object_id, fk.name,
  OBJECT_SCHEMA_NAME(fk.referenced_object_id) AS referenced_schema, OBJECT_NAME(fk.referenced_object_id) AS referenced_table,
  fk.delete_referential_action_desc, fk.update_referential_action_desc, fk.is_disabled,
  fkc.constraint_column_id, COL_NAME(fkc.parent_object_id, fkc.parent_column_id) AS column_name,
  COL_NAME(fkc.referenced_object_id, fkc.referenced_column_id) AS referenced_column
FROM sys.foreign_keys AS fk
JOIN sys.foreign_key_columns AS fkc ON fkc.constraint_object_id = fk.object_id
ORDER BY fk.parent_object_id, fk.name, fkc.constraint_column_id`,
  checkConstraints: `SELECT cc.parent_object_id AS object_id, cc.name, cc.definition, cc.is_disabled,
  COL_NAME(cc.parent_object_id, cc.parent_column_id) AS column_name
FROM sys.check_constraints AS cc`,
  indexes: `SELECT i.object_id, i.index_id, i.name, i.type_desc, i.is_unique, i.filter_definition,
  ic.key_ordinal, ic.is_included_column, ic.is_descending_key, COL_NAME(ic.object_id, ic.column_id) AS column_name
FROM sys.indexes AS i
JOIN sys.objects AS o ON o.object_id = i.object_id
LEFT JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
WHERE o.is_ms_shipped = 0 AND i.type > 0 AND i.is_primary_key = 0 AND i.is_unique_constraint = 0 AND i.is_hypothetical = 0
ORDER BY i.object_id, i.index_id, ic.is_included_column, ic.key_ordinal, ic.index_column_id`,
  modules: `SELECT m.object_id, m.definition, m.uses_ansi_nulls, m.uses_quoted_identifier, m.is_schema_bound
FROM sys.sql_modules AS m JOIN sys.objects AS o ON o.object_id = m.object_id WHERE o.is_ms_shipped = 0`,
  synonyms: `SELECT s.object_id, s.base_object_name FROM sys.synonyms AS s`,
  dependencies: `SELECT d.referencing_id, d.referenced_server_name, d.referenced_database_name,
  d.referenced_schema_name, d.referenced_entity_name, d.referenced_id, d.is_ambiguous
FROM sys.sql_expression_dependencies AS d WHERE d.referencing_minor_id = 0`,
  descriptions: `SELECT ep.class, ep.major_id, ep.minor_id, CAST(ep.value AS nvarchar(4000)) AS value
FROM sys.extended_properties AS ep WHERE ep.name = N'MS_Description' AND ep.class IN (1, 3)`,
  rowCounts: `SELECT p.object_id, SUM(p.rows) AS row_count FROM sys.partitions AS p
JOIN sys.objects AS o ON o.object_id = p.object_id
WHERE p.index_id IN (0, 1) AND o.type = 'U' AND o.is_ms_shipped = 0 GROUP BY p.object_id`,
} as const;

export type CatalogQueryName = keyof typeof CATALOG_QUERIES;

// ---------------------------------------------------------------------------------------------
// Connection strings and redaction.

/** True when `input` names a live server rather than a path. */
export function isLiveSource(input: string): boolean {
  return /^(mssql|sqlserver):\/\//i.test(input) || /^\s*(server|data source|address|addr)\s*=/i.test(input);
}

/** ADO connection string → key/value parts, honouring {braced} and "quoted" values that contain `;`. */
export function splitAdoString(input: string): { key: string; raw: string; value: string }[] {
  const out: { key: string; raw: string; value: string }[] = [];
  let i = 0;
  while (i < input.length) {
    const start = i;
    const eq = input.indexOf("=", i);
    if (eq < 0) {
      const rest = input.slice(i).trim();
      if (rest) out.push({ key: rest, raw: input.slice(i), value: "" });
      break;
    }
    const key = input.slice(i, eq).replace(/^[\s;]+/, "").trim();
    i = eq + 1;
    while (i < input.length && input[i] === " ") i++;
    let value = "";
    const open = input[i];
    if (open === "{" || open === '"' || open === "'") {
      const close = open === "{" ? "}" : open;
      i++;
      for (; i < input.length; i++) {
        if (input[i] === close) {
          if (input[i + 1] === close) {
            value += close;
            i++;
            continue;
          }
          i++;
          break;
        }
        value += input[i];
      }
      while (i < input.length && input[i] !== ";") i++;
    } else {
      const semi = input.indexOf(";", i);
      const end = semi < 0 ? input.length : semi;
      value = input.slice(i, end).trim();
      i = end;
    }
    out.push({ key, raw: input.slice(start, i).replace(/^;/, ""), value });
    if (input[i] === ";") i++;
  }
  return out;
}

const SECRET_KEYS = /^(password|pwd|user id|uid|user|username|client secret|token|msi secret)$/i;

/** The connection string without secrets, safe for messages and logs. */
export function redactConnectionString(input: string): string {
  if (/^(mssql|sqlserver):\/\//i.test(input)) {
    try {
      const u = new URL(input);
      const host = u.port ? `${u.hostname}:${u.port}` : u.hostname;
      return `${u.protocol}//${host}${u.pathname}`;
    } catch {
      return input.replace(/\/\/[^@/]*@/, "//");
    }
  }
  return splitAdoString(input)
    .filter((p) => !SECRET_KEYS.test(p.key))
    .map((p) => p.raw.trim())
    .join(";");
}

function secretsOf(input: string): string[] {
  const out: string[] = [];
  if (/^(mssql|sqlserver):\/\//i.test(input)) {
    try {
      const u = new URL(input);
      if (u.password) out.push(decodeURIComponent(u.password), u.password);
      if (u.username) out.push(decodeURIComponent(u.username));
    } catch {
      /* unparsable: the redacted form drops the authority anyway */
    }
  } else {
    for (const p of splitAdoString(input)) if (SECRET_KEYS.test(p.key) && p.value) out.push(p.value);
  }
  return out;
}

export function scrub(message: string, input: string): string {
  let m = message;
  for (const s of secretsOf(input)) if (s.length >= 2) m = m.split(s).join("***");
  return m;
}

export interface LiveOptions {
  /** Connection and query timeouts in ms (default 15 s and 120 s). */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Replaces the mssql runner (tests, recorded results). */
  runnerFactory?: (input: string) => Promise<QueryRunner>;
}

function configFromUrl(input: string, opts: LiveOptions): MssqlConfig {
  const u = new URL(input);
  const q = u.searchParams;
  const flag = (name: string, dflt: boolean) => {
    const v = q.get(name);
    return v === null ? dflt : /^(1|true|yes)$/i.test(v);
  };
  const instance = q.get("instanceName") ?? undefined;
  return {
    server: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "master",
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    connectionTimeout: opts.connectTimeoutMs ?? 15_000,
    requestTimeout: opts.requestTimeoutMs ?? 120_000,
    pool: { max: 1, min: 0 },
    options: {
      encrypt: flag("encrypt", false),
      trustServerCertificate: flag("trustServerCertificate", true),
      readOnlyIntent: true,
      ...(instance ? { instanceName: instance } : {}),
    },
  };
}

export async function createMssqlRunner(input: string, opts: LiveOptions = {}): Promise<QueryRunner> {
  const { default: sql } = await import("mssql");
  let config: MssqlConfig;
  if (/^(mssql|sqlserver):\/\//i.test(input)) config = configFromUrl(input, opts);
  else {
    config = sql.ConnectionPool.parseConnectionString(input) as MssqlConfig;
    config.connectionTimeout = opts.connectTimeoutMs ?? config.connectionTimeout ?? 15_000;
    config.requestTimeout = opts.requestTimeoutMs ?? config.requestTimeout ?? 120_000;
    config.options = { trustServerCertificate: true, ...config.options, readOnlyIntent: true };
  }
  const pool = new sql.ConnectionPool(config);
  pool.on("error", () => {
    /* reported through the failing query instead */
  });
  await pool.connect();
  return {
    async run(_name, text) {
      const r = await pool.request().query(text);
      return r.recordset as unknown as Row[];
    },
    async close() {
      await pool.close();
    },
  };
}

function connectionFailure(err: unknown, input: string, where: { file: string; line: number }): Diagnostic {
  const e = err as { code?: string; message?: string; originalError?: { code?: string } };
  const code = e.code ?? e.originalError?.code ?? "";
  const msg = scrub(e.message ?? String(err), input);
  if (code === "ETIMEOUT" || /timeout/i.test(msg)) {
    return diagnostic("SRC1402", "error", `the server did not answer in time (${msg}); nothing read from it`, where);
  }
  if (code === "ELOGIN") {
    return diagnostic("SRC1403", "error", `the server refused the login (${msg}); check the user and its VIEW DEFINITION permission`, where);
  }
  return diagnostic("SRC1401", "error", `cannot connect to the server (${msg}); nothing read from it`, where);
}

export interface LiveReadResult {
  fragment?: CatalogFragment;
  diagnostics: Diagnostic[];
  /** The raw rows per query (for recording fixtures and for the catalog's cross-check). */
  rows?: Partial<Record<CatalogQueryName, Row[]>>;
}

/** Connects, runs every catalog query, and builds the fragment. Never throws. */
export async function readLive(input: string, opts: LiveOptions = {}): Promise<LiveReadResult> {
  const display = redactConnectionString(input);
  const where = { file: display, line: 1 };
  let runner: QueryRunner;
  try {
    runner = await (opts.runnerFactory ?? ((i) => createMssqlRunner(i, opts)))(input);
  } catch (err) {
    return { diagnostics: [connectionFailure(err, input, where)] };
  }
  const diagnostics: Diagnostic[] = [];
  const rows: Partial<Record<CatalogQueryName, Row[]>> = {};
  try {
    for (const name of Object.keys(CATALOG_QUERIES) as CatalogQueryName[]) {
      try {
        rows[name] = await runner.run(name, CATALOG_QUERIES[name]);
      } catch (err) {
        const e = err as { code?: string; number?: number; message?: string };
        const msg = scrub(e.message ?? String(err), input);
        if (e.code === "ETIMEOUT") diagnostics.push(diagnostic("SRC1402", "error", `catalog query '${name}' timed out (${msg}); that part of the catalog is missing`, where));
        else if (e.code === "ECONNCLOSED" || e.code === "ESOCKET") {
          diagnostics.push(diagnostic("SRC1401", "error", `the connection was lost during catalog query '${name}' (${msg}); the rest is missing`, where));
          break;
        } else diagnostics.push(diagnostic("SRC1404", "warning", `catalog query '${name}' failed (${msg}); that part of the catalog is missing`, where));
      }
    }
  } finally {
    await runner.close().catch(() => undefined);
  }
  if (!rows.objects) return { diagnostics, rows };
  const built = liveRowsToFragment(rows, display);
  return { fragment: built.fragment, diagnostics: [...diagnostics, ...built.diagnostics], rows };
}

// ---------------------------------------------------------------------------------------------
// Rows → fragment.

const num = (v: unknown): number => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : Number(v ?? 0));
const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "true";
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

const KIND_BY_TYPE: Record<string, { kind: ObjectKind; functionKind?: FunctionKind }> = {
  U: { kind: "table" },
  V: { kind: "view" },
  P: { kind: "procedure" },
  PC: { kind: "procedure" },
  FN: { kind: "function", functionKind: "scalar" },
  IF: { kind: "function", functionKind: "inline_tvf" },
  TF: { kind: "function", functionKind: "multi_tvf" },
  FS: { kind: "function", functionKind: "clr" },
  FT: { kind: "function", functionKind: "clr" },
  TR: { kind: "trigger" },
  SO: { kind: "sequence" },
  SN: { kind: "synonym" },
  TT: { kind: "type" },
};

const UNICODE = new Set(["nchar", "nvarchar"]);
const LENGTHED = new Set(["char", "varchar", "nchar", "nvarchar", "binary", "varbinary"]);
const SCALED = new Set(["datetime2", "time", "datetimeoffset"]);

export function liveType(typeName: string, maxLength: number, precision: number, scale: number, userDefined = false, schema?: string): ColumnTypeDraft {
  const name = userDefined ? typeName : typeName.toLowerCase();
  const t: ColumnTypeDraft = { name };
  if (userDefined) {
    t.userDefined = true;
    if (schema) t.schema = schema;
    return t;
  }
  if (LENGTHED.has(name)) t.length = maxLength === -1 ? -1 : UNICODE.has(name) ? maxLength / 2 : maxLength;
  else if (name === "decimal" || name === "numeric") {
    t.precision = precision;
    t.scale = scale;
  } else if (SCALED.has(name)) t.scale = scale;
  return t;
}

/** `[srv].[db].[dbo].[T]` or `db.dbo.T` → parts from the right. */
function splitName(name: string): string[] {
  const parts: string[] = [];
  const rx = /\[((?:[^\]]|\]\])*)\]|"((?:[^"]|"")*)"|([^.]+)/g;
  for (let m = rx.exec(name); m; m = rx.exec(name)) parts.push(m[1] !== undefined ? m[1].replace(/]]/g, "]") : (m[2] ?? m[3] ?? "").trim());
  return parts;
}

export function liveRowsToFragment(rows: Partial<Record<CatalogQueryName, Row[]>>, source: string): { fragment: CatalogFragment; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fragment: CatalogFragment = { source, origin: "live", objects: [] };
  const db = rows.database?.[0];
  if (db) {
    fragment.database = {};
    const name = str(db["name"]);
    if (name) fragment.database.name = name;
    const coll = str(db["collation"]);
    if (coll) fragment.database.collation = coll;
    if (db["compatibility_level"] !== undefined && db["compatibility_level"] !== null) fragment.database.compatibilityLevel = num(db["compatibility_level"]);
  }
  for (const s of rows.schemas ?? []) {
    fragment.objects.push({ schema: String(s["name"]), name: String(s["name"]), kind: "schema", file: source, line: 1 });
  }
  const byId = new Map<number, ObjectDraft>();
  for (const o of rows.objects ?? []) {
    const mk = KIND_BY_TYPE[String(o["type"])];
    if (!mk) continue;
    const schema = String(o["schema_name"]);
    const name = String(o["name"]);
    const d: ObjectDraft = { schema, name, kind: mk.kind, file: mk.kind === "table" || mk.kind === "type" ? source : `${source}/${schema}.${name}`, line: 1 };
    if (mk.functionKind) d.functionKind = mk.functionKind;
    if (mk.kind === "type") d.isTableType = true;
    byId.set(num(o["object_id"]), d);
    fragment.objects.push(d);
  }
  const parentOf = new Map<number, number>();
  for (const o of rows.objects ?? []) parentOf.set(num(o["object_id"]), num(o["parent_object_id"]));
  for (const [id, d] of byId) {
    if (d.kind !== "trigger") continue;
    const p = byId.get(parentOf.get(id) ?? -1);
    if (p) d.parent = { schema: p.schema, name: p.name };
  }
  for (const t of rows.aliasTypes ?? []) {
    fragment.objects.push({
      schema: String(t["schema_name"]),
      name: String(t["name"]),
      kind: "type",
      file: source,
      line: 1,
      baseType: liveType(String(t["base_type"]), num(t["max_length"]), num(t["precision"]), num(t["scale"])),
    });
  }
  const colIndex = new Map<string, ColumnDraft>();
  for (const c of rows.columns ?? []) {
    const obj = byId.get(num(c["object_id"]));
    if (!obj) continue;
    const ud = bool(c["is_user_defined"]);
    const col: ColumnDraft = {
      name: String(c["name"]),
      nullable: bool(c["is_nullable"]),
      type: liveType(ud ? String(c["type_name"]) : String(c["system_type_name"] ?? c["type_name"]), num(c["max_length"]), num(c["precision"]), num(c["scale"]), ud, str(c["type_schema"])),
    };
    if (bool(c["is_identity"])) col.identity = { seed: str(c["identity_seed"]) ?? "1", increment: str(c["identity_increment"]) ?? "1" };
    if (bool(c["is_computed"])) {
      col.computed = { expression: str(c["computed_definition"]) ?? "", persisted: bool(c["is_persisted"]) };
      delete col.type;
    }
    const coll = str(c["collation_name"]);
    if (coll) col.collation = coll;
    if (bool(c["is_rowguidcol"])) col.rowguidcol = true;
    if (bool(c["is_sparse"])) col.sparse = true;
    (obj.columns ??= []).push(col);
    colIndex.set(`${num(c["object_id"])}:${num(c["column_id"])}`, col);
  }
  const constraintsOf = (id: number) => {
    const o = byId.get(id);
    return o ? (o.constraints ??= []) : undefined;
  };
  for (const d of rows.defaults ?? []) {
    const id = num(d["object_id"]);
    const col = colIndex.get(`${id}:${num(d["column_id"])}`);
    const expr = str(d["definition"]) ?? "";
    if (col) col.default = { name: String(d["name"]), expression: expr };
    constraintsOf(id)?.push({ kind: "default", name: String(d["name"]), columns: col ? [col.name] : [], expression: expr });
  }
  const grouped = <T extends Row>(list: T[] | undefined, keyOf: (r: T) => string) => {
    const m = new Map<string, T[]>();
    for (const r of list ?? []) m.set(keyOf(r), [...(m.get(keyOf(r)) ?? []), r]);
    return m;
  };
  for (const group of grouped(rows.keyConstraints, (r) => `${num(r["object_id"])}|${String(r["name"])}`).values()) {
    const first = group[0]!;
    const c: ConstraintDraft = {
      kind: first["type"] === "PK" ? "primary_key" : "unique",
      name: String(first["name"]),
      columns: group.map((r) => `${String(r["column_name"])}${bool(r["is_descending_key"]) ? " DESC" : ""}`),
      clustered: String(first["type_desc"]).startsWith("CLUSTERED"),
    };
    constraintsOf(num(first["object_id"]))?.push(c);
  }
  for (const group of grouped(rows.foreignKeys, (r) => `${num(r["object_id"])}|${String(r["name"])}`).values()) {
    const first = group[0]!;
    const c: ConstraintDraft = {
      kind: "foreign_key",
      name: String(first["name"]),
      columns: group.map((r) => String(r["column_name"])),
      references: { schema: String(first["referenced_schema"]), name: String(first["referenced_table"]), columns: group.map((r) => String(r["referenced_column"])) },
      enabled: !bool(first["is_disabled"]),
    };
    const del = str(first["delete_referential_action_desc"])?.replace(/_/g, " ");
    const upd = str(first["update_referential_action_desc"])?.replace(/_/g, " ");
    if (del && del !== "NO ACTION") c.onDelete = del;
    if (upd && upd !== "NO ACTION") c.onUpdate = upd;
    constraintsOf(num(first["object_id"]))?.push(c);
  }
  for (const r of rows.checkConstraints ?? []) {
    const col = str(r["column_name"]);
    constraintsOf(num(r["object_id"]))?.push({
      kind: "check",
      name: String(r["name"]),
      columns: col ? [col] : [],
      expression: str(r["definition"]) ?? "",
      enabled: !bool(r["is_disabled"]),
    });
  }
  for (const group of grouped(rows.indexes, (r) => `${num(r["object_id"])}|${num(r["index_id"])}`).values()) {
    const first = group[0]!;
    const obj = byId.get(num(first["object_id"]));
    if (!obj) continue;
    const typeDesc = String(first["type_desc"]);
    const idx: IndexDraft = {
      name: String(first["name"]),
      unique: bool(first["is_unique"]),
      clustered: typeDesc.startsWith("CLUSTERED"),
      columns: group.filter((r) => r["column_name"] != null && !bool(r["is_included_column"])).map((r) => `${String(r["column_name"])}${bool(r["is_descending_key"]) ? " DESC" : ""}`),
      include: group.filter((r) => bool(r["is_included_column"])).map((r) => String(r["column_name"])),
    };
    const filter = str(first["filter_definition"]);
    if (filter) idx.filter = filter;
    if (!/^(CLUSTERED|NONCLUSTERED)$/.test(typeDesc)) idx.kind = typeDesc.toLowerCase();
    (obj.indexes ??= []).push(idx);
    fragment.objects.push({ schema: obj.schema, name: idx.name, kind: "index", file: source, line: 1, parent: { schema: obj.schema, name: obj.name } });
  }
  let hidden = 0;
  for (const m of rows.modules ?? []) {
    const obj = byId.get(num(m["object_id"]));
    if (!obj) continue;
    const def = str(m["definition"]);
    if (def === undefined) {
      hidden++;
      continue;
    }
    obj.module = { text: def, usesAnsiNulls: bool(m["uses_ansi_nulls"]), usesQuotedIdentifier: bool(m["uses_quoted_identifier"]), startLine: 1 };
  }
  if (hidden > 0) {
    diagnostics.push(
      diagnostic("SRC1405", "warning", `${hidden} module definition(s) came back NULL: the login lacks VIEW DEFINITION on them (or they are encrypted); their bodies are missing`, {
        file: source,
        line: 1,
      }),
    );
  }
  for (const s of rows.synonyms ?? []) {
    const obj = byId.get(num(s["object_id"]));
    if (!obj) continue;
    const parts = splitName(String(s["base_object_name"] ?? "")).reverse();
    if (parts[0]) {
      obj.synonymFor = { name: parts[0] };
      if (parts[1]) obj.synonymFor.schema = parts[1];
      if (parts[2]) obj.synonymFor.database = parts[2];
      if (parts[3]) obj.synonymFor.server = parts[3];
    }
  }
  for (const d of rows.dependencies ?? []) {
    const obj = byId.get(num(d["referencing_id"]));
    const name = str(d["referenced_entity_name"]);
    if (!obj || !name) continue;
    const dep: DeclaredDependency = { name };
    const server = str(d["referenced_server_name"]);
    const database = str(d["referenced_database_name"]);
    const schema = str(d["referenced_schema_name"]);
    if (server) dep.server = server;
    if (database) dep.database = database;
    if (schema) dep.schema = schema;
    if (d["referenced_id"] === null || d["referenced_id"] === undefined || bool(d["is_ambiguous"])) dep.unresolved = true;
    const list = (obj.declaredDependencies ??= []);
    if (!list.some((x) => x.name === dep.name && x.schema === dep.schema && x.database === dep.database && x.server === dep.server)) list.push(dep);
  }
  const schemaIds = new Map<number, ObjectDraft>();
  for (const s of rows.schemas ?? []) {
    const d = fragment.objects.find((o) => o.kind === "schema" && o.name === String(s["name"]));
    if (d) schemaIds.set(num(s["schema_id"]), d);
  }
  for (const e of rows.descriptions ?? []) {
    const value = str(e["value"]);
    if (value === undefined) continue;
    if (num(e["class"]) === 3) {
      const s = schemaIds.get(num(e["major_id"]));
      if (s) s.description = value;
      continue;
    }
    const minor = num(e["minor_id"]);
    if (minor === 0) {
      const obj = byId.get(num(e["major_id"]));
      if (obj) obj.description = value;
    } else {
      const col = colIndex.get(`${num(e["major_id"])}:${minor}`);
      if (col) col.description = value;
    }
  }
  for (const r of rows.rowCounts ?? []) {
    const obj = byId.get(num(r["object_id"]));
    if (obj) obj.rowCount = num(r["row_count"]);
  }
  return { fragment, diagnostics };
}
