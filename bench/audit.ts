// Audit log costs: appends with hash chaining (one event per transaction, as the application
// writes them, and in batches), and `audit verify` over a 100k-row chain, on the embedded PGlite
// and, with TEST_DATABASE_URL, on Postgres.
//   npx tsx bench/audit.ts [rows=100000] [single=2000]
import { createOrganizationWithAdmin } from "../server/db/queries/accounts.ts";
import { recordAudit, recordAuditBatch, type AuditEvent } from "../server/db/queries/audit.ts";
import { verifyChain } from "../server/guardian/audit/verify.ts";
import { createTestDb } from "../test/support/db.ts";

const rows = Number(process.argv[2] ?? 100_000);
const single = Number(process.argv[3] ?? 2_000);

function event(orgId: string, userId: string, i: number): AuditEvent {
  return {
    orgId,
    userId,
    eventType: i % 10 === 0 ? "guardian.blocked" : "auth.login",
    details: i % 10 === 0 ? { rules: ["pi.ignore_previous", "pi.role_play"], score: 0.93, action: "block" } : { method: "password" },
    ip: "10.1.2.3",
    at: new Date(Date.UTC(2031, 0, 1) + i * 1000),
  };
}

async function run(label: string) {
  const t = await createTestDb();
  try {
    const { organization, user } = await createOrganizationWithAdmin(t.db, { organizationName: "bench", email: `bench-${Date.now()}@example.com`, passwordHash: "x" });
    const orgId = organization.id;

    let t0 = performance.now();
    for (let i = 0; i < single; i++) await recordAudit(t.db, event(orgId, user.id, i));
    const singleMs = performance.now() - t0;

    // Concurrent writers to one chain: the advisory lock serialises them.
    t0 = performance.now();
    const writers = 8;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < single / writers; i++) await recordAudit(t.db, event(orgId, user.id, single + w * 1_000_000 + i));
      }),
    );
    const concurrentMs = performance.now() - t0;

    t0 = performance.now();
    const rest = rows - 2 * single;
    for (let i = 0; i < rest; i += 5000) {
      await recordAuditBatch(t.db, Array.from({ length: Math.min(5000, rest - i) }, (_, j) => event(orgId, user.id, 2 * single + i + j)));
    }
    const batchMs = performance.now() - t0;

    t0 = performance.now();
    const report = await verifyChain(t.db, orgId);
    const verifyMs = performance.now() - t0;
    if (!report.ok || report.rows !== rows) throw new Error(`verify failed: ${JSON.stringify(report)}`);

    console.log(
      `| ${label} | ${(single / (singleMs / 1000)).toFixed(0)}/s (${(singleMs / single).toFixed(2)} ms) | ` +
        `${(single / (concurrentMs / 1000)).toFixed(0)}/s | ${(rest / (batchMs / 1000)).toFixed(0)}/s | ` +
        `${rows.toLocaleString("en")} rows in ${(verifyMs / 1000).toFixed(2)} s (${(rows / (verifyMs / 1000)).toFixed(0)} rows/s) |`,
    );
  } finally {
    await t.dispose();
  }
}

console.log(`| database | one event per transaction | 8 concurrent writers, one chain | batches of 5000 | verify |`);
console.log(`|---|---|---|---|---|`);
const url = process.env.TEST_DATABASE_URL;
delete process.env.TEST_DATABASE_URL;
await run("PGlite (in memory)");
if (url) {
  process.env.TEST_DATABASE_URL = url;
  await run("Postgres (loopback)");
}
