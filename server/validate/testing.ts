// Test support: two connections to one isolated database (a fresh Postgres database when
// TEST_DATABASE_URL is set, else one PGlite shared by both), each test using its own schemas.
import { PGlite } from "@electric-sql/pglite";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { pgliteConnection, postgresConnection, type Connection, type PostgresConnectionOptions } from "./connection.ts";

export interface TestConnections {
  left: Connection;
  right: Connection;
  /** Postgres URL of the isolated database, or undefined on PGlite. */
  url: string | undefined;
  /** Opens one more connection to the same database. */
  open(opts?: PostgresConnectionOptions): Promise<Connection>;
  dispose(): Promise<void>;
}

export async function openTestConnections(): Promise<TestConnections> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) {
    const pg = await PGlite.create();
    const left = await pgliteConnection(pg);
    const right = await pgliteConnection(pg);
    return { left, right, url: undefined, open: () => pgliteConnection(pg), dispose: () => pg.close() };
  }
  const name = `dm_v_${randomBytes(6).toString("hex")}`;
  const a = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    await a.unsafe(`create database "${name}"`);
  } finally {
    await a.end({ timeout: 5 });
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  const opened: Connection[] = [];
  const open = async (opts?: PostgresConnectionOptions) => {
    const c = postgresConnection(url, opts);
    opened.push(c);
    return c;
  };
  const left = await open();
  const right = await open();
  return {
    left,
    right,
    url,
    open,
    dispose: async () => {
      for (const c of opened) await c.close().catch(() => {});
      const b = postgres(admin, { max: 1, onnotice: () => {} });
      try {
        await b.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await b.end({ timeout: 5 });
      }
    },
  };
}
