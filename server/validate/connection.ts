// One small interface over every database the validator talks to: the validation Postgres
// (postgres.js), an in-process PGlite, and the live SQL Server source (an mssql adapter implements
// the same interface; it is not written yet). The parity engine and the copier only see this type:
// a `dialect` that knows how to spell SQL on that side, `query`, `exec`, `describe` and `stream`.
import { PGlite } from "@electric-sql/pglite";
import { Worker } from "node:worker_threads";
import postgres from "postgres";

export type Row = Record<string, unknown>;

/** What a column holds, for normalising values the same way on both sides. */
export type ValueKind = "integer" | "decimal" | "float" | "text" | "date" | "timestamp" | "timestamptz" | "time" | "boolean" | "uuid" | "binary" | "other";

export interface ColumnInfo {
  name: string;
  /** The type as the database spells it (`numeric(12,2)`, `character varying(40)`). */
  type: string;
  kind: ValueKind;
  nullable: boolean;
  /** Digits after the decimal point (decimal) or fractional-second digits (timestamps, time). */
  scale?: number;
}

/** A relation on one side: a schema-qualified table or view. */
export interface RelationName {
  schema?: string;
  name: string;
}

/** How one side spells the SQL the parity engine needs. Postgres below; SQL Server fits the same shape. */
export interface Dialect {
  name: "postgres" | "mssql";
  quote(identifier: string): string;
  relation(r: RelationName): string;
  /** A literal string. */
  literal(s: string): string;
  /**
   * A text expression that is equal on both sides exactly when the values are equal after
   * normalisation; NULL stays NULL. Both dialects must produce byte-identical text.
   */
  normalize(expr: string, column: ColumnInfo, opts: NormalizeOptions): string;
  /** Concatenation of normalised (possibly NULL) texts into one non-NULL text, unambiguously. */
  rowText(normalized: string[]): string;
  /** 32 lowercase hex characters: md5 of the text's UTF-8 bytes. */
  md5(text: string): string;
  /** A bigint from the first 15 hex digits of an md5 (a 60-bit number; sums do not overflow numeric). */
  hashNumber(md5Hex: string): string;
  /**
   * A cheaper 64-bit row hash, used only when both sides speak this same dialect (the md5 path is
   * what makes two different servers comparable).
   */
  fastHash?(text: string): string;
  /** Sum of the hash numbers as an exact number (text or numeric). */
  sumExact(expr: string): string;
  /** Segment number of an integer key: (k - lo) / width for k >= lo. */
  bucket(keyExpr: string, lo: bigint, width: bigint): string;
  /** `expr LIKE 'prefix%'` on an md5 text. */
  prefixMatch(expr: string, prefix: string): string;
  substr(expr: string, from: number, length: number): string;
  castText(expr: string): string;
  /**
   * The exact text of a value of this kind, for copying without passing through a JavaScript
   * number or Date (decimals, bigints, datetimes with more than millisecond precision); undefined
   * when the driver's own value is exact.
   */
  exactText(expr: string, kind: ValueKind): string | undefined;
  limit(sql: string, n: number): string;
}

export interface NormalizeOptions {
  /** Lower-case text (case-insensitive collation). */
  caseInsensitive: boolean;
  /** Ignore trailing spaces (SQL Server's `=` does). */
  trimTrailingSpaces: boolean;
  /** Fractional-second digits kept on datetimes (SQL Server datetime has 1/300 s: 3 digits). */
  datetimePrecision: number;
  /** Decimal places kept on floats. */
  floatScale: number;
}

export interface Connection {
  readonly dialect: Dialect;
  /** Credential-free, for messages. */
  readonly description: string;
  query(sql: string): Promise<Row[]>;
  /** One or more statements, results discarded. */
  exec(sql: string): Promise<void>;
  /** Columns of a relation in ordinal order; undefined when it does not exist. */
  describe(relation: RelationName): Promise<ColumnInfo[] | undefined>;
  /** Rows in batches, without holding the whole result (cursor on Postgres). */
  stream(sql: string, batchRows?: number): AsyncIterable<Row[]>;
  close(): Promise<void>;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

export const postgresDialect: Dialect = {
  name: "postgres",
  quote: quoteIdent,
  relation: (r) => (r.schema ? `${quoteIdent(r.schema)}.${quoteIdent(r.name)}` : quoteIdent(r.name)),
  literal: quoteLiteral,
  normalize(e, c, o) {
    switch (c.kind) {
      case "integer":
        return `(${e})::text`;
      case "decimal":
        // 1.50 and 1.5 are the same amount: the declared scale is not part of the value.
        return `trim_scale((${e})::numeric)::text`;
      case "float":
        return `trim_scale(round((${e})::numeric, ${o.floatScale}))::text`;
      case "text": {
        let t = `(${e})::text`;
        if (o.trimTrailingSpaces) t = `rtrim(${t}, ' ')`;
        if (o.caseInsensitive) t = `lower(${t})`;
        return t;
      }
      case "date":
        return `to_char(${e}, 'YYYY-MM-DD')`;
      case "timestamp":
        return `to_char(${truncTs(e, o.datetimePrecision)}, 'YYYY-MM-DD HH24:MI:SS${fracFmt(o.datetimePrecision)}')`;
      case "timestamptz":
        return `to_char(${truncTs(`((${e}) at time zone 'UTC')`, o.datetimePrecision)}, 'YYYY-MM-DD HH24:MI:SS${fracFmt(o.datetimePrecision)}')`;
      case "time":
        return `to_char(${truncTs(`(date '2000-01-01' + (${e})::time)`, o.datetimePrecision)}, 'HH24:MI:SS${fracFmt(o.datetimePrecision)}')`;
      case "boolean":
        return `(case when ${e} then '1' when not ${e} then '0' end)`;
      case "uuid":
        return `lower((${e})::text)`;
      case "binary":
        return `encode(${e}, 'hex')`;
      default:
        return `(${e})::text`;
    }
  },
  // 'n' for NULL, 'v' + text otherwise, joined by U+001F: no two different rows give the same text.
  rowText: (parts) => (parts.length ? parts.map((p) => `coalesce('v' || ${p}, 'n')`).join(` || chr(31) || `) : `''`),
  md5: (t) => `md5(${t})`,
  hashNumber: (h) => `('x' || substr(${h}, 1, 15))::bit(60)::bigint`,
  // hash_bytes_extended: the same on every little-endian build (x86, ARM, PGlite's wasm).
  fastHash: (t) => `hashtextextended(${t}, 0)`,
  sumExact: (e) => `coalesce(sum(${e}), 0)::text`,
  // Callers restrict to k >= lo, so integer division is the floor.
  bucket: (k, lo, width) => `(((${k})::bigint - ${lo}) / ${width})`,
  prefixMatch: (e, p) => `${e} like ${quoteLiteral(p + "%")}`,
  substr: (e, from, len) => `substr(${e}, ${from}, ${len})`,
  castText: (e) => `(${e})::text`,
  exactText: (e, kind) => (kind === "decimal" || kind === "integer" || kind === "timestamp" || kind === "timestamptz" || kind === "time" ? `(${e})::text` : undefined),
  limit: (s, n) => `${s} limit ${n}`,
};

function truncTs(e: string, precision: number): string {
  // date_trunc only knows ms and us; other precisions round down through the epoch.
  if (precision >= 6) return `(${e})`;
  if (precision === 3) return `date_trunc('milliseconds', ${e})`;
  const unit = 10 ** (6 - precision);
  return `(date_trunc('second', ${e}) + floor(extract(microseconds from ${e})::numeric % 1000000 / ${unit}) * interval '${unit} microseconds')`;
}

function fracFmt(precision: number): string {
  return precision <= 0 ? "" : `.FF${Math.min(6, precision)}`;
}

/** Maps a Postgres type name (format_type output) to the kind used for normalisation. */
export function postgresKind(type: string): { kind: ValueKind; scale?: number } {
  const t = type.toLowerCase();
  if (/^(smallint|integer|bigint|int[248]?)\b/.test(t)) return { kind: "integer" };
  const num = /^(numeric|decimal)(?:\((\d+)(?:,(\d+))?\))?/.exec(t);
  if (num) return { kind: "decimal", ...(num[3] !== undefined ? { scale: Number(num[3]) } : num[2] !== undefined ? { scale: 0 } : {}) };
  if (t === "money") return { kind: "decimal", scale: 2 };
  if (/^(real|double precision|float[48]?)\b/.test(t)) return { kind: "float" };
  if (/^(text|character|char|varchar|name|citext|bpchar)\b/.test(t)) return { kind: "text" };
  if (t === "date") return { kind: "date" };
  const ts = /^timestamp(?:\((\d)\))?( with time zone)?/.exec(t);
  if (ts) return { kind: ts[2] ? "timestamptz" : "timestamp", scale: ts[1] !== undefined ? Number(ts[1]) : 6 };
  if (/^time\b/.test(t)) return { kind: "time" };
  if (t === "boolean") return { kind: "boolean" };
  if (t === "uuid") return { kind: "uuid" };
  if (t === "bytea") return { kind: "binary" };
  return { kind: "other" };
}

const DESCRIBE_SQL = (r: RelationName) => `
  select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable
  from pg_attribute a
  where a.attrelid = to_regclass(${quoteLiteral(postgresDialect.relation(r))})
    and a.attnum > 0 and not a.attisdropped
  order by a.attnum`;

function describeRows(rows: Row[]): ColumnInfo[] | undefined {
  if (!rows.length) return undefined;
  return rows.map((r) => {
    const type = String(r.type);
    const k = postgresKind(type);
    return { name: String(r.name), type, kind: k.kind, nullable: r.nullable === true, ...(k.scale !== undefined ? { scale: k.scale } : {}) };
  });
}

export interface PostgresConnectionOptions {
  /** Per statement, in ms (0 = none). */
  statementTimeoutMs?: number;
  /** Postgres `work_mem`, e.g. "16MB". */
  workMem?: string;
  /** Pool size; the parity engine runs one query at a time per side. */
  max?: number;
  applicationName?: string;
}

/** A Postgres server through postgres.js. */
export function postgresConnection(url: string, opts: PostgresConnectionOptions = {}): Connection {
  const connection: Record<string, string> = { TimeZone: "UTC", application_name: opts.applicationName ?? "datamigrate-validate" };
  if (opts.statementTimeoutMs) connection.statement_timeout = String(Math.floor(opts.statementTimeoutMs));
  if (opts.workMem) connection.work_mem = opts.workMem;
  const sql = postgres(url, { max: opts.max ?? 1, onnotice: () => {}, connection, idle_timeout: 30 });
  const u = new URL(url);
  return {
    dialect: postgresDialect,
    description: `postgres at ${u.hostname}:${u.port || "5432"}${u.pathname}`,
    query: async (s) => [...(await sql.unsafe(s))] as Row[],
    exec: async (s) => {
      await sql.unsafe(s).simple();
    },
    describe: async (r) => describeRows([...(await sql.unsafe(DESCRIBE_SQL(r)))] as Row[]),
    async *stream(s, batchRows = 5000) {
      // A cursor inside a transaction-less reserved connection: postgres.js handles the portal.
      const it = sql.unsafe(s).cursor(batchRows);
      for await (const rows of it) yield [...rows] as Row[];
    },
    close: async () => {
      await sql.end({ timeout: 5 });
    },
  };
}

export interface PgliteConnectionOptions {
  /**
   * Per statement, in ms (0 or absent = none). PGlite cannot interrupt a statement, so a fresh
   * database with a timeout runs in a worker thread that is terminated when a statement overruns;
   * the statement fails with SQLSTATE 57014 (as on Postgres) and the next call gets a new worker
   * with the earlier successful writes replayed. Not available on a given (shared) PGlite.
   */
  statementTimeoutMs?: number;
}

/** An in-process PGlite (a fresh in-memory database unless one is given). */
export async function pgliteConnection(existing?: PGlite, opts: PgliteConnectionOptions = {}): Promise<Connection> {
  if (!existing && opts.statementTimeoutMs && opts.statementTimeoutMs > 0) return pgliteWorkerConnection(Math.floor(opts.statementTimeoutMs));
  const pg = existing ?? (await PGlite.create());
  await pg.exec("SET TimeZone = 'UTC'");
  return {
    dialect: postgresDialect,
    description: "PGlite (in process)",
    query: async (s) => (await pg.query<Row>(s)).rows,
    exec: async (s) => {
      await pg.exec(s);
    },
    describe: async (r) => describeRows((await pg.query<Row>(DESCRIBE_SQL(r))).rows),
    async *stream(s, batchRows = 5000) {
      // PGlite has no cursors over its wire; page with LIMIT/OFFSET over a stable order is not
      // guaranteed either, so the result is read once and handed out in batches.
      const rows = (await pg.query<Row>(s)).rows;
      for (let i = 0; i < rows.length; i += batchRows) yield rows.slice(i, i + batchRows);
    },
    close: async () => {
      if (!existing) await pg.close();
    },
  };
}

/** An error carrying the fields of a Postgres error (code = SQLSTATE), as postgres.js and PGlite throw. */
class PgliteWorkerError extends Error {
  code?: string;
  constructor(fields: Record<string, string>) {
    super(fields.message ?? "PGlite error");
    Object.assign(this, fields);
  }
}

/** Statements whose effects need not be replayed into a new worker (reads). */
const READ_ONLY = /^\s*(select|show|explain|values|table|with)\b/i;
const WRITES = /\b(insert|update|delete|merge|into|nextval|setval)\b/i;

type Reply = { id: number; ok: boolean; rows?: Row[]; error?: Record<string, string> };
interface WorkerState {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, { resolve(r: Reply): void; reject(e: Error): void }>;
}

/**
 * A fresh in-memory PGlite in a worker thread, with a statement timeout enforced by terminating the
 * worker. Successful writes (every exec, and queries that are not plain reads) are logged in order
 * and replayed into the next worker, so the scratch schemas, source tables and data survive a
 * timeout; what the timed-out statement did is lost, as Postgres rolls it back.
 */
async function pgliteWorkerConnection(timeoutMs: number): Promise<Connection> {
  const log: string[] = [];
  let seq = 0;
  let closed = false;
  let restarts = 0;

  const start = (): WorkerState => {
    const worker = new Worker(new URL("./pglite-worker.mjs", import.meta.url));
    const pending: WorkerState["pending"] = new Map();
    const ready = new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
    });
    worker.on("message", (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (!pending.size) worker.unref();
      p.resolve(m);
    });
    const fail = (e: Error) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    };
    worker.on("error", (e) => fail(new PgliteWorkerError({ message: `PGlite worker failed: ${e.message}`, code: "XX000" })));
    worker.on("exit", () => fail(new PgliteWorkerError({ message: "PGlite worker stopped", code: "57P01" })));
    // Referenced while it starts and while a statement is out (a pending promise alone does not keep
    // Node alive); unreferenced when idle, so a caller that forgets close() does not hang the process.
    ready.then(
      () => {
        if (!pending.size) worker.unref();
      },
      () => {},
    );
    return { worker, ready, pending };
  };

  /** Sends one statement; rejects with 57014 after the timeout (the worker is then terminated). */
  const send = async (w: WorkerState, op: "query" | "exec" | "close", sql: string, limitMs: number): Promise<Reply> => {
    await w.ready;
    const id = ++seq;
    return new Promise<Reply>((resolve, reject) => {
      const timer = limitMs > 0 ? setTimeout(() => {
        w.pending.delete(id);
        reject(new PgliteWorkerError({ message: "canceling statement due to statement timeout", code: "57014" }));
      }, limitMs) : undefined;
      w.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      w.worker.ref();
      w.worker.postMessage({ id, op, sql });
    });
  };

  let current = start();
  let recovering: Promise<void> | undefined;

  /** A new worker with the logged writes replayed (each under the same timeout). */
  const recover = async () => {
    restarts++;
    const old = current;
    current = start();
    await old.worker.terminate().catch(() => 0);
    for (const sql of log) {
      const r = await send(current, "exec", sql, timeoutMs).catch(() => undefined);
      if (!r) break; // the worker is gone again; later statements report their own errors
    }
  };

  const run = async (op: "query" | "exec", sql: string): Promise<Row[]> => {
    if (closed) throw new PgliteWorkerError({ message: "connection closed", code: "08003" });
    if (recovering) await recovering;
    try {
      const r = await send(current, op, sql, timeoutMs);
      if (!r.ok) throw new PgliteWorkerError(r.error ?? {});
      if (op === "exec" || !READ_ONLY.test(sql) || WRITES.test(sql)) log.push(sql);
      return r.rows ?? [];
    } catch (e) {
      const code = (e as { code?: string }).code;
      // Overran (57014) or the worker died: nothing else can run on this worker any more.
      if (code === "57014" || code === "57P01" || code === "XX000") recovering ??= recover().finally(() => (recovering = undefined));
      throw e;
    }
  };

  await current.ready; // the worker sets TimeZone = 'UTC' itself
  return {
    dialect: postgresDialect,
    get description() {
      return `PGlite (worker thread, statement timeout ${timeoutMs} ms${restarts ? `, restarted ${restarts}x` : ""})`;
    },
    query: (s) => run("query", s),
    exec: async (s) => {
      await run("exec", s);
    },
    describe: async (r) => describeRows(await run("query", DESCRIBE_SQL(r))),
    async *stream(s, batchRows = 5000) {
      const rows = await run("query", s);
      for (let i = 0; i < rows.length; i += batchRows) yield rows.slice(i, i + batchRows);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (recovering) await recovering.catch(() => {});
      await send(current, "close", "", 5000).catch(() => undefined);
      await current.worker.terminate().catch(() => 0);
    },
  };
}

/** Postgres when a URL is given, else a fresh PGlite. */
export async function openConnection(url: string | undefined, opts: PostgresConnectionOptions = {}): Promise<Connection> {
  return url ? postgresConnection(url, opts) : pgliteConnection(undefined, { statementTimeoutMs: opts.statementTimeoutMs });
}
