// The audit log: appended on every security-relevant event, read by admins of the organisation.
//
// Each organisation has one hash chain (events without an organisation share one more). Writers
// of a chain are serialised by a transaction-scoped advisory lock on (AUDIT_LOCK_CLASS,
// hashtext(org)), taken before reading the chain head, so two concurrent inserts can never both
// continue from the same row; the unique index on (org, seq) is the backstop. The chain format
// is in server/guardian/audit/chain.ts; the database refuses UPDATE/DELETE (migrations/0003) and
// moves the chain's head anchor (audit_chain_heads) itself, refusing appends that do not continue it
// (migrations/0008).
import { and, desc, eq, gte, inArray, like, lt, or, sql, type SQL } from "drizzle-orm";
import {
  AUDIT_LOCK_CLASS,
  chainHash,
  EVENT_TYPE_PATTERN,
  GENESIS_HASH,
  newSubjectSalt,
  sanitizeLogValue,
  splitPersonal,
  subjectHash,
} from "../../guardian/audit/chain.ts";
import { queryRows, type Db } from "../client.ts";
import { auditLogs, type AuditLog } from "../schema/audit.ts";
import type { Page } from "./migrations.ts";

/**
 * Known event types. Others may log any dotted lower-case type (`area.what`); listing it here
 * documents it and lets the dashboard group it.
 */
export const AUDIT_EVENTS = [
  "auth.register",
  "auth.login",
  "auth.login_failed",
  "auth.login_throttled",
  "auth.logout",
  "auth.token_rejected",
  "auth.token_rejected_summary",
  "auth.password_changed",
  "member.added",
  "member.removed",
  "member.role_changed",
  "api_key.created",
  "api_key.revoked",
  "migration.created",
  "migration.started",
  "migration.completed",
  "migration.failed",
  "migration.cancelled",
  "migration.object_rerun_requested",
  "migration.object_rerun_completed",
  "migration.object_rerun_failed",
  "model.registered",
  "model.updated",
  "model.removed",
  "guardian.detected",
  "guardian.neutralised",
  "guardian.blocked",
  "rate_limit.exceeded",
  "policy.updated",
  "admin.settings_changed",
  "data.exported",
  "data.erased",
  "audit.exported",
  "audit.retention",
] as const;
export type AuditEventType = (typeof AUDIT_EVENTS)[number];

/** Event types counted as a blocked request on the dashboard. */
export const BLOCKED_EVENT_TYPES = ["guardian.blocked", "rate_limit.exceeded", "auth.login_throttled"] as const;

export interface AuditEvent {
  orgId: string | null;
  userId: string | null;
  eventType: AuditEventType | `${string}.${string}`;
  /**
   * Facts of the event. Keys in PERSONAL_KEYS (email, name, payload, ...) are stored in the
   * erasable subject instead of the hashed details. Strings are escaped (no raw CR/LF).
   */
  details?: Record<string, unknown>;
  /** Personal data about the event (kept erasable, committed to by the chain). */
  personal?: Record<string, unknown>;
  ip?: string | null;
  at: Date;
}

export interface RecordedAudit {
  id: string;
  seq: number;
  hash: string;
}

export class AuditEventTypeError extends Error {
  constructor(type: string) {
    super(`audit event type '${type.slice(0, 80)}' is not a dotted lower-case name such as auth.login`);
    this.name = "AuditEventTypeError";
  }
}

interface PreparedRow {
  orgId: string | null;
  userId: string | null;
  ip: string | null;
  eventType: string;
  details: Record<string, unknown>;
  personal: Record<string, unknown> | null;
  subjectSalt: string;
  subjectHash: string;
  createdAt: Date;
}

function prepare(event: AuditEvent): PreparedRow {
  if (!EVENT_TYPE_PATTERN.test(event.eventType)) throw new AuditEventTypeError(event.eventType);
  const clean = (sanitizeLogValue(event.details ?? {}) ?? {}) as Record<string, unknown>;
  const split = splitPersonal(clean);
  const extra = event.personal ? (sanitizeLogValue(event.personal) as Record<string, unknown>) : null;
  const personal = split.personal || extra ? { ...split.personal, ...extra } : null;
  const ip = event.ip ? (sanitizeLogValue(event.ip.slice(0, 100)) as string) : null;
  const salt = newSubjectSalt();
  const userId = event.userId ?? null;
  return {
    orgId: event.orgId ?? null,
    userId,
    ip,
    eventType: event.eventType,
    details: split.details,
    personal,
    subjectSalt: salt,
    subjectHash: subjectHash({ userId, ip, personal, salt }),
    // The chain hashes milliseconds; Postgres keeps them exactly.
    createdAt: new Date(event.at.getTime()),
  };
}

/** The head anchor the database keeps for a chain (audit_chain_heads, migrations/0008), null when it has none. */
export async function chainHeadAnchor(db: Db, orgId: string | null): Promise<{ seq: number; hash: string } | null> {
  const [head] = await queryRows<{ seq: string | number; hash: string }>(
    db,
    sql`select seq, hash from audit_chain_heads where chain = coalesce(${orgId}::uuid, '00000000-0000-0000-0000-000000000000'::uuid)`,
  );
  return head ? { seq: Number(head.seq), hash: head.hash } : null;
}

/**
 * Where a chain stands: its head anchor (audit_chain_heads, moved by the database on every append),
 * else its last row, else the anchor retention left, else the genesis. The head comes first: if rows
 * were cut from the end, new rows continue after the recorded head and the gap stays visible.
 */
export async function chainHead(db: Db, orgId: string | null): Promise<{ seq: number; hash: string }> {
  const head = await chainHeadAnchor(db, orgId);
  if (head) return head;
  const [last] = await queryRows<{ seq: string | number; hash: string }>(
    db,
    sql`select seq, hash from audit_logs
        where coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(${orgId}::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
          and seq > 0
        order by coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid), seq desc limit 1`,
  );
  if (last) return { seq: Number(last.seq), hash: last.hash };
  const [anchor] = await queryRows<{ seq: string | number; hash: string }>(
    db,
    sql`select seq, hash from audit_anchors where org_id is not distinct from ${orgId}::uuid order by seq desc limit 1`,
  );
  if (anchor) return { seq: Number(anchor.seq), hash: anchor.hash };
  return { seq: 0, hash: GENESIS_HASH };
}

async function lockChain(db: Db, orgId: string | null): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}::int, hashtext(coalesce(${orgId}::text, '-')))`);
}

async function appendRows(db: Db, orgId: string | null, rows: PreparedRow[]): Promise<RecordedAudit[]> {
  const head = await chainHead(db, orgId);
  let prev = head.hash;
  let seq = head.seq;
  const values = rows.map((r) => {
    seq += 1;
    const hash = chainHash({ orgId, seq, createdAt: r.createdAt, eventType: r.eventType, details: r.details, subjectHash: r.subjectHash, prevHash: prev });
    const v = { ...r, seq, prevHash: prev, hash };
    prev = hash;
    return v;
  });
  const out: RecordedAudit[] = [];
  for (let i = 0; i < values.length; i += 500) {
    const inserted = await db
      .insert(auditLogs)
      .values(values.slice(i, i + 500))
      .returning({ id: auditLogs.id, seq: auditLogs.seq, hash: auditLogs.hash });
    out.push(...inserted);
  }
  return out;
}

/** Appends one event to its organisation's chain. */
export async function recordAudit(db: Db, event: AuditEvent): Promise<RecordedAudit> {
  const row = prepare(event);
  return new Promise<RecordedAudit>((resolve, reject) => {
    let chains = groupCommit.get(db);
    if (!chains) groupCommit.set(db, (chains = new Map()));
    const key = row.orgId ?? "";
    let chain = chains.get(key);
    if (!chain) chains.set(key, (chain = { pending: [], flushing: false }));
    chain.pending.push({ row, resolve, reject });
    if (!chain.flushing) void flushChain(db, row.orgId, chain);
  });
}

// Group commit: the events of one chain that arrive while an append is in flight are appended
// together in the next transaction (one lock, one head read, one multi-row insert). Every caller
// still waits for its own event to be committed; under concurrency (50 requests creating
// migrations at once) the chain costs a few transactions instead of one per request, in order.
interface PendingAudit {
  row: PreparedRow;
  resolve(r: RecordedAudit): void;
  reject(e: unknown): void;
}
interface ChainQueue {
  pending: PendingAudit[];
  flushing: boolean;
}
const groupCommit = new WeakMap<Db, Map<string, ChainQueue>>();
const GROUP_COMMIT_MAX = 500;

async function flushChain(db: Db, orgId: string | null, chain: ChainQueue): Promise<void> {
  chain.flushing = true;
  try {
    while (chain.pending.length) {
      const batch = chain.pending.splice(0, GROUP_COMMIT_MAX);
      try {
        const recorded = await db.transaction(async (tx) => {
          const t = tx as unknown as Db;
          await lockChain(t, orgId);
          return appendRows(t, orgId, batch.map((b) => b.row));
        });
        batch.forEach((b, i) => b.resolve(recorded[i]!));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
  } finally {
    chain.flushing = false;
  }
}

/** Appends many events (grouped per chain, one lock per chain, multi-row inserts): imports, benchmarks. */
export async function recordAuditBatch(db: Db, events: AuditEvent[]): Promise<number> {
  const byOrg = new Map<string | null, PreparedRow[]>();
  for (const e of events) {
    const row = prepare(e);
    const list = byOrg.get(row.orgId) ?? [];
    list.push(row);
    byOrg.set(row.orgId, list);
  }
  let n = 0;
  for (const [orgId, rows] of byOrg) {
    await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      await lockChain(t, orgId);
      n += (await appendRows(t, orgId, rows)).length;
    });
  }
  return n;
}

export interface AuditFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  /** An event type, or a prefix ending in `.*` (guardian.*). */
  eventType?: string | undefined;
  /** A user id, or the pseudonym of an erased user. */
  user?: string | undefined;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditWhere(orgId: string, f: AuditFilter): SQL {
  const parts: SQL[] = [eq(auditLogs.orgId, orgId)];
  if (f.from) parts.push(gte(auditLogs.createdAt, f.from));
  if (f.to) parts.push(lt(auditLogs.createdAt, f.to));
  if (f.eventType) {
    if (f.eventType.endsWith(".*")) parts.push(like(auditLogs.eventType, `${f.eventType.slice(0, -2).replace(/[\\%_]/g, (m) => `\\${m}`)}.%`));
    else parts.push(eq(auditLogs.eventType, f.eventType));
  }
  if (f.user) parts.push(UUID_RE.test(f.user) ? eq(auditLogs.userId, f.user) : eq(auditLogs.pseudonym, f.user));
  return and(...parts)!;
}

export async function listAuditLogs(
  db: Db,
  orgId: string,
  query: { limit: number; offset: number } & AuditFilter,
): Promise<Page<AuditLog>> {
  const where = auditWhere(orgId, query);
  const items = await db
    .select()
    .from(auditLogs)
    .where(where)
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.seq))
    .limit(query.limit)
    .offset(query.offset);
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(auditLogs).where(where);
  return { items, total: count?.n ?? 0, limit: query.limit, offset: query.offset };
}

/** Every matching row, oldest first, in pages (exports). */
export async function* iterateAuditLogs(db: Db, orgId: string, filter: AuditFilter, pageSize = 1000): AsyncGenerator<AuditLog> {
  let afterSeq = -1;
  const where = auditWhere(orgId, filter);
  for (;;) {
    const rows = await db
      .select()
      .from(auditLogs)
      .where(and(where, sql`${auditLogs.seq} > ${afterSeq}`))
      .orderBy(auditLogs.seq, auditLogs.createdAt)
      .limit(pageSize);
    for (const r of rows) yield r;
    if (rows.length < pageSize) return;
    afterSeq = rows[rows.length - 1]!.seq;
  }
}

/** Event counts by type since a moment, for the security dashboard. */
export async function countAuditEventsSince(db: Db, orgId: string, since: Date): Promise<Record<string, number>> {
  const rows = await db
    .select({ eventType: auditLogs.eventType, n: sql<number>`count(*)::int` })
    .from(auditLogs)
    .where(and(eq(auditLogs.orgId, orgId), gte(auditLogs.createdAt, since)))
    .groupBy(auditLogs.eventType);
  return Object.fromEntries(rows.map((r) => [r.eventType, r.n]));
}

export type BucketUnit = "hour" | "day" | "week";

const blockedCondition = or(
  inArray(auditLogs.eventType, [...BLOCKED_EVENT_TYPES]),
  sql`${auditLogs.details}->>'action' = 'block'`,
)!;

export interface AuditStats {
  byType: Record<string, number>;
  /** Blocked requests per event type (guardian.blocked, rate_limit.exceeded, ...). */
  blockedByType: { eventType: string; count: number }[];
  buckets: { start: Date; total: number; blocked: number }[];
  topRules: { rule: string; count: number }[];
  byUser: { user: string; userId: string | null; pseudonym: string | null; total: number; blocked: number }[];
  total: number;
  blocked: number;
}

/** Aggregates for the security dashboard over one organisation's log, filtered. */
export async function auditStats(db: Db, orgId: string, filter: AuditFilter, unit: BucketUnit): Promise<AuditStats> {
  const where = auditWhere(orgId, filter);
  const blockedInt = sql<number>`(count(*) filter (where ${blockedCondition}))::int`;
  const bucketExpr = sql`date_trunc(${unit}, ${auditLogs.createdAt} at time zone 'UTC')`;
  const [types, buckets, rules, users] = await Promise.all([
    db.select({ eventType: auditLogs.eventType, n: sql<number>`count(*)::int`, blocked: blockedInt }).from(auditLogs).where(where).groupBy(auditLogs.eventType),
    queryRows<{ bucket: string | Date; total: number; blocked: number }>(
      db,
      sql`select to_char(${bucketExpr}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket, count(*)::int as total, ${blockedInt} as blocked
          from ${auditLogs} where ${where} group by 1 order by 1`,
    ),
    // Detectors log the rules that fired as details.rules (array) or details.rule (one name).
    queryRows<{ rule: string; n: number }>(
      db,
      sql`select r.rule, count(*)::int as n from ${auditLogs},
            lateral (
              select jsonb_array_elements_text(case when jsonb_typeof(${auditLogs.details}->'rules') = 'array' then ${auditLogs.details}->'rules' else '[]'::jsonb end) as rule
              union all
              select ${auditLogs.details}->>'rule' where jsonb_typeof(${auditLogs.details}->'rule') = 'string'
            ) r
          where ${where}
          group by r.rule order by n desc, r.rule limit 10`,
    ),
    db
      .select({ userId: auditLogs.userId, pseudonym: auditLogs.pseudonym, n: sql<number>`count(*)::int`, blocked: blockedInt })
      .from(auditLogs)
      .where(and(where, sql`(${auditLogs.userId} is not null or ${auditLogs.pseudonym} is not null)`))
      .groupBy(auditLogs.userId, auditLogs.pseudonym)
      .orderBy(desc(sql`count(*)`))
      .limit(20),
  ]);
  const byType = Object.fromEntries(types.map((t) => [t.eventType, t.n]));
  return {
    byType,
    blockedByType: types
      .filter((t) => t.blocked > 0)
      .map((t) => ({ eventType: t.eventType, count: t.blocked }))
      .sort((a, b) => b.count - a.count || a.eventType.localeCompare(b.eventType)),
    total: types.reduce((s, t) => s + t.n, 0),
    blocked: types.reduce((s, t) => s + t.blocked, 0),
    buckets: buckets.map((b) => ({ start: new Date(b.bucket), total: Number(b.total), blocked: Number(b.blocked) })),
    topRules: rules.map((r) => ({ rule: r.rule, count: Number(r.n) })),
    byUser: users.map((u) => ({ user: u.userId ?? u.pseudonym ?? "", userId: u.userId, pseudonym: u.pseudonym, total: u.n, blocked: u.blocked })),
  };
}
