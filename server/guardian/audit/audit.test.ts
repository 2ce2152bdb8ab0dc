// The audit chain on a real (migrated) database: PGlite, or Postgres with TEST_DATABASE_URL.
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { markTamperedOnPurpose, withTestDb } from "../../../test/support/db.ts";
import { queryRows, type Db } from "../../db/client.ts";
import { chainHead, listAuditLogs, recordAudit, recordAuditBatch } from "../../db/queries/audit.ts";
import { createOrganizationWithAdmin } from "../../db/queries/accounts.ts";
import { canonicalJson, chainHash, escapeControl, GENESIS_HASH, sanitizeLogValue } from "./chain.ts";
import { pruneAuditLog, retentionSettings, runRetention } from "./retention.ts";
import { headsFromReport, verifyAuditLog, verifyChain } from "./verify.ts";

const testDb = withTestDb();

async function newOrg(db: Db): Promise<{ orgId: string; userId: string }> {
  const r = await createOrganizationWithAdmin(db, {
    organizationName: "Audit Org",
    email: `a-${randomUUID()}@example.com`,
    passwordHash: "x",
  });
  return { orgId: r.organization.id, userId: r.user.id };
}

async function seed(db: Db, orgId: string, userId: string, n: number, start = new Date("2031-01-01T00:00:00Z")): Promise<void> {
  for (let i = 0; i < n; i++) {
    await recordAudit(db, {
      orgId,
      userId,
      eventType: "auth.login",
      details: { n: i, email: "someone@example.com" },
      ip: "10.0.0.1",
      at: new Date(start.getTime() + i * 1000),
    });
  }
}

/** Runs `body` with the append-only triggers off, as a superuser tampering with the table would. */
async function asTamperer(db: Db, body: () => Promise<unknown>): Promise<void> {
  await markTamperedOnPurpose(db);
  await db.execute(sql`alter table audit_logs disable trigger audit_logs_append_only`);
  try {
    await body();
  } finally {
    await db.execute(sql`alter table audit_logs enable trigger audit_logs_append_only`);
  }
}

const rowAt = async (db: Db, orgId: string, seq: number) =>
  (await queryRows<{ id: string }>(db, sql`select id from audit_logs where org_id = ${orgId} and seq = ${seq}`))[0]!;

describe("chain format", () => {
  it("canonical JSON sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it.each([
    ["line\r\nforged: entry", "line\\r\\nforged: entry"],
    ["a\u2028b\u0000c\u001b[31m", "a\\u2028b\\u0000c\\u001b[31m"],
    ["tab\there", "tab\\there"],
  ])("escapes control characters: %j", (input, out) => {
    expect(escapeControl(input)).toBe(out);
    expect(sanitizeLogValue({ k: [input] })).toEqual({ k: [out] });
  });
});

describe("audit log on the database", () => {
  it("chains events per organisation from the genesis and verifies", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    const b = await newOrg(db);
    await seed(db, a.orgId, a.userId, 5);
    await seed(db, b.orgId, b.userId, 3);
    const rows = await queryRows<{ seq: number; prev_hash: string; hash: string }>(
      db,
      sql`select seq::int as seq, prev_hash, hash from audit_logs where org_id = ${a.orgId} order by seq`,
    );
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    const report = await verifyAuditLog(db, { orgId: a.orgId });
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ rows: 5, head: { seq: 5, hash: rows[4]!.hash } });
    expect((await verifyChain(db, b.orgId)).rows).toBe(3);
  });

  it("keeps personal fields out of the hashed details and escapes CR/LF from user input", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await recordAudit(db, {
      orgId: a.orgId,
      userId: a.userId,
      eventType: "auth.login_failed",
      details: { email: "evil@example.com\r\n2031-01-01 auth.login ok", reason: "wrong\npassword" },
      ip: "1.2.3.4\n",
      at: new Date("2031-02-01T00:00:00Z"),
    });
    const [row] = await queryRows<{ details: Record<string, unknown>; personal: Record<string, unknown>; ip: string }>(
      db,
      sql`select details, personal, ip from audit_logs where org_id = ${a.orgId}`,
    );
    expect(row!.details).toEqual({ reason: "wrong\\npassword" });
    expect(row!.personal).toEqual({ email: "evil@example.com\\r\\n2031-01-01 auth.login ok" });
    expect(row!.ip).toBe("1.2.3.4\\n");
    const text = JSON.stringify(row);
    expect(text).not.toMatch(/[\r\n]/);
  });

  it("refuses UPDATE, DELETE and TRUNCATE from the application", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 1);
    const attempts = [
      sql`update audit_logs set event_type = 'auth.logout' where org_id = ${a.orgId}`,
      sql`update audit_logs set user_id = null where org_id = ${a.orgId}`,
      sql`delete from audit_logs where org_id = ${a.orgId}`,
      sql`truncate audit_logs`,
      sql`insert into audit_anchors (org_id, seq, hash, removed_rows, before) values (${a.orgId}, 9, 'x', 1, now())`,
    ];
    for (const q of attempts) {
      await expect(db.execute(q)).rejects.toSatisfy((e: unknown) => /append-only|audit_prune/.test(String((e as { cause?: unknown }).cause ?? e)));
    }
    expect((await verifyChain(db, a.orgId)).rows).toBe(1);
    // Deleting the organisation is allowed and leaves its audit rows (no cascade into the log).
    await db.execute(sql`delete from organizations where id = ${a.orgId}`);
    expect((await verifyChain(db, a.orgId)).ok).toBe(true);
  });

  it("reports an edited row with its id and seq", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 6);
    const target = await rowAt(db, a.orgId, 4);
    await asTamperer(db, () => db.execute(sql`update audit_logs set details = '{"n": 99}'::jsonb where id = ${target.id}`));
    const report = await verifyAuditLog(db, { orgId: a.orgId });
    expect(report.ok).toBe(false);
    expect(report.chains[0]!.problem).toMatchObject({ kind: "edited_row", id: target.id, seq: 4 });
  });

  it("reports an edited row whose hash was recomputed, at the next link", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 4);
    const [row] = await queryRows<{ id: string; created_at: Date; subject_hash: string; prev_hash: string }>(
      db,
      sql`select id, created_at, subject_hash, prev_hash from audit_logs where org_id = ${a.orgId} and seq = 2`,
    );
    const forged = chainHash({
      orgId: a.orgId,
      seq: 2,
      createdAt: new Date(row!.created_at),
      eventType: "auth.login",
      details: { n: 1000 },
      subjectHash: row!.subject_hash,
      prevHash: row!.prev_hash,
    });
    await asTamperer(db, () =>
      db.execute(sql`update audit_logs set details = '{"n": 1000}'::jsonb, hash = ${forged} where id = ${row!.id}`),
    );
    const next = await rowAt(db, a.orgId, 3);
    expect((await verifyChain(db, a.orgId)).problem).toMatchObject({ kind: "broken_link", id: next.id, seq: 3 });
  });

  it("reports a changed user (subject) although the chain hash covers only its commitment", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    const other = randomUUID();
    await seed(db, a.orgId, a.userId, 3);
    const target = await rowAt(db, a.orgId, 2);
    await asTamperer(db, () => db.execute(sql`update audit_logs set user_id = ${other} where id = ${target.id}`));
    expect((await verifyChain(db, a.orgId)).problem).toMatchObject({ kind: "edited_subject", id: target.id, seq: 2 });
  });

  it("reports a deleted row (a gap) at the row after it", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 5);
    const gone = await rowAt(db, a.orgId, 3);
    const after = await rowAt(db, a.orgId, 4);
    await asTamperer(db, () => db.execute(sql`delete from audit_logs where id = ${gone.id}`));
    const report = await verifyAuditLog(db, { orgId: a.orgId });
    expect(report.ok).toBe(false);
    expect(report.chains[0]!.problem).toMatchObject({ kind: "missing_rows", id: after.id, seq: 4 });
  });

  it("reports a deleted row whose successors were renumbered, and reordered rows", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 4);
    const gone = await rowAt(db, a.orgId, 2);
    await asTamperer(db, async () => {
      await db.execute(sql`delete from audit_logs where id = ${gone.id}`);
      await db.execute(sql`update audit_logs set seq = seq - 1 where org_id = ${a.orgId} and seq > 2`);
    });
    const problem = (await verifyChain(db, a.orgId)).problem;
    expect(problem?.seq).toBe(2);
    expect(["broken_link", "edited_row"]).toContain(problem?.kind);

    const b = await newOrg(db);
    await seed(db, b.orgId, b.userId, 3);
    await asTamperer(db, async () => {
      await db.execute(sql`update audit_logs set seq = seq + 100 where org_id = ${b.orgId} and seq = 2`);
      await db.execute(sql`update audit_logs set seq = 2 where org_id = ${b.orgId} and seq = 3`);
      await db.execute(sql`update audit_logs set seq = 3 where org_id = ${b.orgId} and seq = 102`);
    });
    expect((await verifyChain(db, b.orgId)).ok).toBe(false);
  });

  it("detects rows removed from the end without a remembered head (the head anchor)", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 5);
    const before = await verifyChain(db, a.orgId);
    expect(before).toMatchObject({ ok: true, head: { seq: 5 }, headAnchor: before.head });
    await asTamperer(db, () => db.execute(sql`delete from audit_logs where org_id = ${a.orgId} and seq >= 4`));
    const report = await verifyAuditLog(db, { orgId: a.orgId });
    expect(report.ok).toBe(false);
    expect(report.chains[0]!.problem).toMatchObject({ kind: "tail_missing", code: "AUD1008", seq: 4 });
    expect(report.chains[0]!.problem!.message).toMatch(/rows 4\.\.5 are missing from the end.*seq 3.*seq 5/);
    // New events continue after the recorded head, so the gap stays visible.
    await seed(db, a.orgId, a.userId, 1, new Date("2031-06-01T00:00:00Z"));
    expect((await verifyChain(db, a.orgId)).problem).toMatchObject({ kind: "missing_rows", seq: 6 });
  });

  it("detects a chain whose rows were all removed, and a replaced newest row", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 2);
    await asTamperer(db, () => db.execute(sql`delete from audit_logs where org_id = ${a.orgId}`));
    const all = await verifyAuditLog(db);
    expect(all.chains.find((c) => c.orgId === a.orgId)?.problem).toMatchObject({ kind: "tail_missing", seq: 1 });

    const b = await newOrg(db);
    await seed(db, b.orgId, b.userId, 3);
    const [row] = await queryRows<{ id: string; created_at: Date; subject_hash: string; prev_hash: string }>(
      db,
      sql`select id, created_at, subject_hash, prev_hash from audit_logs where org_id = ${b.orgId} and seq = 3`,
    );
    // The newest row rewritten with a consistent hash: no later link shows it, the head anchor does.
    const forged = chainHash({ orgId: b.orgId, seq: 3, createdAt: new Date(row!.created_at), eventType: "auth.logout", details: {}, subjectHash: row!.subject_hash, prevHash: row!.prev_hash });
    await asTamperer(db, () => db.execute(sql`update audit_logs set event_type = 'auth.logout', details = '{}'::jsonb, hash = ${forged} where id = ${row!.id}`));
    expect((await verifyChain(db, b.orgId)).problem).toMatchObject({ kind: "head_anchor_mismatch", code: "AUD1009", seq: 3 });
  });

  it("a superuser who rewinds the head anchor too is caught by a head kept outside (expectHead / --heads)", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 3);
    const saved = await verifyAuditLog(db, { orgId: a.orgId });
    const heads = headsFromReport(JSON.stringify(saved));
    if (!(heads instanceof Map)) throw new Error(heads.message);
    await asTamperer(db, async () => {
      await db.execute(sql`alter table audit_chain_heads disable trigger audit_chain_heads_guard`);
      try {
        await db.execute(sql`delete from audit_logs where org_id = ${a.orgId} and seq = 3`);
        const [r2] = await queryRows<{ hash: string }>(db, sql`select hash from audit_logs where org_id = ${a.orgId} and seq = 2`);
        await db.execute(sql`update audit_chain_heads set seq = 2, hash = ${r2!.hash} where chain = ${a.orgId}`);
      } finally {
        await db.execute(sql`alter table audit_chain_heads enable trigger audit_chain_heads_guard`);
      }
    });
    expect((await verifyChain(db, a.orgId)).ok).toBe(true);
    expect((await verifyChain(db, a.orgId, { expectHead: saved.chains[0]!.head })).problem?.kind).toBe("head_mismatch");
    expect((await verifyAuditLog(db, { expectHeads: heads })).chains.find((c) => c.orgId === a.orgId)?.problem?.kind).toBe("head_mismatch");
  });

  it("the head anchor only moves forward, onto a row continuing it, and appends must continue it", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 3);
    const refused = (e: unknown) => /audit chain head|only move forward|must continue|append-only/.test(String((e as { cause?: unknown }).cause ?? e));
    const [r2] = await queryRows<{ hash: string }>(db, sql`select hash from audit_logs where org_id = ${a.orgId} and seq = 2`);
    for (const q of [
      sql`update audit_chain_heads set seq = 2, hash = ${r2!.hash} where chain = ${a.orgId}`,
      sql`update audit_chain_heads set seq = seq + 1 where chain = ${a.orgId}`,
      sql`delete from audit_chain_heads where chain = ${a.orgId}`,
      sql`truncate audit_chain_heads`,
    ]) {
      await expect(db.execute(q)).rejects.toSatisfy(refused);
    }
    // Even with the trigger's own flag set by hand, a head cannot go back.
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('datamigrate.audit_head', 'on', true)`);
        await tx.execute(sql`update audit_chain_heads set seq = 2, hash = ${r2!.hash} where chain = ${a.orgId}`);
      }),
    ).rejects.toSatisfy(refused);
    // A row that does not continue the head (a fork from seq 2, a far seq, or unchained seq 0).
    const row = (seq: number, prev: string) =>
      sql`insert into audit_logs (org_id, seq, event_type, details, subject_hash, prev_hash, hash) values (${a.orgId}, ${seq}, 'auth.login', '{}'::jsonb, '', ${prev}, ${"f".repeat(64)})`;
    // Two rows in one statement: the first continues the head, the second does not link to it.
    const [r3] = await queryRows<{ hash: string }>(db, sql`select hash from audit_logs where org_id = ${a.orgId} and seq = 3`);
    const pair = sql`insert into audit_logs (org_id, seq, event_type, details, subject_hash, prev_hash, hash)
      values (${a.orgId}, 4, 'auth.login', '{}'::jsonb, '', ${r3!.hash}, ${"a".repeat(64)}), (${a.orgId}, 5, 'auth.login', '{}'::jsonb, '', ${"b".repeat(64)}, ${"c".repeat(64)})`;
    for (const q of [row(3, r2!.hash), row(9, r2!.hash), row(0, ""), pair]) await expect(db.execute(q)).rejects.toSatisfy((e: unknown) => /unique|must continue|seq must be/.test(String((e as { cause?: unknown }).cause ?? e)));
    expect(await verifyChain(db, a.orgId)).toMatchObject({ ok: true, head: { seq: 3 } });
  });

  it("an application role that does not own the tables cannot rewind heads, nor delete rows by setting the retention flag", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 2);
    const role = `dm_app_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    const r = sql.raw(`"${role}"`);
    // As INSTALL.md ("Audit log") sets the application role up.
    await db.execute(sql`create role ${r} nologin`);
    try {
      await db.execute(sql`grant usage on schema public to ${r}`);
      await db.execute(sql`grant select, insert, update, delete on all tables in schema public to ${r}`);
      await db.execute(sql`grant usage on all sequences in schema public to ${r}`);
      await db.execute(sql`revoke update, delete, truncate on audit_logs, audit_anchors, audit_chain_heads from ${r}`);
      await db.execute(sql`revoke insert on audit_anchors, audit_chain_heads from ${r}`);
      const asApp = <T>(body: (tx: Db) => Promise<T>) =>
        db.transaction(async (tx) => {
          await tx.execute(sql`set local role ${r}`);
          return body(tx as unknown as Db);
        });
      // It appends (the head moves through the SECURITY DEFINER trigger) ...
      await asApp((tx) => recordAudit(tx, { orgId: a.orgId, userId: a.userId, eventType: "auth.logout", at: new Date("2031-07-01T00:00:00Z") }));
      expect((await chainHead(db, a.orgId)).seq).toBe(3);
      // ... but cannot move a head, delete rows (even with the flags audit_prune uses), or truncate.
      const denied = (e: unknown) => /permission denied|append-only|audit chain head/.test(String((e as { cause?: unknown }).cause ?? e));
      for (const q of [
        sql`update audit_chain_heads set seq = 1 where chain = ${a.orgId}`,
        sql`delete from audit_chain_heads`,
        sql`delete from audit_logs where org_id = ${a.orgId}`,
      ]) {
        await expect(asApp((tx) => tx.execute(q))).rejects.toSatisfy(denied);
      }
      await db.execute(sql`grant delete on audit_logs to ${r}`); // even a mistaken grant: the guard wants the owner
      await expect(
        asApp(async (tx) => {
          await tx.execute(sql`select set_config('datamigrate.audit_retention', 'on', true)`);
          await tx.execute(sql`delete from audit_logs where org_id = ${a.orgId}`);
        }),
      ).rejects.toSatisfy(denied);
      expect(await verifyChain(db, a.orgId)).toMatchObject({ ok: true, rows: 3 });
    } finally {
      await db.execute(sql`drop owned by ${r}`);
      await db.execute(sql`drop role ${r}`);
    }
  });

  it("does not fork under concurrent inserts into one chain", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    const at = new Date("2031-03-01T00:00:00Z");
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordAudit(db, { orgId: a.orgId, userId: a.userId, eventType: "guardian.detected", details: { i }, at: new Date(at.getTime() + i) }),
      ),
    );
    const seqs = await queryRows<{ seq: number }>(db, sql`select seq::int as seq from audit_logs where org_id = ${a.orgId} order by seq`);
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await verifyChain(db, a.orgId)).ok).toBe(true);
  });

  it("batch inserts continue the same chain", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 2);
    const at = new Date("2031-04-01T00:00:00Z");
    await recordAuditBatch(
      db,
      Array.from({ length: 1200 }, (_, i) => ({ orgId: a.orgId, userId: null, eventType: "guardian.blocked" as const, details: { rules: ["pi.ignore"], i }, at })),
    );
    expect((await chainHead(db, a.orgId)).seq).toBe(1202);
    expect((await verifyChain(db, a.orgId, { pageSize: 500 })).ok).toBe(true);
  });

  it("events without an organisation form their own chain", async () => {
    const db = testDb.db;
    await recordAudit(db, { orgId: null, userId: null, eventType: "auth.login_failed", details: { email: "nobody@example.com" }, at: new Date() });
    const report = await verifyChain(db, null);
    expect(report.ok).toBe(true);
    expect(report.rows).toBeGreaterThan(0);
  });

  it("refuses event types that are not dotted names", async () => {
    await expect(
      recordAudit(testDb.db, { orgId: null, userId: null, eventType: "Bad Type\n.x" as "auth.login", at: new Date() }),
    ).rejects.toThrow(/dotted/);
  });

  it("retention removes the oldest prefix, anchors it, and the chain still verifies", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    const old = new Date("2020-01-01T00:00:00Z");
    await seed(db, a.orgId, a.userId, 5, old);
    await seed(db, a.orgId, a.userId, 2, new Date()); // recent: kept
    const now = new Date();
    const results = await pruneAuditLog(db, { orgId: a.orgId, before: new Date("2021-01-01T00:00:00Z"), now });
    expect(results).toEqual([{ orgId: a.orgId, removed: 5, anchorSeq: 5 }]);
    const seqs = await queryRows<{ seq: number; event_type: string }>(
      db,
      sql`select seq::int as seq, event_type from audit_logs where org_id = ${a.orgId} order by seq`,
    );
    expect(seqs).toEqual([
      { seq: 6, event_type: "auth.login" },
      { seq: 7, event_type: "auth.login" },
      { seq: 8, event_type: "audit.retention" },
    ]);
    const report = await verifyChain(db, a.orgId);
    expect(report).toMatchObject({ ok: true, rows: 3, start: { seq: 5, anchored: true }, head: { seq: 8 }, headAnchor: { seq: 8 } });
    // A second pass has nothing to do; new events continue the chain.
    expect((await pruneAuditLog(db, { orgId: a.orgId, before: new Date("2021-01-01T00:00:00Z"), now }))[0]!.removed).toBe(0);
    await seed(db, a.orgId, a.userId, 1, new Date());
    expect((await verifyChain(db, a.orgId)).ok).toBe(true);
    // Deleting the first kept row is still detected.
    const first = await rowAt(db, a.orgId, 6);
    await asTamperer(db, () => db.execute(sql`delete from audit_logs where id = ${first.id}`));
    expect((await verifyChain(db, a.orgId)).problem?.kind).toBe("missing_rows");
  });

  it("retention keeps at least 30 days whatever it is asked", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 1, new Date());
    await expect(pruneAuditLog(db, { orgId: a.orgId, before: new Date(), now: new Date() })).rejects.toSatisfy((e: unknown) =>
      /at least 30 days/.test(String((e as { cause?: unknown }).cause ?? e)),
    );
  });

  it("an anchor without its audit.retention row is reported", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 3, new Date("2020-01-01T00:00:00Z"));
    // Calls the function directly: it anchors, but no retention event is appended.
    await db.execute(sql`select * from audit_prune(${a.orgId}::uuid, '2021-01-01T00:00:00Z'::timestamptz)`);
    await seed(db, a.orgId, a.userId, 1, new Date());
    expect((await verifyChain(db, a.orgId)).problem?.kind).toBe("anchor_unconfirmed");
  });

  it("filters by type prefix, user and time", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 3);
    await recordAudit(db, { orgId: a.orgId, userId: null, eventType: "guardian.blocked", at: new Date("2031-01-02T00:00:00Z") });
    const page = (f: object) => listAuditLogs(db, a.orgId, { limit: 50, offset: 0, ...f });
    expect((await page({ eventType: "guardian.*" })).total).toBe(1);
    expect((await page({ user: a.userId })).total).toBe(3);
    expect((await page({ from: new Date("2031-01-01T00:00:01Z"), to: new Date("2031-01-01T00:00:02Z") })).total).toBe(1);
  });
});

describe("retention settings", () => {
  it("defaults to 365 days daily, refuses less than 30 days or a bad cron expression", () => {
    expect(retentionSettings({})).toEqual({ days: 365, schedule: "17 3 * * *" });
    expect(retentionSettings({ DATAMIGRATE_AUDIT_RETENTION_DAYS: "90", DATAMIGRATE_AUDIT_RETENTION_SCHEDULE: "0 4 * * 0" })).toEqual({ days: 90, schedule: "0 4 * * 0" });
    expect(() => retentionSettings({ DATAMIGRATE_AUDIT_RETENTION_DAYS: "7" })).toThrow(/at least 30/);
    expect(() => retentionSettings({ DATAMIGRATE_AUDIT_RETENTION_SCHEDULE: "every night" })).toThrow(/cron/);
  });

  it("runRetention prunes every chain older than the period", async () => {
    const db = testDb.db;
    const a = await newOrg(db);
    await seed(db, a.orgId, a.userId, 2, new Date("2019-06-01T00:00:00Z"));
    const results = await runRetention(db, { days: 365, schedule: "17 3 * * *" }, new Date());
    expect(results.find((r) => r.orgId === a.orgId)).toMatchObject({ removed: 2, anchorSeq: 2 });
    // (Other chains of this file were tampered with on purpose; this one must verify.)
    expect(await verifyChain(db, a.orgId)).toMatchObject({ ok: true, start: { seq: 2, anchored: true } });
  });
});

describe("headsFromReport (audit verify --heads FILE)", () => {
  it("names the line of the chain that is wrong in a saved report, and refuses what is not a report", () => {
    const hash = "a".repeat(64);
    const report = { ok: true, chains: [{ orgId: null, head: { seq: 1, hash } }, { orgId: "not-an-id", head: { seq: 2, hash } }] };
    const text = JSON.stringify(report, null, 2);
    const line = text.split("\n").findIndex((l) => l.includes('"not-an-id"')); // 0-based index of the orgId line: the element's "{" is the line before
    expect(headsFromReport(text)).toEqual({ line, message: "chains[1].orgId: expected an organisation id or null" });
    expect(headsFromReport("null")).toMatchObject({ line: 1, message: expect.stringMatching(/chains array/) });
    expect(headsFromReport('{"chains": [null]}')).toMatchObject({ line: 1, message: expect.stringMatching(/chains\[0\]\.orgId/) });
    expect(headsFromReport('{\n"chains": [\n')).toMatchObject({ line: 3, message: expect.stringMatching(/^not JSON/) });
    const heads = headsFromReport(JSON.stringify({ chains: [{ orgId: null, head: { seq: 1, hash } }] }));
    expect(heads).toEqual(new Map([["", { seq: 1, hash }]]));
  });
});
