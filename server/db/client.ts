// The database handle. Two drivers, one type: embedded PGlite (a directory, or memory) when no
// DATABASE_URL is configured, postgres.js otherwise. Code above this file only sees `Db`.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
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
  | {
      kind: "postgres";
      url: string;
      /** Pool size (default 10). The owner's pool (DATABASE_OWNER_URL) is small: see roles.ts. */
      max?: number;
      /** Shown in pg_stat_activity (default "datamigrate"). */
      applicationName?: string;
    }
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
      max: location.max ?? 10,
      onnotice: () => {},
      // Statement timeouts keep one stuck query from holding a pool slot forever.
      connection: { application_name: location.applicationName ?? "datamigrate" },
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
  let release = () => {};
  if (location.kind === "pglite") {
    const dir = path.resolve(location.dataDir);
    mkdirSync(dir, { recursive: true });
    release = lockDataDir(dir);
    try {
      client = await PGlite.create(dir);
    } catch (err) {
      release();
      throw err;
    }
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
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
    raw: { kind: "pglite", db },
  };
}

export class DatabaseLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `the embedded database in ${dir} is in use by another DataMigrate process (pid ${pid}); ` +
        "stop it, or set DATABASE_URL to share a real Postgres between processes",
    );
    this.name = "DatabaseLockedError";
  }
}

/**
 * PGlite is single-process: two processes writing one data directory corrupt it. A lock file
 * holding the owner's pid refuses a second opener; a lock left by a dead process is taken over.
 */
const lockedHere = new Set<string>();

function lockDataDir(dir: string): () => void {
  const lockFile = `${dir}.lock`;
  if (lockedHere.has(dir)) throw new DatabaseLockedError(dir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      lockedHere.add(dir);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        lockedHere.delete(dir);
        process.off("exit", release);
        try {
          unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
      process.on("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(lockFile, "utf8").trim());
      // Our own pid here is a leftover of an earlier process that had it (containers reuse pids).
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new DatabaseLockedError(dir, pid);
      unlinkSync(lockFile);
    }
  }
  throw new Error(`could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
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
