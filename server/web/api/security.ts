// /api/v1/security: the organisation's security dashboard and audit log (admins only).
//
//   GET /dashboard    ?from&to&type&user   overview + events over time, top rules, blocked, by user
//   GET /audit-logs   ?limit&offset&from&to&type&user            one page, newest first (JSON)
//                     &format=json|csv                          every matching event, oldest first,
//                                                               as a download (audited)
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import { principalOf, requireAdmin } from "../../auth/middleware.ts";
import { countMembers, getOrganization } from "../../db/queries/accounts.ts";
import { chainHead, countAuditEventsSince, iterateAuditLogs, listAuditLogs, recordAudit } from "../../db/queries/audit.ts";
import { countActiveApiKeys, countActiveSessions } from "../../db/queries/credentials.ts";
import type { AuditLog } from "../../db/schema/audit.ts";
import { auditFilterSchema, securityDashboard, toAuditFilter } from "../../guardian/audit/dashboard.ts";
import { auditCsvHeader, auditCsvRow, auditEventJson } from "../../guardian/audit/export.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { paginationSchema, readQuery } from "../validation.ts";

/** One audit event as the API shows it. */
export function auditLogJson(a: AuditLog) {
  return auditEventJson(a);
}

const auditQuerySchema = paginationSchema.extend(auditFilterSchema.shape).extend({
  format: z.enum(["json", "csv"], { message: "expected json or csv" }).optional(),
});

/**
 * Every event matching the filter, oldest first, as a CSV or JSON download (streamed). Exporting
 * is itself audited, before the export, so that it appears in it. Shared with the admin page.
 */
export async function auditExportResponse(
  c: AppContext,
  format: "csv" | "json",
  q: { from?: Date | undefined; to?: Date | undefined; eventType?: string | undefined; user?: string | undefined },
): Promise<Response> {
  const p = principalOf(c);
  const db = c.var.db;
  const now = c.var.deps.clock();
  const filter = { from: q.from, to: q.to, eventType: q.eventType, user: q.user };
  await recordAudit(db, {
    orgId: p.orgId,
    userId: p.userId,
    eventType: "audit.exported",
    details: { format, filter: { from: q.from?.toISOString() ?? null, to: q.to?.toISOString() ?? null, type: q.eventType ?? null, user: q.user ?? null } },
    ip: clientIp(c),
    at: now,
  });
  // The chain's head as the export was taken (the export's own event included): an admin who keeps
  // it outside the database can later prove rows were cut from the end (`audit verify --head`).
  const head = await chainHead(db, p.orgId);
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, "");
  c.header("X-Audit-Chain-Head", `${head.seq}:${head.hash}`);
  c.header("Content-Disposition", `attachment; filename="audit-log-${stamp}.${format}"`);
  c.header("Cache-Control", "no-store");
  if (format === "csv") {
    c.header("Content-Type", "text/csv; charset=utf-8");
    return stream(c, async (s) => {
      await s.write(auditCsvHeader());
      for await (const a of iterateAuditLogs(db, p.orgId, filter)) await s.write(auditCsvRow(a));
    });
  }
  c.header("Content-Type", "application/json; charset=utf-8");
  return stream(c, async (s) => {
    await s.write(`{"organizationId":${JSON.stringify(p.orgId)},"exportedAt":${JSON.stringify(now.toISOString())},"chainHead":${JSON.stringify(head)},"items":[`);
    let first = true;
    for await (const a of iterateAuditLogs(db, p.orgId, filter)) {
      await s.write(`${first ? "" : ","}\n${JSON.stringify(auditLogJson(a))}`);
      first = false;
    }
    await s.write("\n]}\n");
  });
}

export function securityApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requireAdmin());

  app.get("/dashboard", async (c) => {
    const p = principalOf(c);
    const db = c.var.db;
    const q = readQuery(c, auditFilterSchema);
    const now = c.var.deps.clock();
    const since = new Date(now.getTime() - 24 * 3_600_000);
    const [organization, users, activeSessions, activeApiKeys, events24h, recent, dashboard, head] = await Promise.all([
      getOrganization(db, p.orgId),
      countMembers(db, p.orgId),
      countActiveSessions(db, p.orgId, now),
      countActiveApiKeys(db, p.orgId),
      countAuditEventsSince(db, p.orgId, since),
      listAuditLogs(db, p.orgId, { limit: 10, offset: 0, ...toAuditFilter(q) }),
      securityDashboard(db, p.orgId, q, now),
      chainHead(db, p.orgId),
    ]);
    return c.json({
      organization: organization ? { id: organization.id, name: organization.name, planType: organization.planType } : null,
      users,
      activeSessions,
      activeApiKeys,
      last24h: {
        events: events24h,
        failedLogins: events24h["auth.login_failed"] ?? 0,
        // Refused bearer credentials: recorded one by one up to a rate, the rest counted in summaries.
        rejectedCredentials: events24h["auth.token_rejected"] ?? 0,
        rejectedCredentialSummaries: events24h["auth.token_rejected_summary"] ?? 0,
      },
      chainHead: head,
      recentEvents: recent.items.map(auditLogJson),
      ...dashboard,
    });
  });

  app.get("/audit-logs", async (c) => {
    const p = principalOf(c);
    const q = readQuery(c, auditQuerySchema);
    const filter = toAuditFilter(q);
    if (!q.format) {
      const page = await listAuditLogs(c.var.db, p.orgId, { limit: q.limit, offset: q.offset, ...filter });
      return c.json({ ...page, items: page.items.map(auditLogJson) });
    }
    return auditExportResponse(c, q.format, { ...q, ...filter });
  });

  return app;
}
