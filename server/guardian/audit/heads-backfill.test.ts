// Migration 0008 on a database that already holds audit chains: every chain gets its head anchor
// (newest row, else retention anchor), the chains still verify, and appends continue them.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { afterAll, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../../test/support/db.ts";
import { queryRows, type Db } from "../../db/client.ts";
import { MIGRATIONS_FOLDER, migrateDatabase } from "../../db/migrate.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { chainHash, GENESIS_HASH } from "./chain.ts";
import { verifyAuditLog } from "./verify.ts";

let t: TestDb | undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), "dm-heads-backfill-"));
afterAll(async () => {
  await t?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** migrations/ as it was before 0008. */
function migrationsBefore0008(): string {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: { idx: number; tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.idx < 8);
  mkdirSync(path.join(dir, "meta"), { recursive: true });
  writeFileSync(path.join(dir, "meta/_journal.json"), JSON.stringify(journal));
  for (const f of readdirSync(MIGRATIONS_FOLDER)) if (journal.entries.some((e) => `${e.tag}.sql` === f)) copyFileSync(path.join(MIGRATIONS_FOLDER, f), path.join(dir, f));
  return dir;
}

/** Appends rows the way the application did before 0008 (no head table yet). */
async function appendRaw(db: Db, orgId: string | null, from: { seq: number; hash: string }, rows: { type: string; details: Record<string, unknown>; at: Date }[]) {
  let { seq, hash: prev } = from;
  for (const r of rows) {
    seq++;
    const hash = chainHash({ orgId, seq, createdAt: r.at, eventType: r.type, details: r.details, subjectHash: "", prevHash: prev });
    await db.execute(sql`insert into audit_logs (org_id, seq, event_type, details, subject_hash, pseudonym, prev_hash, hash, created_at)
      values (${orgId}, ${seq}, ${r.type}, ${JSON.stringify(r.details)}::jsonb, '', 'p', ${prev}, ${hash}, ${r.at.toISOString()}::timestamptz)`);
    prev = hash;
  }
  return { seq, hash: prev };
}

it("backfills the head anchor of every existing chain, and the chains keep verifying and growing", async () => {
  t = await createTestDb({ migrate: false });
  const folder = migrationsBefore0008();
  if (t.handle.raw.kind === "pglite") await migratePglite(t.handle.raw.db, { migrationsFolder: folder });
  else await migratePostgres(t.handle.raw.db, { migrationsFolder: folder });
  const db = t.db;
  const a = randomUUID();
  const b = randomUUID();
  const at = (d: string) => new Date(d);
  const headA = await appendRaw(db, a, { seq: 0, hash: GENESIS_HASH }, [1, 2, 3].map((n) => ({ type: "auth.login", details: { n }, at: at("2031-01-01T00:00:00Z") })));
  const headNull = await appendRaw(db, null, { seq: 0, hash: GENESIS_HASH }, [1, 2].map((n) => ({ type: "auth.login_failed", details: { n }, at: at("2031-01-01T00:00:00Z") })));
  // b: three old rows, all removed by retention (an anchor at seq 3), then its audit.retention row.
  const old = await appendRaw(db, b, { seq: 0, hash: GENESIS_HASH }, [1, 2, 3].map((n) => ({ type: "auth.login", details: { n }, at: at("2020-01-01T00:00:00Z") })));
  await db.execute(sql`select * from audit_prune(${b}::uuid, '2021-01-01T00:00:00Z'::timestamptz)`);
  const headB = await appendRaw(db, b, old, [
    { type: "audit.retention", details: { throughSeq: 3, anchorHash: old.hash, removed: 3, before: "2021-01-01T00:00:00.000Z" }, at: at("2031-01-01T00:00:00Z") },
  ]);

  await migrateDatabase(t.handle);
  const heads = await queryRows<{ chain: string; seq: number; hash: string }>(db, sql`select chain::text as chain, seq::int as seq, hash from audit_chain_heads`);
  expect(new Map(heads.map((h) => [h.chain, { seq: h.seq, hash: h.hash }]))).toEqual(
    new Map([
      [a, headA],
      [b, headB],
      ["00000000-0000-0000-0000-000000000000", headNull],
    ]),
  );
  const report = await verifyAuditLog(db);
  expect(report.ok).toBe(true);
  expect(report.chains).toHaveLength(3);
  await recordAudit(db, { orgId: a, userId: null, eventType: "auth.logout", at: new Date("2031-02-01T00:00:00Z") });
  expect((await verifyAuditLog(db, { orgId: a })).chains[0]).toMatchObject({ ok: true, head: { seq: 4 }, headAnchor: { seq: 4 } });
});
