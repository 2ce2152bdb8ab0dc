// Applies the committed SQL migrations in migrations/. drizzle records applied migrations in
// drizzle.__drizzle_migrations, so running this on an up-to-date database changes nothing.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { DatabaseHandle } from "./client.ts";

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (handle.raw.kind === "postgres") await migratePostgres(handle.raw.db, config);
  else await migratePglite(handle.raw.db, config);
}
