// Shared by the export-training and eval commands: the server's own database, and which
// organisation a command works for.
import { loadConfig, ConfigError, type Config } from "../config.ts";
import { databaseLocation, DatabaseLockedError, openDatabase, type DatabaseHandle, type Db } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { checkRoleSplit, grantApplicationRole, openOwnerDatabase } from "../db/roles.ts";
import { organizations } from "../db/schema/organizations.ts";
import { eq } from "drizzle-orm";

export async function openAppDatabase(env: NodeJS.ProcessEnv = process.env): Promise<{ handle: DatabaseHandle; config: Config } | string> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase(databaseLocation(config));
  } catch (err) {
    if (err instanceof DatabaseLockedError) return `${err.message} (stop the server, or set DATABASE_URL to a shared Postgres)`;
    throw err;
  }
  try {
    // With DATABASE_OWNER_URL the application's role may not create tables: the owner migrates (server/db/roles.ts).
    if (config.databaseOwnerUrl) {
      const owner = await openOwnerDatabase(config.databaseOwnerUrl);
      try {
        await migrateDatabase(owner);
        // As at server start: the split is checked, and tables a new migration added are granted
        // (else the CLI, first after an upgrade or on a fresh database, meets "permission denied").
        await grantApplicationRole(owner.db, await checkRoleSplit(handle.db, owner.db));
      } finally {
        await owner.close();
      }
    } else await migrateDatabase(handle);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return { handle, config };
}

/** The organisation given, or the only one; a message otherwise. */
export async function pickOrganisation(db: Db, id: string | undefined): Promise<{ orgId: string } | { error: string }> {
  if (id !== undefined) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return { error: `--org: expected an organisation id, got '${id}'` };
    const [o] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, id));
    return o ? { orgId: o.id } : { error: `no organisation ${id}` };
  }
  const all = await db.select({ id: organizations.id, name: organizations.name }).from(organizations).limit(20);
  if (all.length === 1) return { orgId: all[0]!.id };
  if (all.length === 0) return { error: "the database has no organisation yet" };
  return { error: `the database holds several organisations; choose one with --org (${all.map((o) => `${o.id} ${o.name}`).join(", ")})` };
}
