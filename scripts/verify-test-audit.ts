// Verifies the audit chains of the databases a test run left behind (issue 9: "the audit chain
// verifies on a database produced by the test suite").
//
//   KEEP_TEST_DATABASES=1 TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx vitest run
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx scripts/verify-test-audit.ts [--drop]
//
// Lists the databases named dm_keep_* (test/support/db.ts keeps them under KEEP_TEST_DATABASES),
// runs the same verification as `datamigrate audit verify` on each (every chain, including the head
// anchors), and prints one line per database and a summary. Databases a test marked as tampered
// with on purpose (markTamperedOnPurpose) must FAIL verification; every other one must pass.
// Exit code 0 when that holds, 1 otherwise. --drop removes the databases afterwards; --clean only
// drops every dm_keep_* database (before a run, after an interrupted one).
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase, queryRows } from "../server/db/client.ts";
import { verifyAuditLog } from "../server/guardian/audit/verify.ts";
import { TAMPERED_ON_PURPOSE } from "../test/support/db.ts";

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) {
  process.stderr.write("verify-test-audit: set TEST_DATABASE_URL (the admin connection the tests used)\n");
  process.exit(2);
}
const drop = process.argv.includes("--drop");
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
if (process.argv.includes("--clean")) {
  // Before a run: drop what an earlier, interrupted run kept, without verifying it.
  const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'dm\\_keep\\_%'`;
  for (const { datname } of stale) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
  await admin.end({ timeout: 5 });
  process.stdout.write(`dropped ${stale.length} kept test database(s)\n`);
  process.exit(0);
}
const dbs = await admin<{ datname: string; comment: string | null }[]>`
  select datname, shobj_description(oid, 'pg_database') as comment
  from pg_database where datname like 'dm\\_keep\\_%' order by datname`;

const totals = { databases: 0, withAudit: 0, chains: 0, rows: 0, failures: 0, tamperedExpected: 0, unexpected: 0 };
for (const { datname, comment } of dbs) {
  totals.databases++;
  const url = new URL(adminUrl);
  url.pathname = `/${datname}`;
  const tampered = comment === TAMPERED_ON_PURPOSE;
  const handle = await openDatabase({ kind: "postgres", url: url.toString() });
  try {
    const [t] = await queryRows<{ ok: boolean }>(handle.db, sql`select to_regclass('audit_logs') is not null as ok`);
    if (!t?.ok) {
      process.stdout.write(`-        ${datname}  no audit_logs table\n`);
      continue;
    }
    const report = await verifyAuditLog(handle.db);
    const rows = report.chains.reduce((s, c) => s + c.rows, 0);
    const broken = report.chains.filter((c) => !c.ok);
    if (report.chains.length) totals.withAudit++;
    totals.chains += report.chains.length;
    totals.rows += rows;
    totals.failures += broken.length;
    const expected = tampered ? !report.ok : report.ok;
    if (tampered) totals.tamperedExpected++;
    if (!expected) totals.unexpected++;
    const label = expected ? (tampered ? "BROKEN*" : "OK     ") : "UNEXPECTED";
    process.stdout.write(`${label}  ${datname}  ${report.chains.length} chain(s), ${rows} row(s)${broken.length ? `, ${broken.length} broken` : ""}${tampered ? " (tampered with on purpose)" : ""}\n`);
    if (!tampered) {
      for (const c of broken) process.stdout.write(`         ${c.orgId ?? "(no organisation)"}  ${c.problem!.code} ${c.problem!.kind} at seq ${c.problem!.seq}: ${c.problem!.message}\n`);
    }
  } finally {
    await handle.close();
  }
  if (drop) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
}
await admin.end({ timeout: 5 });
process.stdout.write(
  `\n${totals.databases} database(s), ${totals.withAudit} with audit events: ${totals.chains} chain(s), ${totals.rows} row(s) checked, ` +
    `${totals.failures} broken chain(s); ${totals.tamperedExpected} database(s) tampered with on purpose by tests (expected to fail); ` +
    `${totals.unexpected === 0 ? "every database as expected" : `${totals.unexpected} database(s) NOT as expected`}\n`,
);
if (totals.databases === 0) process.stdout.write("no dm_keep_* databases: run the tests with KEEP_TEST_DATABASES=1 and TEST_DATABASE_URL first\n");
process.exit(totals.unexpected === 0 && totals.databases > 0 ? 0 : 1);
