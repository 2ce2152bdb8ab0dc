// `datamigrate audit verify` on a database written by the application code: OK, then broken.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, markTamperedOnPurpose, type TestDb } from "../../test/support/db.ts";
import { openDatabase, queryRows, type DatabaseHandle } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { createOrganizationWithAdmin } from "../db/queries/accounts.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { audit, parseAuditArgs } from "./audit.ts";

/** Postgres: an isolated test database given by URL. PGlite: a data directory the command opens itself. */
let pg: TestDb | undefined;
let dir: string | undefined;
let orgId: string;
const headsDir = mkdtempSync(path.join(os.tmpdir(), "dm-audit-heads-"));

async function open(): Promise<DatabaseHandle> {
  if (pg) return pg.handle;
  return openDatabase({ kind: "pglite", dataDir: path.join(dir!, "pglite") });
}
async function done(h: DatabaseHandle): Promise<void> {
  if (!pg) await h.close();
}

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const w = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((out += String(s)), true));
  const saved = process.env.DATA_DIR;
  const savedUrl = process.env.DATABASE_URL;
  try {
    delete process.env.DATABASE_URL;
    if (dir) process.env.DATA_DIR = dir;
    const code = await audit.run(pg ? [...args, "--database-url", pg.url!] : args);
    return { code, out };
  } finally {
    w.mockRestore();
    e.mockRestore();
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
  }
}

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) pg = await createTestDb();
  else dir = mkdtempSync(path.join(os.tmpdir(), "dm-audit-cli-"));
  const h = await open();
  try {
    if (!pg) await migrateDatabase(h);
    const r = await createOrganizationWithAdmin(h.db, { organizationName: "CLI", email: "cli@example.com", passwordHash: "x" });
    orgId = r.organization.id;
    for (let i = 0; i < 4; i++) {
      await recordAudit(h.db, { orgId, userId: r.user.id, eventType: "auth.login", details: { i }, at: new Date(Date.UTC(2031, 0, 1, 0, 0, i)) });
    }
  } finally {
    await done(h);
  }
});

afterAll(async () => {
  await pg?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
  rmSync(headsDir, { recursive: true, force: true });
});

describe("datamigrate audit", () => {
  it("parses its arguments", () => {
    expect(parseAuditArgs(["verify", "--org", "nope"])).toMatch(/UUID/);
    expect(parseAuditArgs(["frobnicate"])).toMatch(/verify/);
    expect(parseAuditArgs(["prune", "--days", "7"])).toMatch(/at least 30/);
    expect(parseAuditArgs(["verify", "--json"])).toEqual({ action: "verify", json: true });
    expect(parseAuditArgs(["verify", "--heads", "h.json"])).toEqual({ action: "verify", json: false, headsFile: "h.json" });
    expect(parseAuditArgs(["verify", "--org", "none", "--head", `1:${"a".repeat(64)}`, "--heads", "h.json"])).toMatch(/exclude/);
  });

  it("reports OK on an intact log, then the first broken link with exit code 1", async () => {
    const ok = await run(["verify"]);
    expect(ok.out).toContain(`OK      ${orgId}  4 row(s)`);
    expect(ok.code).toBe(0);
    // A saved --json report is a set of heads for a later --heads check.
    const saved = await run(["verify", "--json"]);
    const headsFile = path.join(headsDir, "heads.json");
    writeFileSync(headsFile, saved.out);
    expect(await run(["verify", "--heads", headsFile])).toMatchObject({ code: 0 });
    writeFileSync(path.join(headsDir, "bad.json"), "{}");
    expect(await run(["verify", "--heads", path.join(headsDir, "bad.json")])).toMatchObject({ code: 2, out: expect.stringMatching(/bad\.json:1: expected the output/) });
    // A head from the future (as if rows after it had been removed, head anchor included) fails.
    const future = JSON.parse(saved.out) as { chains: { orgId: string; head: { seq: number } }[] };
    future.chains.find((c) => c.orgId === orgId)!.head.seq = 9;
    writeFileSync(headsFile, JSON.stringify(future));
    const behind = await run(["verify", "--heads", headsFile]);
    expect(behind.code).toBe(1);
    expect(behind.out).toContain(`BROKEN  ${orgId}  AUD1007 head_mismatch at seq 9`);

    const h = await open();
    let editedId: string;
    try {
      [{ id: editedId }] = (await queryRows<{ id: string }>(h.db, sql`select id from audit_logs where org_id = ${orgId} and seq = 2`)) as [{ id: string }];
      await markTamperedOnPurpose(h.db);
      await h.db.execute(sql`alter table audit_logs disable trigger audit_logs_append_only`);
      await h.db.execute(sql`update audit_logs set event_type = 'auth.logout' where id = ${editedId}`);
      await h.db.execute(sql`alter table audit_logs enable trigger audit_logs_append_only`);
    } finally {
      await done(h);
    }
    const bad = await run(["verify", "--org", orgId]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`BROKEN  ${orgId}  AUD1003 edited_row at seq 2 (row ${editedId})`);
    const json = await run(["verify", "--org", orgId, "--json"]);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, chains: [{ problem: { kind: "edited_row", seq: 2, id: editedId } }] });
  });
});
