// A migration project (one source database converted to one target) and its converted objects.
import { sql } from "drizzle-orm";
import {
  bigserial,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organizations, users } from "./organizations.ts";

export const MIGRATION_TARGETS = ["postgres", "sqlserver"] as const;

/** A migration run's lifecycle; `queued` until a worker takes the job. */
export const MIGRATION_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/** Evidence grades, best first (issue 6). */
export const EVIDENCE_GRADES = ["verified_equal", "tests_passed", "ran", "compiled", "failed"] as const;
export type EvidenceGrade = (typeof EVIDENCE_GRADES)[number];

/** One stage of a run as shown to users: assess, plan, execute, test, rebuild, optimize. */
export interface MigrationStage {
  name: string;
  status: "pending" | "running" | "completed" | "failed" | "skipped";
  startedAt?: string;
  finishedAt?: string;
  message?: string;
}

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});
export type MigrationTarget = (typeof MIGRATION_TARGETS)[number];

/** Free-form per migration; `target` is always present. Later issues add source and options. */
export interface MigrationConfig {
  target: MigrationTarget;
  [key: string]: unknown;
}

export const migrations = pgTable(
  "migrations",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    name: text().notNull(),
    status: text().$type<MigrationStatus>().notNull().default("queued"),
    config: jsonb().$type<MigrationConfig>().notNull(),
    // Stage-by-stage progress of the current or last run.
    stages: jsonb().$type<MigrationStage[]>().notNull().default([]),
    // report.json of the last completed run (server/dbt report model).
    report: jsonb().$type<Record<string, unknown>>(),
    // Why the run failed or was cancelled, for people.
    error: text(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("migrations_org_id_created_at_idx").on(t.orgId, t.createdAt)],
);

export const migrationModels = pgTable(
  "migration_models",
  {
    id: uuid().primaryKey().defaultRandom(),
    migrationId: uuid()
      .notNull()
      .references(() => migrations.id, { onDelete: "cascade" }),
    // Denormalised from the migration so that every tenant row can be scoped without a join.
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    sourceSchema: text().notNull(),
    sourceName: text().notNull(),
    sourceKind: text().notNull(),
    sourceSql: text(),
    // Where sourceSql starts in its source file (the diagnostics' lines are the file's lines).
    sourceFile: text(),
    sourceLine: integer(),
    generatedSql: text(),
    status: text().notNull().default("pending"),
    diagnostics: jsonb().$type<unknown[]>().notNull().default([]),
    evidenceGrade: text().$type<EvidenceGrade>(),
    // Path of the generated model inside the dbt project (models/...sql), when there is one.
    modelPath: text(),
    // Complexity tier from the assess stage: SIMPLE | MEDIUM | COMPLEX | CRITICAL.
    tier: text(),
    riskFactors: jsonb().$type<unknown[]>().notNull().default([]),
    // Rebuild attempts made by a model for this object.
    attempts: integer().notNull().default(0),
    // Validation evidence: tests with failing-row samples, errors mapped to lines, parity results.
    validation: jsonb().$type<Record<string, unknown>>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("migration_models_migration_id_idx").on(t.migrationId),
    index("migration_models_org_id_idx").on(t.orgId),
    // One row per source object per migration, so that a resumed run upserts instead of duplicating.
    uniqueIndex("migration_models_object_uq").on(t.migrationId, t.sourceSchema, t.sourceName, t.sourceKind),
  ],
);

/** Uploaded source files (.sql, .zip, .dacpac) of a migration, stored in the database. */
export const migrationSources = pgTable(
  "migration_sources",
  {
    id: uuid().primaryKey().defaultRandom(),
    migrationId: uuid()
      .notNull()
      .references(() => migrations.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    filename: text().notNull(),
    content: bytea().notNull(),
    size: integer().notNull(),
    sha256: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("migration_sources_migration_id_idx").on(t.migrationId)],
);

/** The generated dbt project of a migration, file by file (path relative to the project root). */
export const migrationFiles = pgTable(
  "migration_files",
  {
    migrationId: uuid()
      .notNull()
      .references(() => migrations.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    path: text().notNull(),
    content: text().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.migrationId, t.path] })],
);

/** Progress events of a run, in order, for streaming to the UI (SSE) and for the migration page. */
export const migrationEvents = pgTable(
  "migration_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    migrationId: uuid()
      .notNull()
      .references(() => migrations.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    stage: text().notNull(),
    // Object key "schema.name" when the event is about one object.
    object: text(),
    message: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [index("migration_events_migration_id_id_idx").on(t.migrationId, t.id)],
);

/** A per-object re-run's kind: translate again, validate again, or both (rebuild). */
export const OBJECT_RERUN_KINDS = ["translate", "validate", "rebuild"] as const;
export type ObjectRerunKind = (typeof OBJECT_RERUN_KINDS)[number];
export const OBJECT_RERUN_STATUSES = ["queued", "running", "completed", "failed"] as const;
export type ObjectRerunStatus = (typeof OBJECT_RERUN_STATUSES)[number];

/** The object's result as a re-run saw it before and left it after (the history shown on the object page). */
export interface ObjectResultSnapshot {
  status: string;
  evidenceGrade: string | null;
  errors: number;
  warnings: number;
  modelPath: string | null;
  /** sha256 of the generated SQL (null: none), so that a change is visible without storing the text twice. */
  generatedSqlHash: string | null;
}

/**
 * Re-runs of one object of a finished migration run (server/jobs/rerun.ts), oldest first: the
 * request, its state on the job queue, and the object's result before and after. At most one is
 * queued or running per migration (a partial unique index): the run's report and files are
 * rewritten by each, so two at once could lose an update.
 */
export const migrationObjectRuns = pgTable(
  "migration_object_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    migrationId: uuid()
      .notNull()
      .references(() => migrations.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    modelId: uuid()
      .notNull()
      .references(() => migrationModels.id, { onDelete: "cascade" }),
    kind: text().$type<ObjectRerunKind>().notNull(),
    status: text().$type<ObjectRerunStatus>().notNull().default("queued"),
    requestedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    before: jsonb().$type<ObjectResultSnapshot>(),
    after: jsonb().$type<ObjectResultSnapshot>(),
    // What was done (steps, timings, notes); why it failed, for people.
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    error: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    // The heartbeat of the worker running it.
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("migration_object_runs_model_id_idx").on(t.modelId, t.createdAt),
    uniqueIndex("migration_object_runs_active_uq")
      .on(t.migrationId)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
);

export type Migration = typeof migrations.$inferSelect;
export type MigrationModel = typeof migrationModels.$inferSelect;
export type MigrationSource = typeof migrationSources.$inferSelect;
export type MigrationFile = typeof migrationFiles.$inferSelect;
export type MigrationEvent = typeof migrationEvents.$inferSelect;
export type MigrationObjectRun = typeof migrationObjectRuns.$inferSelect;
