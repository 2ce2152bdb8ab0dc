// Two database roles (server/db/roles.ts): the application runs as a role that does not own the
// schema, and the database itself refuses that role any change to the audit log, while the
// application (HTTP, jobs, audit, retention, erasure) keeps working.
import { randomBytes, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError, loadConfig, testConfig } from "../config.ts";
import { recordAudit } from "./queries/audit.ts";
import { verifyAuditLog } from "../guardian/audit/verify.ts";
import { runRetention } from "../guardian/audit/retention.ts";
import { createLogger } from "../log.ts";
import { startServer, type RunningServer } from "../web/server.ts";
import { createTestDb, type TestDb } from "../../test/support/db.ts";
import { openDatabase, queryRows } from "./client.ts";
import { checkRoleSplit, ownerDbFor, RoleSplitError, warnIfApplicationOwnsAuditLog } from "./roles.ts";

const adminUrl = process.env.TEST_DATABASE_URL;

/** Revokes what `roles` hold in the database at `url` (DROP OWNED BY), so that the roles can be dropped while the database is kept. */
async function dropOwnedIn(url: string, roles: string[]): Promise<void> {
  const c = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const r of roles) {
      const exists = await c`select 1 from pg_roles where rolname = ${r}`;
      if (exists.length) await c.unsafe(`drop owned by "${r}"`);
    }
  } finally {
    await c.end({ timeout: 5 });
  }
}

/** A pino logger whose lines are kept, to read what start-up warned about. */
function capturingLogger() {
  const lines: { level: number; msg: string; raw: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString("utf8").split("\n")) if (l.trim()) lines.push({ ...(JSON.parse(l) as { level: number; msg: string }), raw: l });
      done();
    },
  });
  return {
    logger: createLogger("info", stream),
    warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg),
    lines: () => lines.map((l) => l.raw),
    /** Warnings and errors, whole lines (with their err). */
    problems: () => lines.filter((l) => l.level >= 40).map((l) => l.raw),
  };
}

describe("DATABASE_OWNER_URL configuration", () => {
  it("is read as a secret, together with DATABASE_URL only", () => {
    const c = loadConfig({ DATABASE_URL: "postgres://app:a@db/x", DATABASE_OWNER_URL: "postgres://owner:o@db/x" });
    expect(c.databaseOwnerUrl).toBe("postgres://owner:o@db/x");
    expect(loadConfig({}).databaseOwnerUrl).toBeUndefined();
    expect(() => loadConfig({ DATABASE_OWNER_URL: "postgres://owner:o@db/x" })).toThrow(/DATABASE_OWNER_URL: set only together with DATABASE_URL/);
    try {
      loadConfig({ DATABASE_URL: "postgres://app:a@db/x", DATABASE_OWNER_URL: "mysql://owner:s3cr3t@db/x" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain("DATABASE_OWNER_URL: expected a postgres://");
      expect((err as Error).message).not.toContain("s3cr3t");
    }
  });

  it("never logs the owner's URL (redacted like DATABASE_URL)", () => {
    const { logger, lines } = capturingLogger();
    const config = loadConfig({ DATABASE_URL: "postgres://app:a@db/x", DATABASE_OWNER_URL: "postgres://owner:0wn3r-s3cret@db/x" });
    logger.info({ config }, "configuration");
    logger.info({ DATABASE_OWNER_URL: config.databaseOwnerUrl }, "environment");
    expect(lines().length).toBe(2);
    for (const l of lines()) expect(l).not.toContain("0wn3r-s3cret");
  });

  it("embedded database: no ownership warning (PGlite has no roles to split)", async () => {
    const handle = await openDatabase({ kind: "pglite-memory" });
    const { logger, warnings } = capturingLogger();
    try {
      await warnIfApplicationOwnsAuditLog(handle, logger);
      expect(warnings()).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

if (!adminUrl) console.log("server/db/roles.test.ts: TEST_DATABASE_URL is not set, skipping the two-role tests (they need a real Postgres to create roles in)");

describe.skipIf(!adminUrl)("the application on a role that does not own the schema (DATABASE_OWNER_URL)", () => {
  const suffix = randomBytes(5).toString("hex");
  const appRole = `dm_app_${suffix}`;
  const superRole = `dm_super_${suffix}`;
  let testDb: TestDb;
  let appUrl: string;
  let server: RunningServer;
  let app: postgres.Sql;
  let dataDir: string;
  const startLog = capturingLogger();
  const savedDatabaseUrl = process.env.DATABASE_URL;
  const secretKey = randomBytes(32).toString("hex");

  const admin = () => postgres(adminUrl!, { max: 1, onnotice: () => {} });
  const withRole = (url: string, role: string) => {
    const u = new URL(url);
    u.username = role;
    u.password = "";
    return u.toString();
  };

  beforeAll(async () => {
    const a = admin();
    try {
      await a.unsafe(`create role "${appRole}" login nosuperuser nocreatedb nocreaterole`);
      await a.unsafe(`create role "${superRole}" login superuser`);
    } finally {
      await a.end({ timeout: 5 });
    }
    testDb = await createTestDb({ migrate: false });
    appUrl = withRole(testDb.url!, appRole);
    dataDir = mkdtempSync(path.join(tmpdir(), "dm-roles-"));
    // The agent run reads DATABASE_URL from the environment for its checkpointer: the app role's.
    process.env.DATABASE_URL = appUrl;
    server = await startServer({
      config: testConfig({ port: 0, dataDir, databaseUrl: appUrl, databaseOwnerUrl: testDb.url, logLevel: "info" }),
      // A key: start-up records its fingerprint in encryption_keys (INSERT, as the app role).
      env: { DATAMIGRATE_SECRET_KEY: secretKey },
      logger: startLog.logger,
    });
    app = postgres(appUrl, { max: 1, onnotice: () => {} });
  }, 120_000);

  afterAll(async () => {
    if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedDatabaseUrl;
    await app?.end({ timeout: 5 });
    await server?.close();
    // A kept test database (KEEP_TEST_DATABASES=1) still holds the grants to the role: revoke them there first.
    if (testDb?.url) await dropOwnedIn(testDb.url, [appRole, superRole]);
    await testDb?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    const a = admin();
    try {
      await a.unsafe(`drop role if exists "${appRole}"`);
      await a.unsafe(`drop role if exists "${superRole}"`);
    } finally {
      await a.end({ timeout: 5 });
    }
  });

  const json = { "Content-Type": "application/json" };
  let token = "";
  let orgId = "";

  it("serves as the app role: register, login, a migration whose job runs, audit rows that verify", async () => {
    expect(startLog.warnings().filter((w) => w.includes("owns audit_logs"))).toEqual([]);
    const [who] = await queryRows<{ u: string }>(server.database.db, sql`select current_user::text as u`);
    expect(who!.u).toBe(appRole);
    const [keys] = await queryRows<{ n: number }>(server.database.db, sql`select count(*)::int as n from encryption_keys`);
    expect(keys!.n).toBe(1);
    const url = (p: string) => `${server.url}${p}`;
    const reg = await fetch(url("/api/v1/auth/register"), {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "ada@example.com", password: "correct horse battery staple", organizationName: "Split Roles" }),
    });
    expect(reg.status).toBe(201);
    const login = await fetch(url("/api/v1/auth/login"), {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "ada@example.com", password: "correct horse battery staple" }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { token: string }).token;
    const form = new FormData();
    form.set("name", "Split roles run");
    form.set("target", "postgres");
    form.append("files", new Blob(["CREATE TABLE dbo.Customer (Id int NOT NULL PRIMARY KEY, Name nvarchar(50) NULL);\nGO\n"]), "customer.sql");
    const created = await fetch(url("/api/v1/migrations"), { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: form });
    expect(created.status, await created.clone().text()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    // The job queue (pg-boss, schema created by the owner) hands the run to this process's worker.
    let status = "queued";
    for (let i = 0; i < 600 && ["queued", "running"].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      const res = await fetch(url(`/api/v1/migrations/${id}`), { headers: { Authorization: `Bearer ${token}` } });
      const m = (await res.json()) as { status: string; orgId?: string };
      status = m.status;
    }
    expect(status).toBe("completed");
    // The run checkpointed through PostgresSaver (schema langgraph, created by the owner) as the app role.
    const [started] = await queryRows<{ data: { checkpointer?: string } }>(
      server.database.db,
      sql`select data from migration_events where migration_id = ${id}::uuid and message = 'run started'`,
    );
    expect(started!.data.checkpointer).toBe("postgres");
    const owners = await queryRows<{ schemaname: string; tableowner: string }>(
      server.database.db,
      sql`select schemaname::text, tableowner::text from pg_tables where schemaname in ('public', 'pgboss', 'langgraph', 'drizzle')`,
    );
    expect(new Set(owners.map((o) => o.schemaname))).toEqual(new Set(["public", "pgboss", "langgraph", "drizzle"]));
    expect(owners.filter((o) => o.tableowner === appRole)).toEqual([]);
    const [m] = await queryRows<{ org_id: string }>(server.database.db, sql`select org_id from migrations where id = ${id}::uuid`);
    orgId = m!.org_id;
    const events = await queryRows<{ event_type: string }>(server.database.db, sql`select event_type from audit_logs where org_id = ${orgId}::uuid order by seq`);
    const types = events.map((e) => e.event_type);
    for (const t of ["auth.register", "auth.login", "migration.created", "migration.started"]) expect(types).toContain(t);
    const report = await verifyAuditLog(server.database.db);
    expect(report.ok, JSON.stringify(report.chains.filter((c) => !c.ok))).toBe(true);
  }, 180_000);

  it.each([
    ["UPDATE audit_logs", "update audit_logs set details = '{}'::jsonb"],
    ["UPDATE after opening the erasure exception", "select set_config('datamigrate.audit_pseudonymise', 'on', false); update audit_logs set user_id = null"],
    ["DELETE FROM audit_logs", "delete from audit_logs"],
    ["DELETE after opening the retention exception", "select set_config('datamigrate.audit_retention', 'on', false); delete from audit_logs"],
    ["ALTER TABLE audit_logs DISABLE TRIGGER ALL", "alter table audit_logs disable trigger all"],
    ["ALTER TABLE audit_logs DISABLE TRIGGER (one)", "alter table audit_logs disable trigger audit_logs_append_only"],
    ["TRUNCATE audit_logs", "truncate audit_logs"],
    ["UPDATE audit_chain_heads", "update audit_chain_heads set seq = seq - 1"],
    ["DELETE FROM audit_chain_heads", "delete from audit_chain_heads"],
    ["INSERT INTO audit_chain_heads", "insert into audit_chain_heads (chain, seq, hash) values (gen_random_uuid(), 1, 'x')"],
    ["INSERT INTO audit_anchors", "insert into audit_anchors (org_id, seq, hash, removed_rows, before) values (null, 1, 'x', 1, now())"],
    ["ALTER TABLE audit_chain_heads DISABLE TRIGGER ALL", "alter table audit_chain_heads disable trigger all"],
    ["calling audit_prune", "select * from audit_prune(null, now() - interval '40 days')"],
    ["calling audit_pseudonymise", "select audit_pseudonymise(null, null, 'x')"],
    ["DROP TABLE audit_logs", "drop table audit_logs"],
    ["CREATE SCHEMA", "create schema dm_attacker"],
  ])("refuses the app role %s (permission denied)", async (_, statement) => {
    const err = await app.begin((tx) => tx.unsafe(statement)).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err, `${statement} succeeded`).toBeDefined();
    expect(err!.code, err!.message).toBe("42501");
  });

  it("a temporary table named audit_chain_heads does not fool the head check (the definer's search_path ends with pg_temp)", async () => {
    const chain = randomUUID();
    const err = await app
      .begin(async (tx) => {
        await tx.unsafe("create temp table audit_chain_heads (chain uuid primary key, seq bigint not null, hash text not null, updated_at timestamptz)");
        await tx.unsafe(`insert into pg_temp.audit_chain_heads values ('${chain}', 76, 'nothing', now())`);
        await tx.unsafe(`insert into audit_logs (org_id, seq, event_type, prev_hash, hash) values ('${chain}', 77, 'forged.row', 'nothing', 'forged')`);
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; message: string },
      );
    expect(err, "the forged append was accepted").toBeDefined();
    expect(err!.code, err!.message).toBe("23514");
    expect(err!.message).toContain("must continue the head at seq 0");
  });

  it("leaves the app role what it needs on the audit tables: SELECT and INSERT (through the chain)", async () => {
    const [n] = await app`select count(*)::int as n from audit_logs`;
    expect(n!.n).toBeGreaterThan(0);
    await recordAudit(server.database.db, { orgId, userId: null, eventType: "test.appended", details: { by: "app role" }, at: new Date() });
    expect((await verifyAuditLog(server.database.db, { orgId })).ok).toBe(true);
  });

  it("retention removes old events through the owner's pool and the chain still verifies", async () => {
    expect(ownerDbFor(server.database.db)).not.toBe(server.database.db);
    const chain = randomUUID();
    const old = Date.now() - 100 * 86_400_000;
    for (let i = 0; i < 3; i++) await recordAudit(server.database.db, { orgId: chain, userId: null, eventType: "test.old", details: { i }, at: new Date(old + i) });
    await recordAudit(server.database.db, { orgId: chain, userId: null, eventType: "test.recent", details: {}, at: new Date() });
    const results = await runRetention(server.database.db, { days: 30, schedule: "17 3 * * *" }, new Date());
    expect(results.find((r) => r.orgId === chain)).toMatchObject({ removed: 3, anchorSeq: 3 });
    const left = await queryRows<{ event_type: string }>(server.database.db, sql`select event_type from audit_logs where org_id = ${chain}::uuid order by seq`);
    expect(left.map((r) => r.event_type)).toEqual(["test.recent", "audit.retention"]);
    expect((await verifyAuditLog(server.database.db)).ok).toBe(true);
  });

  it("erases the organisation over HTTP (audit rows pseudonymised through the owner's pool) and the log still verifies", async () => {
    const res = await fetch(`${server.url}/api/v1/data-protection/erase`, {
      method: "POST",
      headers: { ...json, Authorization: `Bearer ${token}` },
      body: JSON.stringify({ scope: "organization", confirm: "Split Roles" }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const result = (await res.json()) as { pseudonymisedAuditRows: number; deleted: Record<string, number> };
    expect(result.pseudonymisedAuditRows).toBeGreaterThan(0);
    expect(result.deleted.organizations).toBe(1);
    const rows = await queryRows<{ n: number; personal: number }>(
      server.database.db,
      sql`select count(*)::int as n, count(*) filter (where user_id is not null or ip is not null or personal is not null)::int as personal from audit_logs where org_id = ${orgId}::uuid`,
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect(rows[0]!.personal).toBe(0);
    expect((await verifyAuditLog(server.database.db)).ok).toBe(true);
  });

  it("the CLI's database (finetune commands) migrates through the owner, and works as the app role", async () => {
    const { openAppDatabase } = await import("../finetune/cli.ts");
    const env = { DATABASE_URL: appUrl, DATABASE_OWNER_URL: testDb.url!, DATA_DIR: dataDir };
    const opened = await openAppDatabase(env);
    expect(typeof opened).not.toBe("string");
    if (typeof opened === "string") return;
    try {
      const [who] = await queryRows<{ u: string }>(opened.handle.db, sql`select current_user::text as u`);
      expect(who!.u).toBe(appRole);
    } finally {
      await opened.handle.close();
    }
    // The app role alone cannot run the migrator (it creates the drizzle schema if missing).
    const err = (await openAppDatabase({ DATABASE_URL: appUrl, DATA_DIR: dataDir }).catch((e: unknown) => e)) as { cause?: { code?: string } };
    expect(err.cause?.code).toBe("42501");
  });

  it("pg-boss's maintenance (expire, archive, drop) runs as the app role on the owner's queue tables", async () => {
    // Its own SQL, as its supervisor sends it (the supervisor runs every few minutes, not within a test).
    const plans = createRequire(import.meta.url)("pg-boss/src/plans.js") as {
      locked(schema: string, q: string): string;
      failJobsByTimeout(schema: string): string;
      archive(schema: string, completed: string, failed: string): string;
      drop(schema: string, interval: string): string;
      trySetMaintenanceTime(schema: string): string;
    };
    await app.unsafe(plans.trySetMaintenanceTime("pgboss"), [0]);
    await app.unsafe(plans.locked("pgboss", plans.failJobsByTimeout("pgboss")));
    const [before] = await app`select count(*)::int as n from pgboss.job where state = 'completed'`;
    expect(before!.n).toBeGreaterThan(0);
    await app.unsafe(plans.locked("pgboss", plans.archive("pgboss", "0 seconds", "0 seconds")));
    const [archived] = await app`select count(*)::int as n from pgboss.archive`;
    expect(archived!.n).toBe(before!.n);
    await app.unsafe(plans.locked("pgboss", plans.drop("pgboss", "0 seconds")));
    const [left] = await app`select count(*)::int as n from pgboss.archive`;
    expect(left!.n).toBe(0);
  });

  it("the app role's checkpointer does not try to create the langgraph schema the owner set up (no 'permission denied' per run)", async () => {
    const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
    const { openCheckpointer } = await import("../agents/checkpoint.ts");
    const setup = vi.spyOn(PostgresSaver.prototype, "setup");
    const handle = await openDatabase({ kind: "postgres", url: appUrl });
    try {
      const opened = await openCheckpointer(handle.db, appUrl);
      await opened.close();
      expect(opened.kind).toBe("postgres");
      expect(setup).not.toHaveBeenCalled();
    } finally {
      setup.mockRestore();
      await handle.close();
    }
  });

  it("logged no permission error while serving, running the job, retention and erasure as the app role", () => {
    expect(startLog.problems().filter((l) => /permission denied|42501|must be owner/i.test(l))).toEqual([]);
  });

  it("refuses a split that is only apparent: one role for both, or a superuser application role", async () => {
    const owner = await openDatabase({ kind: "postgres", url: testDb.url! });
    const same = await openDatabase({ kind: "postgres", url: testDb.url! });
    const sup = await openDatabase({ kind: "postgres", url: withRole(testDb.url!, superRole) });
    try {
      await expect(checkRoleSplit(same.db, owner.db)).rejects.toThrow(RoleSplitError);
      await expect(checkRoleSplit(same.db, owner.db)).rejects.toThrow(/both log in as/);
      await expect(checkRoleSplit(sup.db, owner.db)).rejects.toThrow(/is a superuser/);
    } finally {
      await Promise.all([owner.close(), same.close(), sup.close()]);
    }
  });

  it("without DATABASE_OWNER_URL, warns once at start-up that the role owns audit_logs, and what that allows", async () => {
    const { logger, warnings } = capturingLogger();
    const oneRole = await startServer({
      config: testConfig({ port: 0, dataDir: mkdtempSync(path.join(tmpdir(), "dm-roles1-")), databaseUrl: testDb.url, logLevel: "info" }),
      env: { DATAMIGRATE_SECRET_KEY: secretKey },
      logger,
    });
    try {
      const w = warnings().filter((m) => m.includes("owns audit_logs"));
      expect(w).toHaveLength(1);
      expect(w[0]).toContain("DISABLE TRIGGER");
      expect(w[0]).toContain("DATABASE_OWNER_URL");
    } finally {
      await oneRole.close();
      rmSync(oneRole.config.dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A fresh, unmigrated test database and a new login role for the app (no grants yet); both removed afterwards. */
async function withFreshAppRole(fn: (x: { ownerUrl: string; appUrl: string; dataDir: () => string }) => Promise<void>): Promise<void> {
  const role = `dm_app_${randomBytes(5).toString("hex")}`;
  const a = postgres(adminUrl!, { max: 1, onnotice: () => {} });
  await a.unsafe(`create role "${role}" login`);
  const testDb = await createTestDb({ migrate: false });
  const appUrl = new URL(testDb.url!);
  appUrl.username = role;
  const dirs: string[] = [];
  try {
    await fn({ ownerUrl: testDb.url!, appUrl: appUrl.toString(), dataDir: () => (dirs.push(mkdtempSync(path.join(tmpdir(), "dm-roles-fresh-"))), dirs.at(-1)!) });
  } finally {
    if (testDb.url) await dropOwnedIn(testDb.url, [role]);
    await testDb.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await a.unsafe(`drop role if exists "${role}"`);
    await a.end({ timeout: 5 });
  }
}

describe.skipIf(!adminUrl)("the CLI's database first on a fresh database (DATABASE_OWNER_URL)", () => {
  it("migrates through the owner and grants the app role, which then reads the tables; refuses an apparent split", () =>
    withFreshAppRole(async ({ ownerUrl, appUrl, dataDir }) => {
      const { openAppDatabase } = await import("../finetune/cli.ts");
      const dir = dataDir();
      const opened = await openAppDatabase({ DATABASE_URL: appUrl, DATABASE_OWNER_URL: ownerUrl, DATA_DIR: dir });
      if (typeof opened === "string") throw new Error(opened);
      try {
        const [n] = await queryRows<{ n: number }>(opened.handle.db, sql`select count(*)::int as n from organizations`);
        expect(n!.n).toBe(0);
      } finally {
        await opened.handle.close();
      }
      await expect(openAppDatabase({ DATABASE_URL: ownerUrl, DATABASE_OWNER_URL: ownerUrl, DATA_DIR: dir })).rejects.toThrow(/both log in as/);
    }), 120_000);
});

describe.skipIf(!adminUrl)("servers starting together with DATABASE_OWNER_URL", () => {
  it("all start on a fresh database (migrations, library schemas and grants take turns)", () =>
    withFreshAppRole(async ({ ownerUrl, appUrl, dataDir }) => {
      const started = await Promise.allSettled(
        [dataDir(), dataDir(), dataDir()].map((dir) =>
          startServer({
            config: testConfig({ port: 0, dataDir: dir, databaseUrl: appUrl, databaseOwnerUrl: ownerUrl, logLevel: "error" }),
            logger: createLogger("silent"),
          }),
        ),
      );
      for (const s of started) if (s.status === "fulfilled") await s.value.close();
      expect(started.map((s) => (s.status === "rejected" ? String(s.reason) : "ok"))).toEqual(["ok", "ok", "ok"]);
    }), 120_000);
});

describe.skipIf(!adminUrl)("CREATE on the schema (PUBLIC has it before Postgres 15)", () => {
  it("is taken from PUBLIC and the app role at start-up: the app role cannot add a function where the owner's audit functions look", () =>
    withFreshAppRole(async ({ ownerUrl, appUrl, dataDir }) => {
      // As on Postgres 14 and older (or a hand-made grant): everyone may create in the schema.
      const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
      try {
        await owner.unsafe("grant create on schema public to public");
        const server = await startServer({
          config: testConfig({ port: 0, dataDir: dataDir(), databaseUrl: appUrl, databaseOwnerUrl: ownerUrl, logLevel: "error" }),
          logger: createLogger("silent"),
        });
        await server.close();
        const app = postgres(appUrl, { max: 1, onnotice: () => {} });
        try {
          await expect(app.unsafe("create function public.audit_probe() returns int language sql as 'select 1'")).rejects.toMatchObject({ code: "42501" });
        } finally {
          await app.end({ timeout: 5 });
        }
        const [p] = await owner<{ ok: boolean }[]>`select has_schema_privilege('public', 'public', 'CREATE') as ok`;
        expect(p!.ok).toBe(false);
      } finally {
        await owner.end({ timeout: 5 });
      }
    }), 120_000);
});
