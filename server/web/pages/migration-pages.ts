// The migration pages: dashboard, new migration (upload or SQL Server connection), one migration
// with live progress, its report, objects, lineage and downloads. Every lookup is scoped by the
// signed-in organisation; another organisation's ids answer 404 like ids that do not exist.
import { Hono } from "hono";
import { z } from "zod";
import type { Principal } from "../../auth/principal.ts";
import { getOrganization } from "../../db/queries/accounts.ts";
import { getMigration } from "../../db/queries/migrations.ts";
import { getMigrationModel, searchMigrations } from "../../db/queries/migration-views.ts";
import { MIGRATION_STATUSES, MIGRATION_TARGETS, OBJECT_RERUN_KINDS, type Migration } from "../../db/schema/migrations.ts";
import { buildDownload, DOWNLOAD_KINDS, sendDownload, type DownloadKind } from "../api/downloads.ts";
import { clientIp, type AppContext, type AppEnv } from "../env.ts";
import { readForm } from "../forms.ts";
import { redirectAfterPost, renderPage } from "../render.ts";
import { isUuid } from "../validation.ts";
import { requireLogin } from "./app-pages.ts";
import { requestObjectRerun } from "../../jobs/rerun.ts";
import { dashboardRows, downloadsPageContext, lineagePageContext, migrationPageContext, objectPageContext, reportPageContext } from "./migration-views.ts";
import { newMigrationRoutes } from "./new-migration.ts";

export const DASHBOARD_PAGE_SIZE = 20;

function me(c: AppContext): Principal {
  return c.var.principal!;
}

export function notFoundPage(c: AppContext, what: string): Response {
  return renderPage(c, "error", { title: "Not found", message: `No such ${what} in your organisation. Check the link, or pick it from the Migrations list.` }, 404);
}

const dashboardQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  status: z.enum(MIGRATION_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

export async function dashboardContext(c: AppContext, extra: Record<string, unknown> = {}) {
  const p = me(c);
  const query = dashboardQuery.parse(c.req.query());
  const page = query.page ?? 1;
  const [organization, result] = await Promise.all([
    getOrganization(c.var.db, p.orgId),
    searchMigrations(c.var.db, p.orgId, { q: query.q, status: query.status, limit: DASHBOARD_PAGE_SIZE, offset: (page - 1) * DASHBOARD_PAGE_SIZE }),
  ]);
  const pages = Math.max(1, Math.ceil(result.total / DASHBOARD_PAGE_SIZE));
  const href = (n: number) => {
    const qs = new URLSearchParams();
    if (query.q) qs.set("q", query.q);
    if (query.status) qs.set("status", query.status);
    if (n > 1) qs.set("page", String(n));
    const s = qs.toString();
    return `/dashboard${s ? `?${s}` : ""}`;
  };
  return {
    organization,
    migrations: dashboardRows(result.items),
    total: result.total,
    filter: { q: query.q ?? "", status: query.status ?? "" },
    filtered: !!(query.q || query.status),
    statuses: MIGRATION_STATUSES,
    paging: { page, pages, prev: page > 1 ? href(page - 1) : null, next: page < pages ? href(page + 1) : null },
    ...extra,
  };
}

async function loadMigration(c: AppContext): Promise<Migration | undefined> {
  const id = c.req.param("id") ?? "";
  return isUuid(id) ? getMigration(c.var.db, me(c).orgId, id) : undefined;
}

const objectQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  grade: z.string().regex(/^[a-z_]{1,40}$/).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

export function migrationPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/dashboard", requireLogin());
  app.use("/migrations", requireLogin());
  app.use("/migrations/*", requireLogin());

  app.get("/dashboard", async (c) => renderPage(c, "dashboard", await dashboardContext(c)));

  app.route("/", newMigrationRoutes());

  app.get("/migrations/:id", async (c) => {
    const m = await loadMigration(c);
    if (!m) return notFoundPage(c, "migration");
    const ctx = await migrationPageContext(c.var.db, m, objectQuery.parse(c.req.query()), c.var.deps.clock());
    return renderPage(c, "migration", ctx);
  });

  app.get("/migrations/:id/report", async (c) => {
    const m = await loadMigration(c);
    if (!m) return notFoundPage(c, "migration");
    return renderPage(c, "migration-report", await reportPageContext(c.var.db, m, c.var.deps.clock()));
  });

  app.get("/migrations/:id/lineage", async (c) => {
    const m = await loadMigration(c);
    if (!m) return notFoundPage(c, "migration");
    return renderPage(c, "migration-lineage", await lineagePageContext(c.var.db, m, c.var.deps.clock()));
  });

  app.get("/migrations/:id/downloads", async (c) => {
    const m = await loadMigration(c);
    if (!m) return notFoundPage(c, "migration");
    return renderPage(c, "migration-downloads", await downloadsPageContext(c.var.db, m, c.var.deps.clock()));
  });

  app.get("/migrations/:id/download/:file", async (c) => {
    const file = c.req.param("file");
    if (!(DOWNLOAD_KINDS as readonly string[]).includes(file)) return notFoundPage(c, "download");
    const d = await buildDownload(c.var.db, me(c).orgId, c.req.param("id"), file as DownloadKind);
    if (!d) return notFoundPage(c, "migration");
    if (d === "no-project") {
      return renderPage(c, "error", { title: "No dbt project yet", message: "This migration has not produced a dbt project yet. Wait for the run to finish (or start a new one), then download again." }, 404);
    }
    return sendDownload(c, d);
  });

  app.get("/migrations/:id/objects/:objectId", async (c) => {
    const m = await loadMigration(c);
    const objectId = c.req.param("objectId");
    const o = m && isUuid(objectId) ? await getMigrationModel(c.var.db, m.orgId, m.id, objectId) : undefined;
    if (!m || !o) return notFoundPage(c, "object");
    return renderPage(c, "migration-object", await objectPageContext(c.var.db, m, o, c.var.deps.clock()));
  });

  // The object page's re-run buttons: the same checks as POST /api/v1/migrations/:id/objects/:objectId/rerun.
  app.post("/migrations/:id/objects/:objectId/rerun", async (c) => {
    const p = me(c);
    const m = await loadMigration(c);
    const objectId = c.req.param("objectId");
    const o = m && isUuid(objectId) ? await getMigrationModel(c.var.db, m.orgId, m.id, objectId) : undefined;
    if (!m || !o) return notFoundPage(c, "object");
    const rerender = async (message: string, status: 400 | 403 | 409) => renderPage(c, "migration-object", await objectPageContext(c.var.db, m, o, c.var.deps.clock(), { rerunError: message }), status);
    if (!p.scopes.has("write")) return rerender("Your account may not run migrations.", 403);
    const form = await readForm(c, rerunForm);
    if (!form.ok) return rerender("Choose what to re-run: translation, validation or rebuild.", 400);
    const r = await requestObjectRerun(c.var.deps, { orgId: p.orgId, userId: p.userId, migrationId: m.id, objectId: o.id, kind: form.data.kind, ip: clientIp(c), via: "session" });
    if (r.kind === "not_found") return notFoundPage(c, "object");
    if (r.kind === "conflict") return rerender(`Not started: ${r.message}.`, 409);
    return redirectAfterPost(c, `/migrations/${m.id}/objects/${o.id}`);
  });

  return app;
}

const rerunForm = z.object({ kind: z.enum(OBJECT_RERUN_KINDS, { message: "expected translate, validate or rebuild" }) });

export { MIGRATION_TARGETS };
