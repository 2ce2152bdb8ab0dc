// An isolated, migrated database per test file.
//
//   import { withTestDb } from "../../test/support/db.ts";   // path relative to your test
//   const testDb = withTestDb();                               // registers beforeAll/afterAll
//   it("...", async () => { await someQuery(testDb.db, orgId); });
//
// With TEST_DATABASE_URL (CI: postgres://postgres@127.0.0.1:5432/test) a fresh database named
// dm_t_<random> is created through that admin connection, migrated, and dropped afterwards, so
// test files can run in parallel against one server. Without it, an in-memory PGlite is used.
// `createTestDb()` is the same without the vitest hooks, for code that manages its own lifecycle.
// KEEP_TEST_DATABASES=1 (with TEST_DATABASE_URL) names them dm_keep_<random> and keeps them, so
// that what the suite wrote can be inspected afterwards (scripts/verify-test-audit.ts).
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, type DatabaseHandle, type Db } from "../../server/db/client.ts";
import { migrateDatabase } from "../../server/db/migrate.ts";

export interface TestDb {
  handle: DatabaseHandle;
  db: Db;
  /** postgres URL of the isolated database, or undefined on PGlite. */
  url: string | undefined;
  /** Closes the connection and drops the database. Safe to call twice. */
  dispose(): Promise<void>;
}

export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  const migrate = options.migrate ?? true;
  if (!adminUrl) {
    const handle = await openDatabase({ kind: "pglite-memory" });
    if (migrate) await migrateDatabase(handle);
    let disposed = false;
    return {
      handle,
      db: handle.db,
      url: undefined,
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        await handle.close();
      },
    };
  }
  const keep = !!process.env.KEEP_TEST_DATABASES;
  const name = `${keep ? "dm_keep_" : "dm_t_"}${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: "postgres", url: url.toString() });
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await handle.close();
    if (keep) return;
    const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await a.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await a.end({ timeout: 5 });
    }
  };
  try {
    if (migrate) await migrateDatabase(handle);
  } catch (err) {
    await dispose();
    throw err;
  }
  return { handle, db: handle.db, url: url.toString(), dispose };
}

/**
 * Registers beforeAll/afterAll in the current file (or describe block) and returns an object
 * whose `db`/`handle` are valid inside tests.
 */
export function withTestDb(options: { migrate?: boolean } = {}): TestDb {
  let current: TestDb | undefined;
  const need = (): TestDb => {
    if (!current) throw new Error("withTestDb(): the database is only available inside tests (after beforeAll)");
    return current;
  };
  beforeAll(async () => {
    current = await createTestDb(options);
  });
  afterAll(async () => {
    await current?.dispose();
  });
  return {
    get handle() {
      return need().handle;
    },
    get db() {
      return need().db;
    },
    get url() {
      return need().url;
    },
    dispose: () => need().dispose(),
  };
}

/** The comment a test leaves on a database whose audit log it breaks on purpose. */
export const TAMPERED_ON_PURPOSE = "datamigrate-test: audit log tampered with on purpose";

/**
 * Marks the current database (Postgres only) as one whose audit log a test breaks on purpose, so
 * that scripts/verify-test-audit.ts expects it to fail verification instead of reporting it.
 */
export async function markTamperedOnPurpose(db: Db): Promise<void> {
  if (!process.env.TEST_DATABASE_URL) return;
  await db.execute(
    sql.raw(`do $$ begin execute format('comment on database %I is %L', current_database(), '${TAMPERED_ON_PURPOSE}'); end $$`),
  );
}
