// Read-only queries behind the browser pages: a dashboard page with per-migration counts, an
// object list without the large SQL columns, one object, the generated files, progress events.
// Every query is scoped by organisation: another tenant's ids find nothing.
import { and, asc, count, desc, eq, gt, ilike, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client.ts";
import {
  migrationEvents,
  migrationFiles,
  migrationModels,
  migrations,
  migrationSources,
  type Migration,
  type MigrationEvent,
  type MigrationModel,
} from "../schema/migrations.ts";
import { MIGRATION_STATUSES, type MigrationStatus } from "../schema/migrations.ts";

export interface MigrationCounts {
  objects: number;
  /** evidence grade (or "none" when not graded yet) → count */
  grades: Record<string, number>;
  /** object status → count */
  statuses: Record<string, number>;
}

export interface MigrationListItem {
  migration: Migration;
  counts: MigrationCounts;
}

/** Escapes LIKE wildcards so that a search for "50%" finds "50%", not everything. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

const FINISHED = new Set<string>(["completed", "failed", "cancelled"]);
const finishedCounts = new Map<string, MigrationCounts>();
function rememberCounts(key: string, c: MigrationCounts) {
  finishedCounts.set(key, c);
  if (finishedCounts.size > 5000) finishedCounts.delete(finishedCounts.keys().next().value!);
}

export async function searchMigrations(
  db: Db,
  orgId: string,
  opts: { q?: string; status?: MigrationStatus; limit: number; offset: number },
): Promise<{ items: MigrationListItem[]; total: number }> {
  const conds: SQL[] = [eq(migrations.orgId, orgId)];
  if (opts.q) conds.push(ilike(migrations.name, likePattern(opts.q)));
  if (opts.status && (MIGRATION_STATUSES as readonly string[]).includes(opts.status)) conds.push(eq(migrations.status, opts.status));
  const where = and(...conds);
  const [rows, [total]] = await Promise.all([
    db.select().from(migrations).where(where).orderBy(desc(migrations.createdAt), desc(migrations.id)).limit(opts.limit).offset(opts.offset),
    db.select({ n: count() }).from(migrations).where(where),
  ]);
  // A finished migration's objects no longer change: its counts are kept (keyed by its last update).
  const key = (m: Migration) => `${m.id}:${m.updatedAt.getTime()}`;
  const missing = rows.filter((m) => !(FINISHED.has(m.status) && finishedCounts.has(key(m))));
  const counts = await countObjects(db, orgId, missing.map((r) => r.id));
  for (const m of rows) {
    if (!FINISHED.has(m.status)) continue;
    const k = key(m);
    if (counts.has(m.id)) rememberCounts(k, counts.get(m.id)!);
    else if (finishedCounts.has(k)) counts.set(m.id, finishedCounts.get(k)!);
    else rememberCounts(k, { objects: 0, grades: {}, statuses: {} });
  }
  return {
    items: rows.map((m) => ({ migration: m, counts: counts.get(m.id) ?? { objects: 0, grades: {}, statuses: {} } })),
    total: Number(total?.n ?? 0),
  };
}

/** Object counts per migration, by evidence grade and by status (one grouped query). */
export async function countObjects(db: Db, orgId: string, migrationIds: string[]): Promise<Map<string, MigrationCounts>> {
  const out = new Map<string, MigrationCounts>();
  if (!migrationIds.length) return out;
  const rows = await db
    .select({
      migrationId: migrationModels.migrationId,
      grade: migrationModels.evidenceGrade,
      status: migrationModels.status,
      n: count(),
    })
    .from(migrationModels)
    .where(and(eq(migrationModels.orgId, orgId), inArray(migrationModels.migrationId, migrationIds)))
    .groupBy(migrationModels.migrationId, migrationModels.evidenceGrade, migrationModels.status);
  for (const r of rows) {
    const c = out.get(r.migrationId) ?? { objects: 0, grades: {}, statuses: {} };
    const n = Number(r.n);
    c.objects += n;
    const g = r.grade ?? "none";
    c.grades[g] = (c.grades[g] ?? 0) + n;
    c.statuses[r.status] = (c.statuses[r.status] ?? 0) + n;
    out.set(r.migrationId, c);
  }
  return out;
}

/** An object row without its SQL texts and validation (the list pages never show them). */
export type MigrationModelSummary = Omit<MigrationModel, "sourceSql" | "sourceFile" | "sourceLine" | "generatedSql" | "validation">;

const summaryColumns = {
  id: migrationModels.id,
  migrationId: migrationModels.migrationId,
  orgId: migrationModels.orgId,
  sourceSchema: migrationModels.sourceSchema,
  sourceName: migrationModels.sourceName,
  sourceKind: migrationModels.sourceKind,
  status: migrationModels.status,
  diagnostics: migrationModels.diagnostics,
  evidenceGrade: migrationModels.evidenceGrade,
  modelPath: migrationModels.modelPath,
  tier: migrationModels.tier,
  riskFactors: migrationModels.riskFactors,
  attempts: migrationModels.attempts,
  createdAt: migrationModels.createdAt,
  updatedAt: migrationModels.updatedAt,
};

export async function listModelSummaries(db: Db, orgId: string, migrationId: string): Promise<MigrationModelSummary[]> {
  return db
    .select(summaryColumns)
    .from(migrationModels)
    .where(and(eq(migrationModels.orgId, orgId), eq(migrationModels.migrationId, migrationId)))
    .orderBy(asc(migrationModels.sourceSchema), asc(migrationModels.sourceName), asc(migrationModels.sourceKind));
}

export async function getMigrationModel(db: Db, orgId: string, migrationId: string, modelId: string): Promise<MigrationModel | undefined> {
  const [row] = await db
    .select()
    .from(migrationModels)
    .where(and(eq(migrationModels.orgId, orgId), eq(migrationModels.migrationId, migrationId), eq(migrationModels.id, modelId)))
    .limit(1);
  return row;
}

export async function listMigrationFiles(db: Db, orgId: string, migrationId: string): Promise<Array<{ path: string; content: string }>> {
  return db
    .select({ path: migrationFiles.path, content: migrationFiles.content })
    .from(migrationFiles)
    .where(and(eq(migrationFiles.orgId, orgId), eq(migrationFiles.migrationId, migrationId)))
    .orderBy(asc(migrationFiles.path));
}

/** Paths (and sizes) only: for the downloads page. */
export async function listMigrationFilePaths(db: Db, orgId: string, migrationId: string): Promise<Array<{ path: string; size: number }>> {
  return db
    .select({ path: migrationFiles.path, size: sql<number>`octet_length(${migrationFiles.content})::int` })
    .from(migrationFiles)
    .where(and(eq(migrationFiles.orgId, orgId), eq(migrationFiles.migrationId, migrationId)))
    .orderBy(asc(migrationFiles.path));
}

/** The yml files of the project (they describe models: columns, tests). */
export async function listMigrationYamlFiles(db: Db, orgId: string, migrationId: string): Promise<Array<{ path: string; content: string }>> {
  return db
    .select({ path: migrationFiles.path, content: migrationFiles.content })
    .from(migrationFiles)
    .where(and(eq(migrationFiles.orgId, orgId), eq(migrationFiles.migrationId, migrationId), sql`${migrationFiles.path} ~ '\\.ya?ml$'`))
    .orderBy(asc(migrationFiles.path));
}

export async function listSourceFileNames(db: Db, orgId: string, migrationId: string): Promise<Array<{ filename: string; size: number }>> {
  return db
    .select({ filename: migrationSources.filename, size: migrationSources.size })
    .from(migrationSources)
    .where(and(eq(migrationSources.orgId, orgId), eq(migrationSources.migrationId, migrationId)))
    .orderBy(asc(migrationSources.filename));
}

/** The latest `limit` events, oldest first. */
export async function listRecentEvents(db: Db, orgId: string, migrationId: string, limit: number, afterId = 0): Promise<MigrationEvent[]> {
  const rows = await db
    .select()
    .from(migrationEvents)
    .where(and(eq(migrationEvents.orgId, orgId), eq(migrationEvents.migrationId, migrationId), gt(migrationEvents.id, afterId)))
    .orderBy(desc(migrationEvents.id))
    .limit(limit);
  return rows.reverse();
}

/** Changes whenever the project files or the objects' grades change (cache key of derived drawings). */
export async function projectStamp(db: Db, orgId: string, migrationId: string): Promise<string> {
  const [files] = await db
    .select({ n: count(), at: sql<string | null>`max(${migrationFiles.updatedAt})::text` })
    .from(migrationFiles)
    .where(and(eq(migrationFiles.orgId, orgId), eq(migrationFiles.migrationId, migrationId)));
  const [models] = await db
    .select({ n: count(), at: sql<string | null>`max(${migrationModels.updatedAt})::text` })
    .from(migrationModels)
    .where(and(eq(migrationModels.orgId, orgId), eq(migrationModels.migrationId, migrationId)));
  return `${migrationId}:${files?.n}:${files?.at}:${models?.n}:${models?.at}`;
}

/** The models/**.sql files of the project (the lineage reads their ref()/source() calls). */
export async function listModelSqlFiles(db: Db, orgId: string, migrationId: string): Promise<Array<{ path: string; content: string }>> {
  return db
    .select({ path: migrationFiles.path, content: migrationFiles.content })
    .from(migrationFiles)
    .where(and(eq(migrationFiles.orgId, orgId), eq(migrationFiles.migrationId, migrationId), sql`${migrationFiles.path} like 'models/%.sql'`))
    .orderBy(asc(migrationFiles.path));
}

/** One page of a migration's objects (filtered by name/kind text and evidence grade; "none" = not graded). */
export async function pageModelSummaries(
  db: Db,
  orgId: string,
  migrationId: string,
  opts: { q?: string; grade?: string; limit: number; offset: number },
): Promise<{ items: MigrationModelSummary[]; total: number }> {
  const conds: SQL[] = [eq(migrationModels.orgId, orgId), eq(migrationModels.migrationId, migrationId)];
  if (opts.q) conds.push(sql`(${migrationModels.sourceSchema} || '.' || ${migrationModels.sourceName} || ' ' || ${migrationModels.sourceKind}) ilike ${likePattern(opts.q)}`);
  if (opts.grade === "none") conds.push(sql`${migrationModels.evidenceGrade} is null`);
  else if (opts.grade) conds.push(eq(migrationModels.evidenceGrade, opts.grade as MigrationModel["evidenceGrade"] & string));
  const where = and(...conds);
  const [items, [total]] = await Promise.all([
    db
      .select(summaryColumns)
      .from(migrationModels)
      .where(where)
      .orderBy(asc(migrationModels.sourceSchema), asc(migrationModels.sourceName), asc(migrationModels.sourceKind))
      .limit(opts.limit)
      .offset(opts.offset),
    db.select({ n: count() }).from(migrationModels).where(where),
  ]);
  return { items, total: Number(total?.n ?? 0) };
}
