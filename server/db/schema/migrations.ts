// A migration project (one source database converted to one target) and its converted objects.
import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations, users } from "./organizations.ts";

export const MIGRATION_TARGETS = ["postgres", "sqlserver"] as const;
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
    status: text().notNull().default("pending"),
    config: jsonb().$type<MigrationConfig>().notNull(),
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
    generatedSql: text(),
    status: text().notNull().default("pending"),
    diagnostics: jsonb().$type<unknown[]>().notNull().default([]),
    evidenceGrade: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("migration_models_migration_id_idx").on(t.migrationId),
    index("migration_models_org_id_idx").on(t.orgId),
  ],
);

export type Migration = typeof migrations.$inferSelect;
export type MigrationModel = typeof migrationModels.$inferSelect;
