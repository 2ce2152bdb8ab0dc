// The audit log: inserted on every security-relevant event, read by admins of the organisation.
import { and, desc, eq, gte, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { auditLogs, type AuditLog } from "../schema/audit.ts";
import type { Page } from "./migrations.ts";

export const AUDIT_EVENTS = [
  "auth.register",
  "auth.login",
  "auth.login_failed",
  "auth.logout",
  "auth.password_changed",
  "member.added",
  "api_key.created",
  "api_key.revoked",
  "migration.created",
] as const;
export type AuditEventType = (typeof AUDIT_EVENTS)[number];

export interface AuditEvent {
  orgId: string | null;
  userId: string | null;
  eventType: AuditEventType;
  details?: Record<string, unknown>;
  ip?: string | null;
  at: Date;
}

export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  await db.insert(auditLogs).values({
    orgId: event.orgId,
    userId: event.userId,
    eventType: event.eventType,
    details: event.details ?? {},
    ip: event.ip ?? null,
    createdAt: event.at,
  });
}

export async function listAuditLogs(
  db: Db,
  orgId: string,
  query: { limit: number; offset: number; eventType?: string | undefined },
): Promise<Page<AuditLog>> {
  const where = query.eventType
    ? and(eq(auditLogs.orgId, orgId), eq(auditLogs.eventType, query.eventType))
    : eq(auditLogs.orgId, orgId);
  const items = await db
    .select()
    .from(auditLogs)
    .where(where)
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
    .limit(query.limit)
    .offset(query.offset);
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(auditLogs).where(where);
  return { items, total: count?.n ?? 0, limit: query.limit, offset: query.offset };
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
