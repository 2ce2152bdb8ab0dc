// /api/v1/data-protection: the organisation's admin exports or erases the organisation's data.
//
//   GET  /export?format=json|zip                  everything of the organisation, no credentials
//   POST /erase {scope, confirm}                  scope "data" (work) or "organization" (all);
//                                                 confirm must repeat the organisation's name
//   POST /users/:id/erase                         one member: account deleted, audit pseudonymised
//
// Admins only, and only from a login session (not an API key): these are the two most
// destructive and most revealing things the appliance can do.
import { Hono } from "hono";
import { z } from "zod";
import { principalOf, requireAdmin, requireSession } from "../../auth/middleware.ts";
import { getOrganization } from "../../db/queries/accounts.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { eraseOrganizationData, eraseUser, exportOrganizationData, exportToZip } from "../../guardian/data-protection.ts";
import { clientIp, type AppEnv } from "../env.ts";
import { errors } from "../errors.ts";
import { isUuid, readJson, readQuery } from "../validation.ts";

const exportQuery = z.object({ format: z.enum(["json", "zip"], { message: "expected json or zip" }).default("json") });

const eraseSchema = z.strictObject({
  scope: z.enum(["data", "organization"], { message: "expected data or organization" }),
  confirm: z.string({ message: "repeat the organisation's name to confirm" }).max(200, { message: "at most 200 characters" }),
});

export function dataProtectionApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requireAdmin(), requireSession());

  app.get("/export", async (c) => {
    const p = principalOf(c);
    const q = readQuery(c, exportQuery);
    const now = c.var.deps.clock();
    await recordAudit(c.var.db, { orgId: p.orgId, userId: p.userId, eventType: "data.exported", details: { format: q.format }, ip: clientIp(c), at: now });
    const data = await exportOrganizationData(c.var.db, p.orgId, now);
    const stamp = now.toISOString().slice(0, 10);
    c.header("Cache-Control", "no-store");
    c.header("Content-Disposition", `attachment; filename="datamigrate-export-${stamp}.${q.format}"`);
    if (q.format === "zip") {
      c.header("Content-Type", "application/zip");
      return c.body(exportToZip(data) as Uint8Array<ArrayBuffer>);
    }
    return c.json(data);
  });

  app.post("/erase", async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, eraseSchema);
    const org = await getOrganization(c.var.db, p.orgId);
    if (!org) throw errors.notFound("organisation");
    if (input.confirm.trim() !== org.name) {
      throw errors.validation({ confirm: ["does not match the organisation's name"] }, "erasure not confirmed");
    }
    const result = await eraseOrganizationData(c.var.db, {
      orgId: p.orgId,
      actorUserId: p.userId,
      scope: input.scope,
      now: c.var.deps.clock(),
      ip: clientIp(c),
      dataDir: c.var.deps.config.dataDir,
    });
    return c.json(result);
  });

  app.post("/users/:id/erase", async (c) => {
    const p = principalOf(c);
    const id = c.req.param("id");
    if (!isUuid(id)) throw errors.notFound("user");
    if (id === p.userId) throw errors.forbidden("erase your own account through the organisation erasure, or ask another admin");
    const r = await eraseUser(c.var.db, { orgId: p.orgId, userId: id, actorUserId: p.userId, now: c.var.deps.clock(), ip: clientIp(c) });
    if (!r) throw errors.notFound("user");
    return c.json(r);
  });

  return app;
}
