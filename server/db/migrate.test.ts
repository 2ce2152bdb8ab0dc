import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withTestDb } from "../../test/support/db.ts";
import { queryRows } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";
import { createMigration, createOrganizationWithAdmin, listMigrations } from "./queries/index.ts";

describe("migrations", () => {
  const t = withTestDb({ migrate: false });

  async function tableNames(): Promise<string[]> {
    const rows = await queryRows<{ table_name: string }>(
      t.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    return rows.map((r) => r.table_name);
  }

  async function appliedCount(): Promise<number> {
    const [row] = await queryRows<{ n: number }>(t.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return row!.n;
  }

  it("creates every table of the schema", async () => {
    await migrateDatabase(t.handle);
    // Later issues add tables; these are the ones the foundation and migration runs rely on.
    expect(await tableNames()).toEqual(
      expect.arrayContaining([
        "api_keys",
        "audit_logs",
        "fine_tuning_data",
        "migration_events",
        "migration_files",
        "migration_models",
        "migration_sources",
        "migrations",
        "organizations",
        "sessions",
        "users",
      ]),
    );
  });

  it("is a no-op when applied again, and keeps the data", async () => {
    const { organization, user } = await createOrganizationWithAdmin(t.db, {
      organizationName: "Acme",
      email: "a@example.com",
      passwordHash: "x",
    });
    await createMigration(t.db, organization.id, { userId: user.id, name: "m1", config: { target: "postgres" } });
    const before = await appliedCount();
    await migrateDatabase(t.handle);
    await migrateDatabase(t.handle);
    expect(await appliedCount()).toBe(before);
    expect(before).toBeGreaterThan(0);
    const page = await listMigrations(t.db, organization.id, { limit: 10, offset: 0 });
    expect(page.items.map((m) => m.name)).toEqual(["m1"]);
  });

  it("rejects a role outside admin | member at the database level", async () => {
    const { organization } = await createOrganizationWithAdmin(t.db, {
      organizationName: "Roles",
      email: "r@example.com",
      passwordHash: "x",
    });
    await expect(
      t.db.execute(
        sql`insert into users (email, password_hash, org_id, role) values ('x@example.com', 'x', ${organization.id}, 'owner')`,
      ),
    ).rejects.toThrow();
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("several servers starting at once on one Postgres", () => {
  it("migrate a fresh database exactly once, without errors", async () => {
    const { createTestDb } = await import("../../test/support/db.ts");
    const { openDatabase } = await import("./client.ts");
    const fresh = await createTestDb({ migrate: false });
    const others = await Promise.all([1, 2, 3].map(() => openDatabase({ kind: "postgres", url: fresh.url! })));
    try {
      await Promise.all([fresh.handle, ...others].map((h) => migrateDatabase(h)));
      const [row] = await queryRows<{ n: number }>(fresh.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      const { readdirSync } = await import("node:fs");
      const { MIGRATIONS_FOLDER } = await import("./migrate.ts");
      expect(row!.n).toBe(readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith(".sql")).length);
    } finally {
      for (const h of others) await h.close();
      await fresh.dispose();
    }
  });
});

describe("the embedded database directory", () => {
  it("cannot be opened twice at once, and can be reopened after close with its data", async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { openDatabase, DatabaseLockedError } = await import("./client.ts");
    const root = mkdtempSync(path.join(tmpdir(), "dm-lock-"));
    const dataDir = path.join(root, "pglite");
    try {
      const first = await openDatabase({ kind: "pglite", dataDir });
      await migrateDatabase(first);
      await createOrganizationWithAdmin(first.db, { organizationName: "Kept", email: "kept@example.com", passwordHash: "x" });
      await expect(openDatabase({ kind: "pglite", dataDir })).rejects.toBeInstanceOf(DatabaseLockedError);
      await first.close();
      // A lock left behind by a process that no longer exists does not block.
      writeFileSync(`${dataDir}.lock`, "999999");
      const second = await openDatabase({ kind: "pglite", dataDir });
      await migrateDatabase(second);
      const rows = await queryRows<{ name: string }>(second.db, sql`select name from organizations`);
      expect(rows.map((r) => r.name)).toEqual(["Kept"]);
      await second.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
