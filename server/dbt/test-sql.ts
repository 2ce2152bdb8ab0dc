// A throw-away SQL session for this folder's tests: the Postgres of TEST_DATABASE_URL in a fresh
// schema (dropped afterwards, so parallel test files do not meet), or an in-memory PGlite.
import { randomBytes } from "node:crypto";
import postgres from "postgres";

export interface SqlSession {
  /** Runs one statement (or several, separated by semicolons, with no result) and returns the rows. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  schema: string;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

export async function openSqlSession(): Promise<SqlSession> {
  const schema = `dm_dbt_${randomBytes(5).toString("hex")}`;
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql.unsafe(`create schema ${schema}`);
    await sql.unsafe(`set search_path to ${schema}`);
    return {
      schema,
      kind: "postgres",
      query: async <T>(text: string) => (await sql.unsafe(text)) as unknown as T[],
      close: async () => {
        try {
          await sql.unsafe(`drop schema if exists ${schema} cascade`);
        } finally {
          await sql.end({ timeout: 5 });
        }
      },
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const db = new PGlite();
  await db.exec(`create schema ${schema}; set search_path to ${schema}`);
  return {
    schema,
    kind: "pglite",
    query: async <T>(text: string) => {
      const results = await db.exec(text);
      return (results[results.length - 1]?.rows ?? []) as T[];
    },
    close: () => db.close(),
  };
}
