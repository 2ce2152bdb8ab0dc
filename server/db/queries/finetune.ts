// Fine-tuning data, anonymisation mappings, settings, model uploads and evaluations; always within
// one organisation. recordFineTuningExample / listFineTuningExamples live in migration-models.ts
// (older callers) and are re-exported here.
import { and, asc, desc, eq, gte, inArray, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import {
  fineTuningData,
  fineTuningMappings,
  fineTuningSettings,
  modelEvaluations,
  modelUploads,
  type FineTuningExample,
  type FineTuningSplit,
  type ModelEvaluation,
  type ModelUpload,
  type ModelUploadKind,
} from "../schema/finetune.ts";
import { migrationModels, migrations, type MigrationModel } from "../schema/migrations.ts";

export { recordFineTuningExample, listFineTuningExamples } from "./migration-models.ts";

export const DEFAULT_MIN_SCORE = 0.8;
export const DEFAULT_EVAL_PERCENT = 10;

export interface FineTuningSettings {
  minScore: number;
  evalPercent: number;
}

export async function getFineTuningSettings(db: Db, orgId: string): Promise<FineTuningSettings> {
  const [row] = await db.select().from(fineTuningSettings).where(eq(fineTuningSettings.orgId, orgId)).limit(1);
  return { minScore: row?.minScore ?? DEFAULT_MIN_SCORE, evalPercent: row?.evalPercent ?? DEFAULT_EVAL_PERCENT };
}

export async function setFineTuningSettings(db: Db, orgId: string, s: Partial<FineTuningSettings>): Promise<FineTuningSettings> {
  const current = await getFineTuningSettings(db, orgId);
  const next = { ...current, ...s };
  await db
    .insert(fineTuningSettings)
    .values({ orgId, ...next })
    .onConflictDoUpdate({ target: fineTuningSettings.orgId, set: { ...next, updatedAt: new Date() } });
  return next;
}

/** Objects of the organisation that reached tests_passed or better, with their migration's target. */
export async function listGradedObjects(
  db: Db,
  orgId: string,
  opts: { migrationId?: string } = {},
): Promise<Array<MigrationModel & { target: string }>> {
  const where = [
    eq(migrationModels.orgId, orgId),
    inArray(migrationModels.evidenceGrade, ["tests_passed", "verified_equal"]),
    isNotNull(migrationModels.sourceSql),
    isNotNull(migrationModels.generatedSql),
  ];
  if (opts.migrationId) where.push(eq(migrationModels.migrationId, opts.migrationId));
  const rows = await db
    .select({ m: migrationModels, target: sql<string>`${migrations.config}->>'target'` })
    .from(migrationModels)
    .innerJoin(migrations, and(eq(migrations.id, migrationModels.migrationId), eq(migrations.orgId, orgId)))
    .where(and(...where))
    .orderBy(asc(migrationModels.migrationId), asc(migrationModels.sourceSchema), asc(migrationModels.sourceName), asc(migrationModels.id));
  return rows.map((r) => ({ ...r.m, target: r.target ?? "postgres" }));
}

/** Every object name of a migration (the anonymiser replaces them even where they read like keywords). */
export async function listMigrationObjectNames(db: Db, orgId: string, migrationId: string): Promise<string[]> {
  const rows = await db
    .select({ s: migrationModels.sourceSchema, n: migrationModels.sourceName })
    .from(migrationModels)
    .where(and(eq(migrationModels.orgId, orgId), eq(migrationModels.migrationId, migrationId)));
  return rows.flatMap((r) => [r.s, r.n]);
}

export interface MappingRow {
  kind: "identifier" | "variable" | "literal";
  original: string;
  replacement: string;
}

export async function loadMapping(db: Db, orgId: string, migrationId: string): Promise<MappingRow[]> {
  const rows = await db
    .select({ kind: fineTuningMappings.kind, original: fineTuningMappings.original, replacement: fineTuningMappings.replacement })
    .from(fineTuningMappings)
    .where(and(eq(fineTuningMappings.orgId, orgId), eq(fineTuningMappings.migrationId, migrationId)));
  return rows as MappingRow[];
}

export async function saveMapping(db: Db, orgId: string, migrationId: string, entries: MappingRow[]): Promise<void> {
  // Chunked: one insert with thousands of rows would exceed the bind parameter limit.
  for (let i = 0; i < entries.length; i += 1000) {
    await db
      .insert(fineTuningMappings)
      .values(entries.slice(i, i + 1000).map((e) => ({ ...e, orgId, migrationId })))
      .onConflictDoNothing();
  }
}

export interface NewExample {
  taskType: string;
  input: string;
  output: string;
  score: number;
  migrationId: string;
  migrationModelId: string;
  contentHash: string;
  split: FineTuningSplit;
}

/** Inserts the examples whose hash the organisation does not have yet; returns how many were new. */
export async function insertExamples(db: Db, orgId: string, examples: NewExample[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < examples.length; i += 500) {
    const rows = await db
      .insert(fineTuningData)
      .values(examples.slice(i, i + 500).map((e) => ({ ...e, orgId })))
      .onConflictDoNothing()
      .returning({ id: fineTuningData.id });
    added += rows.length;
  }
  return added;
}

export async function listExamplesForExport(
  db: Db,
  orgId: string,
  opts: { minScore: number; split?: FineTuningSplit },
): Promise<FineTuningExample[]> {
  const where = [eq(fineTuningData.orgId, orgId), gte(fineTuningData.score, opts.minScore)];
  if (opts.split) where.push(eq(fineTuningData.split, opts.split));
  return db
    .select()
    .from(fineTuningData)
    .where(and(...where))
    .orderBy(asc(fineTuningData.createdAt), asc(fineTuningData.id));
}

export async function countExamples(db: Db, orgId: string): Promise<{ train: number; eval: number; other: number }> {
  const rows = await db
    .select({ split: fineTuningData.split, n: sql<number>`count(*)::int` })
    .from(fineTuningData)
    .where(eq(fineTuningData.orgId, orgId))
    .groupBy(fineTuningData.split);
  const out = { train: 0, eval: 0, other: 0 };
  for (const r of rows) {
    if (r.split === "train") out.train = r.n;
    else if (r.split === "eval") out.eval = r.n;
    else out.other += r.n;
  }
  return out;
}

/** The eval split with each example's original object (evaluation runs on the server, on the originals). */
export async function listEvalObjects(db: Db, orgId: string): Promise<Array<{ example: FineTuningExample; object: MigrationModel }>> {
  const rows = await db
    .select({ example: fineTuningData, object: migrationModels })
    .from(fineTuningData)
    .innerJoin(migrationModels, and(eq(migrationModels.id, fineTuningData.migrationModelId), eq(migrationModels.orgId, orgId)))
    .where(and(eq(fineTuningData.orgId, orgId), eq(fineTuningData.split, "eval")))
    .orderBy(asc(fineTuningData.createdAt), asc(fineTuningData.id));
  return rows;
}

// --- model uploads ------------------------------------------------------------------------------

export async function createModelUpload(
  db: Db,
  orgId: string,
  input: { userId: string | null; kind: ModelUploadKind; filename: string; size: number },
): Promise<ModelUpload> {
  const [row] = await db.insert(modelUploads).values({ ...input, orgId }).returning();
  return row!;
}

export async function getModelUpload(db: Db, orgId: string, id: string): Promise<ModelUpload | undefined> {
  const [row] = await db
    .select()
    .from(modelUploads)
    .where(and(eq(modelUploads.orgId, orgId), eq(modelUploads.id, id)))
    .limit(1);
  return row;
}

export async function updateModelUpload(
  db: Db,
  orgId: string,
  id: string,
  patch: Partial<Pick<ModelUpload, "received" | "digest" | "status" | "error">>,
): Promise<void> {
  await db
    .update(modelUploads)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(modelUploads.orgId, orgId), eq(modelUploads.id, id)));
}

export async function deleteModelUpload(db: Db, orgId: string, id: string): Promise<void> {
  await db.delete(modelUploads).where(and(eq(modelUploads.orgId, orgId), eq(modelUploads.id, id)));
}

export async function listModelUploads(db: Db, orgId: string): Promise<ModelUpload[]> {
  return db.select().from(modelUploads).where(eq(modelUploads.orgId, orgId)).orderBy(desc(modelUploads.createdAt), desc(modelUploads.id));
}

/** Uploads of every organisation not touched since `before` and not complete (cleanup of abandoned ones). */
export async function listStaleUploads(db: Db, before: Date): Promise<ModelUpload[]> {
  return db
    .select()
    .from(modelUploads)
    .where(and(sql`${modelUploads.status} <> 'complete'`, sql`${modelUploads.updatedAt} < ${before.toISOString()}`));
}

// --- evaluations --------------------------------------------------------------------------------

export async function recordEvaluation(
  db: Db,
  orgId: string,
  e: Omit<ModelEvaluation, "id" | "orgId" | "createdAt">,
): Promise<ModelEvaluation> {
  const [row] = await db.insert(modelEvaluations).values({ ...e, orgId }).returning();
  return row!;
}

/** The latest evaluation of each model of the organisation. */
export async function latestEvaluations(db: Db, orgId: string): Promise<Map<string, ModelEvaluation>> {
  const rows = await db.select().from(modelEvaluations).where(eq(modelEvaluations.orgId, orgId)).orderBy(desc(modelEvaluations.createdAt));
  const out = new Map<string, ModelEvaluation>();
  for (const r of rows) if (!out.has(r.model)) out.set(r.model, r);
  return out;
}
