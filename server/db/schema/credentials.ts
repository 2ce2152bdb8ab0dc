// Credentials that stand for a user: browser/API sessions and API keys. Only hashes are stored.
import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations, users } from "./organizations.ts";

export const API_KEY_SCOPES = ["read", "write", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const sessions = pgTable(
  "sessions",
  {
    // Hex SHA-256 of the session token: a database leak yields no usable token.
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    // Sliding: pushed forward while the session is used.
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    // Fixed at creation: no amount of activity keeps a session alive past it.
    absoluteExpiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    // Hex SHA-256 of the key; the key itself is shown once at creation.
    keyHash: text().notNull().unique(),
    // First characters of the key, so that a user can tell keys apart in a list.
    keyPrefix: text().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    scopes: text().array().$type<ApiKeyScope[]>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("api_keys_org_id_idx").on(t.orgId),
    check("api_keys_scopes_check", sql`${t.scopes} <@ array['read', 'write', 'admin']::text[]`),
  ],
);

export type Session = typeof sessions.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
