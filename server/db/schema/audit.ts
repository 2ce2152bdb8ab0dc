// Security-relevant events, per organisation. Rows are only ever inserted.
import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations, users } from "./organizations.ts";

export const auditLogs = pgTable(
  "audit_logs",
  {
    id: uuid().primaryKey().defaultRandom(),
    // Null for events that belong to no organisation (a failed login for an unknown e-mail).
    orgId: uuid().references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    eventType: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    ip: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_logs_org_id_created_at_idx").on(t.orgId, t.createdAt)],
);

export type AuditLog = typeof auditLogs.$inferSelect;
