// /api/v1/security: the organisation's security overview and audit log (admins only).
import { Hono } from "hono";
import { z } from "zod";
import { principalOf, requireAdmin } from "../../auth/middleware.ts";
import { countMembers, getOrganization } from "../../db/queries/accounts.ts";
import { countAuditEventsSince, listAuditLogs } from "../../db/queries/audit.ts";
import { countActiveApiKeys, countActiveSessions } from "../../db/queries/credentials.ts";
import type { AuditLog } from "../../db/schema/audit.ts";
import type { AppEnv } from "../env.ts";
import { paginationSchema, readQuery } from "../validation.ts";

export function auditLogJson(a: AuditLog) {
  return { id: a.id, eventType: a.eventType, userId: a.userId, details: a.details, ip: a.ip, createdAt: a.createdAt.toISOString() };
}

const auditQuerySchema = paginationSchema.extend({
  eventType: z
    .string()
    .max(64, { message: "at most 64 characters" })
    .regex(/^[a-z_.]+$/, { message: "expected an event type such as auth.login" })
    .optional(),
});

export function securityApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requireAdmin());

  app.get("/dashboard", async (c) => {
    const p = principalOf(c);
    const db = c.var.db;
    const now = c.var.deps.clock();
    const since = new Date(now.getTime() - 24 * 3_600_000);
    const [organization, users, activeSessions, activeApiKeys, events24h, recent] = await Promise.all([
      getOrganization(db, p.orgId),
      countMembers(db, p.orgId),
      countActiveSessions(db, p.orgId, now),
      countActiveApiKeys(db, p.orgId),
      countAuditEventsSince(db, p.orgId, since),
      listAuditLogs(db, p.orgId, { limit: 10, offset: 0 }),
    ]);
    return c.json({
      organization: organization ? { id: organization.id, name: organization.name, planType: organization.planType } : null,
      users,
      activeSessions,
      activeApiKeys,
      last24h: { events: events24h, failedLogins: events24h["auth.login_failed"] ?? 0 },
      recentEvents: recent.items.map(auditLogJson),
    });
  });

  app.get("/audit-logs", async (c) => {
    const p = principalOf(c);
    const q = readQuery(c, auditQuerySchema);
    const page = await listAuditLogs(c.var.db, p.orgId, q);
    return c.json({ ...page, items: page.items.map(auditLogJson) });
  });

  return app;
}
