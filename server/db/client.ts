// The database handle. Two drivers, one type: embedded PGlite (a directory, or memory) when no
// DATABASE_URL is configured, postgres.js otherwise. Code above this file only sees `Db`.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** What every query function takes. Both drivers' databases are this type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseLocation =
  | { kind: "postgres"; url: string }
  | { kind: "pglite"; dataDir: string }
  | { kind: "pglite-memory" };

export interface DatabaseHandle {
  db: Db;
  kind: "postgres" | "pglite";
  /** Human-readable, credential-free description for logs. */
  description: string;
  /** Resolves when a trivial query succeeds; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The driver-specific database, for the migrator only. */
  readonly raw:
    | { kind: "postgres"; db: ReturnType<typeof drizzlePostgres<Schema>> }
    | { kind: "pglite"; db: ReturnType<typeof drizzlePglite<Schema>> };
}

const DRIZZLE_OPTIONS = { schema, casing: "snake_case" as const };

export async function openDatabase(location: DatabaseLocation): Promise<DatabaseHandle> {
  if (location.kind === "postgres") {
    const client = postgres(location.url, {
      max: 10,
      onnotice: () => {},
      // Statement timeouts keep one stuck query from holding a pool slot forever.
      connection: { application_name: "datamigrate" },
    });
    const db = drizzlePostgres({ client, ...DRIZZLE_OPTIONS });
    const u = new URL(location.url);
    return {
      db: db as unknown as Db,
      kind: "postgres",
      description: `postgres at ${u.hostname}:${u.port || "5432"}${u.pathname}`,
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => client.end({ timeout: 5 }),
      raw: { kind: "postgres", db },
    };
  }
  let client: PGlite;
  let description: string;
  if (location.kind === "pglite") {
    const dir = path.resolve(location.dataDir);
    mkdirSync(dir, { recursive: true });
    client = await PGlite.create(dir);
    description = `embedded PGlite in ${dir}`;
  } else {
    client = await PGlite.create();
    description = "embedded PGlite in memory";
  }
  const db = drizzlePglite({ client, ...DRIZZLE_OPTIONS });
  return {
    db: db as unknown as Db,
    kind: "pglite",
    description,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
    raw: { kind: "pglite", db },
  };
}

/** The location the configuration asks for: DATABASE_URL, else `<dataDir>/pglite`. */
export function databaseLocation(config: { databaseUrl: string | undefined; dataDir: string }): DatabaseLocation {
  return config.databaseUrl
    ? { kind: "postgres", url: config.databaseUrl }
    : { kind: "pglite", dataDir: path.join(config.dataDir, "pglite") };
}

/** Runs raw SQL and returns its rows, whichever driver is underneath (their result shapes differ). */
export async function queryRows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown;
  if (Array.isArray(res)) return res as T[];
  return ((res as { rows?: T[] }).rows ?? []) as T[];
}
