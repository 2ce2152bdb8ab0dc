// Test-only: a fresh database holding the runtime, on the Postgres named by TEST_DATABASE_URL or on
// an in-process PGlite. Each call gets its own schema so parallel test files never collide.
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { installSql } from "./registry.ts";

export interface RuntimeDb {
  backend: "postgres" | "pglite";
  schema: string;
  /** Runs one statement, returns its rows. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Runs one or more statements (simple protocol). */
  exec(sql: string): Promise<void>;
  /** `SELECT (expr)::text`, the value as SQL Server would print it, or null. */
  text(expr: string): Promise<string | null>;
  close(): Promise<void>;
}

export async function openRuntimeDb(names?: readonly string[]): Promise<RuntimeDb> {
  const schema = `tsql_rt_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const install = installSql(names, { schema });
  const url = process.env.TEST_DATABASE_URL;
  let db: Omit<RuntimeDb, "text" | "schema">;
  if (url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    db = {
      backend: "postgres",
      rows: async (q) => [...(await sql.unsafe(q))] as Record<string, unknown>[],
      exec: async (q) => {
        await sql.unsafe(q).simple();
      },
      close: async () => {
        try {
          await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await sql.end();
        }
      },
    };
    await db.exec("SET TimeZone = 'UTC'");
  } else {
    const pg = await PGlite.create();
    db = {
      backend: "pglite",
      rows: async (q) => (await pg.query<Record<string, unknown>>(q)).rows,
      exec: async (q) => {
        await pg.exec(q);
      },
      close: async () => {
        await pg.close();
      },
    };
    await db.exec("SET TimeZone = 'UTC'");
  }
  await db.exec(install);
  const text = async (expr: string): Promise<string | null> => {
    const r = await db.rows(`SELECT (${expr})::text AS v`);
    const v = r[0]?.v;
    return v === null || v === undefined ? null : String(v);
  };
  return { ...db, schema, text };
}

/** Replaces `tsql.` in a test expression by the test's schema. */
export function inSchema(expr: string, schema: string): string {
  return expr.replace(/\btsql\./g, `${schema}.`);
}

/**
 * Registers beforeAll/afterAll hooks opening a fresh runtime database for the calling test file and
 * returns helpers: value(pg) = the text value, fails(pg, re) = expects an error matching re.
 */
export function useRuntimeDb(
  hooks: { beforeAll: (fn: () => Promise<void>) => void; afterAll: (fn: () => Promise<void>) => void },
  names?: readonly string[],
) {
  let db: RuntimeDb | undefined;
  hooks.beforeAll(async () => {
    db = await openRuntimeDb(names);
  });
  hooks.afterAll(async () => {
    await db?.close();
  });
  const get = (): RuntimeDb => {
    if (!db) throw new Error("runtime database not open");
    return db;
  };
  return {
    db: get,
    value: (pg: string) => get().text(inSchema(pg, get().schema)),
    rows: (pg: string) => get().rows(inSchema(pg, get().schema)),
  };
}
