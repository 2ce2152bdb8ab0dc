// Tenancy: an organisation owns everything; a user belongs to exactly one organisation.
import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const USER_ROLES = ["admin", "member"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const organizations = pgTable("organizations", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  planType: text().notNull().default("self_hosted"),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    // Stored lower-cased so that uniqueness is case-insensitive.
    email: text().notNull().unique(),
    passwordHash: text().notNull(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    role: text({ enum: USER_ROLES }).notNull().default("member"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    passwordChangedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("users_org_id_idx").on(t.orgId),
    // A role outside the enum must be impossible, not merely unchecked by the application.
    check("users_role_check", sql`${t.role} in ('admin', 'member')`),
  ],
);

export type Organization = typeof organizations.$inferSelect;
export type User = typeof users.$inferSelect;
