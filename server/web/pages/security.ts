// /settings/security: the admin's security dashboard (events over time as server-drawn SVG, top
// rules, blocked requests, by user, the audit log with filters and exports) and data protection
// (export and erase the organisation's data). Admins only; members get a 403 page.
import { Hono } from "hono";
import { z } from "zod";
import { getOrganization } from "../../db/queries/accounts.ts";
import { listAuditLogs, recordAudit } from "../../db/queries/audit.ts";
import { auditFilterSchema, eventsChart, securityDashboard, toAuditFilter, type AuditFilterInput } from "../../guardian/audit/dashboard.ts";
import { auditEventJson } from "../../guardian/audit/export.ts";
import { eraseOrganizationData, exportOrganizationData, exportToZip } from "../../guardian/data-protection.ts";
import { auditExportResponse } from "../api/security.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { readForm } from "../forms.ts";
import { fieldErrors, paginationSchema } from "../validation.ts";
import { clearSessionCookie } from "../../auth/middleware.ts";
import { redirectAfterPost, renderPage } from "../render.ts";
import { requireLogin } from "./app-pages.ts";

const PAGE_SIZE = 50;

function forbidden(c: AppContext): Response {
  return renderPage(c, "error", { title: "Forbidden", message: "Only organisation admins can see the security dashboard and the audit log." }, 403);
}

const pageQuery = auditFilterSchema.extend({ offset: paginationSchema.shape.offset });

/** The query string of a filter (for export links and the pager), without empty values. */
function filterQuery(q: AuditFilterInput, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  if (q.from) params.set("from", q.from.toISOString());
  if (q.to) params.set("to", q.to.toISOString());
  const type = q.type ?? q.eventType;
  if (type) params.set("type", type);
  if (q.user) params.set("user", q.user);
  for (const [k, v] of Object.entries(extra)) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

async function dashboardContext(c: AppContext, raw: Record<string, string>, extra: Record<string, unknown> = {}) {
  const p = c.var.principal!;
  const parsed = pageQuery.safeParse(raw);
  const q: AuditFilterInput & { offset: number } = parsed.success ? parsed.data : { offset: 0 };
  const now = c.var.deps.clock();
  const filter = toAuditFilter(q);
  const [dashboard, page, org] = await Promise.all([
    securityDashboard(c.var.db, p.orgId, q, now),
    listAuditLogs(c.var.db, p.orgId, { limit: PAGE_SIZE, offset: q.offset, ...filter }),
    getOrganization(c.var.db, p.orgId),
  ]);
  const maxRule = Math.max(1, ...dashboard.topRules.map((r) => r.count));
  return {
    organizationName: org?.name ?? "",
    dashboard,
    chart: eventsChart(dashboard.eventsOverTime, dashboard.range.bucket),
    // Widths of the top-rules bars as a fraction of 200 units (SVG, no style attributes).
    rules: dashboard.topRules.map((r) => ({ ...r, width: Math.max(1, Math.round((r.count / maxRule) * 200)) })),
    events: page.items.map(auditEventJson),
    total: page.total,
    offset: q.offset,
    prevHref: q.offset > 0 ? `/settings/security${filterQuery(q, { offset: Math.max(0, q.offset - PAGE_SIZE) })}` : null,
    nextHref: q.offset + PAGE_SIZE < page.total ? `/settings/security${filterQuery(q, { offset: q.offset + PAGE_SIZE })}` : null,
    csvHref: `/settings/security/audit-log${filterQuery(q, { format: "csv" })}`,
    jsonHref: `/settings/security/audit-log${filterQuery(q, { format: "json" })}`,
    values: {
      from: raw.from ?? "",
      to: raw.to ?? "",
      type: raw.type ?? "",
      user: raw.user ?? "",
    },
    fields: parsed.success ? {} : fieldErrors(parsed.error),
    eraseValues: {},
    eraseFields: {},
    ...extra,
  };
}

const eraseForm = z.object({
  scope: z.enum(["data", "organization"], { message: "choose what to erase" }),
  confirm: z.string({ message: "type the organisation's name" }).max(200, { message: "at most 200 characters" }),
});

export function securityPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/settings/security", requireLogin());
  app.use("/settings/security/*", requireLogin());

  app.get("/settings/security", async (c) => {
    if (c.var.principal!.role !== "admin") return forbidden(c);
    return renderPage(c, "security", await dashboardContext(c, c.req.query()));
  });

  app.get("/settings/security/audit-log", async (c) => {
    if (c.var.principal!.role !== "admin") return forbidden(c);
    const parsed = auditFilterSchema.extend({ format: z.enum(["csv", "json"]).default("csv") }).safeParse(c.req.query());
    if (!parsed.success) return renderPage(c, "security", await dashboardContext(c, c.req.query()), 400);
    return auditExportResponse(c, parsed.data.format, toAuditFilter(parsed.data));
  });

  app.get("/settings/security/export", async (c) => {
    const p = c.var.principal!;
    if (p.role !== "admin") return forbidden(c);
    const format = c.req.query("format") === "zip" ? "zip" : "json";
    const now = c.var.deps.clock();
    await recordAudit(c.var.db, { orgId: p.orgId, userId: p.userId, eventType: "data.exported", details: { format }, ip: clientIp(c), at: now });
    const data = await exportOrganizationData(c.var.db, p.orgId, now);
    c.header("Cache-Control", "no-store");
    c.header("Content-Disposition", `attachment; filename="datamigrate-export-${now.toISOString().slice(0, 10)}.${format}"`);
    if (format === "zip") {
      c.header("Content-Type", "application/zip");
      return c.body(exportToZip(data) as Uint8Array<ArrayBuffer>);
    }
    return c.json(data);
  });

  app.post("/settings/security/erase", async (c) => {
    const p = c.var.principal!;
    if (p.role !== "admin") return forbidden(c);
    const form = await readForm(c, eraseForm);
    const org = await getOrganization(c.var.db, p.orgId);
    if (!form.ok || !org || form.data.confirm.trim() !== org.name) {
      const eraseFields = form.ok ? { confirm: ["does not match the organisation's name"] } : form.fields;
      return renderPage(c, "security", await dashboardContext(c, {}, { eraseValues: form.ok ? form.data : form.values, eraseFields }), 422);
    }
    const result = await eraseOrganizationData(c.var.db, {
      orgId: p.orgId,
      actorUserId: p.userId,
      scope: form.data.scope,
      now: c.var.deps.clock(),
      ip: clientIp(c),
      dataDir: c.var.deps.config.dataDir,
    });
    if (result.scope === "organization") {
      // The account and its sessions are gone with the organisation.
      clearSessionCookie(c);
      return redirectAfterPost(c, "/login");
    }
    const removed = Object.values(result.deleted).reduce((s, n) => s + n, 0);
    return renderPage(c, "security", await dashboardContext(c, {}, { eraseNotice: `Erased ${removed} row(s) of migrations, sources, projects and training data.` }));
  });

  return app;
}
