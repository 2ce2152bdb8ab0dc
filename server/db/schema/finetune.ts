// Examples collected for fine-tuning local models, per organisation.
import { doublePrecision, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations.ts";

export const fineTuningData = pgTable(
  "fine_tuning_data",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    taskType: text().notNull(),
    input: text().notNull(),
    output: text().notNull(),
    score: doublePrecision(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("fine_tuning_data_org_id_idx").on(t.orgId)],
);

export type FineTuningExample = typeof fineTuningData.$inferSelect;
