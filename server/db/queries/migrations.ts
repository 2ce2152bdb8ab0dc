// Migration projects, always within one organisation.
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { migrationEvents, migrations, migrationSources, type Migration, type MigrationConfig, type MigrationEvent } from "../schema/migrations.ts";

export async function createMigration(
  db: Db,
  orgId: string,
  input: { userId: string | null; name: string; config: MigrationConfig },
): Promise<Migration> {
  const [row] = await db.insert(migrations).values({ orgId, userId: input.userId, name: input.name, config: input.config }).returning();
  return row!;
}

export async function getMigration(db: Db, orgId: string, id: string): Promise<Migration | undefined> {
  const [row] = await db
    .select()
    .from(migrations)
    .where(and(eq(migrations.orgId, orgId), eq(migrations.id, id)))
    .limit(1);
  return row;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export async function listMigrations(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<Page<Migration>> {
  const items = await db
    .select()
    .from(migrations)
    .where(eq(migrations.orgId, orgId))
    .orderBy(desc(migrations.createdAt), desc(migrations.id))
    .limit(page.limit)
    .offset(page.offset);
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(migrations).where(eq(migrations.orgId, orgId));
  return { items, total: count?.n ?? 0, limit: page.limit, offset: page.offset };
}

/** The stored source files of a migration, without their content. */
export async function listMigrationSources(
  db: Db,
  orgId: string,
  migrationId: string,
): Promise<{ filename: string; size: number; sha256: string; createdAt: Date }[]> {
  return db
    .select({ filename: migrationSources.filename, size: migrationSources.size, sha256: migrationSources.sha256, createdAt: migrationSources.createdAt })
    .from(migrationSources)
    .where(and(eq(migrationSources.orgId, orgId), eq(migrationSources.migrationId, migrationId)))
    .orderBy(asc(migrationSources.createdAt), asc(migrationSources.filename));
}

/** Progress events after an id (exclusive), oldest first: what an SSE stream sends next. */
export async function listMigrationEvents(
  db: Db,
  orgId: string,
  migrationId: string,
  page: { afterId: number; limit: number },
): Promise<MigrationEvent[]> {
  return db
    .select()
    .from(migrationEvents)
    .where(and(eq(migrationEvents.orgId, orgId), eq(migrationEvents.migrationId, migrationId), gt(migrationEvents.id, page.afterId)))
    .orderBy(asc(migrationEvents.id))
    .limit(page.limit);
}
