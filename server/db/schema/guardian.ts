// Guardian state: per-organisation security policies, and the counters that several server
// processes share for rate limiting and login throttling.
import { sql } from "drizzle-orm";
import { bigint, boolean, check, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations, users } from "./organizations.ts";

export const PROMPT_INJECTION_ACTIONS = ["neutralise", "block"] as const;
export type PromptInjectionAction = (typeof PROMPT_INJECTION_ACTIONS)[number];
export const INPUT_ATTACK_ACTIONS = ["block", "log"] as const;
export type InputAttackAction = (typeof INPUT_ATTACK_ACTIONS)[number];

/** One row per organisation that changed a default; no row means the defaults (server/guardian/policies.ts). */
export const guardianPolicies = pgTable(
  "guardian_policies",
  {
    orgId: uuid()
      .primaryKey()
      .references(() => organizations.id, { onDelete: "cascade" }),
    promptInjectionThreshold: doublePrecision().notNull(),
    promptInjectionAction: text({ enum: PROMPT_INJECTION_ACTIONS }).notNull(),
    sqliAction: text({ enum: INPUT_ATTACK_ACTIONS }).notNull(),
    xssAction: text({ enum: INPUT_ATTACK_ACTIONS }).notNull(),
    /** OWASP CRS paranoia level (1..4) of the input guard's SQL-injection and XSS rules; 1 by default (server/guardian/detect/crs/levels.ts says why). */
    paranoiaLevel: integer().notNull().default(1),
    /** Requests per minute: each user (session), each API key, and the organisation as a whole. */
    rateLimitPerUser: integer().notNull(),
    rateLimitPerApiKey: integer().notNull(),
    rateLimitPerOrg: integer().notNull(),
    /** Provider kinds the organisation's prompts may go to; null: any configured provider. */
    allowedModelProviders: jsonb().$type<string[] | null>(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
    updatedBy: uuid().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    check("guardian_policies_pi_action_check", sql`${t.promptInjectionAction} in ('neutralise', 'block')`),
    check("guardian_policies_sqli_action_check", sql`${t.sqliAction} in ('block', 'log')`),
    check("guardian_policies_xss_action_check", sql`${t.xssAction} in ('block', 'log')`),
    check("guardian_policies_paranoia_level_check", sql`${t.paranoiaLevel} between 1 and 4`),
    check("guardian_policies_threshold_check", sql`${t.promptInjectionThreshold} >= 0 and ${t.promptInjectionThreshold} <= 1`),
    check(
      "guardian_policies_rate_limits_check",
      sql`${t.rateLimitPerUser} >= 1 and ${t.rateLimitPerApiKey} >= 1 and ${t.rateLimitPerOrg} >= 1`,
    ),
  ],
);

/**
 * Sliding-window rate limiting, two-window weighted counter: one row per key holds the current
 * window's count and the previous window's. Times are epoch milliseconds from the application's
 * clock (so that tests can move time), not the database's. The table is UNLOGGED (migration
 * 0007, drizzle has no flag for it): no WAL flush per request; a crash only empties it.
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    key: text().primaryKey(),
    windowMs: integer().notNull(),
    windowStart: bigint({ mode: "number" }).notNull(),
    count: integer().notNull(),
    prevCount: integer().notNull(),
    maxHits: integer().notNull(),
    /** The decision for the last hit: false when it was refused (and so not counted). */
    allowed: boolean().notNull(),
    lastHitAt: bigint({ mode: "number" }).notNull(),
    /** After this the row says nothing a fresh row would not: safe to delete. */
    expiresAt: bigint({ mode: "number" }).notNull(),
  },
  (t) => [index("rate_limit_counters_expires_at_idx").on(t.expiresAt)],
);

/** Failed sign-ins per account (hashed e-mail) and per client address, with exponential back-off. */
export const loginThrottles = pgTable(
  "login_throttles",
  {
    key: text().primaryKey(),
    failures: integer().notNull(),
    lastFailureAt: timestamp({ withTimezone: true }).notNull(),
    lockedUntil: timestamp({ withTimezone: true }),
  },
  (t) => [index("login_throttles_last_failure_at_idx").on(t.lastFailureAt)],
);

export type GuardianPolicyRow = typeof guardianPolicies.$inferSelect;
