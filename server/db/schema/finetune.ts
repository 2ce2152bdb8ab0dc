// Fine-tuning (issue 10): anonymised training examples per organisation, the anonymisation mapping
// (server side only, never exported), per-organisation settings, uploaded model files for offline
// loading into Ollama, and evaluation results of registered models.
import { sql } from "drizzle-orm";
import {
  bigint,
  doublePrecision,
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
import { migrationModels, migrations } from "./migrations.ts";
import { organizations, users } from "./organizations.ts";

export const FINE_TUNING_TASKS = ["view_translation", "procedure_to_models", "function_translation", "repair_failed_model", "object_translation"] as const;
export type FineTuningTask = (typeof FINE_TUNING_TASKS)[number];

export const FINE_TUNING_SPLITS = ["train", "eval"] as const;
export type FineTuningSplit = (typeof FINE_TUNING_SPLITS)[number];

export const fineTuningData = pgTable(
  "fine_tuning_data",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    taskType: text().notNull(),
    // Anonymised texts: what an export contains. The originals stay in migration_models.
    input: text().notNull(),
    output: text().notNull(),
    score: doublePrecision(),
    // Where the example came from (null for examples recorded by hand or by older code).
    migrationId: uuid().references(() => migrations.id, { onDelete: "cascade" }),
    migrationModelId: uuid().references(() => migrationModels.id, { onDelete: "cascade" }),
    // sha256 of the normalised anonymised input+output: the de-duplication key within an organisation.
    contentHash: text(),
    // Chosen per migration, so that one migration's objects never sit on both sides.
    split: text().$type<FineTuningSplit>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("fine_tuning_data_org_id_idx").on(t.orgId),
    uniqueIndex("fine_tuning_data_org_hash_uq").on(t.orgId, t.contentHash),
  ],
);

/**
 * Original → replacement per migration, so that one name gets one replacement in every example of
 * the migration. Never leaves the server: no API or export reads this table.
 */
export const fineTuningMappings = pgTable(
  "fine_tuning_mappings",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    migrationId: uuid()
      .notNull()
      .references(() => migrations.id, { onDelete: "cascade" }),
    // identifier | variable | literal (literals include the personal-data masks)
    kind: text().notNull(),
    original: text().notNull(),
    replacement: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.migrationId, t.kind, t.original] }), index("fine_tuning_mappings_org_id_idx").on(t.orgId)],
);

/** Per-organisation fine-tuning settings; absent row = defaults. */
export const fineTuningSettings = pgTable("fine_tuning_settings", {
  orgId: uuid()
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  minScore: doublePrecision().notNull().default(0.8),
  // Percentage of migrations (by a hash of their id) that go to the eval split.
  evalPercent: integer().notNull().default(10),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const MODEL_UPLOAD_KINDS = ["gguf", "adapter", "modelfile"] as const;
export type ModelUploadKind = (typeof MODEL_UPLOAD_KINDS)[number];
export const MODEL_UPLOAD_STATUSES = ["uploading", "complete", "failed"] as const;
export type ModelUploadStatus = (typeof MODEL_UPLOAD_STATUSES)[number];

/** A model file being uploaded (resumable: `received` bytes are on disk) or uploaded, under DATA_DIR. */
export const modelUploads = pgTable(
  "model_uploads",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    kind: text().$type<ModelUploadKind>().notNull(),
    filename: text().notNull(),
    size: bigint({ mode: "number" }).notNull(),
    received: bigint({ mode: "number" }).notNull().default(0),
    // "sha256:<hex>", set when complete.
    digest: text(),
    status: text().$type<ModelUploadStatus>().notNull().default("uploading"),
    error: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("model_uploads_org_id_idx").on(t.orgId)],
);

/** One evaluation of a model on an organisation's eval split, scored by execution. */
export const modelEvaluations = pgTable(
  "model_evaluations",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    model: text().notNull(),
    examples: integer().notNull(),
    passed: integer().notNull(),
    passRate: doublePrecision().notNull(),
    baselinePassed: integer().notNull(),
    baselinePassRate: doublePrecision().notNull(),
    // Per example: id, task, passed, baselinePassed, error.
    details: jsonb().$type<Record<string, unknown>[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("model_evaluations_org_model_idx").on(t.orgId, t.model, t.createdAt)],
);

export type FineTuningExample = typeof fineTuningData.$inferSelect;
export type FineTuningMapping = typeof fineTuningMappings.$inferSelect;
export type ModelUpload = typeof modelUploads.$inferSelect;
export type ModelEvaluation = typeof modelEvaluations.$inferSelect;
