// Output guard: a generated model, once rendered to SQL, must be exactly one read-only query.
//
// A model is what dbt wraps in `create table/view ... as <model>`, so anything that is not a
// plain SELECT (or WITH ... SELECT, VALUES, TABLE) would be executed with the warehouse role's
// rights at every `dbt run`. The check uses the real Postgres grammar (libpg-query, the server's
// own parser compiled to WASM) and walks the parse tree: regexes cannot tell `pg_read_file` in a
// string literal or comment (harmless) from a call (not), nor see a DELETE hidden in a CTE.
import { loadModule, parseSync } from "libpg-query";

// The WASM module is loaded once, when this file is imported, so that the check itself is synchronous.
await loadModule();

export type OutputGuardCode =
  | "GRD2001" // does not parse as Postgres
  | "GRD2002" // empty: no statement
  | "GRD2003" // more than one statement
  | "GRD2004" // the statement is not a query (DDL, DML, COPY, utility)
  | "GRD2005" // SELECT INTO (creates a table)
  | "GRD2006" // a data-modifying statement inside the query (CTE)
  | "GRD2007" // a call of a forbidden function (file, network, large object, settings, dynamic SQL)
  | "GRD2008"; // a row-locking clause (FOR UPDATE / FOR SHARE)

export type OutputGuardResult = { ok: true } | { ok: false; code: OutputGuardCode; message: string; line: number };

/**
 * Functions a model must never call, by unqualified lower-case name. Schema qualification
 * (`pg_catalog.pg_read_file`) does not help: the last name part is what is checked.
 */
const FORBIDDEN_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ["pg_read_file", "reads a file on the database server"],
  ["pg_read_binary_file", "reads a file on the database server"],
  ["pg_ls_dir", "lists a directory on the database server"],
  ["pg_stat_file", "reads file metadata on the database server"],
  ["pg_ls_logdir", "lists the server's log directory"],
  ["pg_ls_waldir", "lists the server's WAL directory"],
  ["pg_ls_tmpdir", "lists the server's temporary directory"],
  ["pg_ls_archive_statusdir", "lists a server directory"],
  ["pg_file_write", "writes a file on the database server"],
  ["pg_file_rename", "renames a file on the database server"],
  ["pg_file_unlink", "deletes a file on the database server"],
  ["pg_logdir_ls", "lists the server's log directory"],
  ["lo_import", "reads a server file into a large object"],
  ["lo_export", "writes a large object to a server file"],
  ["lo_create", "creates a large object"],
  ["lo_creat", "creates a large object"],
  ["lo_unlink", "deletes a large object"],
  ["lo_put", "writes a large object"],
  ["lo_from_bytea", "creates a large object"],
  ["lo_truncate", "writes a large object"],
  ["set_config", "changes a server setting"],
  ["pg_reload_conf", "reloads the server configuration"],
  ["pg_rotate_logfile", "rotates the server log"],
  ["pg_terminate_backend", "terminates another session"],
  ["pg_cancel_backend", "cancels another session's query"],
  ["pg_promote", "promotes a standby server"],
  ["pg_switch_wal", "forces a WAL switch"],
  ["pg_create_restore_point", "writes a WAL restore point"],
  ["pg_notify", "sends a notification to other sessions"],
  ["pg_sleep", "blocks the session"],
  ["pg_sleep_for", "blocks the session"],
  ["pg_sleep_until", "blocks the session"],
  ["setval", "changes a sequence"],
  ["nextval", "advances a sequence (a side effect on every run)"],
  ["query_to_xml", "executes a query given as text (dynamic SQL)"],
  ["query_to_xml_and_xmlschema", "executes a query given as text (dynamic SQL)"],
  ["query_to_xmlschema", "executes a query given as text (dynamic SQL)"],
  ["cursor_to_xml", "reads an open cursor"],
  ["xp_cmdshell", "runs an operating-system command (SQL Server)"],
  ["openrowset", "reads from an external data source (SQL Server)"],
  ["opendatasource", "connects to an external data source (SQL Server)"],
  ["openquery", "runs a query on a linked server (SQL Server)"],
]);

/** Prefixes of forbidden function families (dblink, dblink_exec, dblink_connect, ...). */
const FORBIDDEN_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ["dblink", "connects to another database (dblink)"],
  ["pg_advisory", "takes an advisory lock"],
  ["pg_try_advisory", "takes an advisory lock"],
];

function forbiddenReason(name: string): string | undefined {
  const direct = FORBIDDEN_FUNCTIONS.get(name);
  if (direct) return direct;
  for (const [prefix, reason] of FORBIDDEN_PREFIXES) if (name.startsWith(prefix)) return reason;
  return undefined;
}

/** Node kinds the parser gives a top-level read-only query. VALUES and TABLE t are SelectStmt too. */
const QUERY_NODE = "SelectStmt";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface ParseResult {
  stmts?: Array<{ stmt: Record<string, Json>; stmt_location?: number }>;
}

/** libpg-query locations are byte offsets into the UTF-8 text; lines are counted in the same bytes. */
function lineAt(bytes: Uint8Array, offset: number | undefined): number {
  if (offset === undefined || offset < 0) return 1;
  let line = 1;
  const end = Math.min(offset, bytes.length);
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function nodeKind(stmt: Record<string, Json>): string {
  return Object.keys(stmt)[0] ?? "unknown";
}

/** "InsertStmt" → "INSERT", "CreateTableAsStmt" → "CREATE TABLE AS", for messages. */
function describeKind(kind: string): string {
  const words = kind.replace(/Stmt$/, "").replace(/([a-z])([A-Z])/g, "$1 $2");
  return words.toUpperCase();
}

interface Finding {
  code: OutputGuardCode;
  message: string;
  location: number | undefined;
}

/** Depth-first walk; the first finding wins. `loc` is the nearest enclosing node location. */
function walk(node: Json, loc: number | undefined): Finding | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const f = walk(item, loc);
      if (f) return f;
    }
    return undefined;
  }
  if (node === null || typeof node !== "object") return undefined;
  const here = typeof node.location === "number" ? node.location : loc;
  for (const [key, value] of Object.entries(node)) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      if (Array.isArray(value)) {
        const f = walk(value, here);
        if (f) return f;
      }
      continue;
    }
    const inner = value as { [k: string]: Json };
    const innerLoc = typeof inner.location === "number" ? inner.location : here;
    if (key === "FuncCall") {
      const parts = Array.isArray(inner.funcname) ? inner.funcname : [];
      const last = parts[parts.length - 1] as { String?: { sval?: string } } | undefined;
      const name = (last?.String?.sval ?? "").toLowerCase();
      const reason = forbiddenReason(name);
      if (reason) return { code: "GRD2007", message: `the model calls ${name}(), which ${reason}; a model may only read`, location: innerLoc };
    } else if (key.endsWith("Stmt") && key !== QUERY_NODE) {
      return {
        code: "GRD2006",
        message: `the query contains a ${describeKind(key)} statement (a data-modifying CTE or sub-statement); a model may only read`,
        // Statement nodes carry no location of their own: the earliest one inside is its start.
        location: minLocation(value) ?? innerLoc,
      };
    } else if (key === QUERY_NODE) {
      if (inner.intoClause) {
        return { code: "GRD2005", message: "SELECT INTO creates a table; a model must be a plain SELECT (dbt creates the relation)", location: innerLoc };
      }
      if (Array.isArray(inner.lockingClause) && inner.lockingClause.length > 0) {
        return { code: "GRD2008", message: "the query locks rows (FOR UPDATE / FOR SHARE); a model must not take locks", location: innerLoc };
      }
    }
    const f = walk(value, innerLoc);
    if (f) return f;
  }
  return undefined;
}

function minLocation(node: Json): number | undefined {
  if (node === null || typeof node !== "object") return undefined;
  let best: number | undefined;
  const consider = (v: number | undefined) => {
    if (v !== undefined && v >= 0 && (best === undefined || v < best)) best = v;
  };
  if (Array.isArray(node)) {
    for (const item of node) consider(minLocation(item));
    return best;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === "location" && typeof v === "number") consider(v);
    else consider(minLocation(v));
  }
  return best;
}

/**
 * Checks a rendered model: exactly one read-only query. `line` is 1-based in the given SQL.
 * Synchronous and side-effect free; safe to call on untrusted text.
 */
export function guardModelSql(sql: string): OutputGuardResult {
  const bytes = new TextEncoder().encode(sql);
  let tree: ParseResult;
  try {
    tree = parseSync(sql) as ParseResult;
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const message = err instanceof Error ? err.message : String(err);
    // cursorPosition is a 0-based character offset into the text.
    const cursor = details?.cursorPosition;
    const line = cursor === undefined ? 1 : sql.slice(0, cursor).split("\n").length;
    return { ok: false, code: "GRD2001", message: `the model is not valid Postgres SQL: ${message}`, line };
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length === 0) return { ok: false, code: "GRD2002", message: "the model contains no SQL statement", line: 1 };
  if (stmts.length > 1) {
    const second = stmts[1]!;
    // stmt_location points at the start of the statement's text, which may be after a comment.
    return {
      ok: false,
      code: "GRD2003",
      message: `the model contains ${stmts.length} statements; a model must be exactly one SELECT`,
      line: lineAt(bytes, firstNonSpace(bytes, second.stmt_location ?? 0)),
    };
  }
  const only = stmts[0]!;
  const kind = nodeKind(only.stmt);
  const start = firstNonSpace(bytes, only.stmt_location ?? 0);
  if (kind !== QUERY_NODE) {
    const body = only.stmt[kind] as { is_program?: boolean } | undefined;
    const what = kind === "CopyStmt" && body?.is_program ? "COPY ... PROGRAM (runs a shell command on the server)" : `a ${describeKind(kind)} statement`;
    return { ok: false, code: "GRD2004", message: `the model is ${what}; a model must be exactly one SELECT`, line: lineAt(bytes, start) };
  }
  const finding = walk(only.stmt, start);
  if (finding) return { ok: false, code: finding.code, message: finding.message, line: lineAt(bytes, finding.location ?? start) };
  return { ok: true };
}

/** Skips whitespace and comments after a statement boundary, so the line is the statement's own. */
function firstNonSpace(bytes: Uint8Array, offset: number): number {
  let i = offset;
  for (;;) {
    while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
    if (bytes[i] === 0x2d && bytes[i + 1] === 0x2d) {
      while (i < bytes.length && bytes[i] !== 0x0a) i++;
      continue;
    }
    if (bytes[i] === 0x2f && bytes[i + 1] === 0x2a) {
      const close = findSeq(bytes, i + 2, 0x2a, 0x2f);
      i = close < 0 ? bytes.length : close + 2;
      continue;
    }
    return i;
  }
}

function findSeq(bytes: Uint8Array, from: number, a: number, b: number): number {
  for (let i = from; i + 1 < bytes.length; i++) if (bytes[i] === a && bytes[i + 1] === b) return i;
  return -1;
}
