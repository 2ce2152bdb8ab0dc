// What a run writes into the migration tables. Every write is idempotent (upserts keyed by the
// object, files replaced as a set, stages rewritten whole) so that a resumed run that repeats a
// step leaves the same rows, never duplicates.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { CatalogObject } from "../catalog/model.ts";
import { migrationEvents, migrationFiles, migrationModels, migrations, type EvidenceGrade, type MigrationStage } from "../db/schema/migrations.ts";

export const STAGE_NAMES = ["assess", "plan", "execute", "test", "rebuild", "optimize"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface PersistTarget {
  db: Db;
  orgId: string;
  migrationId: string;
}

const scope = (t: PersistTarget) => and(eq(migrations.id, t.migrationId), eq(migrations.orgId, t.orgId));

export async function addEvent(t: PersistTarget, stage: string, message: string, object?: string, data: Record<string, unknown> = {}): Promise<void> {
  await t.db.insert(migrationEvents).values({ migrationId: t.migrationId, orgId: t.orgId, stage, message, data, ...(object ? { object } : {}) });
}

/** Several events in one statement (one per object of a stage). */
export async function addEvents(t: PersistTarget, events: Array<{ stage: string; message: string; object?: string; data?: Record<string, unknown> }>): Promise<void> {
  for (let i = 0; i < events.length; i += 500)
    await t.db.insert(migrationEvents).values(
      events.slice(i, i + 500).map((e) => ({ migrationId: t.migrationId, orgId: t.orgId, stage: e.stage, message: e.message, data: e.data ?? {}, ...(e.object ? { object: e.object } : {}) })),
    );
}

export async function readStages(t: PersistTarget): Promise<MigrationStage[]> {
  const [row] = await t.db.select({ stages: migrations.stages }).from(migrations).where(scope(t));
  return row?.stages ?? [];
}

/** Puts every stage in `pending` (a fresh run); stages of an earlier run are replaced. */
export async function resetStages(t: PersistTarget): Promise<void> {
  const stages: MigrationStage[] = STAGE_NAMES.map((name) => ({ name, status: "pending" }));
  await t.db.update(migrations).set({ stages, updatedAt: new Date() }).where(scope(t));
}

export async function setStage(t: PersistTarget, name: StageName, status: MigrationStage["status"], message?: string): Promise<void> {
  const stages = await readStages(t);
  const now = new Date().toISOString();
  let s = stages.find((x) => x.name === name);
  if (!s) {
    s = { name, status: "pending" };
    stages.push(s);
  }
  if (status === "running" && s.status !== "running") {
    s.startedAt = now;
    delete s.finishedAt;
  }
  if (status === "completed" || status === "failed" || status === "skipped") {
    s.startedAt ??= now;
    s.finishedAt = now;
  }
  s.status = status;
  if (message !== undefined) s.message = message;
  else delete s.message;
  stages.sort((a, b) => STAGE_NAMES.indexOf(a.name as StageName) - STAGE_NAMES.indexOf(b.name as StageName));
  await t.db.update(migrations).set({ stages, updatedAt: new Date() }).where(scope(t));
}

/** Stages still running when a run stops (failed, cancelled) are marked with how it stopped. */
export async function closeStages(t: PersistTarget, status: "failed" | "skipped", message: string): Promise<void> {
  const stages = await readStages(t);
  const now = new Date().toISOString();
  for (const s of stages)
    if (s.status === "running") {
      s.status = status;
      s.finishedAt = now;
      s.message = message;
    }
  await t.db.update(migrations).set({ stages, updatedAt: new Date() }).where(scope(t));
}

export interface ModelRow {
  sourceSchema: string;
  sourceName: string;
  sourceKind: string;
  sourceSql?: string | null;
  sourceFile?: string | null;
  sourceLine?: number | null;
  generatedSql?: string | null;
  status?: string;
  diagnostics?: unknown[];
  evidenceGrade?: EvidenceGrade | null;
  modelPath?: string | null;
  tier?: string | null;
  riskFactors?: unknown[];
  attempts?: number;
  validation?: Record<string, unknown> | null;
}

/**
 * The object's source text and where it starts in its file. Diagnostics carry the file's line
 * numbers; the object page marks them in the text, which starts at the statement's own line (its
 * parsed node's, which also holds for dacpac modules parsed with their line offset).
 */
export function sourceOf(o: CatalogObject | undefined): Pick<ModelRow, "sourceSql" | "sourceFile" | "sourceLine"> {
  if (!o?.module) return { sourceSql: null, sourceFile: null, sourceLine: null };
  const line = (o.module.ast as { loc?: { line?: unknown } } | undefined)?.loc?.line;
  return { sourceSql: o.module.text, sourceFile: o.file, sourceLine: typeof line === "number" && line >= 1 ? line : o.line };
}

/** Upserts on (migration, schema, name, kind): a resumed run updates the rows it wrote before. */
export async function upsertModels(t: PersistTarget, rows: ModelRow[]): Promise<void> {
  const BATCH = 200;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH).map((r) => ({ ...r, migrationId: t.migrationId, orgId: t.orgId }));
    // Only the columns this batch states are updated; the others keep what an earlier stage wrote.
    const keys = new Set<string>();
    for (const r of batch) for (const k of Object.keys(r)) keys.add(k);
    const set: Record<string, unknown> = { updatedAt: new Date() };
    const col: Record<string, string> = {
      sourceSql: "source_sql", sourceFile: "source_file", sourceLine: "source_line", generatedSql: "generated_sql", status: "status", diagnostics: "diagnostics", evidenceGrade: "evidence_grade",
      modelPath: "model_path", tier: "tier", riskFactors: "risk_factors", attempts: "attempts", validation: "validation",
    };
    for (const [k, c] of Object.entries(col)) if (keys.has(k)) set[k] = sql.raw(`excluded.${c}`);
    await t.db
      .insert(migrationModels)
      .values(batch)
      .onConflictDoUpdate({ target: [migrationModels.migrationId, migrationModels.sourceSchema, migrationModels.sourceName, migrationModels.sourceKind], set });
  }
}

/** Replaces the generated project (files absent from `files` are removed) in one transaction. */
export async function replaceFiles(t: PersistTarget, files: Map<string, string>): Promise<void> {
  await t.db.transaction(async (tx) => {
    await tx.delete(migrationFiles).where(and(eq(migrationFiles.migrationId, t.migrationId), eq(migrationFiles.orgId, t.orgId)));
    const rows = [...files].map(([path, content]) => ({ migrationId: t.migrationId, orgId: t.orgId, path, content }));
    for (let i = 0; i < rows.length; i += 200) await tx.insert(migrationFiles).values(rows.slice(i, i + 200));
  });
}

export async function saveReport(t: PersistTarget, report: Record<string, unknown>): Promise<void> {
  await t.db.update(migrations).set({ report, updatedAt: new Date() }).where(scope(t));
}
