// /api/v1/migrations: the organisation's migration projects.
import { Hono } from "hono";
import { z } from "zod";
import { principalOf } from "../../auth/middleware.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { createMigration, getMigration, listMigrations } from "../../db/queries/migrations.ts";
import { MIGRATION_TARGETS, type Migration } from "../../db/schema/migrations.ts";
import { clientIp, type AppEnv } from "../env.ts";
import { errors } from "../errors.ts";
import { isUuid, limitBody, paginationSchema, readJson, readQuery } from "../validation.ts";

export const createMigrationSchema = z.strictObject({
  name: z
    .string({ message: "expected a name" })
    .trim()
    .min(1, { message: "required" })
    .max(200, { message: "at most 200 characters" }),
  target: z.enum(MIGRATION_TARGETS, { message: `expected one of ${MIGRATION_TARGETS.join(", ")}` }),
});

export function migrationJson(m: Migration) {
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    target: m.config.target,
    config: m.config,
    createdBy: m.userId,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

export function migrationsApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const p = principalOf(c);
    const page = readQuery(c, paginationSchema);
    const result = await listMigrations(c.var.db, p.orgId, page);
    return c.json({ ...result, items: result.items.map(migrationJson) });
  });

  app.post("/", limitBody(16 * 1024), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, createMigrationSchema);
    const m = await createMigration(c.var.db, p.orgId, { userId: p.userId, name: input.name, config: { target: input.target } });
    await recordAudit(c.var.db, {
      orgId: p.orgId,
      userId: p.userId,
      eventType: "migration.created",
      details: { migrationId: m.id, name: m.name, via: p.via },
      ip: clientIp(c),
      at: c.var.deps.clock(),
    });
    return c.json(migrationJson(m), 201);
  });

  app.get("/:id", async (c) => {
    const p = principalOf(c);
    const id = c.req.param("id");
    // Another organisation's id and a non-existent id look the same.
    const m = isUuid(id) ? await getMigration(c.var.db, p.orgId, id) : undefined;
    if (!m) throw errors.notFound("migration");
    return c.json(migrationJson(m));
  });

  return app;
}
