// Applies the committed SQL migrations in migrations/. drizzle records applied migrations in
// drizzle.__drizzle_migrations, so running this on an up-to-date database changes nothing.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { DatabaseHandle } from "./client.ts";

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");

// Any constant shared by every DataMigrate process; "DMIG" in ASCII.
const MIGRATION_LOCK_KEY = 0x444d4947;

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (handle.raw.kind === "pglite") {
    // PGlite is single-process (see the data-directory lock in client.ts): nobody to race with.
    await migratePglite(handle.raw.db, config);
    return;
  }
  // Several servers may start at once against one Postgres: the first migrates, the others wait
  // on the advisory lock and then find nothing left to do.
  const lock = await handle.raw.db.$client.reserve();
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(handle.raw.db, config);
    } finally {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    lock.release();
  }
}
