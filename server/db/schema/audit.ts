// Security-relevant events, per organisation: an append-only, hash-chained log (issue 9 part 6).
//
// Why no foreign keys: audit rows must outlive what they talk about (a deleted user, an erased
// organisation), and a cascading delete or `set null` would be an UPDATE/DELETE that the
// append-only trigger (migrations/0003_audit_chain.sql) refuses anyway.
//
// What the chain hash covers (server/guardian/audit/chain.ts): org, seq, time, event type,
// details, prev_hash and `subject_hash`. The personal part of an event (user id, IP address,
// e-mail and other personal fields) lives in the subject columns, committed to by subject_hash
// with a random salt, so that erasure can blank the subject (through the database function
// audit_pseudonymise) while every link of the chain still verifies.
import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export const auditLogs = pgTable(
  "audit_logs",
  {
    id: uuid().primaryKey().defaultRandom(),
    // Null for events that belong to no organisation (a failed login for an unknown e-mail);
    // those form one chain of their own.
    orgId: uuid(),
    // Position in the organisation's chain, from 1. Rows written before chaining existed keep 0.
    seq: bigint({ mode: "number" }).notNull().default(0),
    eventType: text().notNull(),
    // Non-personal facts of the event (hashed). Strings are escaped: no raw CR/LF.
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    // ---- subject: personal data, committed to by subject_hash, blanked by erasure ----
    userId: uuid(),
    ip: text(),
    personal: jsonb().$type<Record<string, unknown>>(),
    subjectSalt: text(),
    subjectHash: text().notNull().default(""),
    // Set when the subject was erased: a stable stand-in for the user within the organisation.
    pseudonym: text(),
    // ---- chain ----
    prevHash: text().notNull().default(""),
    hash: text().notNull().default(""),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_logs_org_id_created_at_idx").on(t.orgId, t.createdAt),
    index("audit_logs_org_id_user_id_idx").on(t.orgId, t.userId),
    // A second writer that somehow missed the per-chain lock fails here instead of forking the chain.
    uniqueIndex("audit_logs_chain_seq_uq")
      .on(sql`coalesce(${t.orgId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.seq)
      .where(sql`${t.seq} > 0`),
  ],
);

/**
 * Where a chain continues after retention removed its oldest rows: the last removed row's seq and
 * hash. Written only by the database function audit_prune.
 */
export const auditAnchors = pgTable(
  "audit_anchors",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    orgId: uuid(),
    seq: bigint({ mode: "number" }).notNull(),
    hash: text().notNull(),
    removedRows: integer().notNull(),
    before: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_anchors_org_id_seq_idx").on(t.orgId, t.seq)],
);

/**
 * Where each chain ends: the seq and hash of its newest row, moved by the database itself (an AFTER
 * INSERT trigger on audit_logs, SECURITY DEFINER, migrations/0008) in the transaction of every
 * append, never by the application. A hash chain alone cannot show rows cut from its end; the head
 * can: `audit verify` reports a chain that stops before its head (AUD1008). The database only lets
 * a head move forward, onto an existing row of its chain that links to the previous head; it
 * cannot be deleted. `chain` is the organisation id, or the nil UUID for events without one.
 * (A superuser can still rewrite rows and heads together: keep the heads `audit verify` prints
 * somewhere else and check them with --head/--heads; INSTALL.md, "Audit log".)
 */
export const auditChainHeads = pgTable("audit_chain_heads", {
  chain: uuid().primaryKey(),
  seq: bigint({ mode: "number" }).notNull(),
  hash: text().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * Fingerprints of the keys that have encrypted secrets in this database (never the keys), so that
 * a start without the key, or with another one, fails clearly instead of failing on first use.
 */
export const encryptionKeys = pgTable("encryption_keys", {
  fingerprint: text().primaryKey(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type AuditLog = typeof auditLogs.$inferSelect;
export type AuditAnchor = typeof auditAnchors.$inferSelect;
export type AuditChainHead = typeof auditChainHeads.$inferSelect;
