// The converted objects of a migration, always within one organisation.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { migrationModels, type MigrationModel } from "../schema/migrations.ts";
import { fineTuningData, type FineTuningExample } from "../schema/finetune.ts";
import { getMigration } from "./migrations.ts";

export type NewMigrationModel = Pick<MigrationModel, "sourceSchema" | "sourceName" | "sourceKind"> &
  Partial<Pick<MigrationModel, "sourceSql" | "generatedSql" | "status" | "diagnostics" | "evidenceGrade">>;

/** Adds objects to a migration of the organisation; undefined when the migration is not theirs. */
export async function addMigrationModels(
  db: Db,
  orgId: string,
  migrationId: string,
  models: NewMigrationModel[],
): Promise<MigrationModel[] | undefined> {
  if (!(await getMigration(db, orgId, migrationId))) return undefined;
  if (models.length === 0) return [];
  return db
    .insert(migrationModels)
    .values(models.map((m) => ({ ...m, orgId, migrationId })))
    .returning();
}

export async function listMigrationModels(db: Db, orgId: string, migrationId: string): Promise<MigrationModel[]> {
  return db
    .select()
    .from(migrationModels)
    .where(and(eq(migrationModels.orgId, orgId), eq(migrationModels.migrationId, migrationId)))
    .orderBy(asc(migrationModels.sourceSchema), asc(migrationModels.sourceName), asc(migrationModels.id));
}

export async function recordFineTuningExample(
  db: Db,
  orgId: string,
  example: Pick<FineTuningExample, "taskType" | "input" | "output"> & { score?: number | null },
): Promise<FineTuningExample> {
  const [row] = await db.insert(fineTuningData).values({ ...example, orgId }).returning();
  return row!;
}

export async function listFineTuningExamples(db: Db, orgId: string, taskType?: string): Promise<FineTuningExample[]> {
  const where = taskType
    ? and(eq(fineTuningData.orgId, orgId), eq(fineTuningData.taskType, taskType))
    : eq(fineTuningData.orgId, orgId);
  return db.select().from(fineTuningData).where(where).orderBy(asc(fineTuningData.createdAt), asc(fineTuningData.id));
}

/** What the migration page and GET /migrations/:id show per object (no SQL text). */
export async function listMigrationObjects(db: Db, orgId: string, migrationId: string) {
  return db
    .select({
      id: migrationModels.id,
      schema: migrationModels.sourceSchema,
      name: migrationModels.sourceName,
      kind: migrationModels.sourceKind,
      status: migrationModels.status,
      evidence: migrationModels.evidenceGrade,
      tier: migrationModels.tier,
      modelPath: migrationModels.modelPath,
      attempts: migrationModels.attempts,
      diagnostics: migrationModels.diagnostics,
    })
    .from(migrationModels)
    .where(and(eq(migrationModels.orgId, orgId), eq(migrationModels.migrationId, migrationId)))
    .orderBy(asc(migrationModels.sourceSchema), asc(migrationModels.sourceName), asc(migrationModels.sourceKind));
}
