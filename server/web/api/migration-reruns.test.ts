// POST /api/v1/migrations/:id/objects/:objectId/rerun and the re-run history routes: who may ask,
// what is refused (404, 409) and that a refusal writes nothing, the audit row of a request. No
// worker runs here, so a request stays queued (server/jobs/rerun.test.ts executes re-runs).
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withTestApp } from "../../../test/support/app.ts";
import { createMigration } from "../../db/queries/migrations.ts";
import { migrationModels, migrationObjectRuns, migrations, type MigrationStatus } from "../../db/schema/migrations.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe("/api/v1/migrations/:id/objects/:objectId/rerun", () => {
  const t = withTestApp();

  async function finishedMigration(orgId: string, userId: string, status: MigrationStatus = "completed") {
    const m = await createMigration(t.testDb.db, orgId, { userId, name: "finished", config: { target: "postgres" } });
    await t.testDb.db.update(migrations).set({ status, finishedAt: status === "completed" ? new Date() : null }).where(eq(migrations.id, m.id));
    const [o] = await t.testDb.db
      .insert(migrationModels)
      .values({ migrationId: m.id, orgId, sourceSchema: "dbo", sourceName: "vTotals", sourceKind: "view", status: "converted", evidenceGrade: "ran", modelPath: "models/marts/dbo/v_totals.sql" })
      .returning();
    return { m, o: o! };
  }
  const post = (path: string, body: unknown, token: string) => t.postJson(path, body, t.bearer(token));
  const rerunsOf = (migrationId: string) => t.testDb.db.select().from(migrationObjectRuns).where(eq(migrationObjectRuns.migrationId, migrationId));
  const auditRows = async (orgId: string, type: string) => {
    const res = await t.testDb.db.execute(sql`select user_id, details, ip from audit_logs where org_id = ${orgId} and event_type = ${type} order by seq`);
    return (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<{ user_id: string; details: Record<string, unknown> }>;
  };

  it("202: the re-run is queued, listed in the object's history, readable by id, and audited with who asked", async () => {
    const a = await t.adminOf();
    const { m, o } = await finishedMigration(a.orgId, a.userId);
    // The migration's detail names each object's id, which the re-run route takes.
    const detail = (await (await t.get(`/api/v1/migrations/${m.id}`, t.bearer(a.token))).json()) as Json;
    expect(detail.objects.map((x: Json) => [x.id, `${x.schema}.${x.name}`])).toEqual([[o.id, "dbo.vTotals"]]);
    const res = await post(`/api/v1/migrations/${m.id}/objects/${detail.objects[0].id}/rerun`, { kind: "translate" }, a.token);
    expect(res.status).toBe(202);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ migrationId: m.id, objectId: o.id, kind: "translate", status: "queued", requestedBy: a.userId, object: "dbo.vTotals", before: null, after: null, error: null });
    const stored = await rerunsOf(m.id);
    expect(stored.map((r) => [r.id, r.status, r.kind])).toEqual([[body.id, "queued", "translate"]]);

    const list = (await (await t.get(`/api/v1/migrations/${m.id}/objects/${o.id}/reruns`, t.bearer(a.token))).json()) as Json;
    expect(list.items.map((r: Json) => r.id)).toEqual([body.id]);
    const one = await t.get(`/api/v1/migrations/${m.id}/reruns/${body.id}`, t.bearer(a.token));
    expect(one.status).toBe(200);
    expect(((await one.json()) as Json).status).toBe("queued");

    const audit = await auditRows(a.orgId, "migration.object_rerun_requested");
    expect(audit).toHaveLength(1);
    expect(audit[0]!.user_id).toBe(a.userId);
    expect(audit[0]!.details).toMatchObject({ migrationId: m.id, rerunId: body.id, modelId: o.id, object: "dbo.vTotals", kind: "translate", via: "session" });
  });

  it("409 while another re-run of the migration is queued; nothing more is written", async () => {
    const a = await t.adminOf();
    const { m, o } = await finishedMigration(a.orgId, a.userId);
    expect((await post(`/api/v1/migrations/${m.id}/objects/${o.id}/rerun`, { kind: "validate" }, a.token)).status).toBe(202);
    const again = await post(`/api/v1/migrations/${m.id}/objects/${o.id}/rerun`, { kind: "rebuild" }, a.token);
    expect(again.status).toBe(409);
    const err = (await again.json()) as Json;
    expect(err.error.code).toBe("rerun_in_progress");
    expect(err.error.message).toContain("dbo.vTotals (validation) is queued");
    expect(await rerunsOf(m.id)).toHaveLength(1);
    expect(await auditRows(a.orgId, "migration.object_rerun_requested")).toHaveLength(1);
  });

  it.each(["queued", "running"] as const)("409 while the migration's run is %s; nothing is written", async (status) => {
    const a = await t.adminOf();
    const { m, o } = await finishedMigration(a.orgId, a.userId, status);
    const res = await post(`/api/v1/migrations/${m.id}/objects/${o.id}/rerun`, { kind: "translate" }, a.token);
    expect(res.status).toBe(409);
    const err = (await res.json()) as Json;
    expect(err.error).toMatchObject({ code: "run_in_progress" });
    expect(err.error.message).toContain(`run is ${status}`);
    expect(await rerunsOf(m.id)).toHaveLength(0);
    expect(await auditRows(a.orgId, "migration.object_rerun_requested")).toHaveLength(0);
  });

  it("404 for an object that does not exist, one of another migration, and an unknown migration; 400 for an unknown kind", async () => {
    const a = await t.adminOf();
    const { m, o } = await finishedMigration(a.orgId, a.userId);
    const { m: m2 } = await finishedMigration(a.orgId, a.userId);
    const missing = await post(`/api/v1/migrations/${m.id}/objects/00000000-0000-4000-8000-000000000000/rerun`, { kind: "translate" }, a.token);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as Json).error.message).toBe("object not found");
    expect((await post(`/api/v1/migrations/${m2.id}/objects/${o.id}/rerun`, { kind: "translate" }, a.token)).status).toBe(404);
    expect((await post(`/api/v1/migrations/00000000-0000-4000-8000-000000000000/objects/${o.id}/rerun`, { kind: "translate" }, a.token)).status).toBe(404);
    expect((await post(`/api/v1/migrations/${m.id}/objects/not-a-uuid/rerun`, { kind: "translate" }, a.token)).status).toBe(404);
    const bad = await post(`/api/v1/migrations/${m.id}/objects/${o.id}/rerun`, { kind: "everything" }, a.token);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.fields.kind[0]).toContain("translate, validate, rebuild");
    expect(await rerunsOf(m.id)).toHaveLength(0);
  });

  it("another organisation's migration and object are 404 (re-run, history, one re-run); nothing is written", async () => {
    const a = await t.adminOf();
    const b = await t.adminOf();
    const { m, o } = await finishedMigration(a.orgId, a.userId);
    const res = await post(`/api/v1/migrations/${m.id}/objects/${o.id}/rerun`, { kind: "translate" }, b.token);
    expect(res.status).toBe(404);
    expect(await rerunsOf(m.id)).toHaveLength(0);
    expect(await auditRows(b.orgId, "migration.object_rerun_requested")).toHaveLength(0);
    const mine = (await (await post(`/api/v1/migrations/${m.id}/objects/${o.id}/rerun`, { kind: "translate" }, a.token)).json()) as Json;
    expect((await t.get(`/api/v1/migrations/${m.id}/objects/${o.id}/reruns`, t.bearer(b.token))).status).toBe(404);
    expect((await t.get(`/api/v1/migrations/${m.id}/reruns/${mine.id}`, t.bearer(b.token))).status).toBe(404);
  });

  it("403 for a read-only API key; a member may re-run (running migrations needs write, which both roles have)", async () => {
    const a = await t.adminOf();
    const { m, o } = await finishedMigration(a.orgId, a.userId);
    const keyRes = await t.postJson("/api/v1/api-keys", { name: "read only", scopes: ["read"] }, t.bearer(a.token));
    const key = ((await keyRes.json()) as Json).key as string;
    const res = await post(`/api/v1/migrations/${m.id}/objects/${o.id}/rerun`, { kind: "translate" }, key);
    expect(res.status).toBe(403);
    expect(await rerunsOf(m.id)).toHaveLength(0);
    // A member of the organisation.
    const email = `member-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const added = await t.postJson("/api/v1/organization/members", { email, password: "correct horse battery staple", role: "member" }, t.bearer(a.token));
    expect(added.status).toBe(201);
    const memberToken = await t.login(email, "correct horse battery staple");
    const ok = await post(`/api/v1/migrations/${m.id}/objects/${o.id}/rerun`, { kind: "validate" }, memberToken);
    expect(ok.status).toBe(202);
    const [row] = await t.testDb.db.select().from(migrationObjectRuns).where(and(eq(migrationObjectRuns.migrationId, m.id), eq(migrationObjectRuns.kind, "validate")));
    expect(row!.requestedBy).not.toBe(a.userId);
  });
});
