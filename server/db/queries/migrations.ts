// Migration projects, always within one organisation.
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { migrations, type Migration, type MigrationConfig } from "../schema/migrations.ts";

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
