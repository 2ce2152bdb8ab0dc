// The security dashboard, audit-log exports and data protection through the HTTP API.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { unzipSync, strFromU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { withTestApp } from "../../../test/support/app.ts";
import { queryRows, type Db } from "../../db/client.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { migrationFiles, migrationModels, migrations, migrationSources } from "../../db/schema/migrations.ts";
import { fineTuningData } from "../../db/schema/finetune.ts";
import { verifyAuditLog, verifyChain } from "../../guardian/audit/verify.ts";
import { csvCell } from "../../guardian/audit/export.ts";
import { encryptSecret, generateSecretKey } from "../../guardian/secrets.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const t = withTestApp();

async function seedWork(db: Db, orgId: string, userId: string) {
  const [m] = await db
    .insert(migrations)
    .values({
      orgId,
      userId,
      name: "Sales DW",
      config: { target: "postgres", source: { kind: "mssql", host: "db1", password: encryptSecret("hunter2", "ctx", { key: generateSecretKey() }) } },
    })
    .returning();
  const content = Buffer.from("CREATE TABLE dbo.Orders (id int);\n");
  await db.insert(migrationSources).values({
    migrationId: m!.id,
    orgId,
    filename: "orders.sql",
    content,
    size: content.length,
    sha256: createHash("sha256").update(content).digest("hex"),
  });
  await db.insert(migrationFiles).values({ migrationId: m!.id, orgId, path: "models/staging/orders.sql", content: "select 1 as id" });
  await db.insert(migrationModels).values({ migrationId: m!.id, orgId, sourceSchema: "dbo", sourceName: "Orders", sourceKind: "table" });
  await db.insert(fineTuningData).values({ orgId, taskType: "translate", input: "select top 1 * from t", output: "select * from t limit 1" } as never);
  return m!;
}

async function orgRowCounts(db: Db, orgId: string): Promise<Record<string, number>> {
  const tables = await queryRows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.columns where column_name = 'org_id' and table_schema = current_schema()
        and table_name in (select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE')`,
  );
  const out: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [r] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(table_name)} where org_id = ${orgId}::uuid`);
    if (r!.n) out[table_name] = r!.n;
  }
  return out;
}

describe("security dashboard API", () => {
  it("answers events over time, blocked requests, top rules and by user, filtered, for admins only", async () => {
    const a = await t.adminOf();
    const now = t.clock.now();
    for (const [i, rules] of [["pi.ignore_previous"], ["pi.ignore_previous", "sqli.union"], ["xss.script"]].entries()) {
      await recordAudit(t.testDb.db, {
        orgId: a.orgId,
        userId: a.userId,
        eventType: "guardian.blocked",
        details: { rules, score: 0.9 },
        at: new Date(now.getTime() - (i + 1) * 3_600_000),
      });
    }
    await recordAudit(t.testDb.db, { orgId: a.orgId, userId: null, eventType: "rate_limit.exceeded", details: { scope: "user" }, at: new Date(now.getTime() - 60_000) });
    const res = await t.get("/api/v1/security/dashboard", t.bearer(a.token));
    expect(res.status).toBe(200);
    const d = (await res.json()) as Json;
    expect(d.range.bucket).toBe("day");
    expect(d.eventsOverTime).toHaveLength(8);
    expect(d.eventsOverTime.reduce((s: number, b: Json) => s + b.total, 0)).toBe(d.totals.events);
    expect(d.totals.blocked).toBe(4);
    expect(d.blockedRequests).toEqual([
      { eventType: "guardian.blocked", count: 3 },
      { eventType: "rate_limit.exceeded", count: 1 },
    ]);
    expect(d.topRules[0]).toEqual({ rule: "pi.ignore_previous", count: 2 });
    expect(d.topRules).toContainEqual({ rule: "xss.script", count: 1 });
    expect(d.byUser[0]).toMatchObject({ userId: a.userId, email: a.email, blocked: 3 });
    expect(d.byType).toContainEqual({ eventType: "auth.login", count: 1 });

    const from = new Date(now.getTime() - 2.5 * 3_600_000).toISOString();
    const f = (await (await t.get(`/api/v1/security/dashboard?from=${from}&type=guardian.*`, t.bearer(a.token))).json()) as Json;
    expect(f.range.bucket).toBe("hour");
    expect(f.totals).toMatchObject({ events: 2, blocked: 2 });
    const bad = await t.get("/api/v1/security/dashboard?from=yesterday", t.bearer(a.token));
    expect(bad.status).toBe(400);
  });

  it("isolates organisations", async () => {
    const a = await t.adminOf();
    const b = await t.adminOf();
    await recordAudit(t.testDb.db, { orgId: a.orgId, userId: a.userId, eventType: "guardian.blocked", details: { rules: ["only.a"] }, at: t.clock.now() });
    const d = (await (await t.get("/api/v1/security/dashboard", t.bearer(b.token))).json()) as Json;
    expect(d.topRules).toEqual([]);
    expect(JSON.stringify(d)).not.toContain(a.userId);
    const logs = (await (await t.get(`/api/v1/security/audit-logs?user=${a.userId}`, t.bearer(b.token))).json()) as Json;
    expect(logs.total).toBe(0);
    const csv = await (await t.get("/api/v1/security/audit-logs?format=csv", t.bearer(b.token))).text();
    expect(csv).not.toContain(a.userId);
  });
});

describe("audit log export", () => {
  it("csvCell neutralises formulas and quotes everything", () => {
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const p of ["+1", "-1+2", "@SUM(A1)", "=1"]) expect(csvCell(p).startsWith(`"'`)).toBe(true);
    // Tab and CR are escaped before anything else: the cell cannot start with them.
    expect(csvCell("\t=1")).toBe('"\\t=1"');
    expect(csvCell("\r=1")).toBe('"\\r=1"');
    expect(csvCell("plain")).toBe('"plain"');
    expect(csvCell("a\nb")).toBe('"a\\nb"');
  });

  it("exports CSV (injection-safe) and JSON, filtered, and audits the export", async () => {
    const a = await t.adminOf();
    await t.postJson("/api/v1/auth/login", { email: "=cmd|' /C calc'!A0@example.com", password: "wrong password here" });
    await recordAudit(t.testDb.db, {
      orgId: a.orgId,
      userId: a.userId,
      eventType: "guardian.detected",
      details: { rules: ["x"], note: "=2+5\r\nforged line", email: "@attacker" },
      at: t.clock.now(),
    });
    const res = await t.get("/api/v1/security/audit-logs?format=csv", t.bearer(a.token));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-\d{8}T\d{6}\.csv"$/);
    const csv = await res.text();
    const lines = csv.split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("seq,created_at,event_type,user_id,pseudonym,ip,details,personal,hash,prev_hash");
    // Every cell is quoted, none starts with a formula character, no raw line break inside.
    for (const line of lines.slice(1)) {
      for (const cell of line.match(/"(?:[^"]|"")*"/g)!) expect(cell).not.toMatch(/^"[=+\-@\t\r]/);
      expect(line).not.toMatch(/\n/);
    }
    expect(csv).toContain("forged line");
    expect(lines.length - 1).toBe(4); // register, login, detected, audit.exported

    const jsonRes = await t.get("/api/v1/security/audit-logs?format=json&type=guardian.detected", t.bearer(a.token));
    const json = (await jsonRes.json()) as Json;
    expect(json.items).toHaveLength(1);
    // The export carries the chain's head as it was taken (its own audit.exported event included).
    const all = ((await (await t.get("/api/v1/security/audit-logs?limit=1", t.bearer(a.token))).json()) as Json).items;
    expect(all[0].eventType).toBe("audit.exported");
    expect(json.chainHead).toEqual({ seq: all[0].seq, hash: all[0].hash });
    expect(jsonRes.headers.get("x-audit-chain-head")).toBe(`${all[0].seq}:${all[0].hash}`);
    expect(json.items[0]).toMatchObject({ eventType: "guardian.detected", details: { note: "=2+5\\r\\nforged line", email: "@attacker" } });
    const types = ((await (await t.get("/api/v1/security/audit-logs?type=audit.exported", t.bearer(a.token))).json()) as Json).items;
    expect(types).toHaveLength(2);
    expect((await verifyChain(t.testDb.db, a.orgId)).ok).toBe(true);
  });

  it("members get 403 for exports, the dashboard and data protection", async () => {
    const a = await t.adminOf();
    await t.postJson("/api/v1/organization/members", { email: `m-${a.orgId}@example.com`, password: "member passphrase 9" }, t.bearer(a.token));
    const m = await t.login(`m-${a.orgId}@example.com`, "member passphrase 9");
    for (const path of ["/api/v1/security/audit-logs?format=csv", "/api/v1/security/dashboard", "/api/v1/data-protection/export"]) {
      expect((await t.get(path, t.bearer(m))).status).toBe(403);
    }
    expect((await t.postJson("/api/v1/data-protection/erase", { scope: "data", confirm: "x" }, t.bearer(m))).status).toBe(403);
  });
});

describe("data protection", () => {
  it("exports everything of the organisation (JSON and zip) without password hashes or secrets", async () => {
    const a = await t.adminOf("Export Org");
    const other = await t.adminOf("Other Org");
    const m = await seedWork(t.testDb.db, a.orgId, a.userId);
    await seedWork(t.testDb.db, other.orgId, other.userId);
    const res = await t.get("/api/v1/data-protection/export", t.bearer(a.token));
    expect(res.status).toBe(200);
    const text = await res.text();
    const data = JSON.parse(text) as Json;
    expect(data.organization).toMatchObject({ id: a.orgId, name: "Export Org" });
    expect(data.tables.users).toHaveLength(1);
    expect(data.tables.users[0]).toMatchObject({ email: a.email, password_hash: "[redacted]" });
    expect(text).not.toMatch(/\$argon2/);
    expect(text).not.toContain("dm1:");
    expect(data.tables.migrations[0]).toMatchObject({ id: m.id, name: "Sales DW" });
    expect(data.tables.migrations[0].config.source.password).toBe("[redacted]");
    expect(Buffer.from(data.tables.migration_sources[0].content.base64, "base64").toString()).toContain("dbo.Orders");
    expect(data.tables.migration_files[0]).toMatchObject({ path: "models/staging/orders.sql" });
    expect(data.tables.migration_models).toHaveLength(1);
    expect(data.tables.fine_tuning_data).toHaveLength(1);
    expect(data.tables.sessions).toBeUndefined();
    expect(data.tables.api_keys ?? []).toEqual([]);
    expect(data.audit.map((e: Json) => e.eventType)).toEqual(["auth.register", "auth.login", "data.exported"]);
    expect(text).not.toContain(other.orgId);

    const zip = await t.get("/api/v1/data-protection/export?format=zip", t.bearer(a.token));
    expect(zip.headers.get("content-type")).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(["export.json", `projects/${m.id}/models/staging/orders.sql`]),
    );
    expect(Object.keys(files).some((k) => k.startsWith(`sources/${m.id}/`) && k.endsWith("orders.sql"))).toBe(true);
    expect(strFromU8(files["export.json"]!)).not.toMatch(/\$argon2/);
  });

  it("erases the organisation's work (scope data), keeps accounts, and the audit chain still verifies", async () => {
    const a = await t.adminOf("Data Erase Org");
    await seedWork(t.testDb.db, a.orgId, a.userId);
    const wrong = await t.postJson("/api/v1/data-protection/erase", { scope: "data", confirm: "nope" }, t.bearer(a.token));
    expect(wrong.status).toBe(400);
    const res = await t.postJson("/api/v1/data-protection/erase", { scope: "data", confirm: "Data Erase Org" }, t.bearer(a.token));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.deleted).toMatchObject({ migrations: 1, fine_tuning_data: 1 });
    expect(await orgRowCounts(t.testDb.db, a.orgId)).toEqual({ users: 1, sessions: 1, audit_logs: expect.any(Number) });
    expect((await verifyChain(t.testDb.db, a.orgId)).ok).toBe(true);
  });

  it("erases the whole organisation: no org data left, audit rows pseudonymised and verifying", async () => {
    const a = await t.adminOf("Gone Org");
    await t.postJson("/api/v1/organization/members", { email: `gone-${a.orgId}@example.com`, password: "member passphrase 7" }, t.bearer(a.token));
    const member = await t.login(`gone-${a.orgId}@example.com`, "member passphrase 7");
    expect(member).toBeTruthy();
    await seedWork(t.testDb.db, a.orgId, a.userId);
    // An uploaded model file of the organisation, outside the database.
    const uploads = path.join(t.config.dataDir, "model-uploads", a.orgId);
    mkdirSync(uploads, { recursive: true });
    writeFileSync(path.join(uploads, "x.part"), "weights");
    const res = await t.postJson("/api/v1/data-protection/erase", { scope: "organization", confirm: "Gone Org" }, t.bearer(a.token));
    expect(existsSync(uploads)).toBe(false);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.pseudonymisedAuditRows).toBeGreaterThan(3);
    expect(await orgRowCounts(t.testDb.db, a.orgId)).toEqual({ audit_logs: expect.any(Number) });
    const [org] = await queryRows(t.testDb.db, sql`select id from organizations where id = ${a.orgId}::uuid`);
    expect(org).toBeUndefined();
    const rows = await queryRows<{ user_id: string | null; ip: string | null; personal: unknown; pseudonym: string | null; event_type: string }>(
      t.testDb.db,
      sql`select user_id, ip, personal, pseudonym, event_type from audit_logs where org_id = ${a.orgId}::uuid order by seq`,
    );
    expect(rows.map((r) => r.event_type)).toContain("data.erased");
    expect(rows.every((r) => r.user_id === null && r.ip === null && r.personal === null && r.pseudonym)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(a.email);
    const report = await verifyChain(t.testDb.db, a.orgId);
    expect(report).toMatchObject({ ok: true, pseudonymisedRows: rows.length });
    // The admin's session went with the organisation.
    expect((await t.get("/api/v1/me", t.bearer(a.token))).status).toBe(401);
  });

  it("erases one member: account gone, their audit entries pseudonymised, chain verifies", async () => {
    const a = await t.adminOf("Member Erase Org");
    const email = `leaver-${a.orgId}@example.com`;
    const added = (await (await t.postJson("/api/v1/organization/members", { email, password: "member passphrase 8" }, t.bearer(a.token))).json()) as Json;
    await t.login(email, "member passphrase 8");
    expect((await t.postJson(`/api/v1/data-protection/users/${a.userId}/erase`, {}, t.bearer(a.token))).status).toBe(403);
    const res = await t.postJson(`/api/v1/data-protection/users/${added.id}/erase`, {}, t.bearer(a.token));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).pseudonymisedAuditRows).toBe(1);
    const logs = (await (await t.get("/api/v1/security/audit-logs?type=auth.login&limit=100", t.bearer(a.token))).json()) as Json;
    expect(logs.items.some((i: Json) => i.pseudonym?.startsWith("erased-") && i.userId === null)).toBe(true);
    expect((await verifyChain(t.testDb.db, a.orgId)).ok).toBe(true);
  });
});

describe("the database this file produced", () => {
  it("every audit chain in it verifies (requests, exports, erasures, pseudonymisation)", async () => {
    const report = await verifyAuditLog(t.testDb.db);
    expect(report.chains.length).toBeGreaterThan(5);
    expect(report.chains.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
